/**
 * Symbolization: profile paths → workspace files (path mapping, .pyroscope.yaml, suffix inference)
 * and generated JS → original sources (source maps, minified-name recovery).
 *
 * Runs after decode and before indexing: `symbolize(raw, options)` is what the indexer calls.
 * Never throws for bad maps or missing files: those frames stay on what could be resolved and are
 * listed in `unresolved` with a reason and their share of self weight.
 *
 * Per frame, by what the profiler wrote (PositionKind):
 * - line + column (Exact): exact source-map lookup; the enclosing function (acorn) gives the
 *   original function name and start line.
 * - line only (Line): the mappings on that generated line — narrowed to the function with the
 *   frame's name that spans the line when there is one — first one wins, the other original lines
 *   go to `SymbolTable.candidates`.
 * - function start line only (FunctionStart, no column): the function with that (minified) name
 *   whose V8 start position is on that line (a `(anonymous:L#…:C#…)` name gives the column
 *   directly) is found in the parsed generated file and its position mapped. Several with the same
 *   name on the line: the first (by column) is taken, the frame is marked Recovered, and the other
 *   candidates' original lines are kept in `candidates`.
 */
import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { LoadOptions } from '../engine';
import { type Line1, PositionKind, type RawProfile, type ResolvedFile, type SymbolTable, type UnresolvedPath } from '../model';
import { cachedFunctionIndex, FunctionIndex, type LocatedFunction, parseAnonymousName, sameFunctionName } from './functionLocator';
import { normalizeProfilePath, PathResolver } from './pathResolver';
import { parsePyroscopeYaml, type PyroscopeRule } from './pyroscopeYaml';
import { type LoadedMap, loadSourceMap, type MapLoad, type OriginalPosition } from './sourceMapLoader';

export interface SymbolizeResult {
  symbols: SymbolTable;
  files: ResolvedFile[];
  unresolved: UnresolvedPath[];
  /** optional diagnostics: how paths were resolved, prefixes learned, maps loaded */
  stats?: SymbolizeStats;
}

export interface SymbolizeStats {
  /** profile paths resolved per method: mapping | pyroscope-yaml | as-is | learned | inferred */
  resolvedBy: Record<string, number>;
  /** deployment prefix → local prefix pairs learned by suffix inference */
  learnedPrefixes: { from: string; to: string; votes: number }[];
  sourceMapsLoaded: number;
  /** frames whose function was recovered from a minified name (unique / ambiguous) */
  recovered: number;
  recoveredAmbiguous: number;
  /** frames whose column pointed outside the function they name (dropped, mapped by line) */
  droppedColumns: number;
  /** generated files not parsed (too big, or not parsable): their frames are mapped by line only */
  notParsed: string[];
  /** errors in .pyroscope.yaml files (the rest of the load goes on without them) */
  yamlErrors: string[];
}

/** Extra knobs (tests, CLI); the indexer passes LoadOptions only. */
export interface SymbolizeExtras {
  /** cap on workspace files listed for suffix inference (default 50 000) */
  maxWorkspaceFiles?: number;
  /**
   * generated files larger than this are not parsed for name recovery (default 16 MB: acorn's AST
   * costs ~50× the source in memory; 3.5 MB of minified JS took ~190 MB transiently)
   */
  maxParseBytes?: number;
  /**
   * the leaf weight per frame and the weight of all samples (default sample type), when the caller
   * has them before the stacks are written (the two-thread engine symbolizes while they are)
   */
  weights?: { selfW: Float64Array; totalW: number };
}

const MAX_CANDIDATES = 64;
const JS_EXT = /\.(?:[cm]?js|jsx)$/i;

interface GeneratedFile {
  local: string;
  code?: string;
  map?: MapLoad;
  fns?: FunctionIndex | null;
  /** size:mtime, the cache key of the parsed function index */
  stamp?: string;
}

