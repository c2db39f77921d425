/**
 * Symbolization: profile paths → workspace files (path mapping, .pyroscope.yaml, suffix inference)
 * and generated JS → original sources (source maps, minified-name recovery).
 *
 * PLACEHOLDER CONTRACT (owned by the symbolization work): the signature below is what the indexer
 * calls. The body is a minimal pass-through until the real implementation lands.
 */
import { existsSync } from 'node:fs';
import type { LoadOptions } from '../engine';
import type { RawProfile, ResolvedFile, SymbolTable, UnresolvedPath } from '../model';

export interface SymbolizeResult {
  symbols: SymbolTable;
  files: ResolvedFile[];
  unresolved: UnresolvedPath[];
}

export async function symbolize(raw: RawProfile, _options: LoadOptions): Promise<SymbolizeResult> {
  const n = raw.frames.count;
  const symbols: SymbolTable = {
    file: new Int32Array(n).fill(-1),
    line: raw.frames.line.slice(),
    column: raw.frames.column.slice(),
    startLine: raw.frames.startLine.slice(),
    name: raw.frames.name.slice(),
    kind: raw.frames.kind.slice(),
    candidates: new Map(),
  };
  const files: ResolvedFile[] = [];
  const byPath = new Map<number, number>();
  for (let f = 0; f < n; f++) {
    const p = raw.frames.file[f];
    if (p === 0) continue;
    let id = byPath.get(p);
    if (id === undefined) {
      const path = raw.strings[p];
      id = files.length;
      files.push({ path, profilePath: path, onDisk: existsSync(path), viaSourceMap: false });
      byPath.set(p, id);
    }
    symbols.file[f] = id;
  }
  return { symbols, files, unresolved: [] };
}
