/**
 * Prometheus-style label selectors for Pyroscope queries: `{service_name="api", env!="dev"}`.
 * Values are escaped (backslash, quote, newline); names that are not legacy identifiers are quoted
 * (UTF-8 label names, e.g. `service.name`).
 */
export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface LabelMatcher {
  name: string;
  op: MatchOp;
  value: string;
}

const LEGACY_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export function formatMatcher(m: LabelMatcher): string {
  const name = LEGACY_NAME.test(m.name) ? m.name : `"${escapeLabelValue(m.name)}"`;
  return `${name}${m.op}"${escapeLabelValue(m.value)}"`;
}

/** `{service_name="api", …filters}`; an empty list gives `{}` (all series). */
export function buildLabelSelector(service: string | undefined, filters: readonly LabelMatcher[] = []): string {
  const all: LabelMatcher[] = [];
  if (service !== undefined && service !== '') all.push({ name: 'service_name', op: '=', value: service });
  for (const f of filters) if (!(f.name === 'service_name' && f.op === '=' && f.value === service)) all.push(f);
  return `{${all.map(formatMatcher).join(', ')}}`;
}

/** Parses `name=value`, `name!=value`, `name=~regex`, `name!~regex` (as typed in a filter box). */
export function parseMatcher(text: string): LabelMatcher | undefined {
  const m = /^\s*("(?:[^"\\]|\\.)*"|[a-zA-Z_][a-zA-Z0-9_.]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$/.exec(text);
  if (!m) return undefined;
  let name = m[1];
  if (name.startsWith('"')) name = unquote(name);
  let value = m[3];
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = unquote(value);
  return { name, op: m[2] as MatchOp, value };
}

function unquote(s: string): string {
  return s.slice(1, -1).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

export interface ProfileTypeId {
  id: string;
  name: string;
  sampleType: string;
  sampleUnit: string;
  periodType: string;
  periodUnit: string;
}

/** `<name>:<sample_type>:<sample_unit>:<period_type>:<period_unit>` */
export function parseProfileTypeId(id: string): ProfileTypeId | undefined {
  const parts = id.split(':');
  if (parts.length !== 5 || !parts[0] || !parts[1]) return undefined;
  return { id, name: parts[0], sampleType: parts[1], sampleUnit: parts[2], periodType: parts[3], periodUnit: parts[4] };
}

/** Short human label: "process_cpu:cpu" → "cpu", "memory:alloc_space:bytes…" → "alloc_space". */
export function profileTypeLabel(id: string): string {
  const p = parseProfileTypeId(id);
  if (!p) return id;
  return p.name === 'process_cpu' || p.name === p.sampleType ? p.sampleType : `${p.name} · ${p.sampleType}`;
}
