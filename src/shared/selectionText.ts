/**
 * How a Correlate selection (SelectionInfo) is named, the same words in the host (status bar, hover,
 * panel title) and the flame graph page (its header): pure functions of the protocol's type.
 */
import type { SelectionInfo } from './protocol';

/** "span 00f067aa… (POST /checkout)", or the bare label when no span name is known (or the label is the name). */
export function selectionTitle(s: SelectionInfo): string {
  if (!s.names?.length) return s.label;
  if (s.names.length === 1 && !s.moreNames && s.label.includes(s.names[0])) return s.label;
  const more = s.moreNames ? ` +${s.moreNames} more` : '';
  return `${s.label} (${s.names.join(', ')}${more})`;
}

/** "span" / "trace" / "selection": what the percentages are shares of, in words. */
export function selectionNoun(s: SelectionInfo): string {
  const m = /^(spans?|traces?) /.exec(s.label);
  return m ? m[1] : 'selection';
}

/** Where the selection's samples come from: the server's span profile, or the samples with its labels. */
export function selectionSource(s: SelectionInfo): string {
  return s.fromServer ? `the server's profile of this ${selectionNoun(s)}` : `only the samples with ${s.condition}`;
}
