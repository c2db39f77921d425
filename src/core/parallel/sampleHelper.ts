/**
 * A second thread for the per-sample passes of big pprof profiles (bundled entry: sampleWorker.ts,
 * dist/sampleWorker.js). The engine's thread and the helper each take half of the samples: the
 * bytes, stack nodes and per-sample arrays live in SharedArrayBuffers, so nothing big is copied.
 * When the helper cannot run (no script, one CPU, it died), callers do the work in one thread:
 * the results are the same either way (tested), only the time differs.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { EngineError, type EngineErrorCode } from '../engine';
import type { AccumulationArrays } from '../index/buildIndex';
import { SampleStream, type SampleSink, type SampleStreamData } from '../decode/samplePass';

/** Requests the helper serves; every array is a view of a SharedArrayBuffer unless noted. */
export type HelperRequest =
  | {
    op: 'readSamples'; bytes: Uint8Array; at: Int32Array; s0: number; s1: number; T: number; nStrings: number;
    idFrame: Int32Array; fs: Int32Array; values: Float64Array; idsFrom: Int32Array; idsTo: Int32Array; frames: Int32Array; labelCount: Int32Array;
  }
  | {
    op: 'countFrames'; bytes: Uint8Array; s0: number; s1: number; idsFrom: Int32Array; idsTo: Int32Array; frames: Int32Array;
    idFrame: Int32Array; fs: Int32Array;
  }
  | {
    op: 'writeStacks'; bytes: Uint8Array; s0: number; s1: number; idsFrom: Int32Array; idsTo: Int32Array; frames: Int32Array;
    idFrame: Int32Array; fs: Int32Array; locFrames: Int32Array; nodes: Int32Array; next: number; stack: Int32Array;
  }
  | { op: 'streamAdd'; sid: number; bytes: Uint8Array; at: Int32Array; s0: number; s1: number; T: number }
  | { op: 'streamTake'; sid: number }
  | {
    op: 'accumulateIds'; bytes: Uint8Array; s0: number; s1: number; idsFrom: Int32Array; idsTo: Int32Array; idFrame: Int32Array; fs: Int32Array;
    locFrames: Int32Array; values: Float64Array; frameCount: number; frameLine: Int32Array; frameFn: Int32Array; nLineKeys: number; nFn: number;
    sampleDepth: Int32Array;
  }
  | {
    op: 'accumulate'; T: number; frameCount: number; nodes: Int32Array; stack: Int32Array; values: Float64Array; s0: number; s1: number;
    firstNode: number; frameLine: Int32Array; frameFn: Int32Array; nLineKeys: number; nFn: number; sampleDepth: Int32Array;
  };

export interface ReadSamplesReply {
  /** frames of the range's stacks, -1 when a sample is off the fast path */
  total: number;
  labelKey: Int32Array;
  labelStr: Int32Array;
  labelNum: Float64Array;
}

/** A range's accumulation with its edges as arrays (ids in first-seen order). */
export type AccumulateReply = AccumulationArrays;

/** Raised when the helper thread is gone: callers fall back to one thread. */
export class HelperUnavailable extends Error {}

export type HelperReply = { id: number; result?: unknown; error?: { code?: EngineErrorCode; message: string } };

/** Below this many inflated bytes a profile is decoded in one thread (handing off costs more than it saves). */
export const PARALLEL_MIN_BYTES = 4 * 1024 * 1024;

export class SampleHelper {
  private worker: Worker | undefined;
  private dead = false;
  private nextId = 1;
  private nextStream = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  /**
   * @param script path of the bundled sampleWorker.js; the helper is off when it does not exist
   *   (unbundled runs: tests under tsx) or the machine has one CPU.
   */
  constructor(private readonly script: string | undefined, private readonly cpus = availableParallelism()) {}

