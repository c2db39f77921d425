/**
 * The per-sample half of pprof decoding on the fast path, over a range of samples, into arrays
 * indexed by sample: values, labels, the frames each stack expands to, then the stacks themselves.
 * Ranges are independent, so the same code runs over the whole profile in one thread or over
 * halves in two (src/core/parallel). A sample whose location ids are not one packed field of
 * 1–3 byte varints of the dense id table stops the fast path: the caller takes the general one.
 */
import { EngineError } from '../engine';
import { GrowableFloat64, GrowableInt32 } from './growable';
import { Reader, readLabel, truncated } from './protoReader';

/** Per-sample arrays of the whole profile (each range writes its own entries). */
export interface SampleArrays {
  /** T per sample */
  values: Float64Array;
  /** byte range of the packed location ids (idsTo negated: unpacked ids, a run of `08 <id>` pairs) */
  idsFrom: Int32Array;
  idsTo: Int32Array;
  /** frames of the stack */
  frames: Int32Array;
  /** labels of the sample (their entries are in the range's LabelSink, in sample order) */
  labelCount: Int32Array;
  /** when present: the first (leaf) location id of each sample, -1 when it has none, -2 when it is not a 1–3 byte varint */
  firstId?: Int32Array;
}

export interface LabelSink {
  key: GrowableInt32;
  str: GrowableInt32;
  num: GrowableFloat64;
}

export function newLabelSink(capacity = 1024): LabelSink {
  return { key: new GrowableInt32(capacity), str: new GrowableInt32(capacity), num: new GrowableFloat64(capacity) };
}

export function badStringRef(what: string, id: number, nStrings: number): EngineError {
  return new EngineError('bad-reference', `${what} refers to string ${id}, but the string table has ${nStrings} entries.`);
}

/**
 * Location id → what its stack nodes are, for a dense id table: >= 0 the one frame of a
 * single-frame location (most are), -1 an undefined id, <= -2 the location index li = -2 - x of a
 * location with several frames (inlined) or none.
 */
export function idFrameTable(dense: Int32Array, fs: Int32Array, locFrames: Int32Array): Int32Array {
  const out = new Int32Array(dense.length);
  for (let id = 0; id < dense.length; id++) {
    const li = dense[id];
    out[id] = li < 0 ? -1 : fs[li + 1] - fs[li] === 1 ? locFrames[fs[li]] : -2 - li;
  }
  return out;
}

/**
 * Values, labels and frame counts of samples s0 .. s1-1 (byte ranges at[2s] .. at[2s+1]).
 * Returns the frames of their stacks, or -1 at the first sample off the fast path. Errors in the
 * samples (values that do not match the sample types, bad label strings, truncation) throw.
 * Without `idFrame` (the locations are not read yet: streaming) the id ranges are only recorded,
 * frames stay 0 and are counted later by countStackFrames.
 */
