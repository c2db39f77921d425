/**
 * RawProfile + symbolization → ProfileIndex (per-file line table, function table, caller→callee
 * edges), plus per-stack-node aggregates kept for call trees.
 *
 * Work is per unique stack node, not per sample: a node's cumulative weight is the sum over its
 * subtree; a key's total is the sum of cumulative weights of the nodes carrying the key that have
 * no ancestor carrying it (one depth-first walk with an active-count per key), which is exactly
 * "samples whose stack contains the key at least once".
 */
import type { SymbolizeResult } from '../symbolize/symbolize';
import { PositionKind, type ProfileIndex, type RawProfile } from '../model';

/** What call trees and diffs need beyond the public index. */
export interface IndexedProfile {
  raw: RawProfile;
  symbols: SymbolizeResult;
  index: ProfileIndex;
  /** per stack node: weight of samples whose leaf is the node (count * T) */
  nodeSelf: Float64Array;
  /** per stack node: weight of its subtree (count * T) */
  nodeCum: Float64Array;
  /** per stack node: function id / line row id of its frame (-1 for the root) */
  nodeFn: Int32Array;
  nodeLine: Int32Array;
  /** per frame: function id and line row id */
  frameFn: Int32Array;
  frameLine: Int32Array;
}

/** Children of each node in CSR form (parent < child holds for every builder-made tree). */
export function childrenOf(parent: Int32Array, count: number): { start: Uint32Array; list: Int32Array } {
  const start = new Uint32Array(count + 1);
  for (let n = 1; n < count; n++) start[parent[n] + 1]++;
  for (let i = 0; i < count; i++) start[i + 1] += start[i];
  const fill = start.slice(0, count);
  const list = new Int32Array(Math.max(0, count - 1));
  for (let n = 1; n < count; n++) list[fill[parent[n]]++] = n;
  return { start, list };
}

/**
 * Calls visit(node, enter) in depth-first order (enter=true before the subtree, false after),
 * iteratively (stacks can be thousands of frames deep).
 */
export function walkTree(start: Uint32Array, list: Int32Array, visit: (node: number, enter: boolean) => void): void {
  const stack: number[] = [0];
  while (stack.length) {
    const v = stack.pop()!;
    if (v < 0) {
      visit(~v, false);
      continue;
    }
    visit(v, true);
    stack.push(~v);
    for (let i = start[v + 1] - 1; i >= start[v]; i--) stack.push(list[i]);
  }
}