  /** Whether work can be handed to the helper (starts it on first use, so call early: it boots meanwhile). */
  start(): boolean {
    if (this.worker) return true;
    if (this.dead || !this.script || this.cpus < 2 || !existsSync(this.script)) return false;
    try {
      const w = new Worker(this.script, { resourceLimits: { maxOldGenerationSizeMb: 1024 } });
      w.on('message', (m: HelperReply) => {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        // an EngineError is the profile's fault (the one thread would raise it too); anything else is
        // the helper's, and the caller redoes the work in one thread
        if (m.error) p.reject(m.error.code ? new EngineError(m.error.code, m.error.message) : new HelperUnavailable(m.error.message));
        else p.resolve(m.result);
      });
      const fail = (why: string): void => {
        this.dead = true;
        this.worker = undefined;
        for (const p of this.pending.values()) p.reject(new HelperUnavailable(why));
        this.pending.clear();
      };
      w.on('error', (e) => fail(`sample helper failed: ${e.message}`));
      w.on('exit', (code) => fail(`sample helper exited (${code})`));
      // idle, the helper must not keep the process alive; only after the listeners are on (a
      // 'message' listener refs the port again)
      w.unref();
      this.worker = w;
      return true;
    } catch {
      this.dead = true;
      return false;
    }
  }

  call(req: Extract<HelperRequest, { op: 'readSamples' }>): Promise<ReadSamplesReply>;
  call(req: Extract<HelperRequest, { op: 'writeStacks' }>): Promise<number>;
  call(req: Extract<HelperRequest, { op: 'countFrames' }>): Promise<number>;
  call(req: Extract<HelperRequest, { op: 'accumulate' }>): Promise<AccumulateReply>;
  call(req: Extract<HelperRequest, { op: 'streamAdd' }>): Promise<number>;
  call(req: Extract<HelperRequest, { op: 'streamTake' }>): Promise<SampleStreamData>;
  /** undefined when a sample's ids are off the fast path */
  call(req: Extract<HelperRequest, { op: 'accumulateIds' }>): Promise<AccumulateReply | undefined>;
  call(req: HelperRequest): Promise<unknown> {
    const w = this.worker;
    if (!w) return Promise.reject(new HelperUnavailable('sample helper not running'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // while a call is out the thread must keep the process alive; idle, it must not
      w.ref();
      w.postMessage({ id, req });
    }).finally(() => {
      if (this.pending.size === 0) this.worker?.unref();
    });
  }

  /** A sample stream read in the helper (see RemoteSampleStream). */
  stream(): RemoteSampleStream {
    return new RemoteSampleStream(this, this.nextStream++);
  }

  async dispose(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    this.dead = true;
    if (w) await w.terminate();
  }
}

/** A copy of `a` in a SharedArrayBuffer, as a plain typed array (a Buffer comes back a Uint8Array). */
export function shared<A extends Uint8Array | Int32Array | Float64Array>(a: A): A {
  const C = (a instanceof Int32Array ? Int32Array : a instanceof Float64Array ? Float64Array : Uint8Array) as unknown as new (b: SharedArrayBuffer) => A;
  const out = new C(new SharedArrayBuffer(a.byteLength));
  out.set(a as never);
  return out;
}

export function sharedInt32(n: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(n * 4));
}

export function sharedFloat64(n: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(n * 8));
}

/**
 * The samples read in the helper while this thread reads the tables as the profile inflates: the
 * scanner hands it each run of complete samples (their byte ranges; the bytes are shared), the
 * helper reads values, labels and id ranges meanwhile, and take() brings the SampleStream back.
 */
export class RemoteSampleStream implements SampleSink {
  private count = 0;

  constructor(private readonly helper: SampleHelper, private readonly sid: number) {}

  add(buf: Uint8Array, at: Int32Array, s1: number, T: number): void {
    if (s1 <= this.count) return;
    const s0 = this.count;
    this.count = s1;
    // a failure shows in take()
    this.helper.call({ op: 'streamAdd', sid: this.sid, bytes: buf, at: at.slice(2 * s0, 2 * s1), s0, s1, T }).catch(() => undefined);
  }

  /** The stream as the helper read it; undefined when the helper failed (the samples are then read afresh). */
  async take(): Promise<SampleStream | undefined> {
    try {
      return SampleStream.of(await this.helper.call({ op: 'streamTake', sid: this.sid }));
    } catch {
      return undefined;
    }
  }
}
