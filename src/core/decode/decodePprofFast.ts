/**
 * Hand-written pprof protobuf reader: one pass over the top-level message decodes strings,
 * functions and locations and remembers where samples are; a second pass walks the samples'
 * packed varints straight into the prefix tree and typed arrays. No object per sample.
 * Agrees with the `pprof-format` reference (`decodePprof`) on every fixture (differential test).
 * int64 values are decoded as signed (two's complement) numbers, exact below 2^53.
 */
import { isAscii } from 'node:buffer';
import { EngineError } from '../engine';
import type { RawProfile } from '../model';
import { GrowableInt32 } from './growable';
import { PprofAssembler, type PprofTables } from './pprofAssembler';
import { Reader, readLabel, truncated } from './protoReader';
import { MAX_STACK_NODES } from './rawProfileBuilder';
import { countFrames, idFrameTable, labelOffsetsOf, newLabelSink, readSampleRange, writeStacks, type SampleArrays, type SampleSink } from './samplePass';

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

/**
 * The string table from its byte ranges at[2i] .. at[2i+1]. Usually the strings are one contiguous
 * run of mostly-ASCII bytes (writers put the table at the end), and then one latin1 slice of the
 * run plus a substring per string is ~40 % cheaper than a UTF-8 decode per string (a 60 MB profile
 * has 1.5 M strings, mostly span ids); strings with a byte >= 0x80 are decoded as UTF-8.
 */
function decodeStrings(buffer: Buffer, at: Int32Array, n: number): string[] {
  const out = new Array<string>(n);
  if (n === 0) return out;
  const base = at[0];
  const end = at[2 * n - 1];
  let bytes = 0;
  for (let i = 0; i < n; i++) bytes += at[2 * i + 1] - at[2 * i];
  if (!(end - base <= 2 * bytes + 64 && n > 64)) {
    for (let i = 0; i < n; i++) out[i] = buffer.toString('utf8', at[2 * i], at[2 * i + 1]);
    return out;
  }
  const run = buffer.toString('latin1', base, end);
  // strings holding a non-ASCII byte (found by one native regex scan of the run, unless the run is
  // all ASCII: tags and lengths are, for strings under 128 bytes) are decoded as UTF-8
  const utf8 = new Uint8Array(n);
  const high = /[\x80-\xff]/g;
  let i = 0;
  if (!isAscii(buffer.subarray(base, end))) for (let m = high.exec(run); m; m = high.exec(run)) {
    const pos = base + m.index;
    while (i < n && at[2 * i + 1] <= pos) i++;
    if (i === n) break;
    if (at[2 * i] <= pos) utf8[i] = 1;
  }
  for (let k = 0; k < n; k++) {
    out[k] = utf8[k] ? buffer.toString('utf8', at[2 * k], at[2 * k + 1]) : run.substring(at[2 * k] - base, at[2 * k + 1] - base);
  }
  return out;
}

/** What the tables pass leaves for the sample passes. */
export interface PprofParts {
  bytes: Uint8Array;
  asm: PprofAssembler;
  /** per sample: byte range [at[2s], at[2s+1]) of its message */
  at: Int32Array;
  nSamples: number;
  T: number;
  /** location id → frame table of the fast path (see idFrameTable); undefined when ids are sparse */
  idFrame: Int32Array | undefined;
}

export function decodePprofFast(bytes: Uint8Array): RawProfile {
  const p = readPprofTables(bytes);
  return decodeSamplesFast(p) ?? decodeSamplesGeneral(p);
}

/** Per-sample arrays for n samples of T values. */
export function allocSampleArrays(n: number, T: number): SampleArrays {
  return {
    values: new Float64Array(n * T),
    idsFrom: new Int32Array(n),
    idsTo: new Int32Array(n),
    frames: new Int32Array(n),
    labelCount: new Int32Array(n),
  };
}

export function checkStackNodes(total: number): void {
  if (total > MAX_STACK_NODES) {
    throw new EngineError('too-large', `The profile's stacks expand to more than ${MAX_STACK_NODES} frames in total; refused.`);
  }
}

