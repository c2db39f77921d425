/**
 * Worker-thread entry (bundled to dist/engineWorker.js): runs the engine off the extension host's
 * thread. Loaded profiles stay here, keyed by id; results go back with their typed arrays transferred.
 */
import * as path from 'node:path';
import { parentPort } from 'node:worker_threads';
import { EngineCore } from '../engineCore';
import { EngineError } from '../engine';
import { collectBuffers, copyTypedArrays, type WorkerRequest, type WorkerResponse } from './protocol';

// dist/sampleWorker.js sits beside this bundle: big profiles get a second thread
const core = new EngineCore({ sampleWorkerScript: path.join(__dirname, 'sampleWorker.js') });
const port = parentPort;
if (!port) throw new Error('engineWorker must run in a worker thread');

async function handle(req: WorkerRequest): Promise<unknown> {
  switch (req.op) {
    case 'load': {
      const r = await core.load(req.bytes, req.options);
      // the worker keeps its index (for diffs); the host gets a transferable copy
      return { ...r, index: copyTypedArrays(r.index) };
    }
    case 'flameTree':
      return core.flameTree(req.id, req.options);
    case 'diff':
      return core.diff(req.baseId, req.currentId, req.typeIndex);
    case 'select': {
      const r = await core.select(req.id, req.selection);
      return { ...r, index: copyTypedArrays(r.index) };
    }
    case 'labels':
      return core.labels(req.id, req.options);
    case 'release':
      core.release(req.id);
      return undefined;
    case 'crash':
      process.exit(70);
  }
}

port.on('message', (req: WorkerRequest) => {
  handle(req).then(
    (result) => {
      const msg: WorkerResponse = { seq: req.seq, ok: true, result };
      port.postMessage(msg, collectBuffers(result));
    },
    (e: unknown) => {
      const err = e as Error;
      const msg: WorkerResponse = {
        seq: req.seq,
        ok: false,
        error: e instanceof EngineError ? { code: e.code, message: e.message } : { message: `Internal engine error: ${err?.stack ?? String(e)}` },
      };
      port.postMessage(msg);
    },
  );
});
