/**
 * Call trees for the flame graph, built on demand from the per-stack-node aggregates:
 * merged by function or by line, top-down or inverted (bottom-up), optionally focused on a
 * function (stacks through it, rooted at its outermost occurrence), optionally against a baseline
 * (baseSelf/baseTotal). A node budget keeps the heaviest nodes (best-first from the root) and
 * folds the rest of each parent's children into one "other" node.
 */
import type { FlameTreeOptions } from '../engine';
import type { FlameTree } from '../model';
import { childrenOf, type IndexedProfile } from './buildIndex';

/** Growing tree keyed by (parent, key) through an open-addressing table. */
class KeyTree {
  parent: Int32Array;
  key: Int32Array;
  count = 1;
  private table: Int32Array;
  private mask: number;
  constructor(capacity = 1024) {
    let cap = 16;
    while (cap < capacity) cap *= 2;
    this.parent = new Int32Array(cap);
    this.key = new Int32Array(cap);
    this.parent[0] = -1;
    this.key[0] = -1;
    this.table = new Int32Array(cap * 2);
    this.mask = cap * 2 - 1;
  }
  child(p: number, k: number): number {
    let slot = (Math.imul(p, 0x9e3779b1) ^ Math.imul(k + 1, 0x85ebca77)) & this.mask;
    for (;;) {
      const v = this.table[slot];
      if (v === 0) break;
      if (this.parent[v - 1] === p && this.key[v - 1] === k) return v - 1;
      slot = (slot + 1) & this.mask;
    }
    const n = this.count++;
    if (n === this.parent.length) {
      const np = new Int32Array(n * 2);
      np.set(this.parent);
      const nk = new Int32Array(n * 2);
      nk.set(this.key);
      this.parent = np;
      this.key = nk;
    }
    this.parent[n] = p;
    this.key[n] = k;
    if (this.count * 2 > this.mask) this.rehash();
    else this.table[slot] = n + 1;
    return n;
  }
  private rehash(): void {
    const size = (this.mask + 1) * 2;
    const mask = size - 1;
    const table = new Int32Array(size);
    for (let n = 1; n < this.count; n++) {
      let slot = (Math.imul(this.parent[n], 0x9e3779b1) ^ Math.imul(this.key[n] + 1, 0x85ebca77)) & mask;
      while (table[slot] !== 0) slot = (slot + 1) & mask;
      table[slot] = n + 1;
    }
    this.table = table;
    this.mask = mask;
  }
}

interface KeySpace {
  /** per key: label */
  name: number[];
  file: number[];
  line: number[];
  /** key id of each stack node of the profile */
  ofStackNode: Int32Array;
}

function keySpace(ip: IndexedProfile, mergeBy: FlameTreeOptions['mergeBy']): KeySpace {
  const { index } = ip;
  const name: number[] = [];
  const file: number[] = [];
  const line: number[] = [];
  if (mergeBy === 'function') {
    const F = index.functions;
    for (let i = 0; i < F.count; i++) {
      name.push(F.name[i]);
      file.push(F.file[i]);
      line.push(F.startLine[i]);
    }
    return { name, file, line, ofStackNode: ip.nodeFn };
  }
  const L = index.lines;
  for (let i = 0; i < L.count; i++) {
    name.push(L.fn ? index.functions.name[L.fn[i]] : 0);
    file.push(L.file[i]);
    line.push(L.line[i]);
  }
  return { name, file, line, ofStackNode: ip.nodeLine };
}

function labelKey(ip: IndexedProfile, ks: KeySpace, k: number): string {
  const f = ks.file[k];
  return `${ip.index.strings[ks.name[k]]}\u0000${f >= 0 ? ip.index.files[f].path : ''}\u0000${ks.line[k]}`;
}

/** Adds a profile's stack nodes into `tree`, returning per-tree-node self weight additions. */
function addProfile(
  tree: KeyTree,
  ip: IndexedProfile,
  keyOf: Int32Array,
  t: number,
  self: Float64Array[],
  which: number,
  opts: FlameTreeOptions,
): void {
  const { stacks } = ip.raw;
  const T = ip.raw.sampleTypes.length;
  const N = stacks.count;
  const ensure = () => {
    if (self[which].length < tree.count) {
      const n = new Float64Array(Math.max(tree.count, self[which].length * 2));
      n.set(self[which]);
      self[which] = n;
    }
  };
  if (!opts.inverted && opts.focusFunction === undefined) {
    const map = new Int32Array(N);
    for (let n = 1; n < N; n++) {
      map[n] = tree.child(map[stacks.parent[n]], keyOf[n]);
      const w = ip.nodeSelf[n * T + t];
      if (w !== 0) {
        ensure();
        self[which][map[n]] += w;
      }
    }
    return;
  }
  const path: number[] = [];
  const fnPath: number[] = [];
  for (let n = 1; n < N; n++) {
    const w = ip.nodeSelf[n * T + t];
    if (w === 0) continue;
    path.length = 0;
    fnPath.length = 0;
    for (let m = n; m > 0; m = stacks.parent[m]) {
      path.push(keyOf[m]);
      fnPath.push(ip.nodeFn[m]);
    }
    // path is leaf-first
    let from = path.length - 1;
    if (opts.focusFunction !== undefined) {
      while (from >= 0 && fnPath[from] !== opts.focusFunction) from--;
      if (from < 0) continue;
    }
    let node = 0;
    if (opts.inverted) for (let i = 0; i <= from; i++) node = tree.child(node, path[i]);
    else for (let i = from; i >= 0; i--) node = tree.child(node, path[i]);
    ensure();
    self[which][node] += w;
  }
}