export async function symbolize(raw: RawProfile, options: LoadOptions, extras: SymbolizeExtras = {}): Promise<SymbolizeResult> {
  const fr = raw.frames;
  const n = fr.count;
  const symbols: SymbolTable = {
    file: new Int32Array(n).fill(-1),
    line: fr.line.slice(),
    column: fr.column.slice(),
    startLine: fr.startLine.slice(),
    name: fr.name.slice(),
    kind: fr.kind.slice(),
    candidates: new Map(),
  };
  for (let f = 0; f < n; f++) {
    if (symbols.startLine[f] === 0 && symbols.kind[f] === PositionKind.FunctionStart) symbols.startLine[f] = symbols.line[f];
  }
  const stats: SymbolizeStats = { resolvedBy: {}, learnedPrefixes: [], sourceMapsLoaded: 0, recovered: 0, recoveredAmbiguous: 0, droppedColumns: 0, notParsed: [], yamlErrors: [] };

  // Strings: frames may get original names that the profile does not have yet.
  let stringIds: Map<string, number> | undefined;
  const intern = (s: string): number => {
    if (!stringIds) {
      stringIds = new Map();
      raw.strings.forEach((v, i) => {
        if (!stringIds!.has(v)) stringIds!.set(v, i);
      });
    }
    let id = stringIds.get(s);
    if (id === undefined) {
      id = raw.strings.length;
      raw.strings.push(s);
      stringIds.set(s, id);
    }
    return id;
  };

  // Self weight per frame (default sample type), for the unresolved report.
  const { selfW, totalW } = extras.weights ?? selfWeights(raw);

  const rules: PyroscopeRule[] = [];
  for (const y of options.pyroscopeYaml ?? []) {
    try {
      rules.push(...parsePyroscopeYaml(y.text, y.dir));
    } catch (e) {
      stats.yamlErrors.push(`${path.join(y.dir, '.pyroscope.yaml')}: ${(e as Error).message}`);
    }
  }
  const resolver = new PathResolver({ roots: options.roots, pathMappings: options.pathMappings, pyroscopeRules: rules, maxFiles: extras.maxWorkspaceFiles, readOutsideRoots: options.readOutsideRoots });
  const mapPolicy = { allowed: (p: string) => resolver.isAllowed(p), maxBytes: options.maxSourceMapBytes, maxBytesSetting: options.limitSettings?.maxSourceMapBytes };

  // Output files, deduplicated by path.
  const files: ResolvedFile[] = [];
  const fileIds = new Map<string, number>();
  const fileId = (p: string, profilePath: string, onDisk: boolean, viaSourceMap: boolean, content?: string): number => {
    let id = fileIds.get(p);
    if (id === undefined) {
      id = files.length;
      files.push(content !== undefined ? { path: p, profilePath, onDisk, content, viaSourceMap } : { path: p, profilePath, onDisk, viaSourceMap });
      fileIds.set(p, id);
    }
    return id;
  };

  // Unresolved report, keyed by path + reason.
  const unresolvedMap = new Map<string, { u: UnresolvedPath; w: number }>();
  const report = (profilePath: string, reason: UnresolvedPath['reason'], detail: string, weight: number) => {
    const key = `${reason}\u0000${profilePath}`;
    const e = unresolvedMap.get(key);
    if (e) e.w += weight;
    else unresolvedMap.set(key, { u: { profilePath, selfWeight: 0, reason, detail }, w: weight });
  };

  // 1. Path mapping, once per distinct profile path. Two passes: a path that was ambiguous may be
  //    settled by a prefix learned from a later path.
  const framesByPath = new Map<number, number[]>();
  for (let f = 0; f < n; f++) {
    const p = fr.file[f];
    if (p <= 0) continue;
    const list = framesByPath.get(p);
    if (list) list.push(f);
    else framesByPath.set(p, [f]);
  }
  const localOf = new Map<number, string>();
  const failed: number[] = [];
  // The function name that selects a .pyroscope.yaml function_name rule for a path (if any frame has one).
  const ruleName = (fs: number[]) => raw.strings[fr.name[fs.find((f) => resolver.hasFunctionRule(raw.strings[fr.name[f]])) ?? fs[0]]];
  for (const [p, fs] of framesByPath) {
    const r = resolver.resolve(raw.strings[p], ruleName(fs));
    if (r.local) {
      localOf.set(p, r.local);
      stats.resolvedBy[r.via!] = (stats.resolvedBy[r.via!] ?? 0) + 1;
    } else {
      failed.push(p);
    }
  }
  for (const p of failed) {
    const fs = framesByPath.get(p)!;
    const r = resolver.retry(raw.strings[p], ruleName(fs));
    if (r.local) {
      localOf.set(p, r.local);
      stats.resolvedBy[r.via!] = (stats.resolvedBy[r.via!] ?? 0) + 1;
      continue;
    }
    const norm = normalizeProfilePath(raw.strings[p]);
    if (norm.internal) continue; // runtime internals (node:…) are not the user's files: not reported
    let w = 0;
    for (const f of fs) w += selfW[f];
    report(raw.strings[p], r.reason ?? 'no-match', r.detail ?? '', w);
  }

  // 2. Generated JS with source maps: loaded lazily, once per file, destroyed at the end.
  const generated = new Map<string, GeneratedFile>();
  const maxParse = extras.maxParseBytes ?? 16 * 1024 * 1024;
  const getGenerated = async (local: string): Promise<GeneratedFile> => {
    let g = generated.get(local);
    if (g) return g;
    g = { local };
    generated.set(local, g);
    try {
      const st = statSync(local);
      if (st.size <= 512 * 1024 * 1024) {
        g.code = readFileSync(local, 'utf8');
        g.stamp = `${st.size}:${st.mtimeMs}`;
      }
    } catch {
      g.code = undefined;
    }
    if (g.code !== undefined) {
      g.map = await loadSourceMap(local, g.code, mapPolicy);
      if (g.map.kind === 'ok') stats.sourceMapsLoaded++;
    }
    return g;
  };
  const functionsOf = (g: GeneratedFile): FunctionIndex | null => {
    if (g.fns === undefined) {
      g.fns = g.code !== undefined && g.code.length <= maxParse && g.stamp
        ? cachedFunctionIndex(`${g.local}\u0000${g.stamp}`, () => g.code)
        : null;
      if (g.fns === null && g.code !== undefined) stats.notParsed.push(g.local);
    }
    return g.fns;
  };

  // Original sources: resolved once per (map, source).
  const sourceCache = new Map<string, number>();
  const originalFile = (map: LoadedMap, g: GeneratedFile, source: string, profilePath: string, weight: number): number => {
    const key = `${map.origin}\u0000${source}`;
    const cached = sourceCache.get(key);
    if (cached !== undefined) return cached;
    let id = -1;
    const norm = normalizeProfilePath(source);
    const beside = norm.internal ? undefined : norm.absolute ? norm.norm : /^[a-z][a-z0-9+.-]*:/i.test(source) ? undefined : path.resolve(map.mapDir, norm.norm);
    if (beside && resolver.isFile(beside)) {
      id = fileId(beside, profilePath, true, true);
    } else {
      const r = norm.internal ? undefined : resolver.resolve(source);
      if (r?.local) {
        id = fileId(r.local, profilePath, true, true);
      } else {
        const content = map.content(source);
        if (content !== undefined) {
          id = fileId(beside ?? source, profilePath, false, true, content);
        } else {
          report(profilePath, 'not-found', `${source} (from the source map of ${g.local}) is neither on disk nor in sourcesContent`, weight);
        }
      }
    }
    sourceCache.set(key, id);
    return id;
  };

  const originalName = (map: LoadedMap, fns: FunctionIndex, fn: LocatedFunction, fallback: string, fileIdx: number): string => {
    if (fn.nameOffset < 0) return fn.name === '' ? '(anonymous)' : fn.name;
    const p = fns.position(fn.nameOffset);
    const o = map.lookup(p.line, p.column);
    if (o.name) {
      // Prefer the identifier written in the original source at that spot (esbuild's names may be
      // internal renames such as `_Matrix` for `Matrix`).
      const text = fileIdx >= 0 ? fileText(fileIdx) : undefined;
      const ident = text !== undefined && o.line ? identifierAt(text, lineStartsOf(fileIdx, text), o.line, o.column ?? 0) : undefined;
      // …but only when it is recognisably the same name (`_Matrix`, `Matrix2` for `Matrix`), never a
      // keyword or another token the lookup happened to land on.
      const base = ident !== undefined && ident !== o.name && o.name.includes(ident) && !/^(?:function|class|async|get|set|static|new|return|export|default|var|let|const)$/.test(ident) ? ident : o.name;
      const prefix = /^(get|set) /.exec(fn.name)?.[0] ?? '';
      return prefix + base;
    }
    return fn.name || fallback;
  };
  const lineStartCache = new Map<number, Uint32Array>();
  const lineStartsOf = (id: number, text: string): Uint32Array => {
    let ls = lineStartCache.get(id);
    if (!ls) {
      const starts = [0];
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
      ls = Uint32Array.from(starts);
      lineStartCache.set(id, ls);
    }
    return ls;
  };
  const textCache = new Map<number, string | undefined>();
  const fileText = (id: number): string | undefined => {
    if (!textCache.has(id)) {
      const rf = files[id];
      let t = rf.content;
      if (t === undefined && rf.onDisk) {
        try {
          t = readFileSync(rf.path, 'utf8');
        } catch {
          t = undefined;
        }
      }
      textCache.set(id, t);
    }
    return textCache.get(id);
  };

  // Frames per generated local file, sorted by position so map lookups run in order.
  const byLocal = new Map<string, number[]>();
  for (const [p, fs] of framesByPath) {
    const local = localOf.get(p);
    if (!local) continue;
    const list = byLocal.get(local);
    if (list) list.push(...fs);
    else byLocal.set(local, [...fs]);
  }

  try {
    for (const [local, fs] of byLocal) {
      const profilePath = raw.strings[fr.file[fs[0]]];
      const plain = () => {
        const id = fileId(local, profilePath, true, false);
        for (const f of fs) symbols.file[f] = id;
      };
      // Only JS-like files (or files that declare a map) go through source maps.
      const g = JS_EXT.test(local) ? await getGenerated(local) : undefined;
      const load = g?.map;
      if (!g || !load || load.kind === 'none') {
        plain();
        continue;
      }
      if (load.kind !== 'ok') {
        plain();
        let w = 0;
        for (const f of fs) w += selfW[f];
        report(profilePath, load.kind === 'missing' ? 'missing-source-map' : 'source-map-error', load.detail, w);
        continue;
      }
      const map = load.map;
      // Process (and so look up) frames in generated-position order: source-map lookups in
      // sorted order are about twice as cheap as random ones.
      const idx = functionsOf(g);
      const sortKey = new Map<number, number>();
      for (const f of fs) {
        let key = fr.line[f] * 1e7 + fr.column[f];
        if (idx && fr.column[f] === 0 && fr.line[f] > 0) {
          const nm = agentFunctionName(raw.strings[fr.name[f]], profilePath);
          const anon = parseAnonymousName(nm);
          const off = anon && anon.column > 0 ? idx.offsetOf(anon.line, anon.column - 1) : idx.named(nm).find((x) => x.line === fr.line[f])?.pos;
          if (off !== undefined && off >= 0) {
            const p = idx.position(off);
            key = p.line * 1e7 + p.column + 1;
          }
        }
        sortKey.set(f, key);
      }
      fs.sort((a, b) => sortKey.get(a)! - sortKey.get(b)! || a - b);
      const wholeLineCandidates = new Map<number, Line1[]>();
      const lineOnlyLines = new Set<number>();
      for (const f of fs) if (fr.line[f] > 0) lineOnlyLines.add(fr.line[f]);
      const generatedId = () => fileId(local, profilePath, true, false);

      for (const f of fs) {
        try {
          const kind = fr.kind[f] as PositionKind;
          const line = fr.line[f];
          if (line <= 0 || kind === PositionKind.None) {
            symbols.file[f] = generatedId();
            continue;
          }
          const name = agentFunctionName(raw.strings[fr.name[f]], profilePath);
          let column = fr.column[f];
          const anon = parseAnonymousName(name);
          if (column === 0 && anon && anon.line === line && anon.column > 0 && kind === PositionKind.FunctionStart) column = anon.column;
          const fns = functionsOf(g);
          let fn: LocatedFunction | undefined;
          let alternatives: LocatedFunction[] = [];
          let pos: OriginalPosition | undefined;
          let outKind = kind;
          const lineCandidates: Line1[] = [];

          if (column > 0 && fns) {
            // The column must fall in a function with the frame's name: @datadog/pprof with
            // lineNumbers + columns gives callers their callee's start column, which would otherwise
            // rename the caller after its callee. Such a column is dropped (line-only below).
            const starting = fns.startingAt(line, column - 1);
            fn = starting.find((x) => (anon ? x.name === '' : sameFunctionName(name, x.name)));
            if (!fn) {
              const inner = fns.containing(line, column - 1);
              fn = anon ? (inner[0]?.name === '' ? inner[0] : undefined) : inner.find((x) => sameFunctionName(name, x.name));
            }
            const topLevel = !fn && (anon !== undefined || name === '(anonymous)' || name === '') && fns.containing(line, column - 1).length === 0;
            if (fn || topLevel) {
              // (top-level script code is reported as an anonymous function at the script start)
              pos = map.lookup(line, column - 1);
            } else {
              column = 0;
              outKind = PositionKind.Line;
              stats.droppedColumns++;
            }
          } else if (column > 0) {
            pos = map.lookup(line, column - 1); // no parse of the generated file: trust the column
          } else if (kind === PositionKind.FunctionStart && fns) {
            const starting = (anon ? fns.startingOn(line).filter((x) => x.name === '') : fns.named(name).filter((x) => x.line === line)).sort((a, b) => a.pos - b.pos);
            if (starting.length) {
              fn = starting[0];
              alternatives = starting.slice(1);
              pos = map.lookup(fn.line, fn.column);
              stats.recovered++;
              if (alternatives.length) {
                stats.recoveredAmbiguous++;
                outKind = PositionKind.Recovered;
              }
            }
          }
          if (!pos) {
            // Line only: first mapping on the generated line, narrowed to the named function's range.
            const all = map.mappingsOnLine(line, lineOnlyLines);
            let mappings = all;
            let extra: typeof all = [];
            const within = (x: LocatedFunction) => {
              const a = fns!.position(x.start), b = fns!.position(x.end);
              const from = a.line === line ? a.column : a.line > line ? Infinity : 0;
              const to = b.line === line ? b.column : b.line < line ? -1 : Infinity;
              // `all` is sorted by generated column: binary search the [from, to) range
              let lo = 0, hi = all.length;
              while (lo < hi) {
                const mid = (lo + hi) >> 1;
                if (all[mid].generatedColumn < from) lo = mid + 1;
                else hi = mid;
              }
              let end = lo;
              while (end < all.length && all[end].generatedColumn < to) end++;
              return all.slice(lo, end);
            };
            if (fns && anon && anon.column > 0) {
              // lineNumbers mode: the name still carries the function's start (generated coordinates)
              fn = fns.startingOn(anon.line).find((x) => x.column === anon.column - 1 && x.name === '');
            }
            if (!fn && fns && !anon) {
              let spanning = fns.spanningLine(line, name);
              if (spanning.length > 1 && fr.startLine[f] > 0) {
                const starting = spanning.filter((x) => x.line === fr.startLine[f]);
                if (starting.length) spanning = starting;
              }
              spanning.sort((a, b) => a.pos - b.pos);
              fn = spanning[0];
              if (spanning.length > 1) {
                // same name, same line: the first in generated order, flagged, the others' lines kept
                outKind = PositionKind.Recovered;
                stats.recoveredAmbiguous++;
                for (const alt of spanning.slice(1)) extra = extra.concat(within(alt));
              }
            }
            if (fn && fns) {
              const inside = within(fn);
              if (inside.length) mappings = inside;
            }
            if (mappings.length) {
              const first = mappings[0];
              pos = { source: first.source, line: first.originalLine, column: first.originalColumn, name: first.name };
              const cached = mappings === all && extra.length === 0 ? wholeLineCandidates.get(line) : undefined;
              if (cached) {
                lineCandidates.push(...cached);
              } else {
                const seen = new Set<number>();
                for (const list of [mappings, extra]) {
                  for (const m of list) {
                    if (m.source === first.source && !seen.has(m.originalLine)) {
                      seen.add(m.originalLine);
                      lineCandidates.push(m.originalLine);
                      if (lineCandidates.length >= MAX_CANDIDATES) break;
                    }
                  }
                  if (lineCandidates.length >= MAX_CANDIDATES) break;
                }
                if (mappings === all && extra.length === 0) wholeLineCandidates.set(line, lineCandidates.slice());
              }
            } else {
              pos = map.lookup(line, 0, true);
            }
          }

          if (!pos || !pos.source || !pos.line) {
            // No mapping there (e.g. bundler runtime code): stays on the generated file.
            symbols.file[f] = generatedId();
            continue;
          }
          const fid = originalFile(map, g, pos.source, profilePath, selfW[f]);
          if (fid < 0) {
            // The original source is unavailable: stay on the generated position, but the map still
            // knows the function's original name.
            symbols.file[f] = generatedId();
            if (fn && fns) symbols.name[f] = intern(originalName(map, fns, fn, name, -1));
            continue;
          }
          symbols.file[f] = fid;
          symbols.line[f] = pos.line;
          symbols.column[f] = column > 0 && pos.column != null ? pos.column + 1 : 0;
          symbols.kind[f] = outKind;
          if (fn && fns) {
            const start = fn === undefined ? undefined : map.lookup(fn.line, fn.column);
            symbols.startLine[f] = start?.line && start.source === pos.source ? start.line : kind === PositionKind.FunctionStart ? pos.line : 0;
            const orig = originalName(map, fns, fn, name, fid);
            symbols.name[f] = intern(anon && orig === '(anonymous)' ? '(anonymous)' : orig);
          } else {
            symbols.startLine[f] = kind === PositionKind.FunctionStart ? pos.line : 0;
            if (anon) symbols.name[f] = intern('(anonymous)');
          }
          if (alternatives.length) {
            const lines = new Set<number>([pos.line]);
            for (const alt of alternatives) {
              const o = map.lookup(alt.line, alt.column);
              if (o.line) lines.add(o.line);
            }
            if (lines.size > 1) symbols.candidates.set(f, [...lines].slice(0, MAX_CANDIDATES));
          } else if (lineCandidates.length > 1) {
            symbols.candidates.set(f, lineCandidates);
          }
        } catch (e) {
          // Never fail a load over one frame: it stays on its generated position.
          symbols.file[f] = generatedId();
          symbols.line[f] = fr.line[f];
          symbols.column[f] = fr.column[f];
          symbols.name[f] = fr.name[f];
          symbols.kind[f] = fr.kind[f];
          symbols.candidates.delete(f);
          report(profilePath, 'source-map-error', `internal error while mapping ${raw.strings[fr.name[f]]}: ${(e as Error)?.message ?? e}`, selfW[f]);
        }
      }
    }
  } finally {
    for (const g of generated.values()) if (g.map?.kind === 'ok') g.map.map.destroy();
  }

  stats.learnedPrefixes = resolver.learned.map((l) => ({ ...l }));
  // A .pyroscope.yaml that could not be read is shown with the unresolved paths (the user sees why
  // its rules did not apply) rather than failing the load.
  for (const e of stats.yamlErrors) report(e.slice(0, e.indexOf('.pyroscope.yaml') + '.pyroscope.yaml'.length), 'no-match', `ignored: ${e}`, 0);
  const unresolved = [...unresolvedMap.values()]
    .map(({ u, w }) => ({ ...u, selfWeight: totalW > 0 ? w / totalW : 0 }))
    .sort((a, b) => b.selfWeight - a.selfWeight || (a.profilePath < b.profilePath ? -1 : 1));
  return { symbols, files, unresolved, stats };
}

