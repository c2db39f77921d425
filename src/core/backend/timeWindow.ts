/**
 * Time windows for backend queries: rolling ("last 1 h", re-evaluated at every refresh) or fixed.
 * Pyroscope wants both ends, in milliseconds since the epoch.
 */
export type TimeWindow = { kind: 'last'; ms: number } | { kind: 'range'; start: number; end: number };

export const PRESET_WINDOWS: readonly { label: string; window: TimeWindow }[] = [
  { label: 'last 15 m', window: { kind: 'last', ms: 15 * 60_000 } },
  { label: 'last 1 h', window: { kind: 'last', ms: 3_600_000 } },
  { label: 'last 6 h', window: { kind: 'last', ms: 6 * 3_600_000 } },
  { label: 'last 24 h', window: { kind: 'last', ms: 24 * 3_600_000 } },
  { label: 'last 7 d', window: { kind: 'last', ms: 7 * 86_400_000 } },
];

export function resolveWindow(w: TimeWindow, now: number): { start: number; end: number } {
  return w.kind === 'last' ? { start: Math.floor(now - w.ms), end: Math.floor(now) } : { start: w.start, end: w.end };
}

export function isRolling(w: TimeWindow): boolean {
  return w.kind === 'last';
}

/** Parses "15m", "1h", "last 6 h", "7d", "90s" (rolling) or "2024-05-01T10:00Z/2024-05-01T11:00Z" (fixed). */
export function parseWindow(text: string): TimeWindow | undefined {
  const t = text.trim().replace(/^last\s*/i, '');
  const m = /^(\d+(?:\.\d+)?)\s*(s|m|min|h|d|w)$/i.exec(t);
  if (m) {
    const unit = { s: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 }[m[2].toLowerCase() as 's'];
    const ms = Number(m[1]) * unit;
    return ms > 0 ? { kind: 'last', ms } : undefined;
  }
  const r = t.split('/');
  if (r.length === 2) {
    const start = Date.parse(r[0].trim());
    const end = Date.parse(r[1].trim());
    if (Number.isFinite(start) && Number.isFinite(end) && end > start) return { kind: 'range', start, end };
  }
  return undefined;
}

export function windowLabel(w: TimeWindow): string {
  if (w.kind === 'range') return `${new Date(w.start).toISOString().slice(0, 16)}Z → ${new Date(w.end).toISOString().slice(0, 16)}Z`;
  const preset = PRESET_WINDOWS.find((p) => p.window.kind === 'last' && p.window.ms === w.ms);
  if (preset) return preset.label;
  const units: [number, string][] = [[86_400_000, 'd'], [3_600_000, 'h'], [60_000, 'm'], [1000, 's']];
  for (const [u, s] of units) if (w.ms % u === 0) return `last ${w.ms / u} ${s}`;
  return `last ${Math.round(w.ms / 1000)} s`;
}

/** Stable key part for caches: rolling windows by length, fixed ones by bounds. */
export function windowKey(w: TimeWindow): string {
  return w.kind === 'last' ? `last:${w.ms}` : `range:${w.start}-${w.end}`;
}

/** "updated 12 s ago" style age. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.floor(h / 24)} d ago`;
}
