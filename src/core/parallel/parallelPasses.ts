/**
 * The per-sample passes over two threads: this one takes the first half of the samples, the
 * sample helper the second (split by bytes for the decoder, by stack nodes for the index). When the
 * samples were read while the profile inflated, the engine symbolizes right after the tables
 * (decodePprofParallel's `whileWriting`); then, for two sample types, the index is summed from the
 * samples' location ids (buildIndexFromIds) and the stacks are written after the load has answered
 * (writeDeferredStacks), else the helper writes most of the stacks meanwhile. Each result equals the one-thread result
 * exactly: ranges are merged in sample order, edges new in the second half get the next ids in their
 * first-seen order, and the index is split only when every sum is an exact integer (else it runs on
 * one thread). Any helper failure falls back to the one-thread code.
 */
import { checkStackNodes, decodePprofFast, decodeSamplesGeneral, readPprofTables, type PprofTableScanner } from '../decode/decodePprofFast';
import { countStackFrames, labelOffsetsOf, leafWeightsById, newLabelSink, readSampleRange, SampleStream, writeStacks, type SampleArrays } from '../decode/samplePass';
import { accumulateChains, accumulateFromIds, accumulationArrays, buildIndex, finishIndex, indexKeys, mergeAccumulation, type AccumulationArrays, type IndexedProfile, type IndexKeys } from '../index/buildIndex';
import { chainTree } from '../decode/rawProfileBuilder';
import type { RawProfile } from '../model';
import type { SymbolizeResult } from '../symbolize/symbolize';
import { HelperUnavailable, RemoteSampleStream, shared, sharedFloat64, sharedInt32, type SampleHelper } from './sampleHelper';

/**
 * pprof bytes (inflated) → RawProfile, the sample passes split with the helper; with `whileWriting`,
 * the stacks may be left for writeDeferredStacks (see above). The bytes are
 * copied into shared memory and taken out of `input`, so that the caller's copy can be collected
 * while the big arrays are being allocated (on a 60 MB profile the inflated bytes are 156 MB).
 */