/** Samples on the fast path in this thread, or undefined when a sample is off it. */
function decodeSamplesFast(p: PprofParts): RawProfile | undefined {
  const { asm, idFrame, nSamples: n, T } = p;
  if (!idFrame) return undefined;
  const arrays = allocSampleArrays(n, T);
  const labels = newLabelSink();
  const total = readSampleRange(p.bytes, p.at, 0, n, T, asm.nStrings, idFrame, asm.locFrameStart, arrays, labels);
  if (total < 0) return undefined;
  checkStackNodes(1 + total);
  const nodes = new Int32Array(1 + total);
  nodes[0] = -1;
  const stack = new Int32Array(n);
  writeStacks(p.bytes, 0, n, arrays.idsFrom, arrays.idsTo, arrays.frames, idFrame, asm.locFrameStart, asm.locFrames, nodes, 1, stack);
  return asm.finishWith({
    count: n, nodeCount: 1 + total, nodes, stack, values: arrays.values, labelOffsets: labelOffsetsOf(arrays.labelCount),
    labelKey: labels.key.data.subarray(0, labels.key.length),
    labelStr: labels.str.data.subarray(0, labels.str.length),
    labelNum: labels.num.data.subarray(0, labels.num.length),
  });
}

/** Pass 1: strings, functions, locations and where the samples are. */
export function readPprofTables(bytes: Uint8Array): PprofParts {
  const scanner = new PprofTableScanner();
  scanner.scan(bytes, bytes.length, true);
  return scanner.finish(bytes);
}

/**
 * Pass 1, resumable: the two-thread engine feeds it the bytes as they inflate (each top-level
 * field is read once it is complete, strings decoded batch by batch), so that most of this pass
 * runs while the rest of the profile is still being inflated on a pool thread.
 */
export class PprofTableScanner {
  private readonly t: PprofTables = {
    strings: [], sampleTypes: [], defaultSampleType: 0, period: 0, timeNanos: 0, durationNanos: 0, mappingCount: 0,
    fnId: [], fnName: [], fnSystemName: [], fnFile: [], fnStart: [],
    locId: [], locLineStart: [], lineFn: [], lineLine: [], lineColumn: [],
  };
  private readonly sampleAt = new GrowableInt32(1 << 16);
  private readonly stringAt = new GrowableInt32(1 << 12);
  private stringsDecoded = 0;
  /** next byte to read */
  private pos = 0;
  /** set when streaming met something it cannot resume over (bad wire type): start afresh at the end */
  broken = false;

  /** strings from this id on are left '' (until fillDeferredStrings) unless the tables name them */
  private deferFrom = -1;
  private needed: Set<number> | undefined;

  /**
   * @param stream when given, each complete sample is read into it as soon as it is scanned
   * @param options.deferStrings leave the strings nothing in the tables refers to (label values:
   *   span and trace ids, most of a big profile's strings) undecoded until fillDeferredStrings
   */
  constructor(readonly stream?: SampleSink, private readonly options: { deferStrings?: boolean } = {}) {}

