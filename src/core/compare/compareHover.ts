/**
 * The hover's "vs baseline" section: baseline, now and the change for the line (self, total) and its
 * function, plus how the two windows were made comparable. Pure markdown; profile strings escaped.
 */
import { formatDuration, formatPercent, formatValue } from '../format';
import { escapeMarkdown } from '../insights/hoverMarkdown';
import type { Delta, FunctionDelta, LineDelta, ProfileComparison } from './compareProfiles';
import { deltaStatus, deltaTone, formatShareDelta, formatValueDelta } from './deltaFormat';

export function buildCompareHover(cmp: ProfileComparison, baselineLabel: string, lineDelta: LineDelta | undefined, fn: FunctionDelta | undefined): string | undefined {
  let line = lineDelta;
  if (!line && !fn) return undefined;
  const unit = cmp.sampleType.unit;
  const cell = (share: number, v: number) => `${formatValue(v, unit)} (${formatPercent(share)})`;
  const change = (d: Delta) => {
    const text = `${formatValueDelta(d.delta, unit)} (${formatShareDelta(d.change)})`;
    const tone = deltaTone(d);
    const status = deltaStatus(d);
    const word = status !== 'changed' ? ` ${status}` : tone === 'worse' ? ' slower' : tone === 'better' ? ' faster' : ' within noise';
    return tone === 'same' ? `${text}${word}` : `**${text}**${word}`;
  };
  const rows: string[] = [];
  const row = (what: string, d: Delta) => rows.push(`| ${what} | ${cell(d.baseShare, d.base * cmp.scale)} | ${cell(d.currentShare, d.current)} | ${change(d)} |`);
  // a function-level position puts the function's whole cost on its first line: show those rows once
  const same = (a: Delta, b: Delta) => Math.abs(a.current - b.current) < 1e-9 * (1 + Math.abs(a.current)) && Math.abs(a.base - b.base) < 1e-9 * (1 + Math.abs(a.base));
  if (line && fn && same(line.self, fn.self) && same(line.total, fn.total)) line = undefined;
  if (line) {
    row('line self', line.self);
    row('line total', line.total);
  }
  if (fn) {
    row(`${escapeMarkdown(fn.name || '(anonymous)')} self`, fn.self);
    row(`${escapeMarkdown(fn.name || '(anonymous)')} total`, fn.total);
  }
  const out = [
    `**Profile Lens** · vs baseline ${escapeMarkdown(baselineLabel)} · ${escapeMarkdown(cmp.sampleType.type)}`,
    '',
    '| | baseline | now | change |',
    '|---|---:|---:|---|',
    ...rows,
    '',
    escapeMarkdown(windowNote(cmp)),
  ];
  return out.join('\n');
}

/** How the baseline was made comparable with the current window. */
export function windowNote(cmp: ProfileComparison): string {
  const columns = 'Columns: value (share of that profile\'s total); change as a share of this window\'s total.';
  const noise = `Not highlighted: within sampling noise (${Math.round(cmp.baseSamples)} vs ${Math.round(cmp.currentSamples)} samples) or under ${formatPercent(cmp.minDeltaShare)}.`;
  let how: string;
  if (cmp.scaleReason === 'duration') how = `Baseline ${formatDuration(cmp.baseDurationNanos)} scaled ×${cmp.scale.toFixed(2)} to this ${formatDuration(cmp.currentDurationNanos)} window.`;
  else if (cmp.scaleReason === 'totals') how = `Window lengths unknown: baseline scaled ×${cmp.scale.toFixed(2)} to this profile's total (changes are changes of share).`;
  else how = `Both windows ${formatDuration(cmp.currentDurationNanos)}.`;
  return `${how} ${columns} ${noise}`;
}
