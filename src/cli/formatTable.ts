/** Human-readable table for the CLI (without --json). */
import type { ProfileRows } from './profileRows';

export function formatValue(v: number, unit: string): string {
  const abs = Math.abs(v);
  if (unit === 'nanoseconds') {
    if (abs >= 1e9) return `${(v / 1e9).toFixed(2)}s`;
    if (abs >= 1e6) return `${(v / 1e6).toFixed(2)}ms`;
    if (abs >= 1e3) return `${(v / 1e3).toFixed(2)}µs`;
    return `${v}ns`;
  }
  if (unit === 'microseconds') return formatValue(v * 1000, 'nanoseconds');
  if (unit === 'bytes') {
    if (abs >= 1 << 30) return `${(v / (1 << 30)).toFixed(2)}GB`;
    if (abs >= 1 << 20) return `${(v / (1 << 20)).toFixed(2)}MB`;
    if (abs >= 1 << 10) return `${(v / (1 << 10)).toFixed(2)}kB`;
    return `${v}B`;
  }
  return Number.isInteger(v) ? String(v) : v.toFixed(2);
}

/**
 * Profile strings are attacker-controlled: control characters (ESC sequences could recolour or
 * rewrite the terminal), bidi overrides and line separators are shown as \u escapes.
 */
export function escapeControl(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function formatTable(out: ProfileRows, kind: 'lines' | 'functions'): string {
  const unit = out.sampleType.unit;
  const head = [`${escapeControl(out.sampleType.type)} (${escapeControl(unit)}), total ${formatValue(out.total, unit)}, ${out.rows.length} ${kind}`];
  const cells = out.rows.map((r) => [
    formatValue(r.self, unit),
    `${r.selfPct.toFixed(2)}%`,
    formatValue(r.total, unit),
    `${r.totalPct.toFixed(2)}%`,
    kind === 'lines'
      ? `${escapeControl(r.file || '(no file)')}:${r.line}${r.function ? `  ${escapeControl(r.function)}` : ''}`
      : `${escapeControl(r.function)}  ${escapeControl(r.file || '(no file)')}${r.line ? `:${r.line}` : ''}`,
  ]);
  const titles = ['self', 'self%', 'total', 'total%', kind === 'lines' ? 'line' : 'function'];
  const widths = titles.map((t, i) => Math.max(t.length, ...cells.map((c) => c[i].length)));
  const fmt = (c: string[]) => c.map((s, i) => (i < 4 ? s.padStart(widths[i]) : s)).join('  ');
  return `${[...head, fmt(titles), ...cells.map(fmt)].join('\n')}\n`;
}