export async function decodePprofParallel(
  input: { pprof?: Uint8Array; scanner?: PprofTableScanner }, helper: SampleHelper, whileWriting?: WhileWriting,
): Promise<RawProfile> {
  const bytes = isShared(input.pprof!) ? input.pprof! : shared(input.pprof!);
  input.pprof = undefined;
  // the tables pass: finished by the scanner that read them while the bytes inflated, or done now
  let p;
  if (input.scanner) {
    input.scanner.scan(bytes, bytes.length, true);
    p = input.scanner.finish(bytes);
  } else p = readPprofTables(bytes);
  const { asm, idFrame, nSamples: n, T } = p;
  if (!idFrame || n < 2) return decodeSamplesGeneral(p);
  // split where half of the samples' bytes are behind; the helper, a little slower (its code is
  // colder), takes a little less
  const at = p.at;
  const cut = at[0] + (at[2 * n - 1] - at[0]) * SPLIT;
  let m = 1;
  while (m < n - 1 && at[2 * m] < cut) m++;
  const fs = shared(asm.locFrameStart);
  const idf = shared(idFrame);
  const common = { bytes, idFrame: idf, fs };
  const sink = input.scanner?.stream;
  const stream = sink instanceof RemoteSampleStream ? await sink.take() : sink instanceof SampleStream ? sink : undefined;
  let arrays: SampleArrays;
  let labelKey: Int32Array, labelStr: Int32Array, labelNum: Float64Array;
  let firstTotal: number, restTotal: number;
  if (stream && stream.complete(n, T, asm.nStrings)) {
    // values, labels and id ranges were read while the profile inflated: only the frames are left
    // to count (they need the locations, which come after the samples)
    const sa = stream.arrays;
    arrays = {
      values: shared(sa.values.subarray(0, n * T)), idsFrom: shared(sa.idsFrom.subarray(0, n)), idsTo: shared(sa.idsTo.subarray(0, n)),
      frames: sharedInt32(n), labelCount: sa.labelCount.subarray(0, n),
    };
    const k = stream.labels.key.length;
    labelKey = stream.labels.key.data.subarray(0, k);
    labelStr = stream.labels.str.data.subarray(0, k);
    labelNum = stream.labels.num.data.subarray(0, k);
    // two sample types, exact sums, leaf weights from the stream: the index is summed from the
    // location ids themselves (buildIndexFromIds) and the stacks are written after it
    // (writeDeferredStacks), off the path from bytes to index
    if (whileWriting && T === 2 && stream.absSum < EXACT_SUMS_BELOW) {
      const stack = sharedInt32(n);
      const raw = asm.finishWith({
        count: n, nodeCount: 1, nodes: Int32Array.of(-1), stack, values: arrays.values, labelOffsets: labelOffsetsOf(arrays.labelCount), labelKey, labelStr, labelNum,
      });
      const weights = leafWeightsById(stream, idFrame, asm.locFrameStart, asm.locFrames, T, raw.defaultType, raw.frames.count);
      if (weights) {
        exactValues.add(arrays.values);
        deferred.set(raw, { bytes, idsFrom: arrays.idsFrom, idsTo: arrays.idsTo, idFrame: idf, fs, locFrames: shared(asm.locFrames) });
        await whileWriting(raw, weights);
        return raw;
      }
    }
    const second = helper.call({ op: 'countFrames', ...common, s0: m, s1: n, idsFrom: arrays.idsFrom, idsTo: arrays.idsTo, frames: arrays.frames });
    firstTotal = countStackFrames(bytes, 0, m, arrays.idsFrom, arrays.idsTo, idFrame, asm.locFrameStart, arrays.frames);
    try {
      restTotal = await second;
    } catch (e) {
      if (!(e instanceof HelperUnavailable)) throw e;
      restTotal = countStackFrames(bytes, m, n, arrays.idsFrom, arrays.idsTo, idFrame, asm.locFrameStart, arrays.frames);
    }
    if (firstTotal < 0 || restTotal < 0) return decodeSamplesGeneral(p);
    if (stream.absSum < EXACT_SUMS_BELOW) exactValues.add(arrays.values);
  } else {
    const sat = shared(at.subarray(0, 2 * n));
    arrays = { values: sharedFloat64(n * T), idsFrom: sharedInt32(n), idsTo: sharedInt32(n), frames: sharedInt32(n), labelCount: sharedInt32(n) };
    const second = helper.call({ op: 'readSamples', ...common, at: sat, s0: m, s1: n, T, nStrings: asm.nStrings, ...arrays });
    const labels = newLabelSink(Math.max(1024, m * 2));
    try {
      firstTotal = readSampleRange(bytes, sat, 0, m, T, asm.nStrings, idFrame, asm.locFrameStart, arrays, labels);
    } catch (e) {
      second.catch(() => undefined);
      throw e;
    }
    let rest;
    try {
      rest = await second;
    } catch (e) {
      if (e instanceof HelperUnavailable) return decodePprofFast(bytes);
      // the second half's error, unless the first half leaves the fast path (one thread would then
      // take the general path from the start, and report what it finds there)
      if (firstTotal >= 0) throw e;
      return decodeSamplesGeneral(p);
    }
    if (firstTotal < 0 || rest.total < 0) return decodeSamplesGeneral(p);
    restTotal = rest.total;
    const k1 = labels.key.length;
    const k2 = rest.labelKey.length;
    labelKey = new Int32Array(k1 + k2);
    labelKey.set(labels.key.data.subarray(0, k1));
    labelKey.set(rest.labelKey, k1);
    labelStr = new Int32Array(k1 + k2);
    labelStr.set(labels.str.data.subarray(0, k1));
    labelStr.set(rest.labelStr, k1);
    labelNum = new Float64Array(k1 + k2);
    labelNum.set(labels.num.data.subarray(0, k1));
    labelNum.set(rest.labelNum, k1);
  }
  const total = firstTotal + restTotal;
  checkStackNodes(1 + total);
  const nodes = sharedInt32(1 + total);
  nodes[0] = -1;
  const stack = sharedInt32(n);
  // the profile, its stacks still to be written (views of the arrays being written)
  const raw = asm.finishWith({
    count: n, nodeCount: 1 + total, nodes, stack, values: arrays.values, labelOffsets: labelOffsetsOf(arrays.labelCount),
    labelKey, labelStr, labelNum,
  });
  // symbolize needs the leaf weights, which the stream summed per leaf id (equal to summing per
  // sample while every sum is exact: values read by the stream and found exact): with them this
  // thread symbolizes while the helper writes most of the stacks, then writes the rest
  const weights = whileWriting && stream && exactValues.has(arrays.values)
    ? leafWeightsById(stream, idFrame, asm.locFrameStart, asm.locFrames, T, raw.defaultType, raw.frames.count)
    : undefined;
  await writeStacksInParts(
    { bytes, n, idsFrom: arrays.idsFrom, idsTo: arrays.idsTo, frames: arrays.frames, idFrame: idf, fs, locFrames: shared(asm.locFrames), nodes, stack },
    weights ? total * mainWriteShare(raw.frames.count, total) : firstTotal, helper, weights && (() => whileWriting!(raw, weights)),
  );
  return raw;
}

