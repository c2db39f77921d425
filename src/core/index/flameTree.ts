/**
 * Call trees for the flame graph, built on demand and only as far as the node budget reaches:
 * best-first from the root, a node's samples are partitioned by the key (function or line) of their
 * next frame; the heaviest unexpanded node is expanded next. Cost ~ samples × depth of the *kept*
 * tree, never the full tree (production profiles have millions of unique stack tails). Whatever the
 * budget leaves out under a kept node is folded into one "other" child of that node.
 *
 * Modes: top-down or inverted (bottom-up, leaf functions at the top level); focus on a function
 * (stacks through it, rooted at its outermost occurrence); a baseline profile for diff trees
 * (baseSelf/baseTotal; keys matched by name, file path and line).
 */
import type { FlameTreeOptions } from '../engine';
import type { FlameTree, RawProfile } from '../model';
import type { IndexedProfile } from './buildIndex';

/** Each sample's frames as a root-first run of one array (the decoders' chain layout, or a copy). */
function chainsOf(ip: IndexedProfile): { frame: Int32Array; leaf: Int32Array } {
  const raw: RawProfile = ip.raw;
  if (raw.stacks.chains) return { frame: raw.stacks.frame, leaf: raw.samples.stack };
  let total = 0;
  for (let i = 0; i < raw.samples.count; i++) total += ip.sampleDepth[i];
  const frame = new Int32Array(total + 1);
  const leaf = new Int32Array(raw.samples.count);
  let at = 1;
  for (let i = 0; i < raw.samples.count; i++) {
    const d = ip.sampleDepth[i];
    let k = at + d - 1;
    for (let n = raw.samples.stack[i]; n > 0; n = raw.stacks.parent[n]) frame[k--] = raw.stacks.frame[n];
    at += d;
    leaf[i] = d > 0 ? at - 1 : 0;
  }
  return { frame, leaf };
}

interface Labels {
  name: string[];
  /** ResolvedFile id of the *current* profile, -1 none */
  file: number[];
  line: number[];
}

function labelsOf(ip: IndexedProfile, mergeBy: FlameTreeOptions['mergeBy']): Labels & { keyOfFrame: Int32Array } {
  const { index } = ip;
  const s = index.strings;
  const out: Labels = { name: [], file: [], line: [] };
  if (mergeBy === 'function') {
    const F = index.functions;
    for (let i = 0; i < F.count; i++) {
      out.name.push(s[F.name[i]]);
      out.file.push(F.file[i]);
      out.line.push(F.startLine[i]);
    }
    return { ...out, keyOfFrame: ip.frameFn };
  }
  const L = index.lines;
  for (let i = 0; i < L.count; i++) {
    out.name.push(L.fn ? s[index.functions.name[L.fn[i]]] : '');
    out.file.push(L.file[i]);
    out.line.push(L.line[i]);
  }
  return { ...out, keyOfFrame: ip.frameLine };
}

/** One participating profile: its chains, key per frame (in the common key space), weight per sample. */
interface Source {
  frame: Int32Array;
  leaf: Int32Array;
  depth: Int32Array;
  keyOfFrame: Int32Array;
  fnOfFrame: Int32Array;
  weight: Float64Array;
  focusFn: number;
}

interface Candidate {
  parent: number;
  key: number;
  depth: number;
  items: Int32Array;
  total: number;
  baseTotal: number;
}