  /**
   * Reads the top-level fields in bytes[pos .. avail). final: avail is the end of the profile (a
   * field running past it is an error); else it stops before a field not complete yet.
   */
  scan(bytes: Uint8Array, avail: number, final: boolean): void {
    const t = this.t;
    const sampleAt = this.sampleAt;
    const stringAt = this.stringAt;
    const r = new Reader(bytes);
    r.pos = this.pos;
    const end = avail;
    try {
      while (r.pos < end) {
        if (!final) {
          const fe = fieldEnd(bytes, r.pos, end);
          if (fe === -2) this.broken = true;
          if (fe < 0) break;
        }
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
              stringAt.push(r.pos);
              stringAt.push(e);
              // the string table is one run of such fields (span and trace ids make it most of a
              // big profile's fields): the rest of the run in a tight loop
              r.pos = stringRun(bytes, e, end, stringAt);
              continue;
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
      if (final && r.pos !== end) throw truncated();
    } catch (e) {
      if (e instanceof EngineError) throw e;
      throw new EngineError('corrupt-protobuf', `The pprof protobuf is corrupt (${(e as Error).message}).`);
    }
    this.pos = r.pos;
    this.stream?.add(bytes, sampleAt.data, sampleAt.length / 2, t.sampleTypes.length);
    // the strings read so far, now (streaming: while the rest inflates)
    const n = stringAt.length / 2;
    if (n > this.stringsDecoded) {
      const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      // the functions come before the strings (as writers order them): only what they and the
      // sample types name is decoded now
      if (this.options.deferStrings && t.fnName.length > 0 && !this.needed) {
        this.needed = neededStrings(t);
        this.deferFrom = this.stringsDecoded;
      }
      if (this.needed) {
        const batch = new Array<string>(n - this.stringsDecoded).fill('');
        for (const id of this.needed) if (id >= this.stringsDecoded && id < n) batch[id - this.stringsDecoded] = decodeOne(buffer, stringAt.data, id);
        t.strings = this.stringsDecoded === 0 ? batch : t.strings.concat(batch);
      } else {
        const batch = decodeStrings(buffer, stringAt.data.subarray(2 * this.stringsDecoded), n - this.stringsDecoded);
        if (this.stringsDecoded === 0) t.strings = batch;
        else for (let i = 0; i < batch.length; i++) t.strings.push(batch[i]);
      }
      this.stringsDecoded = n;
    }
  }

  /** The strings left undecoded (see deferredStrings). */
  deferred(): DeferredStrings | undefined {
    const n = this.t.strings.length;
    if (this.deferFrom < 0 || this.deferFrom >= n) return undefined;
    return { from: this.deferFrom, at: this.stringAt.data.slice(2 * this.deferFrom, 2 * n) };
  }

  /** The string table being read (deferred strings are '' in it until fillDeferredStrings). */
  get strings(): string[] {
    return this.t.strings;
  }

  /** After the final scan: the assembled tables. */
  finish(bytes: Uint8Array): PprofParts {
    const t = this.t;
    if (this.needed) {
      // a table read after the strings may name a deferred one: decoded now
      const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const n = t.strings.length;
      for (const id of neededStrings(t)) if (id >= this.deferFrom && id < n && t.strings[id] === '') t.strings[id] = decodeOne(buffer, this.stringAt.data, id);
    }
    t.locLineStart.push(t.lineFn.length);
    const nSamples = this.sampleAt.length / 2;
    const T = t.sampleTypes.length;
    const asm = new PprofAssembler(t, nSamples, 16);
    const idFrame = asm.denseLoc ? idFrameTable(asm.denseLoc, asm.locFrameStart, asm.locFrames) : undefined;
    return { bytes, asm, at: this.sampleAt.data, nSamples, T, idFrame };
  }
}

/**
 * The strings left undecoded by a scanner with deferStrings: their ids and byte ranges (undefined
 * when none). The bytes must stay as they are until fillDeferredStrings.
 */
export function deferredStrings(scanner: PprofTableScanner): DeferredStrings | undefined {
  return scanner.deferred();
}

export interface DeferredStrings {
  /** the first string id of the deferred part of the table (those left '' there are deferred) */
  from: number;
  /** byte ranges of strings from .. from + at.length / 2 - 1 */
  at: Int32Array;
}

/** Decodes the deferred strings into `strings` (the ones still '' from `d.from` on). */
export function fillDeferredStrings(strings: string[], bytes: Uint8Array, d: DeferredStrings): void {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = d.at.length / 2;
  const decoded = decodeStrings(buffer, d.at, n);
  for (let i = 0; i < n; i++) if (strings[d.from + i] === '') strings[d.from + i] = decoded[i];
}

function decodeOne(buffer: Buffer, at: Int32Array, id: number): string {
  return buffer.toString('utf8', at[2 * id], at[2 * id + 1]);
}

/** The string ids the tables refer to while loading: sample types, period type, functions' names and files. */
function neededStrings(t: PprofTables): Set<number> {
  const need = new Set<number>([0]);
  for (const v of t.sampleTypes) need.add(v.type).add(v.unit);
  if (t.periodType) need.add(t.periodType.type).add(t.periodType.unit);
  need.add(t.defaultSampleType);
  for (let i = 0; i < t.fnName.length; i++) need.add(t.fnName[i]).add(t.fnSystemName[i]).add(t.fnFile[i]);
  return need;
}

/**
 * Reads on over consecutive string-table fields (tag 0x32) from `p` whose bytes are all below
 * `end`, recording each one's byte range; returns where it stopped: at another field, or one not
 * complete below `end`, which the caller's loop then reads (or reports) as usual.
 */
function stringRun(bytes: Uint8Array, p: number, end: number, stringAt: GrowableInt32): number {
  while (p < end && bytes[p] === 0x32) {
    let q = p + 1;
    let len = 0;
    let b = 0x80;
    for (let shift = 0; b >= 0x80; shift += 7) {
      if (q >= end || shift > 28) return p;
      b = bytes[q++];
      len += (b & 0x7f) * 2 ** shift;
    }
    if (q + len > end) return p;
    stringAt.push(q);
    stringAt.push(q + len);
    p = q + len;
  }
  return p;
}

/**
 * End of the top-level field at `p` if its bytes are all below `avail`; -1 when not yet, -2 for a
 * wire type a profile never has (streaming stops there; the final scan reports it).
 */
function fieldEnd(buf: Uint8Array, p: number, avail: number): number {
  let tag = 0;
  for (let s = 0; ; s += 7) {
    if (p >= avail) return -1;
    const b = buf[p++];
    tag += (b & 0x7f) * 2 ** s;
    if (b < 0x80) break;
    if (s > 63) return -2;
  }
  const wt = tag % 8;
  if (wt === 1) return p + 8 <= avail ? p + 8 : -1;
  if (wt === 5) return p + 4 <= avail ? p + 4 : -1;
  if (wt !== 0 && wt !== 2) return -2;
  let v = 0;
  for (let s = 0; ; s += 7) {
    if (p >= avail) return -1;
    const b = buf[p++];
    v += (b & 0x7f) * 2 ** s;
    if (b < 0x80) break;
    if (s > 63) return -2;
  }
  if (wt === 0) return p;
  return p + v <= avail ? p + v : -1;
}

/**
 * Samples through the builder, for any valid encoding (several id fields, unpacked or long or
 * sparse ids): pass 2a reads values and labels and counts frames, pass 2b writes the stacks.
 */
export function decodeSamplesGeneral(p: PprofParts): RawProfile {
  const { bytes, asm, at, nSamples, T, idFrame } = p;
  const r = new Reader(bytes);
  const b = asm.builder;
  /** per sample: byte range of its one packed location-id field; from -1 = several fields or ids off the fast path */
  const idsFrom = new Int32Array(nSamples);
  const idsTo = new Int32Array(nSamples);
  /** per sample: frames of its stack */
  const sampleFrames = new Int32Array(nSamples);
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
  const label = new Float64Array(3);
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
        readLabel(r, le, label);
        const key = label[0], str = label[1], num = label[2];
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
  let id = 0, name = 0, sys = 0, file = 0, start = 0;
  while (r.pos < end) {
    const tag = r.varint();
    const f = tag >>> 3;
    const wt = tag & 7;
    if (f === 1 && wt === 0) id = r.uvarint();
    else if (f === 2 && wt === 0) name = r.uvarint();
    else if (f === 3 && wt === 0) sys = r.uvarint();
    else if (f === 4 && wt === 0) file = r.uvarint();
    else if (f === 5 && wt === 0) start = r.varint();
    else r.skip(wt, end);
  }
  t.fnId.push(id);
  t.fnName.push(name);
  t.fnSystemName.push(sys);
  t.fnFile.push(file);
  t.fnStart.push(start);
}
