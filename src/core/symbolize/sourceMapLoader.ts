/**
 * Finds and loads the source map of a generated JS file, never throwing:
 * the file's last `//# sourceMappingURL=` (a path relative to the file, a file:// URL, or a
 * `data:` URI), else `<file>.map` beside it. Index maps (`sections`) are supported, including
 * sections that reference their map by `url`. `source-map` 0.8 (WASM) does the lookups.
 *
 * WASM loading: in Node, `source-map` reads `mappings.wasm` from beside its own module file
 * (`__dirname`), and `SourceMapConsumer.initialize` is a no-op there. From tsx/mocha that is
 * node_modules/source-map/lib; in a bundle (dist/*.js) `__dirname` is dist/, where
 * scripts/build.mjs copies mappings.wasm. A missing wasm surfaces as 'source-map-error' here.
 */
import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { SourceMapConsumer } from 'source-map';
import { normalizeProfilePath } from './pathResolver';

/** Cap on a single map's size (bytes): bigger ones are reported, not loaded. */
export const MAX_MAP_BYTES = 256 * 1024 * 1024;

export interface OriginalPosition {
  source: string | null;
  line: number | null;
  column: number | null;
  name: string | null;
}

export interface MapMapping {
  generatedColumn: number;
  source: string;
  originalLine: number;
  originalColumn: number;
  name: string | null;
}

/**
 * Where maps may be read from and how big they may be. `allowed` is asked before any file is read
 * (a sourceMappingURL or an index-map section url may point anywhere, e.g. /etc/passwd or ../../..).
 */
export interface MapReadPolicy {
  allowed?: (file: string) => boolean;
  /** default MAX_MAP_BYTES */
  maxBytes?: number;
  /** setting named in the over-the-cap message */
  maxBytesSetting?: string;
}

export type MapLoad =
  | { kind: 'none' }
  | { kind: 'missing'; detail: string }
  | { kind: 'error'; detail: string }
  | { kind: 'ok'; map: LoadedMap };

/** A loaded map. Call destroy() when done (frees WASM memory). */
export class LoadedMap {
  private byLine: Map<number, MapMapping[]> | undefined;
  private destroyed = false;

  constructor(
    private readonly consumer: any,
    /** directory that relative sources are resolved against (the map's own folder) */
    readonly mapDir: string,
    /** where the map came from, for messages: a path, or "inline data: URI" */
    readonly origin: string,
  ) {}

  /** 1-based line, 0-based column, as source-map wants. */
  lookup(line: number, column0: number, leastUpperBound = false): OriginalPosition {
    try {
      return this.consumer.originalPositionFor({
        line, column: column0,
        bias: leastUpperBound ? SourceMapConsumer.LEAST_UPPER_BOUND : SourceMapConsumer.GREATEST_LOWER_BOUND,
      });
    } catch {
      return { source: null, line: null, column: null, name: null };
    }
  }

  /**
   * Mappings (with an original position) on the given generated lines, sorted by column.
   * Built once per map with one pass over all mappings, keeping only the requested lines.
   */
  mappingsOnLine(line: number, wanted: Set<number>): MapMapping[] {
    if (!this.byLine) {
      const byLine = new Map<number, MapMapping[]>();
      for (const l of wanted) byLine.set(l, []);
      try {
        this.consumer.eachMapping((m: any) => {
          if (m.source == null || m.originalLine == null) return;
          const list = byLine.get(m.generatedLine);
          if (list) {
            list.push({ generatedColumn: m.generatedColumn, source: m.source, originalLine: m.originalLine, originalColumn: m.originalColumn, name: m.name ?? null });
          }
        }, undefined, SourceMapConsumer.GENERATED_ORDER);
      } catch {
        // a broken map yields what was read before the failure
      }
      for (const list of byLine.values()) list.sort((a, b) => a.generatedColumn - b.generatedColumn);
      this.byLine = byLine;
    }
    return this.byLine.get(line) ?? [];
  }

