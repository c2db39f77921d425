/**
 * Grafana's `.pyroscope.yaml` (version v1): `source_code.mappings[]`, each with `path[].prefix` or
 * `function_name[].prefix`, a `language`, and a `source` (`local.path` here; `github` sources are
 * kept but not resolvable offline). Only the small block-style YAML subset these files use is parsed
 * (maps, lists of maps, plain/quoted scalars, comments); anything else is a clear error, not a guess.
 * A dependency (js-yaml) would parse more, but this file shape is fixed and tiny.
 */
import * as path from 'node:path';

export interface PyroscopeRule {
  kind: 'path' | 'function_name';
  prefix: string;
  language: string;
  /** absolute local directory (yaml dir + source.local.path), or undefined for non-local sources */
  localPath?: string;
  /** folder of the yaml file the rule came from */
  dir: string;
}

export class PyroscopeYamlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PyroscopeYamlError';
  }
}

type YamlValue = string | YamlValue[] | { [k: string]: YamlValue };

interface Line { indent: number; text: string; no: number }

function stripComment(s: string): string {
  let q: string | null = null;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (q) {
      if (c === q) q = null;
    } else if (c === '"' || c === "'") {
      q = c;
    } else if (c === '#' && (i === 0 || /\s/.test(s[i - 1]))) {
      return s.slice(0, i);
    }
  }
  return s;
}

function scalar(s: string): string {
  const t = s.trim();
  if (t.length >= 2 && ((t[0] === '"' && t.endsWith('"')) || (t[0] === "'" && t.endsWith("'")))) {
    return t[0] === '"' ? t.slice(1, -1).replace(/\\(["\\/])/g, '$1') : t.slice(1, -1).replace(/''/g, "'");
  }
  return t;
}

/** Parses the block-YAML subset. Exported for tests. */
export function parseYamlSubset(text: string): YamlValue {
  const lines: Line[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    if (raw.includes('\t') && /^\s*\t/.test(raw)) throw new PyroscopeYamlError(`line ${i + 1}: tabs are not allowed for indentation`);
    const s = stripComment(raw).replace(/\s+$/, '');
    if (!s.trim() || s.trim() === '---') return;
    lines.push({ indent: s.length - s.trimStart().length, text: s.trim(), no: i + 1 });
  });
  let pos = 0;

  function parseBlock(indent: number): YamlValue {
    if (pos >= lines.length) return '';
    return lines[pos].text.startsWith('- ') || lines[pos].text === '-' ? parseList(lines[pos].indent) : parseMap(indent);
  }

  function parseMap(indent: number, first?: { key: string; rest: string }): { [k: string]: YamlValue } {
    const out: { [k: string]: YamlValue } = {};
    const entry = (key: string, rest: string, lineIndent: number) => {
      if (rest !== '') {
        if (rest.startsWith('[') || rest.startsWith('{')) {
          out[key] = parseFlow(rest);
        } else {
          out[key] = scalar(rest);
        }
      } else if (pos < lines.length && (lines[pos].indent > lineIndent || (lines[pos].indent === lineIndent && lines[pos].text.startsWith('-')))) {
        out[key] = parseBlock(lines[pos].indent);
      } else {
        out[key] = '';
      }
    };
    if (first) entry(first.key, first.rest, indent);
    while (pos < lines.length && lines[pos].indent === indent && !lines[pos].text.startsWith('- ') && lines[pos].text !== '-') {
      const l = lines[pos++];
      const m = /^("[^"]*"|'[^']*'|[^:]+?)\s*:(?:\s+(.*)|$)/.exec(l.text);
      if (!m) throw new PyroscopeYamlError(`line ${l.no}: expected "key: value", got "${l.text}"`);
      entry(scalar(m[1]), (m[2] ?? '').trim(), indent);
    }
    if (pos < lines.length && lines[pos].indent > indent) {
      throw new PyroscopeYamlError(`line ${lines[pos].no}: unexpected indentation`);
    }
    return out;
  }

  function parseList(indent: number): YamlValue[] {
    const out: YamlValue[] = [];
    while (pos < lines.length && lines[pos].indent === indent && (lines[pos].text.startsWith('- ') || lines[pos].text === '-')) {
      const l = lines[pos++];
      const rest = l.text === '-' ? '' : l.text.slice(2).trim();
      if (rest === '') {
        out.push(pos < lines.length && lines[pos].indent > indent ? parseBlock(lines[pos].indent) : '');
        continue;
      }
      const m = /^("[^"]*"|'[^']*'|[^:"'[{]+?)\s*:(?:\s+(.*)|$)/.exec(rest);
      if (m) {
        // "- key: value" starts a map whose further keys are indented to the key's column.
        const keyIndent = indent + (l.text.length - rest.length);
        out.push(parseMap(keyIndent, { key: scalar(m[1]), rest: (m[2] ?? '').trim() }));
      } else if (rest.startsWith('[') || rest.startsWith('{')) {
        out.push(parseFlow(rest));
      } else {
        out.push(scalar(rest));
      }
    }
    return out;
  }

  function parseFlow(s: string): YamlValue {
    // Flow collections: accept JSON-compatible ones only.
    try {
      return JSON.parse(s) as YamlValue;
    } catch {
      throw new PyroscopeYamlError(`flow collection "${s}" is not supported; use block style`);
    }
  }

  const value = lines.length ? parseBlock(lines[0].indent) : {};
  if (pos < lines.length) throw new PyroscopeYamlError(`line ${lines[pos].no}: unexpected content "${lines[pos].text}"`);
  return value;
}

function asList(v: YamlValue | undefined): YamlValue[] {
  return Array.isArray(v) ? v : [];
}
function asMap(v: YamlValue | undefined): { [k: string]: YamlValue } {
  return v && typeof v === 'object' && !Array.isArray(v) ? v : {};
}

/** Rules of one `.pyroscope.yaml` found in `dir`. Throws PyroscopeYamlError on malformed input. */
export function parsePyroscopeYaml(text: string, dir: string): PyroscopeRule[] {
  const doc = asMap(parseYamlSubset(text));
  const version = doc.version;
  if (version !== undefined && version !== 'v1') {
    throw new PyroscopeYamlError(`unsupported version "${String(version)}" (expected v1)`);
  }
  const rules: PyroscopeRule[] = [];
  for (const m of asList(asMap(doc.source_code).mappings)) {
    const mapping = asMap(m);
    const language = typeof mapping.language === 'string' ? mapping.language : '';
    const local = asMap(asMap(mapping.source).local);
    const localPath = typeof local.path === 'string' ? path.resolve(dir, local.path) : undefined;
    for (const kind of ['path', 'function_name'] as const) {
      for (const p of asList(mapping[kind])) {
        const prefix = asMap(p).prefix;
        if (typeof prefix === 'string' && prefix !== '') rules.push({ kind, prefix, language, localPath, dir });
      }
    }
  }
  return rules;
}