export function buildFlameTree(ip: IndexedProfile, opts: FlameTreeOptions, base?: IndexedProfile): FlameTree {
  const t = opts.typeIndex;
  const inverted = !!opts.inverted;
  const labels = labelsOf(ip, opts.mergeBy);
  const sources: Source[] = [];
  const addSource = (p: IndexedProfile, keyOfFrame: Int32Array, typeIndex: number, focusFn: number) => {
    const { frame, leaf } = chainsOf(p);
    const T = p.raw.sampleTypes.length;
    const weight = new Float64Array(p.raw.samples.count);
    for (let i = 0; i < weight.length; i++) weight[i] = p.raw.samples.values[i * T + typeIndex];
    sources.push({ frame, leaf, depth: p.sampleDepth, keyOfFrame, fnOfFrame: p.frameFn, weight, focusFn });
  };
  addSource(ip, labels.keyOfFrame, t, opts.focusFunction ?? -1);
  if (base) {
    // the baseline's keys, translated into this profile's key space by label (name, path, line)
    const bl = labelsOf(base, opts.mergeBy);
    const labelKey = (name: string, path: string, line: number) => `${name}\u0000${path}\u0000${line}`;
    const byLabel = new Map<string, number>();
    for (let k = 0; k < labels.name.length; k++) {
      byLabel.set(labelKey(labels.name[k], labels.file[k] >= 0 ? ip.index.files[labels.file[k]].path : '', labels.line[k]), k);
    }
    const fileByPath = new Map(ip.index.files.map((f, i) => [f.path, i]));
    const map = new Int32Array(bl.name.length);
    for (let k = 0; k < bl.name.length; k++) {
      const path = bl.file[k] >= 0 ? base.index.files[bl.file[k]].path : '';
      const lk = labelKey(bl.name[k], path, bl.line[k]);
      let id = byLabel.get(lk);
      if (id === undefined) {
        id = labels.name.length;
        labels.name.push(bl.name[k]);
        labels.file.push(fileByPath.get(path) ?? -1);
        labels.line.push(bl.line[k]);
        byLabel.set(lk, id);
      }
      map[k] = id;
    }
    const keyOfFrame = new Int32Array(bl.keyOfFrame.length);
    for (let f = 0; f < keyOfFrame.length; f++) keyOfFrame[f] = map[bl.keyOfFrame[f]];
    let focusBase = -1;
    if (opts.focusFunction !== undefined) {
      const F = ip.index.functions;
      const want = labelKey(ip.index.strings[F.name[opts.focusFunction]], F.file[opts.focusFunction] >= 0 ? ip.index.files[F.file[opts.focusFunction]].path : '', F.startLine[opts.focusFunction]);
      const BF = base.index.functions;
      for (let k = 0; k < BF.count; k++) {
        if (labelKey(base.index.strings[BF.name[k]], BF.file[k] >= 0 ? base.index.files[BF.file[k]].path : '', BF.startLine[k]) === want) focusBase = k;
      }
      if (focusBase < 0) focusBase = -2; // nothing of the baseline passes the focus
    }
    const st = ip.index.sampleTypes[t];
    let bt = base.raw.sampleTypes.findIndex((x) => x.type === st.type && x.unit === st.unit);
    if (bt < 0) bt = base.raw.sampleTypes.findIndex((x) => x.type === st.type);
    addSource(base, keyOfFrame, Math.max(0, bt), focusBase);
    if (bt < 0) sources[1].weight.fill(0); // the baseline has no such type: everything is new
  }

  // ---- items: (source, sample) with a path start and length; path node d = start + step * d
  const nItems = sources.reduce((a, s) => a + s.leaf.length, 0);
  const itemSrc = new Uint8Array(nItems);
  const itemStart = new Int32Array(nItems);
  const itemLen = new Int32Array(nItems);
  const itemW = new Float64Array(nItems);
  const step = inverted ? -1 : 1;
  let m = 0;
  sources.forEach((src, si) => {
    for (let i = 0; i < src.leaf.length; i++) {
      const w = src.weight[i];
      if (!w || Number.isNaN(w)) continue;
      const leaf = src.leaf[i];
      let len = src.depth[i];
      let rootMost = leaf - len + 1;
      if (src.focusFn !== -1) {
        if (src.focusFn < 0) continue;
        let k = 0;
        while (k < len && src.fnOfFrame[src.frame[rootMost + k]] !== src.focusFn) k++;
        if (k === len) continue;
        rootMost += k;
        len -= k;
      }
      itemSrc[m] = si;
      itemStart[m] = inverted ? leaf : rootMost;
      itemLen[m] = len;
      itemW[m] = w;
      m++;
    }
  });
  const single = sources.length === 1;
  const frame0 = sources[0].frame;
  const keys0 = sources[0].keyOfFrame;
  const keyAt = (it: number, d: number): number => {
    if (single) return keys0[frame0[itemStart[it] + step * d]];
    const src = sources[itemSrc[it]];
    return src.keyOfFrame[src.frame[itemStart[it] + step * d]];
  };

  // ---- kept nodes
  const nKeys = labels.name.length;
  const kParent: number[] = [];
  const kKey: number[] = [];
  const kDepth: number[] = [];
  const kSelf: number[] = [];
  const kTotal: number[] = [];
  const kBaseSelf: number[] = [];
  const kBaseTotal: number[] = [];
  const kChildren: number[][] = [];
  const kPending: number[] = []; // children not kept (yet)
  const kOtherTotal: number[] = [];
  const kOtherBase: number[] = [];
  const stamp = new Int32Array(nKeys).fill(-1);
  const slotOf = new Int32Array(nKeys);
  const weightOf = (c: { total: number; baseTotal: number }) => Math.max(Math.abs(c.total), Math.abs(c.baseTotal));
  const heap = new CandidateHeap(weightOf);
  let expansions = 0;
  /** key of each item of the node being expanded (computed once, used by both partition passes) */
  let scratch = new Int32Array(1024);

  const keep = (c: Candidate): number => {
    const id = kParent.length;
    kParent.push(c.parent);
    kKey.push(c.key);
    kDepth.push(c.depth);
    kTotal.push(c.total);
    kBaseTotal.push(c.baseTotal);
    kChildren.push([]);
    kOtherTotal.push(0);
    kOtherBase.push(0);
    if (c.parent >= 0) kChildren[c.parent].push(id);
    // expand: items ending here are self; the rest are grouped by their next key
    let self = 0, baseSelf = 0;
    const keys: number[] = [];
    const counts: number[] = [];
    const d = c.depth;
    const run = ++expansions;
    if (scratch.length < c.items.length) scratch = new Int32Array(Math.max(c.items.length, scratch.length * 2));
    for (let i = 0; i < c.items.length; i++) {
      const it = c.items[i];
      if (itemLen[it] <= d) {
        if (itemSrc[it] === 0) self += itemW[it];
        else baseSelf += itemW[it];
        scratch[i] = -1;
        continue;
      }
      const k = keyAt(it, d);
      scratch[i] = k;
      if (stamp[k] !== run) {
        stamp[k] = run;
        slotOf[k] = keys.length;
        keys.push(k);
        counts.push(0);
      }
      counts[slotOf[k]]++;
    }
    kSelf.push(self);
    kBaseSelf.push(baseSelf);
    const groups = keys.map((k, g) => ({ parent: id, key: k, depth: d + 1, items: new Int32Array(counts[g]), total: 0, baseTotal: 0 }));
    const fill = new Int32Array(keys.length);
    for (let i = 0; i < c.items.length; i++) {
      const it = c.items[i];
      const k = scratch[i];
      if (k < 0) continue;
      const g = slotOf[k];
      groups[g].items[fill[g]++] = it;
      if (itemSrc[it] === 0) groups[g].total += itemW[it];
      else groups[g].baseTotal += itemW[it];
    }
    kPending.push(groups.length);
    for (const g of groups) heap.push(g);
    return id;
  };

  const all = new Int32Array(m);
  for (let i = 0; i < m; i++) all[i] = i;
  let rootTotal = 0, rootBase = 0;
  for (let i = 0; i < m; i++) {
    if (itemSrc[i] === 0) rootTotal += itemW[i];
    else rootBase += itemW[i];
  }
  keep({ parent: -1, key: -1, depth: 0, items: all, total: rootTotal, baseTotal: rootBase });
  const budget = Math.max(2, opts.nodeBudget | 0);
  let withPending = kPending[0] > 0 ? 1 : 0;
  while (heap.size > 0) {
    const c = heap.peek();
    // would keeping c fit? (c's own "other" may be needed; its parent's may go away)
    const parentDone = kPending[c.parent] === 1;
    const nextWith = withPending + 1 - (parentDone ? 1 : 0);
    if (kParent.length + 1 + nextWith > budget) break;
    heap.pop();
    kPending[c.parent]--;
    if (parentDone) withPending--;
    const id = keep(c);
    if (kPending[id] > 0) withPending++;
  }
  // fold what was not kept into one "other" per parent
  let mergedNodes = 0, mergedWeight = 0;
  for (const c of heap.drain()) {
    kOtherTotal[c.parent] += c.total;
    kOtherBase[c.parent] += c.baseTotal;
    mergedNodes++;
    mergedWeight += c.total;
  }

  // ---- output in pre-order, heaviest child first, "other" last
  const strings: string[] = [''];
  const strIds = new Map<string, number>([['', 0]]);
  const str = (s: string): number => {
    let id = strIds.get(s);
    if (id === undefined) {
      id = strings.length;
      strings.push(s);
      strIds.set(s, id);
    }
    return id;
  };
  const allName = str('all');
  const otherName = str('other');
  const cap = kParent.length + withPending + 1;
  const out = {
    parent: new Int32Array(cap),
    depth: new Uint16Array(cap),
    name: new Int32Array(cap),
    file: new Int32Array(cap),
    line: new Int32Array(cap),
    self: new Float64Array(cap),
    total: new Float64Array(cap),
    baseSelf: base ? new Float64Array(cap) : undefined,
    baseTotal: base ? new Float64Array(cap) : undefined,
  };
  let o = 0;
  const byWeight = (a: number, b: number) =>
    Math.max(Math.abs(kTotal[b]), Math.abs(kBaseTotal[b])) - Math.max(Math.abs(kTotal[a]), Math.abs(kBaseTotal[a])) || a - b;
  const stack: { k: number; outParent: number; other?: boolean }[] = [{ k: 0, outParent: -1 }];
  while (stack.length) {
    const { k, outParent, other } = stack.pop()!;
    const id = o++;
    out.parent[id] = outParent;
    if (other) {
      out.depth[id] = Math.min(kDepth[k] + 1, 65535);
      out.name[id] = otherName;
      out.file[id] = -1;
      out.self[id] = kOtherTotal[k];
      out.total[id] = kOtherTotal[k];
      if (base) {
        out.baseSelf![id] = kOtherBase[k];
        out.baseTotal![id] = kOtherBase[k];
      }
      continue;
    }
    out.depth[id] = Math.min(kDepth[k], 65535);
    if (k === 0) {
      out.name[id] = allName;
      out.file[id] = -1;
    } else {
      const key = kKey[k];
      out.name[id] = str(labels.name[key]);
      out.file[id] = labels.file[key];
      out.line[id] = labels.line[key];
    }
    out.self[id] = kSelf[k];
    out.total[id] = kTotal[k];
    if (base) {
      out.baseSelf![id] = kBaseSelf[k];
      out.baseTotal![id] = kBaseTotal[k];
    }
    if (kOtherTotal[k] !== 0 || kOtherBase[k] !== 0 || kPending[k] > 0) stack.push({ k, outParent: id, other: true });
    const kids = kChildren[k].slice().sort(byWeight);
    for (let i = kids.length - 1; i >= 0; i--) stack.push({ k: kids[i], outParent: id });
  }
  return {
    sampleType: ip.index.sampleTypes[t],
    typeIndex: t,
    strings,
    count: o,
    parent: out.parent.slice(0, o),
    depth: out.depth.slice(0, o),
    name: out.name.slice(0, o),
    file: out.file.slice(0, o),
    line: out.line.slice(0, o),
    self: out.self.slice(0, o),
    total: out.total.slice(0, o),
    baseSelf: out.baseSelf?.slice(0, o),
    baseTotal: out.baseTotal?.slice(0, o),
    merged: { nodes: mergedNodes, weight: mergedWeight },
    files: ip.index.files.map((f) => f.path),
  };
}

class CandidateHeap {
  private a: Candidate[] = [];
  constructor(private readonly w: (c: Candidate) => number) {}
  get size(): number {
    return this.a.length;
  }
  peek(): Candidate {
    return this.a[0];
  }
  push(v: Candidate): void {
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
  pop(): Candidate {
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
  drain(): Candidate[] {
    const a = this.a;
    this.a = [];
    return a;
  }
}
