/**
 * Hand-written pprof protobuf reader: one pass over the top-level message decodes strings,
 * functions and locations and remembers where samples are; a second pass walks the samples'
 * packed varints straight into the prefix tree and typed arrays. No object per sample.
 * Agrees with the `pprof-format` reference (`decodePprof`) on every fixture (differential test).
 * int64 values are decoded as signed (two's complement) numbers, exact below 2^53.
 */
import { EngineError } from '../engine';
import type { RawProfile } from '../model';
import { GrowableInt32 } from './growable';
import { PprofAssembler, type PprofTables } from './pprofAssembler';

const TWO32 = 4294967296;

class Reader {
  pos = 0;
  constructor(readonly buf: Uint8Array) {}

  /** int64 varint as a (signed) number. Reads past `end` are caught by `check`. */
  varint(): number {
    const buf = this.buf;
    let b = buf[this.pos++];
    if (b < 0x80) return b;
    let lo = b & 0x7f;
    b = buf[this.pos++];
    lo |= (b & 0x7f) << 7;
    if (b < 0x80) return lo;
    b = buf[this.pos++];
    lo |= (b & 0x7f) << 14;
    if (b < 0x80) return lo;
    b = buf[this.pos++];
    lo |= (b & 0x7f) << 21;
    if (b < 0x80) return lo;
    b = buf[this.pos++];
    lo |= (b & 0x0f) << 28;
    let hi = (b & 0x7f) >> 4;
    if (b < 0x80) return hi * TWO32 + (lo >>> 0);
    for (let shift = 3; shift < 32; shift += 7) {
      b = buf[this.pos++];
      hi |= (b & 0x7f) << shift;
      if (!(b >= 0x80)) break;
    }
    if (b >= 0x80) throw new EngineError('corrupt-protobuf', 'The pprof protobuf is corrupt: a varint is longer than 10 bytes.');
    return hi * TWO32 + (lo >>> 0);
  }

  /** Unsigned view of a uint64 field (ids, string indexes, Line.line with a packed column). */
  uvarint(): number {
    const v = this.varint();
    return v < 0 ? v + 2 ** 64 : v;
  }

  len(end: number): number {
    const n = this.varint();
    if (n < 0 || this.pos + n > end) throw truncated();
    return n;
  }

  skip(wireType: number, end: number): void {
    switch (wireType) {
      case 0:
        this.varint();
        break;
      case 1:
        this.pos += 8;
        break;
      case 2: {
        const n = this.len(end); // not `this.pos += this.len()`: pos would be read before len() moves it
        this.pos += n;
        break;
      }
      case 5:
        this.pos += 4;
        break;
      default:
        throw new EngineError('corrupt-protobuf', `The pprof protobuf is corrupt: unsupported wire type ${wireType} at byte ${this.pos}.`);
    }
    if (this.pos > end) throw truncated();
  }
}

function truncated(): EngineError {
  return new EngineError('corrupt-protobuf', 'The pprof protobuf is truncated or corrupt (a field runs past the end of its message).');
}

function valueType(r: Reader, end: number): { type: number; unit: number } {
  const v = { type: 0, unit: 0 };
  while (r.pos < end) {
    const tag = r.varint();
    const f = tag >>> 3;
    const wt = tag & 7;
    if (f === 1 && wt === 0) v.type = r.uvarint();
    else if (f === 2 && wt === 0) v.unit = r.uvarint();
    else r.skip(wt, end);
  }
  if (r.pos !== end) throw truncated();
  return v;
}