export function buildIndex(raw: RawProfile, sym: SymbolizeResult): IndexedProfile {
  const T = raw.sampleTypes.length;
  const { frames, stacks, samples } = raw;
  const s = sym.symbols;
  const files = sym.files;
  const strings = raw.strings;

  // ---- keys per frame
  const lineKeys = new Map<string, number>();
  const lineFile: number[] = [];
  const lineProfileFile: number[] = [];
  const lineLine: number[] = [];
  const lineName: number[] = [];
  const lineKind: number[] = [];
  const fnKeys = new Map<string, number>();
  const fnName: number[] = [];
  const fnFile: number[] = [];
  const fnProfileFile: number[] = [];
  const fnStart: number[] = [];
  const fnKind: number[] = [];
  const frameLine = new Int32Array(frames.count);
  const frameFn = new Int32Array(frames.count);
  for (let f = 0; f < frames.count; f++) {
    const file = s.file[f];
    const pfile = frames.file[f];
    const line = s.line[f];
    const kind = s.kind[f];
    const name = s.name[f];
    const startLine = s.startLine[f] > 0 ? s.startLine[f] : kind === PositionKind.FunctionStart ? line : 0;
    // unresolved frames keep their profile path; frames with no file are keyed by name
    const fileKey = file >= 0 ? `r${file}` : pfile !== 0 ? `p${pfile}` : `n${strings[name]}`;
    const lk = `${fileKey}:${line}`;
    let li = lineKeys.get(lk);
    if (li === undefined) {
      li = lineFile.length;
      lineKeys.set(lk, li);
      lineFile.push(file);
      lineProfileFile.push(file >= 0 ? 0 : pfile);
      lineLine.push(line);
      lineName.push(name);
      lineKind.push(kind);
    } else if (kind > lineKind[li]) lineKind[li] = kind;
    frameLine[f] = li;
    const fk = `${strings[name]}\u0000${file >= 0 ? `r${file}` : `p${pfile}`}\u0000${startLine}`;
    let fi = fnKeys.get(fk);
    if (fi === undefined) {
      fi = fnName.length;
      fnKeys.set(fk, fi);
      fnName.push(name);
      fnFile.push(file);
      fnProfileFile.push(file >= 0 ? 0 : pfile);
      fnStart.push(startLine);
      fnKind.push(kind);
    } else if (kind > fnKind[fi]) fnKind[fi] = kind;
    frameFn[f] = fi;
  }
  const nLineKeys = lineFile.length;
  const nFn = fnName.length;

  // ---- per node
  const N = stacks.count;
  const nodeSelf = new Float64Array(N * T);
  const nodeSamples = new Uint32Array(N);
  const totals = new Float64Array(T);
  const sv = samples.values;
  for (let i = 0; i < samples.count; i++) {
    const n = samples.stack[i];
    nodeSamples[n]++;
    for (let t = 0; t < T; t++) {
      const v = sv[i * T + t];
      nodeSelf[n * T + t] += v;
      totals[t] += v;
    }
  }
  const nodeCum = nodeSelf.slice();
  const cumSamples = nodeSamples.slice();
  for (let n = N - 1; n >= 1; n--) {
    const p = stacks.parent[n];
    cumSamples[p] += cumSamples[n];
    for (let t = 0; t < T; t++) nodeCum[p * T + t] += nodeCum[n * T + t];
  }
  const nodeFn = new Int32Array(N);
  const nodeLine = new Int32Array(N);
  nodeFn[0] = -1;
  nodeLine[0] = -1;
  for (let n = 1; n < N; n++) {
    const f = stacks.frame[n];
    nodeFn[n] = frameFn[f];
    nodeLine[n] = frameLine[f];
  }

  // ---- edges (adjacent function pairs, caller != callee)
  const edgeKeys = new Map<number, number>();
  const edgeCaller: number[] = [];
  const edgeCallee: number[] = [];
  const nodeEdge = new Int32Array(N).fill(-1);
  for (let n = 1; n < N; n++) {
    const p = stacks.parent[n];
    if (p === 0) continue;
    const a = nodeFn[p];
    const b = nodeFn[n];
    if (a === b) continue;
    const k = a * nFn + b;
    let e = edgeKeys.get(k);
    if (e === undefined) {
      e = edgeCaller.length;
      edgeKeys.set(k, e);
      edgeCaller.push(a);
      edgeCallee.push(b);
    }
    nodeEdge[n] = e;
  }
  const nEdges = edgeCaller.length;

  // ---- self, total (recursion counted once), samples
  const lSelf = new Float64Array(nLineKeys * T);
  const lTotal = new Float64Array(nLineKeys * T);
  const lSamples = new Uint32Array(nLineKeys);
  const fSelf = new Float64Array(nFn * T);
  const fTotal = new Float64Array(nFn * T);
  const fSamples = new Uint32Array(nFn);
  const eWeight = new Float64Array(nEdges * T);
  const lActive = new Int32Array(nLineKeys);
  const fActive = new Int32Array(nFn);
  const eActive = new Int32Array(nEdges);
  for (let n = 1; n < N; n++) {
    const l = nodeLine[n];
    const fn = nodeFn[n];
    for (let t = 0; t < T; t++) {
      const v = nodeSelf[n * T + t];
      if (v !== 0) {
        lSelf[l * T + t] += v;
        fSelf[fn * T + t] += v;
      }
    }
  }
  const { start, list } = childrenOf(stacks.parent, N);
  walkTree(start, list, (n, enter) => {
    if (n === 0) return;
    const l = nodeLine[n];
    const fn = nodeFn[n];
    const e = nodeEdge[n];
    if (enter) {
      if (lActive[l]++ === 0) {
        lSamples[l] += cumSamples[n];
        for (let t = 0; t < T; t++) lTotal[l * T + t] += nodeCum[n * T + t];
      }
      if (fActive[fn]++ === 0) {
        fSamples[fn] += cumSamples[n];
        for (let t = 0; t < T; t++) fTotal[fn * T + t] += nodeCum[n * T + t];
      }
      if (e >= 0 && eActive[e]++ === 0) {
        for (let t = 0; t < T; t++) eWeight[e * T + t] += nodeCum[n * T + t];
      }
    } else {
      lActive[l]--;
      fActive[fn]--;
      if (e >= 0) eActive[e]--;
    }
  });

  // ---- order line rows: by resolved file then line; unresolved/no-file rows last
  const order = Array.from({ length: nLineKeys }, (_, i) => i);
  const fileSortKey = (i: number): string =>
    lineFile[i] >= 0 ? '' : lineProfileFile[i] !== 0 ? `1${strings[lineProfileFile[i]]}` : `2${strings[lineName[i]]}`;
  order.sort((a, b) => {
    const fa = lineFile[a] >= 0 ? lineFile[a] : files.length;
    const fb = lineFile[b] >= 0 ? lineFile[b] : files.length;
    if (fa !== fb) return fa - fb;
    if (fa === files.length) {
      const ka = fileSortKey(a);
      const kb = fileSortKey(b);
      if (ka !== kb) return ka < kb ? -1 : 1;
    }
    return lineLine[a] - lineLine[b];
  });
  const rowOf = new Int32Array(nLineKeys);
  order.forEach((k, row) => (rowOf[k] = row));
  const fileStart = new Uint32Array(files.length + 1);
  const L = {
    count: nLineKeys,
    fileStart,
    file: new Int32Array(nLineKeys),
    line: new Int32Array(nLineKeys),
    self: new Float64Array(nLineKeys * T),
    total: new Float64Array(nLineKeys * T),
    samples: new Uint32Array(nLineKeys),
    kind: new Uint8Array(nLineKeys),
    profileFile: new Int32Array(nLineKeys),
    fn: new Int32Array(nLineKeys),
  };
  for (let row = 0; row < nLineKeys; row++) {
    const k = order[row];
    L.file[row] = lineFile[k];
    L.line[row] = lineLine[k];
    L.samples[row] = lSamples[k];
    L.kind[row] = lineKind[k];
    L.profileFile[row] = lineProfileFile[k];
    for (let t = 0; t < T; t++) {
      L.self[row * T + t] = lSelf[k * T + t];
      L.total[row * T + t] = lTotal[k * T + t];
    }
  }
  // fileStart[f] = first row of file f; rows of unresolved files start at fileStart[files.length]
  let row = 0;
  for (let f = 0; f <= files.length; f++) {
    while (row < nLineKeys && L.file[row] >= 0 && L.file[row] < f) row++;
    fileStart[f] = row;
  }
  // the function each line belongs to: the one with the largest total among frames on it
  const bestFnTotal = new Float64Array(nLineKeys).fill(-1);
  const dt = raw.defaultType;
  for (let f = 0; f < frames.count; f++) {
    const r = rowOf[frameLine[f]];
    const fn = frameFn[f];
    const w = fTotal[fn * T + dt];
    if (w > bestFnTotal[r]) {
      bestFnTotal[r] = w;
      L.fn[r] = fn;
    }
  }
  for (let n = 1; n < N; n++) nodeLine[n] = rowOf[nodeLine[n]];
  for (let f = 0; f < frames.count; f++) frameLine[f] = rowOf[frameLine[f]];

  const index: ProfileIndex = {
    sampleTypes: raw.sampleTypes,
    defaultType: raw.defaultType,
    totals,
    sampleCount: samples.count,
    files,
    lines: L,
    functions: {
      count: nFn,
      name: Int32Array.from(fnName),
      file: Int32Array.from(fnFile),
      startLine: Int32Array.from(fnStart),
      self: fSelf,
      total: fTotal,
      samples: fSamples,
      kind: Uint8Array.from(fnKind),
      profileFile: Int32Array.from(fnProfileFile),
    },
    edges: { count: nEdges, caller: Int32Array.from(edgeCaller), callee: Int32Array.from(edgeCallee), weight: eWeight },
    strings,
    unresolved: sym.unresolved,
  };
  return { raw, symbols: sym, index, nodeSelf, nodeCum, nodeFn, nodeLine, frameFn, frameLine };
}
