/**
 * How a change reads: `+12.4% wall (+310 ms)`, `−3.1% cpu (−80 ms)`, `+4.1 MB alloc (+2.0%)`, and
 * the tone it is shown in (worse: red, better: green, same: neutral). Pure.
 */
import { formatValue, sampleTypeLabel, unitKind } from '../format';
import type { SampleType } from '../model';
import type { Delta } from './compareProfiles';

export type DeltaTone = 'worse' | 'better' | 'same';

const MINUS = '\u2212';

/** A change of share in points: `+12.4%`, `−3.1%`, `+<0.1%`, `±0%`. */
export function formatShareDelta(deltaShare: number): string {
  const p = deltaShare * 100;
  if (!Number.isFinite(p) || Math.abs(p) < 0.005) return '±0%';
  const sign = p > 0 ? '+' : MINUS;
  const a = Math.abs(p);
  if (a < 0.1) return `${sign}<0.1%`;
  return `${sign}${a.toFixed(1)}%`;
}

/** A signed value in its unit: `+310 ms`, `−4.1 MB`, `±0`. */
export function formatValueDelta(delta: number, unit: string): string {
  if (!Number.isFinite(delta) || delta === 0) return '±0';
  const text = formatValue(Math.abs(delta), unit);
  if (text === '0' || /^0 /.test(text)) return '±0';
  return `${delta > 0 ? '+' : MINUS}${text}`;
}

/** More cost is worse for every sample type we know (time, allocations, counts). */
export function deltaTone(d: Delta): DeltaTone {
  if (!d.significant) return 'same';
  return d.change > 0 ? 'worse' : d.change < 0 ? 'better' : 'same';
}

/** What happened to a line or function: appeared, disappeared, or changed. */
export function deltaStatus(d: Delta): 'new' | 'gone' | 'changed' {
  if (d.base === 0 && d.current !== 0) return 'new';
  if (d.current === 0 && d.base !== 0) return 'gone';
  return 'changed';
}

/**
 * End-of-line text for a change: `+12.4% wall (+310 ms)` — the change as a share of the current total,
 * then in the type's unit; memory leads with the size (`+4.1 MB alloc (+2.0%)`). Adds `· new`,
 * `· gone` or `· within noise`.
 */
export function formatDelta(d: Delta, t: SampleType): string {
  const label = sampleTypeLabel(t);
  const main = unitKind(t.unit) === 'bytes'
    ? `${formatValueDelta(d.delta, t.unit)} ${label} (${formatShareDelta(d.change)})`
    : `${formatShareDelta(d.change)} ${label} (${formatValueDelta(d.delta, t.unit)})`;
  const status = deltaStatus(d);
  if (status !== 'changed') return `${main} · ${status}`;
  return d.significant ? main : `${main} · within noise`;
}
