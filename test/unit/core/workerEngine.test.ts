/**
 * The worker-thread engine (what the extension host uses): same results as in-process, typed errors
 * across the thread boundary, and a crashed worker rejects pending calls with 'worker-crashed' and
 * is replaced on the next request.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { generatePprof } from '../../../bench/genPprof';
import { EngineError } from '../../../src/core/engine';
import { createInProcessEngine } from '../../../src/core/inProcessEngine';
import { createWorkerEngine, type WorkerEngine } from '../../../src/core/worker/workerEngine';

const root = path.join(__dirname, '../../..');
const GO = path.join(root, 'test/fixtures/go');
const script = path.join(root, '.cache/test/engineWorker.js');

describe('worker engine', function () {
  this.timeout(60000);
  let engine: WorkerEngine;
  before(() => {
    // the same bundle scripts/build.mjs makes as dist/engineWorker.js, built fresh for the test
    buildSync({ entryPoints: [path.join(root, 'src/core/worker/engineWorker.ts')], bundle: true, platform: 'node', target: 'node20', outfile: script, logLevel: 'warning' });
    // and its sample helper beside it, as dist/sampleWorker.js is beside dist/engineWorker.js
    buildSync({ entryPoints: [path.join(root, 'src/core/parallel/sampleWorker.ts')], bundle: true, platform: 'node', target: 'node20', outfile: path.join(path.dirname(script), 'sampleWorker.js'), logLevel: 'warning' });
    engine = createWorkerEngine(script);
  });
  after(() => engine.dispose());

  it('loads in the worker with the same index as in-process, typed arrays intact', async () => {
    const bytes = readFileSync(path.join(GO, 'cpu.pb.gz'));
    const w = await engine.load(bytes, { roots: [], pathMappings: [] });
    const p = await createInProcessEngine().load(bytes, { roots: [], pathMappings: [] });
    assert.ok(w.index.lines.self instanceof Float64Array);
    assert.deepEqual(w.index, p.index);
    assert.equal(bytes[0], 0x1f, "the caller's bytes are not detached");
    const tree = await engine.flameTree(w.id, { typeIndex: w.index.defaultType, mergeBy: 'function', nodeBudget: 100 });
    assert.ok(tree.count > 10 && tree.count <= 100);
    assert.equal(tree.total[0], w.index.totals[w.index.defaultType]);
    const d = await engine.diff(w.id, w.id, w.index.defaultType);
    assert.ok(d.lines.length > 0);
  });

  it('a big profile (5 MB inflated) loads on two threads (the engine worker and its helper): the in-process index', async () => {
    const bytes = generatePprof({ samples: 30_000, functions: 3_000, files: 200, seed: 3 });
    const w = await engine.load(bytes, { roots: [], pathMappings: [] });
    const p = await createInProcessEngine().load(bytes, { roots: [], pathMappings: [] });
    assert.equal(w.timings.threads, 2);
    assert.equal(p.timings.threads, 1);
    assert.deepEqual(w.index, p.index);
    const tree = await engine.flameTree(w.id, { typeIndex: w.index.defaultType, mergeBy: 'line', nodeBudget: 500 });
    assert.equal(tree.total[0], w.index.totals[w.index.defaultType]);
  });

  it('bad input: EngineError with its code crosses the thread', async () => {
    await assert.rejects(engine.load(Buffer.from('not a profile at all\n'), { roots: [], pathMappings: [] }), (e: unknown) => e instanceof EngineError && e.code === 'unknown-format');
    await assert.rejects(engine.flameTree(12345, { typeIndex: 0, mergeBy: 'line', nodeBudget: 10 }), (e: unknown) => e instanceof EngineError && e.code === 'unknown-profile');
  });

  it('a crash rejects pending calls with worker-crashed; the next request starts a new worker', async () => {
    const bytes = readFileSync(path.join(GO, 'heap.pb.gz'));
    const before = await engine.load(bytes, { roots: [], pathMappings: [] });
    // the worker exits on 'crash'; the load queued behind it is pending when it dies
    const crash = engine.crashForTest();
    const pending = engine.load(readFileSync(path.join(GO, 'cpu.pb.gz')), { roots: [], pathMappings: [] });
    await crash;
    await assert.rejects(pending, (e: unknown) => e instanceof EngineError && e.code === 'worker-crashed' && /restarts/.test(e.message));
    await assert.rejects(engine.flameTree(before.id, { typeIndex: 0, mergeBy: 'line', nodeBudget: 10 }), (e: unknown) => e instanceof EngineError && e.code === 'unknown-profile');
    const again = await engine.load(bytes, { roots: [], pathMappings: [] });
    assert.equal(again.index.sampleTypes.length, 4);
    const tree = await engine.flameTree(again.id, { typeIndex: 1, mergeBy: 'function', nodeBudget: 50 });
    assert.equal(tree.total[0], again.index.totals[1]);
  });

  it('onCrash: reported once per dead worker with the reason, not on dispose; alsoNextLoads kills the worker during loads', async () => {
    const own = createWorkerEngine(script);
    const reasons: string[] = [];
    const sub = own.onCrash((r) => reasons.push(r));
    try {
      const bytes = readFileSync(path.join(GO, 'heap.pb.gz'));
      await own.load(bytes, { roots: [], pathMappings: [] });
      await own.crashForTest();
      await new Promise((r) => setTimeout(r, 50)); // 'exit' after 'error': still one report
      assert.deepEqual(reasons, ['worker exited with code 70']);
      // the next load dies with its worker, the one after runs in yet another worker
      await own.crashForTest({ alsoNextLoads: 1 });
      assert.equal(reasons.length, 2);
      await assert.rejects(own.load(bytes, { roots: [], pathMappings: [] }), (e: unknown) => e instanceof EngineError && e.code === 'worker-crashed');
      assert.equal(reasons.length, 3, 'the load that crashed its worker is reported');
      const ok = await own.load(bytes, { roots: [], pathMappings: [] });
      assert.equal(ok.index.sampleTypes.length, 4);
      assert.equal(reasons.length, 3);
      // now: false arms the next load only: the worker holding `ok` lives until then
      await own.crashForTest({ alsoNextLoads: 1, now: false });
      assert.equal(reasons.length, 3);
      assert.ok((await own.flameTree(ok.id, { typeIndex: 0, mergeBy: 'function', nodeBudget: 50 })).count > 1);
      await assert.rejects(own.load(bytes, { roots: [], pathMappings: [] }), (e: unknown) => e instanceof EngineError && e.code === 'worker-crashed');
      assert.equal(reasons.length, 4);
    } finally {
      sub.dispose();
      await own.dispose();
    }
    assert.equal(reasons.length, 4, 'dispose is not a crash');
  });
});