export function readSampleRange(
  buf: Uint8Array, at: Int32Array, s0: number, s1: number, T: number, nStrings: number,
  idFrame: Int32Array | undefined, fs: Int32Array | undefined, out: SampleArrays, labels: LabelSink,
): number {
  const r = new Reader(buf);
  const label = new Float64Array(3);
  const { values, idsFrom, idsTo, frames: sampleFrames, labelCount, firstId } = out;
  let frameTotal = 0;
  for (let s = s0; s < s1; s++) {
    const e = at[2 * s + 1];
    r.pos = at[2 * s];
    let nv = 0;
    let frames = 0;
    let idsSeen = false;
    let nl = 0;
    while (r.pos < e) {
      const tag = r.varint();
      const field = tag >>> 3;
      const wt = tag & 7;
      if (field === 1 && wt === 2) {
        const le = r.len(e) + r.pos;
        if (idsSeen) return -1;
        idsSeen = true;
        const k = idFrame ? countFrames(buf, r.pos, le, idFrame, fs!) : 0;
        if (k < 0) return -1;
        idsFrom[s] = r.pos;
        idsTo[s] = le;
        if (firstId) firstId[s] = leadingId(buf, r.pos, le);
        frames = k;
        r.pos = le;
      } else if (field === 1 && wt === 0) {
        // unpacked ids (Go's encoder writes repeated fields of 1–2 entries unpacked): a run of
        // `08 <id>` pairs, kept as a range with idsTo negated
        if (idsSeen) return -1;
        idsSeen = true;
        const from = r.pos - 1;
        if (buf[from] !== 0x08) return -1;
        let le = from;
        for (;;) {
          le += 1;
          while (buf[le] >= 0x80 && le < e) le++;
          le++;
          if (le >= e || buf[le] !== 0x08) break;
        }
        if (le > e) return -1;
        const k = idFrame ? countFramesTagged(buf, from, le, idFrame, fs!) : 0;
        if (k < 0) return -1;
        idsFrom[s] = from;
        idsTo[s] = -le;
        if (firstId) firstId[s] = leadingId(buf, from + 1, le);
        frames = k;
        r.pos = le;
      } else if (field === 2 && wt === 2) {
        const le = r.len(e) + r.pos;
        while (r.pos < le) {
          const v = r.varint();
          if (nv < T) values[s * T + nv] = v;
          nv++;
        }
        if (r.pos !== le) throw truncated();
      } else if (field === 2 && wt === 0) {
        const v = r.varint();
        if (nv < T) values[s * T + nv] = v;
        nv++;
      } else if (field === 3 && wt === 2) {
        const le = r.len(e) + r.pos;
        readLabel(r, le, label);
        const key = label[0], str = label[1], num = label[2];
        if (!(key >= 0 && key < nStrings)) throw badStringRef('A label key', key, nStrings);
        if (str !== 0 && !(str >= 0 && str < nStrings)) throw badStringRef('A label value', str, nStrings);
        labels.key.push(key);
        labels.str.push(str);
        labels.num.push(num);
        nl++;
      } else r.skip(wt, e);
    }
    if (r.pos !== e) throw truncated();
    if (nv !== T) {
      throw new EngineError('corrupt-protobuf', `Sample ${s} has ${nv} values but the profile declares ${T} sample types.`);
    }
    if (!idsSeen) {
      idsFrom[s] = idsTo[s] = 0;
      if (firstId) firstId[s] = -1;
    }
    sampleFrames[s] = frames;
    labelCount[s] = nl;
    frameTotal += frames;
  }
  return frameTotal;
}

/**
 * The location id at buf[p] when it is a 1–3 byte varint (what the fast path takes), as
 * `id * 4 + its length in bytes`; -1 when it is longer. Whether it ends inside the caller's range
 * is the caller's to check. Every reader of packed location ids decodes them with this.
 */
export function idVarint(buf: Uint8Array, p: number): number {
  const b0 = buf[p];
  if (b0 < 0x80) return (b0 << 2) | 1;
  const b1 = buf[p + 1];
  if (b1 < 0x80) return (((b0 & 0x7f) | (b1 << 7)) << 2) | 2;
  const b2 = buf[p + 2];
  return b2 < 0x80 ? (((b0 & 0x7f) | ((b1 & 0x7f) << 7) | (b2 << 14)) << 2) | 3 : -1;
}

/** The 1–3 byte varint at buf[p] (before le); -1 when the range is empty, -2 when it is not such a varint. */
function leadingId(buf: Uint8Array, p: number, le: number): number {
  if (p >= le) return -1;
  const v = idVarint(buf, p);
  return v >= 0 && p + (v & 3) <= le ? v >> 2 : -2;
}

/**
 * Frames the packed location ids buf[p .. le-1] expand to, or -1 when an id is not a 1–3 byte
 * varint of the dense table (the caller then takes the general path, which also reports errors).
 */
