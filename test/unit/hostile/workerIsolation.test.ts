/**
 * The decoding worker is isolated by a heap cap: a profile that needs more memory than the cap kills
 * the worker (not the host); the load fails with worker-crashed saying "out of memory", and the next
 * request starts a fresh worker that loads a normal profile. Real worker thread, real bundle.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { EngineError } from '../../../src/core/engine';
import { createWorkerEngine, type WorkerEngine } from '../../../src/core/worker/workerEngine';

const root = path.join(__dirname, '../../..');
const script = path.join(root, '.cache/test/hostileEngineWorker.js');

describe('hostile: worker isolation (heap cap)', function () {
  this.timeout(120_000);
  let engine: WorkerEngine;
  before(() => {
    buildSync({ entryPoints: [path.join(root, 'src/core/worker/engineWorker.ts')], bundle: true, platform: 'node', target: 'node20', outfile: script, logLevel: 'warning' });
    engine = createWorkerEngine(script, { maxHeapMb: 24 });
  });
  after(() => engine.dispose());

  it('a profile over the worker heap cap → worker-crashed (out of memory); the next load works in a new worker', async () => {
    const good = readFileSync(path.join(root, 'test/fixtures/go/cpu.pb.gz'));
    const first = await engine.load(good, { roots: [], pathMappings: [] });
    assert.ok(first.index.functions.count > 10);
    // 600 k distinct collapsed stacks: ~1.8 M distinct names, far more than a 24 MB heap holds
    const lines: string[] = [];
    for (let i = 0; i < 600_000; i++) lines.push(`main;handler_${i};work_${i % 7919};leaf_${i * 7} 1`);
    const huge = Buffer.from(lines.join('\n') + '\n');
    await assert.rejects(engine.load(huge, { roots: [], pathMappings: [] }), (e: unknown) => {
      assert.ok(e instanceof EngineError, String(e));
      assert.equal(e.code, 'worker-crashed');
      assert.match(e.message, /out of memory.*24 MB/);
      return true;
    });
    // the profile of the dead worker is gone (the host keeps its own copy of the index for the view)
    await assert.rejects(engine.flameTree(first.id, { typeIndex: 0, mergeBy: 'function', nodeBudget: 10 }), (e: unknown) => e instanceof EngineError && e.code === 'unknown-profile');
    const again = await engine.load(good, { roots: [], pathMappings: [] });
    assert.equal(again.index.functions.count, first.index.functions.count);
    assert.ok((await engine.flameTree(again.id, { typeIndex: 0, mergeBy: 'function', nodeBudget: 100 })).count > 1);
  });
});
