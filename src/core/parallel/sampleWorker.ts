/**
 * Entry of the sample helper thread (bundled to dist/sampleWorker.js; see sampleHelper.ts): runs
 * the per-sample passes of the decoder and the index over the range it is given, on arrays shared
 * with the engine's thread. Stateless: every request carries what it needs.
 */
import { parentPort } from 'node:worker_threads';
import { EngineError } from '../engine';
import { countStackFrames, newLabelSink, readSampleRange, SampleStream, writeStacks } from '../decode/samplePass';
import { accumulateChains, accumulateFromIds, type Accumulation } from '../index/buildIndex';
import type { AccumulateReply, HelperReply, HelperRequest, ReadSamplesReply } from './sampleHelper';

const port = parentPort;
if (!port) throw new Error('sampleWorker must run in a worker thread');

/** Sample streams being read (streamAdd) until taken, by id: the stream and all its samples' byte ranges. */
const streams = new Map<number, { stream: SampleStream; at: Int32Array }>();

function handle(req: HelperRequest): { result: unknown; transfer: ArrayBuffer[] } {
  switch (req.op) {
    case 'readSamples': {
      const labels = newLabelSink(Math.max(1024, (req.s1 - req.s0) * 2));
      const total = readSampleRange(req.bytes, req.at, req.s0, req.s1, req.T, req.nStrings, req.idFrame, req.fs, req, labels);
      const result: ReadSamplesReply = {
        total,
        labelKey: labels.key.data.slice(0, labels.key.length),
        labelStr: labels.str.data.slice(0, labels.str.length),
        labelNum: labels.num.data.slice(0, labels.num.length),
      };
      return { result, transfer: [result.labelKey.buffer, result.labelStr.buffer, result.labelNum.buffer] as ArrayBuffer[] };
    }
    case 'countFrames':
      return { result: countStackFrames(req.bytes, req.s0, req.s1, req.idsFrom, req.idsTo, req.idFrame, req.fs, req.frames), transfer: [] };
    case 'writeStacks':
      return {
        result: writeStacks(req.bytes, req.s0, req.s1, req.idsFrom, req.idsTo, req.frames, req.idFrame, req.fs, req.locFrames, req.nodes, req.next, req.stack),
        transfer: [],
      };
    case 'streamAdd': {
      let st = streams.get(req.sid);
      if (!st) streams.set(req.sid, (st = { stream: new SampleStream(), at: new Int32Array(Math.max(1 << 16, 2 * req.s1)) }));
      if (2 * req.s1 > st.at.length) {
        const grown = new Int32Array(Math.max(2 * req.s1, 2 * st.at.length));
        grown.set(st.at);
        st.at = grown;
      }
      st.at.set(req.at, 2 * req.s0);
      st.stream.add(req.bytes, st.at, req.s1, req.T);
      return { result: 0, transfer: [] };
    }
    case 'streamTake': {
      const st = streams.get(req.sid);
      streams.delete(req.sid);
      const d = (st?.stream ?? new SampleStream()).export();
      const transfer = [d.values, d.idsFrom, d.idsTo, d.labelCount, d.firstId, d.labelKey, d.labelStr, d.labelNum, d.leafValues, d.stacklessValues]
        .map((a) => a.buffer as ArrayBuffer);
      return { result: d, transfer: [...new Set(transfer)] };
    }
    case 'accumulate': {
      const keys = { frameLine: req.frameLine, frameFn: req.frameFn, nLineKeys: req.nLineKeys, nFn: req.nFn };
      return reply(accumulateChains(req.T, keys, req.frameCount, req.nodes, req.stack, req.values, req.s0, req.s1, req.firstNode, req.sampleDepth), req.T);
    }
    case 'accumulateIds': {
      const keys = { frameLine: req.frameLine, frameFn: req.frameFn, nLineKeys: req.nLineKeys, nFn: req.nFn };
      const acc = accumulateFromIds(req.bytes, req.s0, req.s1, req.idsFrom, req.idsTo, req.idFrame, req.fs, req.locFrames, req.values, keys, req.frameCount, req.sampleDepth);
      return acc ? reply(acc, 2) : { result: undefined, transfer: [] };
    }
  }
}

/** A range's accumulation as the reply: its edges as arrays, every array transferred. */
function reply(acc: Accumulation, T: number): { result: AccumulateReply; transfer: ArrayBuffer[] } {
  const n = acc.edges.count;
  const result: AccumulateReply = {
    totals: acc.totals, lSelf: acc.lSelf, lTotal: acc.lTotal, lSamples: acc.lSamples, fSelf: acc.fSelf, fTotal: acc.fTotal, fSamples: acc.fSamples,
    edgeCaller: acc.edges.a.slice(0, n), edgeCallee: acc.edges.b.slice(0, n), eWeight: acc.eWeight.slice(0, n * T),
  };
  const transfer = [result.totals, result.lSelf, result.lTotal, result.lSamples, result.fSelf, result.fTotal, result.fSamples,
    result.edgeCaller, result.edgeCallee, result.eWeight].map((a) => a.buffer as ArrayBuffer);
  return { result, transfer };
}

port.on('message', (m: { id: number; req: HelperRequest }) => {
  let reply: HelperReply;
  let transfer: ArrayBuffer[] = [];
  try {
    const r = handle(m.req);
    reply = { id: m.id, result: r.result };
    transfer = r.transfer;
  } catch (e) {
    reply = { id: m.id, error: e instanceof EngineError ? { code: e.code, message: e.message } : { message: String((e as Error)?.message ?? e) } };
  }
  port.postMessage(reply, transfer);
});