export function countFrames(buf: Uint8Array, p: number, le: number, idFrame: Int32Array, fs: Int32Array): number {
  const n = idFrame.length;
  let k = 0;
  while (p < le) {
    const v = idVarint(buf, p);
    if (v < 0) return -1;
    const id = v >> 2;
    p += v & 3;
    if (id >= n) return -1;
    const x = idFrame[id];
    if (x >= 0) k++;
    else if (x === -1) return -1;
    else {
      const li = -2 - x;
      k += fs[li + 1] - fs[li];
    }
  }
  return p === le ? k : -1;
}

/** countFrames over unpacked ids: `08 <varint>` pairs in buf[p .. le-1]. */
function countFramesTagged(buf: Uint8Array, p: number, le: number, idFrame: Int32Array, fs: Int32Array): number {
  let k = 0;
  while (p < le) {
    if (buf[p] !== 0x08) return -1;
    let q = p + 1;
    while (q < le && buf[q] >= 0x80) q++;
    const c = countFrames(buf, p + 1, q + 1, idFrame, fs);
    if (c < 0) return -1;
    k += c;
    p = q + 1;
  }
  return p === le ? k : -1;
}

/**
 * Stacks of samples s0 .. s1-1 (read by readSampleRange), written consecutively from node `next`,
 * each root first: decoding its leaf-first ids forward, each location's frames go innermost first
 * at decreasing positions starting from the leaf's node. Sets leafOf[s] (0 for an empty stack).
 * Returns the next free node.
 */
export function writeStacks(
  buf: Uint8Array, s0: number, s1: number, idsFrom: Int32Array, idsTo: Int32Array, sampleFrames: Int32Array,
  idFrame: Int32Array, fs: Int32Array, locFrames: Int32Array, nodes: Int32Array, next: number, leafOf: Int32Array,
): number {
  for (let s = s0; s < s1; s++) {
    const k = sampleFrames[s];
    let to = next + k - 1;
    let p = idsFrom[s];
    let le = idsTo[s];
    // unpacked ids (idsTo < 0): skip each id's tag byte
    const tagged = le < 0 ? 1 : 0;
    if (tagged) le = -le;
    while (p < le) {
      p += tagged;
      // ids checked when the frames were counted
      const v = idVarint(buf, p);
      p += v & 3;
      const x = idFrame[v >> 2];
      if (x >= 0) nodes[to--] = x;
      else {
        const li = -2 - x;
        for (let j = fs[li], j1 = fs[li + 1]; j < j1; j++) nodes[to--] = locFrames[j];
      }
    }
    next += k;
    leafOf[s] = k > 0 ? next - 1 : 0;
  }
  return next;
}

/**
 * The leaf frame's weight per frame and the weight of all samples (sample type dt), from the values
 * the stream summed per leaf location id: what symbolize needs (see its selfWeights, which reads the
 * same from the stacks) before any stack is written. Sums of integers below 2^52 (the caller checks)
 * are exact in any order, so this equals the per-sample sums. Undefined when it cannot tell: a leaf
 * id off the fast path, or a leaf location without a frame (the leaf is then a later location's).
 */
export function leafWeightsById(
  stream: Pick<SampleStream, 'leafValues' | 'stacklessValues' | 'noLeaf'>, idFrame: Int32Array, fs: Int32Array, locFrames: Int32Array,
  T: number, dt: number, frameCount: number,
): { selfW: Float64Array; totalW: number } | undefined {
  const { leafValues, stacklessValues, noLeaf } = stream;
  if (noLeaf > 0 || dt >= stacklessValues.length) return undefined;
  const selfW = new Float64Array(frameCount);
  let totalW = stacklessValues[dt];
  const ids = Math.min(idFrame.length, Math.floor(leafValues.length / T));
  for (let id = 0; id < ids; id++) {
    const v = leafValues[id * T + dt];
    if (v === 0) continue;
    const x = idFrame[id];
    const f = x >= 0 ? x : x === -1 ? -1 : fs[-2 - x] < fs[-1 - x] ? locFrames[fs[-2 - x]] : -1;
    if (f < 0 || f >= frameCount) return undefined;
    selfW[f] += v;
    totalW += v;
  }
  for (let i = ids * T + dt; i < leafValues.length; i += T) if (leafValues[i] !== 0) return undefined;
  return { selfW, totalW };
}