  /** `sourcesContent` of a source (as returned by lookup), or undefined. */
  content(source: string): string | undefined {
    try {
      const c = this.consumer.sourceContentFor(source, true);
      return typeof c === 'string' ? c : undefined;
    } catch {
      return undefined;
    }
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    try {
      this.consumer.destroy();
    } catch {
      // already freed
    }
  }
}

/** The URL of the last sourceMappingURL annotation, if any. */
export function extractSourceMappingURL(code: string): string | undefined {
  const re = /(?:\/\/|\/\*)[#@][ \t]+sourceMappingURL=([^\s'"`*]+)[ \t]*(?:\*\/)?/g;
  // Only look near the end unless the last line is a long inline data: URI.
  const tailStart = code.lastIndexOf('sourceMappingURL=');
  if (tailStart < 0) return undefined;
  re.lastIndex = Math.max(0, tailStart - 8);
  let last: string | undefined;
  let m: RegExpExecArray | null;
  while ((m = re.exec(code)) !== null) last = m[1];
  return last;
}

function decodeDataUri(uri: string): string {
  const comma = uri.indexOf(',');
  if (comma < 0) throw new Error('malformed data: URI (no comma)');
  const meta = uri.slice(5, comma);
  const payload = uri.slice(comma + 1);
  if (/;base64$/i.test(meta)) return Buffer.from(payload, 'base64').toString('utf8');
  return decodeURIComponent(payload);
}

function readText(file: string, policy: MapReadPolicy = {}): string {
  if (policy.allowed && !policy.allowed(file)) {
    throw new Error(`${file} is outside the workspace folders and path mappings; not read (map the folder with profileLens.pathMappings to allow it)`);
  }
  const st = statSync(file);
  const max = policy.maxBytes ?? MAX_MAP_BYTES;
  if (st.size > max) {
    throw new Error(`${file} is ${st.size} bytes, over the source-map size cap of ${max} bytes${policy.maxBytesSetting ? ` (setting ${policy.maxBytesSetting})` : ''}`);
  }
  return readFileSync(file, 'utf8');
}

function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Validates the shape source-map relies on, so bad input is an error message, not a crash. */
function checkBasic(raw: unknown, where: string): void {
  if (!isObject(raw)) throw new Error(`${where}: not a JSON object`);
  if (raw.version !== 3 && raw.version !== '3') throw new Error(`${where}: unsupported version ${JSON.stringify(raw.version)}`);
  if (!Array.isArray(raw.sources) || raw.sources.some((s: unknown) => s !== null && typeof s !== 'string')) {
    throw new Error(`${where}: "sources" must be an array of strings`);
  }
  if (typeof raw.mappings !== 'string') throw new Error(`${where}: "mappings" must be a string`);
  if (raw.names !== undefined && (!Array.isArray(raw.names) || raw.names.some((s: unknown) => typeof s !== 'string'))) {
    throw new Error(`${where}: "names" must be an array of strings`);
  }
  if (raw.sourcesContent !== undefined && raw.sourcesContent !== null && !Array.isArray(raw.sourcesContent)) {
    throw new Error(`${where}: "sourcesContent" must be an array`);
  }
  if (raw.sourceRoot !== undefined && raw.sourceRoot !== null && typeof raw.sourceRoot !== 'string') {
    throw new Error(`${where}: "sourceRoot" must be a string`);
  }
  if (!/^[A-Za-z0-9+/,;]*$/.test(raw.mappings)) throw new Error(`${where}: "mappings" has characters outside base64 VLQ`);
  validateMappings(raw.mappings, raw.sources.length, Array.isArray(raw.names) ? raw.names.length : 0, where);
}

const B64 = new Int8Array(128).fill(-1);
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.split('').forEach((c, i) => (B64[c.charCodeAt(0)] = i));

/**
 * Decodes the VLQ mappings once in JS and rejects what the WASM decoder would trap on or
 * misread: truncated VLQs, segments of 2/3 fields, out-of-range source/name indices, negative
 * positions, numbers over 32 bits.
 */
function validateMappings(m: string, nSources: number, nNames: number, where: string): void {
  let src = 0, oline = 0, ocol = 0, name = 0, gcol = 0;
  let nFields = 0;
  const fail = (what: string): never => {
    throw new Error(`${where}: ${what} in "mappings"`);
  };
  const endSegment = () => {
    if (nFields !== 0 && nFields !== 1 && nFields !== 4 && nFields !== 5) fail(`a segment with ${nFields} fields (1, 4 or 5 expected)`);
    nFields = 0;
  };
  let i = 0;
  const n = m.length;
  while (i < n) {
    const c = m.charCodeAt(i);
    if (c === 59 /* ; */ || c === 44 /* , */) {
      endSegment();
      if (c === 59) gcol = 0;
      i++;
      continue;
    }
    let value = 0, shift = 0, cont = true;
    while (cont) {
      if (i >= n) fail('a truncated VLQ');
      const d = B64[m.charCodeAt(i++)];
      if (d === undefined || d < 0) fail('an invalid character');
      cont = (d & 32) !== 0;
      value += (d & 31) * 2 ** shift;
      shift += 5;
      if (shift > 35) fail('a VLQ value too large');
    }
    const neg = value % 2 === 1;
    value = Math.floor(value / 2);
    if (value > 0x7fffffff) fail('a VLQ value too large');
    const v = neg ? -value : value;
    switch (nFields++) {
      case 0:
        gcol += v;
        if (gcol < 0) fail('a negative generated column');
        break;
      case 1:
        src += v;
        if (src < 0 || src >= nSources) fail(`a mapping to source #${src} of ${nSources}`);
        break;
      case 2:
        oline += v;
        if (oline < 0) fail('a negative original line');
        break;
      case 3:
        ocol += v;
        if (ocol < 0) fail('a negative original column');
        break;
      case 4:
        name += v;
        if (name < 0 || name >= nNames) fail(`a mapping to name #${name} of ${nNames}`);
        break;
      default:
        fail('a segment with more than 5 fields');
    }
  }
  endSegment();
}

/** Inlines `sections[].url` references and validates every section. */
function prepare(raw: unknown, mapDir: string, where: string, depth = 0, policy: MapReadPolicy = {}): unknown {
  if (isObject(raw) && Array.isArray(raw.sections)) {
    if (depth > 0) throw new Error(`${where}: nested index maps are not allowed`);
    if (raw.version !== 3 && raw.version !== '3') throw new Error(`${where}: unsupported version ${JSON.stringify(raw.version)}`);
    let lastLine = -1, lastCol = -1;
    const sections = raw.sections.map((s: unknown, i: number) => {
      if (!isObject(s) || !isObject(s.offset) || !Number.isInteger(s.offset.line) || !Number.isInteger(s.offset.column) || s.offset.line < 0 || s.offset.column < 0) {
        throw new Error(`${where}: section ${i} has no valid offset`);
      }
      if (s.offset.line < lastLine || (s.offset.line === lastLine && s.offset.column < lastCol)) {
        throw new Error(`${where}: sections are not in order`);
      }
      lastLine = s.offset.line;
      lastCol = s.offset.column;
      let map = s.map;
      if (map === undefined && typeof s.url === 'string') {
        const file = resolveMapRef(s.url, mapDir);
        map = JSON.parse(readText(file, policy));
        // sources of a url section are relative to that map's folder: make them absolute
        if (isObject(map) && Array.isArray(map.sources)) {
          const dir = path.dirname(file);
          const root = typeof map.sourceRoot === 'string' ? map.sourceRoot : '';
          map = { ...map, sourceRoot: undefined, sources: map.sources.map((x: unknown) => (typeof x === 'string' ? absoluteSource(root, x, dir) : x)) };
        }
      }
      checkBasic(map, `${where} section ${i}`);
      return { offset: { line: s.offset.line, column: s.offset.column }, map };
    });
    return { version: 3, sections, file: raw.file };
  }
  checkBasic(raw, where);
  return raw;
}

function absoluteSource(sourceRoot: string, source: string, dir: string): string {
  const joined = sourceRoot ? (sourceRoot.endsWith('/') ? sourceRoot + source : `${sourceRoot}/${source}`) : source;
  if (/^[a-z][a-z0-9+.-]*:/i.test(joined) || joined.startsWith('/')) return joined;
  return path.resolve(dir, joined);
}

function resolveMapRef(url: string, baseDir: string): string {
  if (/^file:/i.test(url)) return normalizeProfilePath(url).norm;
  let u = url;
  try {
    u = decodeURIComponent(url);
  } catch {
    // use as written
  }
  return path.resolve(baseDir, u.split(/[?#]/)[0]);
}

/**
 * Loads the map of `generatedFile` (whose text is `code`). Never throws.
 * 'none': the file declares no map and has no `.map` beside it (plain JS).
 */
export async function loadSourceMap(generatedFile: string, code: string, policy: MapReadPolicy = {}): Promise<MapLoad> {
  const url = extractSourceMappingURL(code);
  const dir = path.dirname(generatedFile);
  let text: string;
  let mapDir = dir;
  let origin: string;
  try {
    if (url && /^data:/i.test(url)) {
      origin = 'inline data: URI';
      text = decodeDataUri(url);
    } else {
      // A remote map (https://…, e.g. uploaded to an error tracker) is never fetched: a local copy
      // named <file>.map beside the generated file is used instead.
      const remote = url !== undefined && /^https?:\/\//i.test(url);
      const file = url && !remote ? resolveMapRef(url, dir) : `${generatedFile}.map`;
      if (policy.allowed && !policy.allowed(file)) {
        return { kind: 'missing', detail: `${path.basename(generatedFile)} declares sourceMappingURL=${url ?? ''}, which is outside the workspace folders and path mappings (${file}); not read` };
      }
      let exists = false;
      try {
        exists = statSync(file).isFile();
      } catch {
        exists = false;
      }
      if (!exists) {
        if (!url) return { kind: 'none' };
        if (remote) {
          return { kind: 'missing', detail: `${path.basename(generatedFile)} declares a remote sourceMappingURL=${url}, which is not fetched; put a copy at ${file}` };
        }
        return { kind: 'missing', detail: `${path.basename(generatedFile)} declares sourceMappingURL=${url}, but ${file} does not exist` };
      }
      origin = file;
      mapDir = path.dirname(file);
      text = readText(file, policy);
    }
  } catch (e) {
    return { kind: 'error', detail: `cannot read the source map of ${generatedFile}: ${(e as Error).message}` };
  }
  return loadSourceMapText(text, mapDir, origin, policy);
}

/** Parses, validates and loads map text. Never throws; `mapDir` resolves relative section urls. */
export async function loadSourceMapText(text: string, mapDir: string, origin: string, policy: MapReadPolicy = {}): Promise<MapLoad> {
  let consumer: any;
  try {
    const raw = JSON.parse(text.replace(/^\)\]\}'[^\n]*\n/, ''));
    const prepared = prepare(raw, mapDir, origin, 0, policy);
    consumer = await new SourceMapConsumer(prepared as any);
  } catch (e) {
    const msg = (e as Error)?.message ?? String(e);
    if (/mappings\.wasm/.test(msg)) {
      return { kind: 'error', detail: `cannot use source maps: source-map's mappings.wasm is missing beside the bundle (${msg}); the build copies it to dist/mappings.wasm` };
    }
    return { kind: 'error', detail: `invalid source map ${origin}: ${msg}` };
  }
  return { kind: 'ok', map: new LoadedMap(consumer, mapDir, origin) };
}