/**
 * Called (on this thread) while the helper writes the stacks, with the profile whose stacks are being
 * written and the leaf weights symbolize needs: the engine symbolizes meanwhile. Not called when the
 * weights are not known before the stacks (the engine then symbolizes after decoding, as usual).
 */
export type WhileWriting = (raw: RawProfile, weights: { selfW: Float64Array; totalW: number }) => Promise<void>;

/**
 * Share of the stack nodes this thread writes when it symbolizes first: the helper writes the rest
 * meanwhile, and both should finish together. Measured on the bench profiles: symbolizing (with the
 * index keys) ~1.2 µs a frame + 8 ms; writing ~10 ns a node here, ~25 % more in the helper.
 */
function mainWriteShare(frames: number, nodes: number): number {
  const symbolizeNs = 1200 * frames + 8e6;
  const writeNs = 10 * nodes;
  return Math.min(0.5, Math.max(0.1, (1.25 * writeNs - symbolizeNs) / (2.25 * writeNs)));
}

/**
 * Profiles decoded without their stacks (see decodePprofParallel): the shared bytes, each sample's
 * location-id range and the tables that turn ids into frames, until writeDeferredStacks.
 */
interface DeferredStacks {
  bytes: Uint8Array;
  idsFrom: Int32Array;
  idsTo: Int32Array;
  idFrame: Int32Array;
  fs: Int32Array;
  locFrames: Int32Array;
}
const deferred = new WeakMap<RawProfile, DeferredStacks>();

/** Whether `raw`'s stacks are still to be written (writeDeferredStacks). */
export function hasDeferredStacks(raw: RawProfile): boolean {
  return deferred.has(raw);
}

/**
 * The index of a profile decoded without its stacks, summed from the samples' location ids in two
 * halves (this thread and the helper). Undefined when a sample's ids are off the fast path: the
 * caller then decodes the bytes (deferredBytes) on the general path.
 */