/**
 * Frames of the stacks of samples s0 .. s1-1 whose id ranges readSampleRange recorded without
 * counting (streaming): sets frames[s], returns the total or -1 when a sample is off the fast path.
 */
export function countStackFrames(
  buf: Uint8Array, s0: number, s1: number, idsFrom: Int32Array, idsTo: Int32Array, idFrame: Int32Array, fs: Int32Array, frames: Int32Array,
): number {
  let total = 0;
  for (let s = s0; s < s1; s++) {
    const to = idsTo[s];
    const k = to < 0 ? countFramesTagged(buf, idsFrom[s], -to, idFrame, fs) : countFrames(buf, idsFrom[s], to, idFrame, fs);
    if (k < 0) return -1;
    frames[s] = k;
    total += k;
  }
  return total;
}

/** What the tables scanner hands each run of complete samples to: a SampleStream, here or in the helper thread. */
export interface SampleSink {
  add(buf: Uint8Array, at: Int32Array, s1: number, T: number): void;
}

/**
 * Samples read while the profile is still inflating (the two-thread engine): values, labels and id
 * ranges of each complete sample as the tables scanner finds it. Anything unusual (sample types
 * after samples, a sample off the fast path, an error) marks the stream broken: the samples are
 * then read again after inflating, by the path that reports errors exactly.
 */
export class SampleStream implements SampleSink {
  count = 0;
  T = -1;
  broken = false;
  arrays: Required<SampleArrays> = {
    values: new Float64Array(0), idsFrom: new Int32Array(0), idsTo: new Int32Array(0), frames: new Int32Array(0), labelCount: new Int32Array(0), firstId: new Int32Array(0),
  };
  readonly labels = newLabelSink(1 << 16);
  /**
   * the sum of the values' absolute values (integers, from varints): any partial sums are exact
   * while it stays below 2^52. Summed chunk by chunk as they arrive, where the loop is warm: one
   * cold loop over all values afterwards costs ~15 ms on 330 k values
   */
  absSum = 0;
  /** per leaf location id (a sample's first), the values of the samples it leads, T per id */
  leafValues: Float64Array = new Float64Array(0);
  /** values of the samples without a location, T */
  stacklessValues: Float64Array = new Float64Array(0);
  /** samples whose first id is not a 1–3 byte varint (their leaf is left to the stacks) */
  noLeaf = 0;

  /** Reads samples count .. s1-1 (their byte ranges in at) with T sample types. */
  add(buf: Uint8Array, at: Int32Array, s1: number, T: number): void {
    if (this.broken || s1 <= this.count) return;
    if (this.T < 0) {
      this.T = T;
      this.stacklessValues = new Float64Array(T);
    }
    if (T === 0 || T !== this.T) {
      this.broken = true;
      return;
    }
    this.reserve(s1);
    try {
      if (readSampleRange(buf, at, this.count, s1, T, Infinity, undefined, undefined, this.arrays, this.labels) < 0) this.broken = true;
      this.sums(this.count, s1, T);
    } catch {
      this.broken = true;
    }
    this.count = s1;
  }

  /** absSum and the values per leaf id over samples s0 .. s1-1 (chunk by chunk: the loop is warm). */
  private sums(s0: number, s1: number, T: number): void {
    const { values: v, firstId } = this.arrays;
    let sum = this.absSum;
    let lv = this.leafValues;
    for (let s = s0; s < s1; s++) {
      const id = firstId[s];
      if (id === -1) {
        for (let t = 0; t < T; t++) this.stacklessValues[t] += v[s * T + t];
      } else if (id < 0) this.noLeaf++;
      else if ((id + 1) * T > lv.length) {
        const grown = new Float64Array(Math.max((id + 1) * T, lv.length * 2, 1024 * T));
        grown.set(lv);
        lv = grown;
      }
      for (let t = 0; t < T; t++) {
        const x = v[s * T + t];
        sum += Math.abs(x);
        if (id >= 0) lv[id * T + t] += x;
      }
    }
    this.absSum = sum;
    this.leafValues = lv;
  }