export function decodePprofFast(bytes: Uint8Array): RawProfile {
  const r = new Reader(bytes);
  const end = bytes.length;
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const t: PprofTables = {
    strings: [], sampleTypes: [], defaultSampleType: 0, period: 0, timeNanos: 0, durationNanos: 0, mappingCount: 0,
    fnId: [], fnName: [], fnFile: [], fnStart: [],
    locId: [], locLineStart: [], lineFn: [], lineLine: [], lineColumn: [],
  };
  const sampleAt = new GrowableInt32(1 << 16);
  try {
    while (r.pos < end) {
      const tag = r.varint();
      const field = tag >>> 3;
      const wt = tag & 7;
      if (wt === 2 && field >= 1 && field <= 6) {
        const n = r.len(end);
        const e = r.pos + n;
        switch (field) {
          case 1:
            t.sampleTypes.push(valueType(r, e));
            break;
          case 2:
            sampleAt.push(r.pos);
            sampleAt.push(e);
            r.pos = e;
            break;
          case 3:
            t.mappingCount++;
            r.pos = e;
            break;
          case 4:
            readLocation(r, e, t);
            break;
          case 5:
            readFunction(r, e, t);
            break;
          case 6:
            t.strings.push(buffer.toString('utf8', r.pos, e));
            r.pos = e;
            break;
        }
        if (r.pos !== e) throw truncated();
        continue;
      }
      switch (field) {
        case 9:
          if (wt === 0) { t.timeNanos = r.varint(); continue; }
          break;
        case 10:
          if (wt === 0) { t.durationNanos = r.varint(); continue; }
          break;
        case 11:
          if (wt === 2) {
            const n = r.len(end);
            t.periodType = valueType(r, r.pos + n);
            continue;
          }
          break;
        case 12:
          if (wt === 0) { t.period = r.varint(); continue; }
          break;
        case 14:
          if (wt === 0) { t.defaultSampleType = r.uvarint(); continue; }
          break;
      }
      r.skip(wt, end);
    }
    if (r.pos !== end) throw truncated();
  } catch (e) {
    if (e instanceof EngineError) throw e;
    throw new EngineError('corrupt-protobuf', `The pprof protobuf is corrupt (${(e as Error).message}).`);
  }
  t.locLineStart.push(t.lineFn.length);

  const nSamples = sampleAt.length / 2;
  const T = t.sampleTypes.length;
  const asm = new PprofAssembler(t, nSamples, 16);
  const b = asm.builder;
  const at = sampleAt.data;
  /** per sample: byte range of its one packed location-id field; from -1 = several fields or ids off the fast path */
  const idsFrom = new Int32Array(nSamples);
  const idsTo = new Int32Array(nSamples);
  /** per sample: frames of its stack */
  const sampleFrames = new Int32Array(nSamples);
  const idFrame = asm.denseLoc ? idFrameTable(asm.denseLoc, asm.locFrameStart, asm.locFrames) : undefined;
  // pass 2a: values and labels of every sample; count the frames their stacks expand to
  const frameTotal = readSamples(r, bytes, at, nSamples, T, asm, idFrame, idsFrom, idsTo, sampleFrames);
  // pass 2b: stacks, written straight into the exactly-sized node array (re-reading the ids costs
  // less than keeping them); every id was resolved in pass 2a, so no checks on the fast path
  b.reserveNodes(frameTotal);
  const nodes = b.nodeArray;
  const fs = asm.locFrameStart;
  const locFrames = asm.locFrames;
  let next = b.nextNode;
  const leafOf = b.sampleLeaves;
  let ids = new Int32Array(256);
  for (let s = 0; s < nSamples; s++) {
    let n = 0;
    if (idsFrom[s] >= 0) {
      // a run of fast samples in one call (a small loop the JIT optimizes on its own)
      let s1 = s + 1;
      while (s1 < nSamples && idsFrom[s1] >= 0) s1++;
      next = writeStacks(bytes, s, s1, idsFrom, idsTo, sampleFrames, idFrame!, fs, locFrames, nodes, next, leafOf);
      s = s1 - 1;
      continue;
    }
    r.pos = at[2 * s];
    const e = at[2 * s + 1];
    while (r.pos < e) {
      const tag = r.varint();
      const field = tag >>> 3;
      const wt = tag & 7;
      if (field === 1 && (wt === 2 || wt === 0)) {
        const le = wt === 2 ? r.len(e) + r.pos : r.pos + 1;
        while (r.pos < le) {
          if (n === ids.length) {
            const grown = new Int32Array(n * 2);
            grown.set(ids);
            ids = grown;
          }
          ids[n++] = asm.locIndex(r.uvarint());
        }
      } else r.skip(wt, e);
    }
    b.commitNodes(next);
    b.setSampleStack(s, asm.stackOfIndexes(ids, 0, n));
    next = b.nextNode;
  }
  b.commitNodes(next);
  return asm.finish();
}