export function buildFlameTree(ip: IndexedProfile, opts: FlameTreeOptions, base?: IndexedProfile): FlameTree {
  const t = opts.typeIndex;
  const ks = keySpace(ip, opts.mergeBy);
  const tree = new KeyTree(Math.min(ip.raw.stacks.count, 1 << 20));
  const selfArr: Float64Array[] = [new Float64Array(1024), new Float64Array(base ? 1024 : 0)];
  addProfile(tree, ip, ks.ofStackNode, t, selfArr, 0, opts);
  let focusBase: number | undefined;
  if (base) {
    // translate the baseline's keys into this key space by label (name, path, line)
    const bks = keySpace(base, opts.mergeBy);
    const byLabel = new Map<string, number>();
    for (let k = 0; k < ks.name.length; k++) byLabel.set(labelKey(ip, ks, k), k);
    const bKeyMap = new Int32Array(bks.name.length);
    for (let k = 0; k < bks.name.length; k++) {
      const label = labelKey(base, bks, k);
      let id = byLabel.get(label);
      if (id === undefined) {
        id = ks.name.length;
        byLabel.set(label, id);
        const f = bks.file[k];
        const path = f >= 0 ? base.index.files[f].path : '';
        ks.name.push(-1 - bks.name[k]); // negative: a string of the baseline, resolved below
        ks.file.push(f >= 0 ? (ip.index.files.findIndex((x) => x.path === path)) : -1);
        ks.line.push(bks.line[k]);
      }
      bKeyMap[k] = id;
    }
    const bKeyOf = new Int32Array(base.raw.stacks.count);
    for (let n = 1; n < bKeyOf.length; n++) bKeyOf[n] = bKeyMap[bks.ofStackNode[n]];
    if (opts.focusFunction !== undefined) {
      const fl = labelKey(ip, keySpace(ip, 'function'), opts.focusFunction);
      const bf = keySpace(base, 'function');
      for (let k = 0; k < bf.name.length; k++) if (labelKey(base, bf, k) === fl) focusBase = k;
    }
    addProfile(tree, base, bKeyOf, t, selfArr, 1, { ...opts, focusFunction: opts.focusFunction === undefined ? undefined : (focusBase ?? -2) });
  }
  const C = tree.count;
  const self = new Float64Array(C);
  self.set(selfArr[0].subarray(0, Math.min(C, selfArr[0].length)));
  const total = self.slice();
  const bSelf = base ? new Float64Array(C) : undefined;
  if (bSelf) bSelf.set(selfArr[1].subarray(0, Math.min(C, selfArr[1].length)));
  const bTotal = bSelf?.slice();
  const size = new Uint32Array(C).fill(1);
  for (let n = C - 1; n >= 1; n--) {
    const p = tree.parent[n];
    total[p] += total[n];
    if (bTotal) bTotal[p] += bTotal[n];
    size[p] += size[n];
  }
  const weight = (n: number) => Math.max(Math.abs(total[n]), bTotal ? Math.abs(bTotal[n]) : 0);

  // ---- budget: best-first from the root
  const { start, list } = childrenOf(tree.parent, C);
  const budget = Math.max(2, opts.nodeBudget | 0);
  const kept = new Uint8Array(C);
  const keptChildren = new Uint32Array(C);
  kept[0] = 1;
  let keptCount = 1;
  let withDropped = start[1] > start[0] ? 1 : 0;
  const heap = new MaxHeap(weight);
  for (let i = start[0]; i < start[1]; i++) heap.push(list[i]);
  while (heap.size > 0) {
    const c = heap.peek();
    const p = tree.parent[c];
    const nChildren = start[c + 1] - start[c];
    const lastOfParent = keptChildren[p] + 1 === start[p + 1] - start[p];
    const nextWith = withDropped + (nChildren > 0 ? 1 : 0) - (lastOfParent ? 1 : 0);
    if (keptCount + 1 + nextWith > budget && !(C <= budget)) break;
    heap.pop();
    kept[c] = 1;
    keptCount++;
    keptChildren[p]++;
    withDropped = nextWith;
    for (let i = start[c]; i < start[c + 1]; i++) heap.push(list[i]);
  }

  // ---- output in pre-order, children heaviest first, one "other" per parent with dropped children
  const strMap = new Map<number, number>();
  const strings: string[] = [''];
  const str = (id: number): number => {
    let s = strMap.get(id);
    if (s === undefined) {
      s = strings.length;
      strings.push(id >= 0 ? ip.index.strings[id] : base!.index.strings[-1 - id]);
      strMap.set(id, s);
    }
    return s;
  };
  const otherName = strings.push('other') - 1;
  const allName = strings.push('all') - 1;
  const out = {
    parent: new Int32Array(keptCount + withDropped),
    depth: new Uint16Array(keptCount + withDropped),
    name: new Int32Array(keptCount + withDropped),
    file: new Int32Array(keptCount + withDropped),
    line: new Int32Array(keptCount + withDropped),
    self: new Float64Array(keptCount + withDropped),
    total: new Float64Array(keptCount + withDropped),
    baseSelf: bSelf ? new Float64Array(keptCount + withDropped) : undefined,
    baseTotal: bSelf ? new Float64Array(keptCount + withDropped) : undefined,
  };
  let o = 0;
  let mergedNodes = 0;
  let mergedWeight = 0;
  const stack: { n: number; outParent: number; depth: number; drop?: [number, number] }[] = [{ n: 0, outParent: -1, depth: 0 }];
  const byWeightDesc = (a: number, b: number) => weight(b) - weight(a) || a - b;
  while (stack.length) {
    const { n, outParent, depth, drop } = stack.pop()!;
    const id = o++;
    out.parent[id] = outParent;
    out.depth[id] = Math.min(depth, 65535);
    if (drop) {
      out.name[id] = otherName;
      out.file[id] = -1;
      out.self[id] = drop[0];
      out.total[id] = drop[0];
      if (bSelf) {
        out.baseSelf![id] = drop[1];
        out.baseTotal![id] = drop[1];
      }
      continue;
    }
    if (n === 0) {
      out.name[id] = allName;
      out.file[id] = -1;
    } else {
      const k = tree.key[n];
      out.name[id] = str(ks.name[k]);
      out.file[id] = ks.file[k];
      out.line[id] = ks.line[k];
    }
    out.self[id] = self[n];
    out.total[id] = total[n];
    if (bSelf) {
      out.baseSelf![id] = bSelf[n];
      out.baseTotal![id] = bTotal![n];
    }
    const keptKids: number[] = [];
    let dropTotal = 0, dropBase = 0, dropNodes = 0;
    for (let i = start[n]; i < start[n + 1]; i++) {
      const c = list[i];
      if (kept[c]) keptKids.push(c);
      else {
        dropTotal += total[c];
        if (bTotal) dropBase += bTotal[c];
        dropNodes += size[c];
      }
    }
    keptKids.sort(byWeightDesc);
    // pushed in reverse: the heaviest child is emitted first, "other" last
    if (dropNodes > 0) {
      mergedNodes += dropNodes;
      mergedWeight += dropTotal;
      stack.push({ n: -1, outParent: id, depth: depth + 1, drop: [dropTotal, dropBase] });
    }
    for (let i = keptKids.length - 1; i >= 0; i--) stack.push({ n: keptKids[i], outParent: id, depth: depth + 1 });
  }
  return {
    sampleType: ip.index.sampleTypes[t],
    typeIndex: t,
    strings,
    count: o,
    parent: out.parent.subarray(0, o),
    depth: out.depth.subarray(0, o),
    name: out.name.subarray(0, o),
    file: out.file.subarray(0, o),
    line: out.line.subarray(0, o),
    self: out.self.subarray(0, o),
    total: out.total.subarray(0, o),
    baseSelf: out.baseSelf?.subarray(0, o),
    baseTotal: out.baseTotal?.subarray(0, o),
    merged: { nodes: mergedNodes, weight: mergedWeight },
    files: ip.index.files.map((f) => f.path),
  };
}

class MaxHeap {
  private a: number[] = [];
  constructor(private readonly w: (n: number) => number) {}
  get size(): number {
    return this.a.length;
  }
  peek(): number {
    return this.a[0];
  }
  push(v: number): void {
    const a = this.a;
    let i = a.push(v) - 1;
    const wv = this.w(v);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.w(a[p]) >= wv) break;
      a[i] = a[p];
      i = p;
    }
    a[i] = v;
  }
  pop(): number {
    const a = this.a;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      let i = 0;
      const wl = this.w(last);
      for (;;) {
        const l = 2 * i + 1;
        if (l >= a.length) break;
        const r = l + 1;
        const c = r < a.length && this.w(a[r]) > this.w(a[l]) ? r : l;
        if (this.w(a[c]) <= wl) break;
        a[i] = a[c];
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}
