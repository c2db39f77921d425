/**
 * One decoder format of `npm run fuzz`, in a worker thread (so a hang can be detected and the thread
 * killed by the runner): deterministic mutants of real profiles through the whole engine
 * (decode → symbolize → index → flame trees). Reports progress after every case.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { EngineError } from '../../src/core/engine';
import { EngineCore } from '../../src/core/engineCore';
import { prng } from '../support/prng';
import { mutantFor, type FuzzFormat } from './mutants';

export interface WorkerInput {
  format: FuzzFormat;
  seed: number;
  cases: number;
  startAt: number;
  deadline: number;
  /** bundled sampleWorker.js: pprof cases also load through the two-thread engine, which must agree */
  sampleWorkerScript?: string;
}

export type WorkerMessage =
  | { kind: 'start'; index: number }
  | { kind: 'done'; index: number; outcome: string; ms: number; crash?: string }
  | { kind: 'finished'; heapBefore: number; heapAfter: number };

const input = workerData as WorkerInput;
const post = (m: WorkerMessage) => parentPort!.postMessage(m);
const gc = (globalThis as { gc?: () => void }).gc;

async function main(): Promise<void> {
  const root = mkdtempSync(path.join(tmpdir(), 'pl-fuzz-ws-'));
  const core = new EngineCore();
  const two = input.sampleWorkerScript && input.format.startsWith('pprof')
    ? new EngineCore({ sampleWorkerScript: input.sampleWorkerScript, parallelMinBytes: 0 })
    : undefined;
  gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  for (let i = input.startAt; i < input.cases && Date.now() < input.deadline; i++) {
    // each case has its own PRNG stream, so a case is reproducible on its own and after a restart
    const rand = prng(input.seed ^ Math.imul(i + 1, 0x9e3779b1));
    const { bytes, maxInflatedBytes } = mutantFor(input.format, rand);
    post({ kind: 'start', index: i });
    const t0 = performance.now();
    let outcome = 'ok';
    let crash: string | undefined;
    let tree0: unknown;
    try {
      const r = await core.load(bytes, { roots: [root], pathMappings: [], maxInflatedBytes, sourceName: `case ${i}` });
      for (let t = 0; t < r.index.sampleTypes.length && t < 2; t++) {
        const tree = await core.flameTree(r.id, { typeIndex: t, mergeBy: 'function', nodeBudget: 2000 });
        if (t === 0) tree0 = tree;
        await core.flameTree(r.id, { typeIndex: t, mergeBy: 'line', nodeBudget: 500, inverted: true });
      }
      core.release(r.id);
    } catch (e) {
      if (e instanceof EngineError) {
        outcome = e.code;
        if (!e.message || /undefined|NaN|\[object/.test(e.message)) {
          outcome = 'crash';
          crash = `EngineError with a poor message: ${e.message}`;
        }
      } else {
        outcome = 'crash';
        crash = e instanceof Error ? (e.stack ?? e.message) : String(e);
      }
    }
    if (two && outcome !== 'crash') {
      // the two-thread engine on the same bytes: the same typed error, or the same index
      let other = 'ok';
      let index: unknown;
      let tree: unknown;
      try {
        const r = await two.load(bytes, { roots: [root], pathMappings: [], maxInflatedBytes, sourceName: `case ${i}` });
        index = r.index;
        // its stacks too (a big pprof's are written after the load answers)
        tree = await two.flameTree(r.id, { typeIndex: 0, mergeBy: 'function', nodeBudget: 2000 });
        two.release(r.id);
      } catch (e) {
        other = e instanceof EngineError ? e.code : `crash: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
      }
      if (other !== outcome) {
        crash = `two-thread engine: ${other}, one thread: ${outcome}`;
        outcome = 'crash';
      } else if (outcome === 'ok') {
        const r = await core.load(bytes, { roots: [root], pathMappings: [], maxInflatedBytes, sourceName: `case ${i}` });
        try {
          assert.deepEqual(index, r.index);
          assert.deepEqual(tree, tree0);
        } catch {
          crash = 'two-thread engine: a different index or call tree';
          outcome = 'crash';
        }
        core.release(r.id);
      }
    }
    post({ kind: 'done', index: i, outcome, ms: performance.now() - t0, crash });
  }
  await two?.dispose();
  core.clear();
  gc?.();
  post({ kind: 'finished', heapBefore, heapAfter: process.memoryUsage().heapUsed });
}

void main();