/** The identifier starting at (1-based line, 0-based column) of `text`, if one starts there. */
function identifierAt(text: string, lineStarts: Uint32Array, line: number, column: number): string | undefined {
  if (line < 1 || line > lineStarts.length) return undefined;
  const off = lineStarts[line - 1] + column;
  const m = /^[A-Za-z_$#][\w$]*/.exec(text.slice(off, off + 256));
  return m ? m[0] : undefined;
}

/**
 * @pyroscope/nodejs renames functions to `<path relative to cwd>:<name>:<line>`; the function name
 * V8 gave is the middle part. Only unwrapped when the path part names the frame's own file.
 */
export function agentFunctionName(name: string, file: string): string {
  const m = /^(.*?\.(?:[cm]?js|jsx|tsx?)):(.+):(\d+)$/.exec(name);
  if (!m) return name;
  const shown = m[1].replace(/\\/g, '/').replace(/^\.\//, '');
  return file.replace(/\\/g, '/').endsWith(shown) ? m[2] : name;
}

/**
 * Self weight per frame and the total (default sample type). A loop over every sample, in a small
 * function of its own: inside the big async symbolize() it ran unoptimized (~240 ns a sample).
 */
function selfWeights(raw: RawProfile): { selfW: Float64Array; totalW: number } {
  const n = raw.frames.count;
  const T = raw.sampleTypes.length;
  const dt = raw.defaultType;
  const values = raw.samples.values;
  const stack = raw.samples.stack;
  const frameOf = raw.stacks.frame;
  const selfW = new Float64Array(n);
  let totalW = 0;
  for (let i = 0; i < raw.samples.count; i++) {
    const v = values[i * T + dt];
    if (!Number.isFinite(v)) continue;
    totalW += v;
    const fid = frameOf[stack[i]];
    if (fid >= 0 && fid < n) selfW[fid] += v;
  }
  return { selfW, totalW };
}
