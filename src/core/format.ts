/**
 * Formatting of profile values for people: durations, byte sizes, counts and shares.
 * Pure; used by the host (inline text, CodeLens, hovers, status bar) and the CLI.
 */
import type { SampleType } from './model';

const TIME_UNITS: Record<string, number> = {
  nanoseconds: 1, nanosecond: 1, ns: 1,
  microseconds: 1e3, microsecond: 1e3, us: 1e3,
  milliseconds: 1e6, millisecond: 1e6, ms: 1e6,
  seconds: 1e9, second: 1e9, s: 1e9,
};
const BYTE_UNITS: Record<string, number> = { bytes: 1, byte: 1, b: 1, kilobytes: 1024, megabytes: 1024 ** 2 };

export type UnitKind = 'time' | 'bytes' | 'count';

export function unitKind(unit: string): UnitKind {
  const u = unit.toLowerCase();
  if (u in TIME_UNITS) return 'time';
  if (u in BYTE_UNITS) return 'bytes';
  return 'count';
}

/** `digits` significant-ish decimals: 1 decimal under 10, none above 100. */
function num(x: number): string {
  const a = Math.abs(x);
  if (a === 0) return '0';
  if (a >= 100) return Math.round(x).toString();
  if (a >= 10) return trimZero(x.toFixed(1));
  return trimZero(x.toFixed(a < 1 ? 2 : 1));
}

function trimZero(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/** Formats a duration given in nanoseconds: `850 ns`, `12 µs`, `4.2 ms`, `1.5 s`, `2.1 min`, `1.2 h`. */
export function formatDuration(nanos: number): string {
  const a = Math.abs(nanos);
  if (a < 999.5) return `${num(nanos)} ns`;
  if (a < 999.5e3) return `${num(nanos / 1e3)} µs`;
  if (a < 999.5e6) return `${num(nanos / 1e6)} ms`;
  if (a < 60e9) return `${num(nanos / 1e9)} s`;
  if (a < 3600e9) return `${num(nanos / 60e9)} min`;
  return `${num(nanos / 3600e9)} h`;
}

/** Byte sizes with pprof's 1024 steps and its labels: `512 B`, `4.1 kB`, `12 MB`, `1.5 GB`. */
export function formatBytes(bytes: number): string {
  const a = Math.abs(bytes);
  const steps: [number, string][] = [[1024 ** 4, 'TB'], [1024 ** 3, 'GB'], [1024 ** 2, 'MB'], [1024, 'kB']];
  for (const [size, label] of steps) if (a >= size) return `${num(bytes / size)} ${label}`;
  return `${num(bytes)} B`;
}

/** An integer with thousands separators: `2,478`. (No Intl: its first use costs ~100 ms of ICU setup.) */
export function formatInteger(n: number): string {
  const r = Math.round(n);
  const digits = Math.abs(r).toString();
  let out = '';
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += ',';
    out += digits[i];
  }
  return r < 0 ? `-${out}` : out;
}

/** Counts: `950`, `12.3k`, `4.5M`, `1.2G`. */
export function formatCount(n: number): string {
  const a = Math.abs(n);
  if (a >= 1e9) return `${num(n / 1e9)}G`;
  if (a >= 1e6) return `${num(n / 1e6)}M`;
  if (a >= 1e4) return `${num(n / 1e3)}k`;
  return Number.isInteger(n) ? n.toString() : num(n);
}

/** A value in its sample type's unit, converted to a readable magnitude. */
export function formatValue(value: number, unit: string): string {
  const u = unit.toLowerCase();
  const time = TIME_UNITS[u];
  if (time !== undefined) return formatDuration(value * time);
  const bytes = BYTE_UNITS[u];
  if (bytes !== undefined) return formatBytes(value * bytes);
  return formatCount(value);
}

/** A share in [0, 1] as a percentage: `12.3%`, `0.4%`, `<0.1%`, `0%`, `100%`. */
export function formatPercent(share: number): string {
  if (!Number.isFinite(share) || share <= 0) return '0%';
  const p = share * 100;
  if (p < 0.1) return '<0.1%';
  if (p >= 99.95 && p <= 100) return '100%';
  return `${p.toFixed(1)}%`;
}

const SHORT_TYPE: Record<string, string> = {
  cpu: 'cpu',
  samples: 'samples',
  wall: 'wall',
  alloc_space: 'alloc',
  alloc_objects: 'alloc objs',
  inuse_space: 'inuse',
  inuse_objects: 'inuse objs',
  space: 'heap',
  objects: 'objs',
  contentions: 'contentions',
  delay: 'delay',
  goroutine: 'goroutines',
};

/** Short label for inline text: `cpu`, `alloc`, `inuse objs`, … (unknown types keep their name). */
export function sampleTypeLabel(t: SampleType): string {
  return SHORT_TYPE[t.type] ?? t.type;
}

/** Longer label for tables: `cpu (nanoseconds)`. */
export function sampleTypeTitle(t: SampleType): string {
  return `${t.type} (${t.unit})`;
}

/**
 * How a type's cost reads best in one short cell: memory as an absolute size (`4.1 MB alloc`),
 * everything else as a share of the profile's total (`12.3% cpu`).
 */
export function formatCost(value: number, total: number, t: SampleType): string {
  if (unitKind(t.unit) === 'bytes') return `${formatValue(value, t.unit)} ${sampleTypeLabel(t)}`;
  return `${formatPercent(total > 0 ? value / total : 0)} ${sampleTypeLabel(t)}`;
}

/** `2m ago`, `just now`, `3h ago`, `2d ago`. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 10) return 'just now';
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

/**
 * Profile or server text placed where VS Code renders `$(icon)` syntax (CodeLens titles, status bar
 * text): shown literally (a zero-width space after `$`), so a function or file name cannot inject icons.
 */
export function literalIcons(text: string): string {
  return text.replace(/\$\(/g, '$\u200b(');
}