export async function buildIndexFromIds(raw: RawProfile, sym: SymbolizeResult, helper: SampleHelper, keys: IndexKeys): Promise<IndexedProfile | undefined> {
  const c = deferred.get(raw);
  if (!c) return undefined;
  const n = raw.samples.count;
  const values = raw.samples.values;
  const frameCount = raw.frames.count;
  const sampleDepth = sharedInt32(n);
  // split by the ids' bytes (INDEX_SPLIT)
  const { idsFrom } = c;
  const cut = idsFrom[0] + (idsFrom[n - 1] - idsFrom[0]) * INDEX_SPLIT;
  let m = 1;
  while (m < n - 1 && idsFrom[m] < cut) m++;
  const range = (s0: number, s1: number) => accumulateFromIds(c.bytes, s0, s1, c.idsFrom, c.idsTo, c.idFrame, c.fs, c.locFrames, values, keys, frameCount, sampleDepth);
  // (a helper that cannot take it rejects: this thread then takes the second part too)
  const second = helper.call({
    op: 'accumulateIds', bytes: c.bytes, s0: m, s1: n, idsFrom: c.idsFrom, idsTo: c.idsTo, idFrame: c.idFrame, fs: c.fs, locFrames: c.locFrames,
    values, frameCount, frameLine: shared(keys.frameLine), frameFn: shared(keys.frameFn), nLineKeys: keys.nLineKeys, nFn: keys.nFn, sampleDepth,
  });
  second.catch(() => undefined);
  const acc = range(0, m);
  let rest: AccumulationArrays | undefined;
  try {
    rest = await second;
  } catch (e) {
    if (!(e instanceof HelperUnavailable)) throw e;
    const a = range(m, n);
    rest = a && accumulationArrays(a);
  }
  if (!acc || !rest) return undefined;
  let total = 0;
  for (let s = 0; s < n; s++) total += sampleDepth[s];
  checkStackNodes(1 + total);
  mergeAccumulation(2, acc, rest);
  return finishIndex(raw, sym, keys, acc, sampleDepth);
}

/** The inflated bytes of a profile decoded without its stacks (to decode it afresh). */
export function deferredBytes(raw: RawProfile): Uint8Array | undefined {
  return deferred.get(raw)?.bytes;
}

/**
 * Writes the stacks of a profile indexed by buildIndexFromIds (its sample depths are the frame
 * counts), in two halves with the helper: the same chains, nodes and leaves as decodePprofParallel
 * writes during decoding.
 */
export async function writeDeferredStacks(ip: IndexedProfile, helper: SampleHelper): Promise<void> {
  const { raw, sampleDepth: frames } = ip;
  const c = deferred.get(raw);
  if (!c) return;
  const n = raw.samples.count;
  let total = 0;
  for (let s = 0; s < n; s++) total += frames[s];
  const nodes = sharedInt32(1 + total);
  nodes[0] = -1;
  await writeStacksInParts({ ...c, n, frames, nodes, stack: raw.samples.stack }, total / 2, helper);
  raw.stacks = chainTree(1 + total, nodes, raw.samples.stack);
  deferred.delete(raw);
}

/** What writing the stack nodes of samples 0 .. n-1 reads and writes (the arrays the helper gets are shared). */
interface StackParts {
  bytes: Uint8Array;
  n: number;
  idsFrom: Int32Array;
  idsTo: Int32Array;
  /** frames of each sample's stack */
  frames: Int32Array;
  idFrame: Int32Array;
  fs: Int32Array;
  locFrames: Int32Array;
  nodes: Int32Array;
  /** leaf node per sample, written */
  stack: Int32Array;
}

/**
 * Writes the stack nodes of all samples in two parts: this thread the samples whose nodes fit in the
 * first `want`, the helper the rest meanwhile (after `meanwhile`, which this thread runs first); the
 * helper's part here too when the helper is gone.
 */
async function writeStacksInParts(w: StackParts, want: number, helper: SampleHelper, meanwhile?: () => Promise<void>): Promise<void> {
  const { bytes, n, idsFrom, idsTo, frames, idFrame, fs, locFrames, nodes, stack } = w;
  let m = 0;
  let before = 0;
  for (; m < n && before + frames[m] <= want; m++) before += frames[m];
  const written = helper.call({ op: 'writeStacks', bytes, s0: m, s1: n, idsFrom, idsTo, frames, idFrame, fs, locFrames, nodes, next: 1 + before, stack });
  written.catch(() => undefined);
  if (meanwhile) await meanwhile();
  writeStacks(bytes, 0, m, idsFrom, idsTo, frames, idFrame, fs, locFrames, nodes, 1, stack);
  try {
    await written;
  } catch (e) {
    if (!(e instanceof HelperUnavailable)) throw e;
    writeStacks(bytes, m, n, idsFrom, idsTo, frames, idFrame, fs, locFrames, nodes, 1 + before, stack);
  }
}

