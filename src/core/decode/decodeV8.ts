/**
 * V8 JSON profiles: `.cpuprofile` (node --cpu-prof, DevTools) and `.heapprofile` (sampling heap
 * profiler). callFrame positions are 0-based and are the function's start; `positionTicks[].line`
 * is 1-based. CPU time comes from `samples` + `timeDeltas` (µs), not from `hitCount`.
 */
import { EngineError } from '../engine';
import { PositionKind, type RawProfile } from '../model';
import { RawProfileBuilder } from './rawProfileBuilder';

interface CallFrame {
  functionName?: string;
  url?: string;
  lineNumber?: number;
  columnNumber?: number;
}

interface CpuNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
  positionTicks?: { line: number; ticks: number }[];
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function frameOf(b: RawProfileBuilder, cf: CallFrame): number {
  const name = b.intern(typeof cf.functionName === 'string' && cf.functionName !== '' ? cf.functionName : '(anonymous)');
  const url = typeof cf.url === 'string' ? cf.url.replace(/^file:\/\//, '') : '';
  const file = b.intern(url);
  const line = Number.isInteger(cf.lineNumber) && (cf.lineNumber as number) >= 0 ? (cf.lineNumber as number) + 1 : 0;
  const col = Number.isInteger(cf.columnNumber) && (cf.columnNumber as number) >= 0 ? (cf.columnNumber as number) + 1 : 0;
  const kind = line > 0 ? PositionKind.FunctionStart : PositionKind.None;
  return b.frame(name, file, line, col, line, kind);
}

export function isCpuprofile(j: unknown): boolean {
  return isObj(j) && Array.isArray(j.nodes) && Array.isArray(j.samples);
}

export function isHeapprofile(j: unknown): boolean {
  return isObj(j) && isObj(j.head) && isObj((j.head as Record<string, unknown>).callFrame);
}

/**
 * Sample i lasts until the next sample: `timeDeltas[i+1]` µs; the last one until `endTime`.
 * A leaf node with `positionTicks` gets its samples spread over those 1-based lines in order
 * (as many samples per line as it has ticks), each line a frame of kind Line.
 */
export function decodeCpuprofile(j: Record<string, unknown>): RawProfile {
  const nodes = j.nodes as CpuNode[];
  const samples = j.samples as number[];
  const deltas = Array.isArray(j.timeDeltas) ? (j.timeDeltas as number[]) : [];
  const b = new RawProfileBuilder('cpuprofile', [''], samples.length, samples.length * 8);
  const byId = new Map<number, CpuNode>();
  for (const n of nodes) {
    if (!isObj(n) || !Number.isInteger(n.id) || !isObj(n.callFrame)) throw new EngineError('bad-json', 'A .cpuprofile node lacks an integer id or a callFrame.');
    byId.set(n.id, n);
  }
  const parentOf = new Map<number, number>();
  for (const n of nodes) {
    for (const c of Array.isArray(n.children) ? n.children : []) {
      if (!byId.has(c)) throw new EngineError('bad-reference', `.cpuprofile node ${n.id} lists child ${Number.isInteger(c) ? c : `of type ${Array.isArray(c) ? 'array' : typeof c}`}, which does not exist.`);
      parentOf.set(c, n.id);
    }
  }
  // Frames of each cpuprofile node's stack, root first; the root "(root)" is not a frame.
  const pathOf = new Map<number, number[]>();
  const resolve = (id: number): number[] => {
    const known = pathOf.get(id);
    if (known !== undefined) return known;
    const chain: number[] = [];
    let cur: number | undefined = id;
    while (cur !== undefined && !pathOf.has(cur)) {
      chain.push(cur);
      if (chain.length > nodes.length) throw new EngineError('bad-reference', '.cpuprofile nodes form a cycle.');
      cur = parentOf.get(cur);
    }
    let path = cur === undefined ? [] : pathOf.get(cur)!;
    for (let i = chain.length - 1; i >= 0; i--) {
      const n = byId.get(chain[i])!;
      const isRoot = parentOf.get(n.id) === undefined && n.callFrame.functionName === '(root)';
      if (!isRoot) path = [...path, frameOf(b, n.callFrame)];
      pathOf.set(n.id, path);
    }
    return path;
  };
  // positionTicks: per node, a queue of (line frame, remaining ticks)
  const tickQueue = new Map<number, { frames: number[]; left: number[]; at: number }>();
  for (const n of nodes) {
    if (!Array.isArray(n.positionTicks) || n.positionTicks.length === 0) continue;
    const name = b.intern(typeof n.callFrame.functionName === 'string' && n.callFrame.functionName ? n.callFrame.functionName : '(anonymous)');
    const file = b.intern(typeof n.callFrame.url === 'string' ? n.callFrame.url.replace(/^file:\/\//, '') : '');
    const start = Number.isInteger(n.callFrame.lineNumber) && n.callFrame.lineNumber! >= 0 ? n.callFrame.lineNumber! + 1 : 0;
    const frames: number[] = [];
    const left: number[] = [];
    for (const pt of n.positionTicks) {
      if (!isObj(pt) || !Number.isInteger(pt.line) || pt.line <= 0 || !(typeof pt.ticks === 'number' && pt.ticks > 0)) continue;
      frames.push(b.frame(name, file, pt.line, 0, start, PositionKind.Line));
      left.push(pt.ticks);
    }
    if (frames.length) tickQueue.set(n.id, { frames, left, at: 0 });
  }
  const startTime = typeof j.startTime === 'number' ? j.startTime : 0;
  const endTime = typeof j.endTime === 'number' ? j.endTime : 0;
  const ts: number[] = new Array(samples.length);
  let t = startTime;
  for (let i = 0; i < samples.length; i++) {
    const d = deltas[i];
    t += typeof d === 'number' && Number.isFinite(d) ? d : 0;
    ts[i] = t;
  }
  for (let i = 0; i < samples.length; i++) {
    const id = samples[i];
    if (!byId.has(id)) throw new EngineError('bad-reference', `.cpuprofile sample ${i} refers to node ${Number.isInteger(id) ? id : `of type ${typeof id}`}, which does not exist.`);
    const path = resolve(id);
    const q = tickQueue.get(id);
    b.beginStack();
    for (let k = 0; k < path.length; k++) {
      // the leaf's function-start frame becomes the sampled line of the same function
      if (k === path.length - 1 && q && q.at < q.frames.length) {
        b.push(q.frames[q.at]);
        if (--q.left[q.at] === 0) q.at++;
      } else b.push(path[k]);
    }
    const leaf = b.leaf();
    const dur = i + 1 < samples.length ? ts[i + 1] - ts[i] : Math.max(0, endTime - ts[i]);
    b.sample(leaf);
    b.value(1);
    b.value(Math.max(0, dur) * 1000);
  }
  return b.build({
    sampleTypes: [{ type: 'samples', unit: 'count' }, { type: 'cpu', unit: 'nanoseconds' }],
    defaultType: 1,
    periodType: { type: 'cpu', unit: 'nanoseconds' },
    period: samples.length > 1 ? ((ts[samples.length - 1] - ts[0]) / (samples.length - 1)) * 1000 : 0,
    timeNanos: startTime * 1000,
    durationNanos: Math.max(0, endTime - startTime) * 1000,
  });
}

interface HeapNode {
  id?: number;
  callFrame: CallFrame;
  selfSize?: number;
  children?: HeapNode[];
}

/** Sampling heap profile: per node with live sampled bytes, its bytes and number of samples. */
export function decodeHeapprofile(j: Record<string, unknown>): RawProfile {
  const b = new RawProfileBuilder('heapprofile');
  const head = j.head as HeapNode;
  const pathOfId = new Map<number, number[]>();
  const selfOf: { path: number[]; size: number; id?: number }[] = [];
  const stack: { n: HeapNode; path: number[]; depth: number }[] = [{ n: head, path: [], depth: 0 }];
  while (stack.length) {
    const { n, path: parentPath, depth } = stack.pop()!;
    if (!isObj(n) || !isObj(n.callFrame)) throw new EngineError('bad-json', 'A .heapprofile node lacks a callFrame.');
    if (depth > 10000) throw new EngineError('bad-json', 'The .heapprofile tree is deeper than 10000 frames.');
    const isRoot = depth === 0 && n.callFrame.functionName === '(root)';
    const path = isRoot ? parentPath : [...parentPath, frameOf(b, n.callFrame)];
    if (Number.isInteger(n.id)) pathOfId.set(n.id!, path);
    if (typeof n.selfSize === 'number' && n.selfSize > 0) selfOf.push({ path, size: n.selfSize, id: Number.isInteger(n.id) ? n.id : undefined });
    for (const c of Array.isArray(n.children) ? n.children : []) stack.push({ n: c, path, depth: depth + 1 });
  }
  const writeStack = (path: number[]): number => {
    b.beginStack();
    for (const f of path) b.push(f);
    return b.leaf();
  };
  // Space is each node's selfSize (what DevTools shows). Objects are counted from `samples`; V8
  // also lists samples whose node is no longer in the tree: those are not in selfSize either and
  // are left out.
  const countOf = new Map<number, number>();
  const samples = Array.isArray(j.samples) ? (j.samples as { size?: number; nodeId?: number }[]) : [];
  for (const s of samples) {
    if (isObj(s) && pathOfId.has(s.nodeId as number)) countOf.set(s.nodeId as number, (countOf.get(s.nodeId as number) ?? 0) + 1);
  }
  for (const n of selfOf) {
    b.sample(writeStack(n.path));
    b.value(n.id !== undefined ? (countOf.get(n.id) ?? 0) : 0);
    b.value(n.size);
  }
  return b.build({
    sampleTypes: [{ type: 'inuse_objects', unit: 'count' }, { type: 'inuse_space', unit: 'bytes' }],
    defaultType: 1,
    period: 0,
    timeNanos: 0,
    durationNanos: 0,
  });
}