  /**
   * The stream's data (to hand to another thread, arrays transferred: see of). Its arrays are the
   * stream's own, at their capacity: no copy of a big profile's labels on the way.
   */
  export(): SampleStreamData {
    const a = this.arrays;
    return {
      count: this.count, T: this.T, broken: this.broken, absSum: this.absSum, noLeaf: this.noLeaf,
      values: a.values, idsFrom: a.idsFrom, idsTo: a.idsTo, labelCount: a.labelCount, firstId: a.firstId,
      labels: this.labels.key.length, labelKey: this.labels.key.data, labelStr: this.labels.str.data, labelNum: this.labels.num.data,
      leafValues: this.leafValues, stacklessValues: this.stacklessValues,
    };
  }

  /** The stream another thread read (what its export() gave). */
  static of(d: SampleStreamData): SampleStream {
    const st = new SampleStream();
    st.count = d.count;
    st.T = d.T;
    st.broken = d.broken;
    st.absSum = d.absSum;
    st.noLeaf = d.noLeaf;
    st.arrays = { values: d.values, idsFrom: d.idsFrom, idsTo: d.idsTo, frames: new Int32Array(0), labelCount: d.labelCount, firstId: d.firstId };
    st.labels.key.data = d.labelKey;
    st.labels.str.data = d.labelStr;
    st.labels.num.data = d.labelNum;
    st.labels.key.length = st.labels.str.length = st.labels.num.length = d.labels;
    st.leafValues = d.leafValues;
    st.stacklessValues = d.stacklessValues;
    return st;
  }

  /** Whether the stream holds exactly the profile's n samples of T types, with label strings below nStrings. */
  complete(n: number, T: number, nStrings: number): boolean {
    if (this.broken || this.count !== n || this.T !== T) return false;
    const { key, str } = this.labels;
    for (let i = 0; i < key.length; i++) if (!(key.data[i] < nStrings && str.data[i] < nStrings)) return false;
    return true;
  }

  private reserve(n: number): void {
    const a = this.arrays;
    if (n <= a.idsFrom.length) return;
    const cap = Math.max(n, a.idsFrom.length * 2, 1024);
    const grow = <A extends Int32Array | Float64Array>(x: A, size: number): A => {
      const y = new (x.constructor as new (n: number) => A)(size);
      y.set(x as never);
      return y;
    };
    this.arrays = {
      values: grow(a.values, cap * this.T), idsFrom: grow(a.idsFrom, cap), idsTo: grow(a.idsTo, cap), frames: grow(a.frames, cap), labelCount: grow(a.labelCount, cap),
      firstId: grow(a.firstId, cap),
    };
  }
}

/** A SampleStream's content as plain arrays (SampleStream.export / of). */
export interface SampleStreamData {
  count: number;
  T: number;
  broken: boolean;
  absSum: number;
  noLeaf: number;
  values: Float64Array;
  idsFrom: Int32Array;
  idsTo: Int32Array;
  labelCount: Int32Array;
  firstId: Int32Array;
  /** labels in labelKey/Str/Num (arrays at their capacity) */
  labels: number;
  labelKey: Int32Array;
  labelStr: Int32Array;
  labelNum: Float64Array;
  leafValues: Float64Array;
  stacklessValues: Float64Array;
}

/** Label offsets (per sample, into the concatenated label arrays) from per-sample counts. */
export function labelOffsetsOf(labelCount: Int32Array): Uint32Array {
  const n = labelCount.length;
  const off = new Uint32Array(n + 1);
  let k = 0;
  for (let s = 0; s < n; s++) {
    off[s] = k;
    k += labelCount[s];
  }
  off[n] = k;
  return off;
}