/** Share of the ids' bytes this thread indexes in buildIndexFromIds; the helper, a little slower (its code is colder), the rest. */
const INDEX_SPLIT = 0.52;

/** Share of the samples' bytes this thread decodes; the helper the rest (the index splits at half the stack nodes). */
const SPLIT = 0.54;

/** buildIndex with the sample pass split with the helper (chain-laid-out stacks in shared memory). */
export async function buildIndexParallel(raw: RawProfile, sym: SymbolizeResult, helper: SampleHelper, known?: IndexKeys): Promise<IndexedProfile> {
  const { stacks, samples } = raw;
  const n = samples.count;
  if (stacks.chains !== true || n < 2 || !isShared(stacks.frame) || !isShared(samples.stack) || !isShared(samples.values)) return buildIndex(raw, sym);
  // two partial sums added equal one running sum only while every sum is an exact integer
  if (!exactValues.has(samples.values) && !exactSums(samples.values)) return buildIndex(raw, sym);
  const T = raw.sampleTypes.length;
  const keys = known ?? indexKeys(raw, sym);
  // split at the sample where half of the stack nodes are behind; the second range's chains
  // start after the last non-empty chain of the first
  const cut = stacks.count / 2;
  let m = 1;
  while (m < n - 1 && !(samples.stack[m - 1] >= cut)) m++;
  let firstNode = 1;
  for (let s = m - 1; s >= 0; s--) {
    if (samples.stack[s] > 0) {
      firstNode = samples.stack[s] + 1;
      break;
    }
  }
  const sampleDepth = sharedInt32(n);
  let second;
  try {
    second = helper.call({
      op: 'accumulate', T, frameCount: raw.frames.count, nodes: stacks.frame, stack: samples.stack, values: samples.values, s0: m, s1: n,
      firstNode, frameLine: shared(keys.frameLine), frameFn: shared(keys.frameFn), nLineKeys: keys.nLineKeys, nFn: keys.nFn, sampleDepth,
    });
  } catch {
    return buildIndex(raw, sym);
  }
  const acc = accumulateChains(T, keys, raw.frames.count, stacks.frame, samples.stack, samples.values, 0, m, 1, sampleDepth);
  let rest;
  try {
    rest = await second;
  } catch (e) {
    if (!(e instanceof HelperUnavailable)) throw e;
    rest = accumulateChains(T, keys, raw.frames.count, stacks.frame, samples.stack, samples.values, m, n, firstNode, sampleDepth);
    mergeAccumulation(T, acc, accumulationArrays(rest));
    return finishIndex(raw, sym, keys, acc, sampleDepth);
  }
  mergeAccumulation(T, acc, rest);
  return finishIndex(raw, sym, keys, acc, sampleDepth);
}

/** Sums of integers whose absolute values add up below this are exact in any order. */
const EXACT_SUMS_BELOW = 2 ** 52;

/** Sample values known to sum exactly (the stream summed their absolute values as they arrived). */
const exactValues = new WeakSet<Float64Array>();

/**
 * Whether every sum of these values (in any order) is exact: integers whose absolute values add up
 * below 2^52. pprof values are int64, so only absurd ones (a fuzzer's, or 100 days in one CPU
 * sample) fail this; those profiles are indexed on one thread.
 */
function exactSums(values: Float64Array): boolean {
  let s = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (!Number.isInteger(x)) return false;
    s += x < 0 ? -x : x;
  }
  return s < EXACT_SUMS_BELOW;
}

/** Whether `a` lives in shared memory (what the two-thread decode produces). */
export function isShared(a: ArrayBufferView): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && a.buffer instanceof SharedArrayBuffer;
}
