/**
 * The hover on a hot line: markdown built from the index, pure. Every profile string is escaped;
 * links are produced by the caller (`HoverLinks`), which decides which commands they may run.
 */
import { formatInteger, formatPercent, formatValue } from '../format';
import { PositionKind, type Line1 } from '../model';
import type { IndexView } from './indexView';

export interface HoverLinks {
  /** link target that opens a function's source (undefined: no link) */
  openFunction(fn: number): string | undefined;
  /** link target that opens the flame graph focused on a function */
  flameGraph(fn: number): string;
}

export interface HoverInput {
  file: number;
  /** line in the profile (before any edit shift) */
  line: Line1;
  /** index row of the line, -1 when the line has no cost of its own */
  row: number;
  /** the function shown (enclosing the line), -1 none */
  fn: number;
  /** selected sample type first */
  types: number[];
  /** the file on disk is newer than the profile */
  stale: boolean;
  /** the document has unsaved edits that moved annotations */
  edited: boolean;
  /** other original lines a line-only position may map to */
  candidates?: Line1[];
}

const MD_SPECIAL = /[\\`*_{}[\]()#+\-.!|<>~&$]/g;

/** Escapes text for Markdown so profile strings can never form links, HTML or formatting. */
export function escapeMarkdown(text: string): string {
  return text.replace(MD_SPECIAL, (c) => '\\' + c).replace(/\r?\n/g, ' ');
}

function baseName(p: string): string {
  const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  return i >= 0 ? p.slice(i + 1) : p;
}

function cell(view: IndexView, values: Float64Array, i: number, t: number): string {
  const v = view.value(values, i, t);
  const st = view.index.sampleTypes[t];
  return `${formatPercent(view.share(v, t))} (${formatValue(v, st.unit)})`;
}

export function approximateNote(kind: number, candidates?: Line1[]): string | undefined {
  switch (kind) {
    case PositionKind.FunctionStart:
      return 'Approximate position: the profiler recorded only the function, so its whole cost is shown on the function\'s first line.';
    case PositionKind.Recovered:
      return 'Approximate position: recovered from a minified name on a generated line; the cost may belong to a nearby line.';
    case PositionKind.Line:
      return candidates && candidates.length > 0
        ? `Approximate position: the profile has no column, and this generated line maps to several source lines (also ${candidates.map((l) => `line ${l}`).join(', ')}).`
        : undefined;
    default:
      return undefined;
  }
}

/** Index of a "samples" count type (pprof "samples"/"sample" count), -1 when the profile has none. */
export function sampleCountType(view: IndexView): number {
  return view.index.sampleTypes.findIndex((t) => /^samples?$/.test(t.type) && t.unit === 'count');
}

function sampleCount(view: IndexView, values: Float64Array, i: number, records: Uint32Array): number {
  const t = sampleCountType(view);
  return t >= 0 ? view.value(values, i, t) : records[i];
}

function plural(n: number, word: string): string {
  return `${formatInteger(n)} ${word}${Math.round(n) === 1 ? '' : 's'}`;
}

export function buildHoverMarkdown(view: IndexView, h: HoverInput, links: HoverLinks): string {
  const { index } = view;
  const out: string[] = [];
  const file = index.files[h.file];
  const fns = index.functions;
  const fnName = h.fn >= 0 ? escapeMarkdown(view.name(h.fn) || '(anonymous)') : '';
  out.push(`**Profile Lens** · line ${h.line} of ${escapeMarkdown(baseName(file?.path ?? ''))}`);
  out.push('');
  if (h.fn >= 0) {
    const at = fns.startLine[h.fn] > 0 && fns.startLine[h.fn] !== h.line ? ` (line ${fns.startLine[h.fn]})` : '';
    out.push(`in **${fnName}**${at} · [$(flame) Open in flame graph](${links.flameGraph(h.fn)})`);
    out.push('');
  }
  // When the line carries exactly the function's cost (function-level profiles), one row says it all.
  const same =
    h.row >= 0 &&
    h.fn >= 0 &&
    h.types.every((t) => view.value(index.lines.self, h.row, t) === view.value(fns.self, h.fn, t) && view.value(index.lines.total, h.row, t) === view.value(fns.total, h.fn, t));
  out.push('| | self | total |', '|:--|--:|--:|');
  for (const t of h.types) {
    const type = escapeMarkdown(index.sampleTypes[t].type);
    if (h.row >= 0) {
      const label = same ? type : `${type} · this line`;
      out.push(`| ${label} | ${cell(view, index.lines.self, h.row, t)} | ${cell(view, index.lines.total, h.row, t)} |`);
    }
    if (h.fn >= 0 && !same) out.push(`| ${type} · ${fnName} | ${cell(view, fns.self, h.fn, t)} | ${cell(view, fns.total, h.fn, t)} |`);
  }
  out.push('');
  const counts: string[] = [];
  if (h.row >= 0) counts.push(`${plural(sampleCount(view, index.lines.total, h.row, index.lines.samples), 'sample')} on this line`);
  if (h.fn >= 0 && !same) counts.push(`${plural(sampleCount(view, fns.total, h.fn, fns.samples), 'sample')} in ${fnName}`);
  if (counts.length) out.push(counts.join(' · '), '');
  if (h.fn >= 0) {
    const t0 = h.types[0];
    const total = index.totals[t0] ?? 0;
    const list = (items: { fn: number; weight: number }[]) =>
      items
        .map((c) => {
          const label = escapeMarkdown(view.name(c.fn) || '(anonymous)');
          const target = links.openFunction(c.fn);
          return `${target ? `[${label}](${target})` : label} ${formatPercent(total > 0 ? c.weight / total : 0)}`;
        })
        .join(', ');
    const callers = view.callers(h.fn, 5, t0);
    const callees = view.callees(h.fn, 5, t0);
    if (callers.length) out.push(`Called by: ${list(callers)}`, '');
    if (callees.length) out.push(`Calls: ${list(callees)}`, '');
  }
  const kind = h.row >= 0 ? index.lines.kind[h.row] : h.fn >= 0 ? index.functions.kind[h.fn] : PositionKind.Exact;
  const approx = approximateNote(kind, h.candidates);
  if (approx) out.push(`$(warning) ${approx}`, '');
  if (h.stale) out.push('$(history) This file changed on disk after the profile was taken: the figures may be stale.', '');
  if (h.edited) out.push('$(edit) Unsaved edits: annotations were moved with your changes.', '');
  return out.join('\n').trimEnd();
}