/**
 * Location id → what its stack nodes are, for the dense table: >= 0 the one frame of a single-frame
 * location (most are), -1 an undefined id, <= -2 the location index li = -2 - x of a location
 * with several frames (inlined) or none.
 */
function idFrameTable(dense: Int32Array, fs: Int32Array, locFrames: Int32Array): Int32Array {
  const out = new Int32Array(dense.length);
  for (let id = 0; id < dense.length; id++) {
    const li = dense[id];
    out[id] = li < 0 ? -1 : fs[li + 1] - fs[li] === 1 ? locFrames[fs[li]] : -2 - li;
  }
  return out;
}

/**
 * Pass 2a: every sample's values and labels into the builder; per sample the frames its stack
 * expands to and, when its ids are one packed field of 1–3 byte varints all in the dense table,
 * their byte range (else idsFrom = -1: pass 2b re-parses it). Returns the total frames.
 */
function readSamples(
  r: Reader, buf: Uint8Array, at: Int32Array, nSamples: number, T: number, asm: PprofAssembler,
  idFrame: Int32Array | undefined, idsFrom: Int32Array, idsTo: Int32Array, sampleFrames: Int32Array,
): number {
  const b = asm.builder;
  const fs = asm.locFrameStart;
  let frameTotal = 0;
  for (let s = 0; s < nSamples; s++) {
    const e = at[2 * s + 1];
    r.pos = at[2 * s];
    let nv = 0;
    let frames = 0;
    let fast = true;
    let idsSeen = false;
    b.sample(0);
    while (r.pos < e) {
      const tag = r.varint();
      const field = tag >>> 3;
      const wt = tag & 7;
      if (field === 1 && wt === 2) {
        const le = r.len(e) + r.pos;
        if (idsSeen) fast = false;
        idsSeen = true;
        idsFrom[s] = r.pos;
        idsTo[s] = le;
        const k = idFrame ? countFrames(buf, r.pos, le, idFrame, fs) : -1;
        if (k >= 0) {
          frames += k;
          r.pos = le;
        } else {
          fast = false;
          while (r.pos < le) frames += asm.locFrameCount(asm.locIndex(r.uvarint()));
          if (r.pos !== le) throw truncated();
        }
      } else if (field === 1 && wt === 0) {
        fast = false;
        idsSeen = true;
        frames += asm.locFrameCount(asm.locIndex(r.uvarint()));
      } else if (field === 2 && wt === 2) {
        const le = r.len(e) + r.pos;
        while (r.pos < le) {
          b.value(r.varint());
          nv++;
        }
        if (r.pos !== le) throw truncated();
      } else if (field === 2 && wt === 0) {
        b.value(r.varint());
        nv++;
      } else if (field === 3 && wt === 2) {
        const le = r.len(e) + r.pos;
        let key = 0, str = 0, num = 0;
        while (r.pos < le) {
          const lt = r.varint();
          const lf = lt >>> 3;
          const lw = lt & 7;
          if (lf === 1 && lw === 0) key = r.uvarint();
          else if (lf === 2 && lw === 0) str = r.uvarint();
          else if (lf === 3 && lw === 0) num = r.varint();
          else r.skip(lw, le);
        }
        if (r.pos !== le) throw truncated();
        b.label(asm.stringRef(key, 'A label key'), str ? asm.stringRef(str, 'A label value') : 0, num);
      } else r.skip(wt, e);
    }
    if (r.pos !== e) throw truncated();
    if (nv !== T) {
      throw new EngineError('corrupt-protobuf', `Sample ${s} has ${nv} values but the profile declares ${T} sample types.`);
    }
    if (!fast) idsFrom[s] = -1;
    sampleFrames[s] = frames;
    frameTotal += frames;
  }
  return frameTotal;
}

