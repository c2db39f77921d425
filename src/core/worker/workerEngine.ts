/**
 * The Engine the extension host uses: decoding and indexing run in a worker thread, so the host
 * never blocks. The worker starts on the first request; if it crashes or exits, pending calls are
 * rejected with EngineError('worker-crashed') and the next request starts a new one (profiles
 * loaded by the old worker are gone: their ids then give 'unknown-profile'). `onCrash` tells the
 * host, so it can load what it shows again into the new worker (src/host/profileSession.ts).
 */
import { Worker } from 'node:worker_threads';
import { EngineError, type Engine, type FlameTreeOptions, type LabelKeySummary, type LabelSummaryOptions, type LoadOptions, type LoadResult, type ProfileDiff, type SampleSelection } from '../engine';
import type { FlameTree } from '../model';
import type { WorkerRequest, WorkerResponse } from './protocol';

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };
type Request = WorkerRequest extends infer R ? (R extends { seq: number } ? Omit<R, 'seq'> : never) : never;

export interface WorkerEngine extends Engine {
  /**
   * test hook: kill the worker as a crash would (`now: false`: not now); `alsoNextLoads`: the worker also
   * dies during that many following loads (as with a profile that needs more than the heap cap), each
   * rejected with worker-crashed
   */
  crashForTest(options?: { alsoNextLoads?: number; now?: boolean }): Promise<void>;
  /**
   * `listener(reason)` runs once per worker that died unexpectedly (crash, out of memory, killed; not
   * dispose), after its pending calls were rejected. Ids it held now give 'unknown-profile'.
   */
  onCrash(listener: (reason: string) => void): { dispose(): void };
}

/** Heap cap of the worker (MB): a profile that needs more kills the worker, not the extension host. */
export const DEFAULT_WORKER_HEAP_MB = 2048;

export function createWorkerEngine(workerScriptPath: string, limits: { maxHeapMb?: number } = {}): WorkerEngine {
  let worker: Worker | undefined;
  let generation = 0;
  let seq = 0;
  const pending = new Map<number, Pending>();
  /** public id → (worker generation, id inside that worker) */
  const handles = new Map<number, { gen: number; id: number }>();
  let nextHandle = 1;
  let disposed = false;
  const crashListeners = new Set<(reason: string) => void>();
  /** test hook (crashForTest): loads during which the worker dies */
  let crashNextLoads = 0;

  const failAll = (why: string) => {
    const err = new EngineError('worker-crashed', `The profile engine stopped (${why}); it restarts on the next request. Load the profile again.`);
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };

  const start = (): Worker => {
    if (worker) return worker;
    const w = new Worker(workerScriptPath, { resourceLimits: { maxOldGenerationSizeMb: limits.maxHeapMb ?? DEFAULT_WORKER_HEAP_MB } });
    generation++;
    const gen = generation;
    w.on('message', (msg: WorkerResponse) => {
      const p = pending.get(msg.seq);
      if (!p) return;
      pending.delete(msg.seq);
      if (msg.ok) p.resolve(msg.result);
      else if (msg.error.code) p.reject(new EngineError(msg.error.code, msg.error.message));
      else p.reject(new Error(msg.error.message));
    });
    let reported = false;
    const down = (why: string) => {
      if (worker === w) worker = undefined;
      if (gen === generation) failAll(why);
      // 'error' (e.g. out of memory) comes before 'exit': report once, with the first reason
      if (reported || disposed) return;
      reported = true;
      for (const l of [...crashListeners]) {
        try {
          l(why);
        } catch {
          // a listener's failure must not stop the others
        }
      }
    };
    w.on('error', (e) => down((e as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY' ? `out of memory: the profile needs more than the engine's ${limits.maxHeapMb ?? DEFAULT_WORKER_HEAP_MB} MB heap` : `worker error: ${e.message}`));
    w.on('exit', (code) => down(`worker exited with code ${code}`));
    w.unref();
    worker = w;
    return w;
  };

  const call = <T>(req: Request, transfer: ArrayBuffer[] = []): Promise<T> => {
    if (disposed) return Promise.reject(new EngineError('unknown-profile', 'The engine has been disposed.'));
    const w = start();
    const s = ++seq;
    return new Promise<T>((resolve, reject) => {
      pending.set(s, { resolve: resolve as (v: unknown) => void, reject });
      w.ref();
      w.postMessage({ ...req, seq: s }, transfer);
    }).finally(() => {
      if (pending.size === 0) worker?.unref();
    });
  };

  const resolveHandle = (id: number): number => {
    const h = handles.get(id);
    if (!h || h.gen !== generation || !worker) {
      throw new EngineError('unknown-profile', `Profile ${id} is not loaded (released, or the engine restarted).`);
    }
    return h.id;
  };

  return {
    async load(bytes: Uint8Array, options: LoadOptions): Promise<LoadResult> {
      // copy so the caller keeps its bytes (Buffer#slice would be a view of Node's pool); the copy is
      // transferred, not cloned again
      const copy = new Uint8Array(bytes.byteLength);
      copy.set(bytes);
      if (crashNextLoads > 0) {
        crashNextLoads--;
        // the worker dies with this load in flight: rejected with worker-crashed, like an out-of-memory load
        await call<void>({ op: 'crash' });
      }
      const r = await call<LoadResult>({ op: 'load', bytes: copy, options }, [copy.buffer as ArrayBuffer]);
      const handle = nextHandle++;
      handles.set(handle, { gen: generation, id: r.id });
      return { ...r, id: handle };
    },
    async flameTree(id: number, options: FlameTreeOptions): Promise<FlameTree> {
      const opts = options.baseId !== undefined ? { ...options, baseId: resolveHandle(options.baseId) } : options;
      return call<FlameTree>({ op: 'flameTree', id: resolveHandle(id), options: opts });
    },
    async diff(baseId: number, currentId: number, typeIndex: number): Promise<ProfileDiff> {
      return call<ProfileDiff>({ op: 'diff', baseId: resolveHandle(baseId), currentId: resolveHandle(currentId), typeIndex });
    },
    async select(id: number, selection: SampleSelection): Promise<LoadResult> {
      const r = await call<LoadResult>({ op: 'select', id: resolveHandle(id), selection });
      const handle = nextHandle++;
      handles.set(handle, { gen: generation, id: r.id });
      return { ...r, id: handle };
    },
    async labels(id: number, options?: LabelSummaryOptions): Promise<LabelKeySummary[]> {
      return call<LabelKeySummary[]>({ op: 'labels', id: resolveHandle(id), options });
    },
    async release(id: number): Promise<void> {
      const h = handles.get(id);
      handles.delete(id);
      if (!h || h.gen !== generation || !worker) return;
      await call<void>({ op: 'release', id: h.id });
    },
    async dispose(): Promise<void> {
      disposed = true;
      const w = worker;
      worker = undefined;
      handles.clear();
      failAll('disposed');
      if (w) await w.terminate();
    },
    async crashForTest(options?: { alsoNextLoads?: number; now?: boolean }): Promise<void> {
      crashNextLoads = Math.max(0, Math.floor(options?.alsoNextLoads ?? 0));
      if (options?.now === false) return;
      await call<void>({ op: 'crash' }).catch(() => undefined);
    },
    onCrash(listener: (reason: string) => void): { dispose(): void } {
      crashListeners.add(listener);
      return { dispose: () => void crashListeners.delete(listener) };
    },
  };
}