/**
 * Frames the packed location ids buf[p .. le-1] expand to, or -1 when an id is not a 1–3 byte
 * varint of the dense table (the caller then takes the general path, which also reports errors).
 */
function countFrames(buf: Uint8Array, p: number, le: number, idFrame: Int32Array, fs: Int32Array): number {
  const n = idFrame.length;
  let k = 0;
  while (p < le) {
    let id = buf[p++];
    if (id >= 0x80) {
      const b1 = buf[p++];
      id = (id & 0x7f) | ((b1 & 0x7f) << 7);
      if (b1 >= 0x80) {
        const b2 = buf[p++];
        if (b2 >= 0x80) return -1;
        id |= b2 << 14;
      }
    }
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

/**
 * Stacks of the fast samples s0 .. s1-1 (checked by countFrames), written consecutively from node
 * `next`, each root first: decoding its leaf-first ids forward, each location's frames go innermost
 * first at decreasing positions starting from the leaf's node. Returns the next free node.
 */
function writeStacks(
  buf: Uint8Array, s0: number, s1: number, idsFrom: Int32Array, idsTo: Int32Array, sampleFrames: Int32Array,
  idFrame: Int32Array, fs: Int32Array, locFrames: Int32Array, nodes: Int32Array, next: number, leafOf: Int32Array,
): number {
  for (let s = s0; s < s1; s++) {
    const k = sampleFrames[s];
    let to = next + k - 1;
    let p = idsFrom[s];
    const le = idsTo[s];
    while (p < le) {
      let id = buf[p++];
      if (id >= 0x80) {
        const b1 = buf[p++];
        id = (id & 0x7f) | ((b1 & 0x7f) << 7);
        if (b1 >= 0x80) id |= buf[p++] << 14;
      }
      const x = idFrame[id];
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

function readLocation(r: Reader, end: number, t: PprofTables): void {
  let id = 0;
  t.locLineStart.push(t.lineFn.length);
  while (r.pos < end) {
    const tag = r.varint();
    const f = tag >>> 3;
    const wt = tag & 7;
    if (f === 1 && wt === 0) id = r.uvarint();
    else if (f === 4 && wt === 2) {
      const n = r.len(end);
      const e = r.pos + n;
      let fn = 0, line = 0, col = 0;
      while (r.pos < e) {
        const lt = r.varint();
        const lf = lt >>> 3;
        const lw = lt & 7;
        if (lf === 1 && lw === 0) fn = r.uvarint();
        else if (lf === 2 && lw === 0) line = r.uvarint();
        else if (lf === 3 && lw === 0) col = r.varint();
        else r.skip(lw, e);
      }
      if (r.pos !== e) throw truncated();
      t.lineFn.push(fn);
      t.lineLine.push(line);
      t.lineColumn.push(col);
    } else r.skip(wt, end);
  }
  t.locId.push(id);
}

function readFunction(r: Reader, end: number, t: PprofTables): void {
  let id = 0, name = 0, file = 0, start = 0;
  while (r.pos < end) {
    const tag = r.varint();
    const f = tag >>> 3;
    const wt = tag & 7;
    if (f === 1 && wt === 0) id = r.uvarint();
    else if (f === 2 && wt === 0) name = r.uvarint();
    else if (f === 4 && wt === 0) file = r.uvarint();
    else if (f === 5 && wt === 0) start = r.varint();
    else r.skip(wt, end);
  }
  t.fnId.push(id);
  t.fnName.push(name);
  t.fnFile.push(file);
  t.fnStart.push(start);
}
