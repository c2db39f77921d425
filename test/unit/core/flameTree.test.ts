/**
 * Call trees (FlameTree) and per-line diffs on the real Go CPU profile: weights are consistent
 * (node total = self + children), the budget holds and what it folds is accounted for, inverted and
 * focused trees agree with the function table, diff trees against the same profile match.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { decodeProfile } from '../../../src/core/decode/decodeProfile';
import { EngineError } from '../../../src/core/engine';
import { buildIndex } from '../../../src/core/index/buildIndex';
import { buildFlameTree } from '../../../src/core/index/flameTree';
import { symbolize } from '../../../src/core/symbolize/symbolize';
import { createInProcessEngine } from '../../../src/core/inProcessEngine';
import type { FlameTree, ProfileIndex } from '../../../src/core/model';

const GO = path.join(__dirname, '../../fixtures/go');

function children(tree: FlameTree): number[][] {
  const c: number[][] = Array.from({ length: tree.count }, () => []);
  for (let i = 1; i < tree.count; i++) c[tree.parent[i]].push(i);
  return c;
}

function checkConsistent(tree: FlameTree, total: number): void {
  assert.equal(tree.parent[0], -1);
  assert.equal(tree.total[0], total, 'root total = profile total');
  const kids = children(tree);
  for (let i = 0; i < tree.count; i++) {
    if (i > 0) {
      assert.ok(tree.parent[i] < i, 'pre-order: parent before child');
      assert.equal(tree.depth[i], tree.depth[tree.parent[i]] + 1);
    }
    const sum = kids[i].reduce((a, k) => a + tree.total[k], 0);
    assert.ok(Math.abs(tree.total[i] - tree.self[i] - sum) < 1e-6, `node ${i}: total = self + children`);
  }
  // subtrees are contiguous after their root (pre-order)
  const end = new Int32Array(tree.count).fill(0);
  for (let i = tree.count - 1; i >= 0; i--) {
    end[i] = Math.max(i, ...kids[i].map((k) => end[k]));
    for (const k of kids[i]) assert.ok(k > i && k <= end[i]);
  }
}

describe('flame trees and diffs', () => {
  let engine: ReturnType<typeof createInProcessEngine>;
  let id: number;
  let index: ProfileIndex;
  let heapId: number;
  before(async () => {
    engine = createInProcessEngine();
    const r = await engine.load(readFileSync(path.join(GO, 'cpu.pb.gz')), { roots: [], pathMappings: [] });
    id = r.id;
    index = r.index;
    heapId = (await engine.load(readFileSync(path.join(GO, 'heap.pb.gz')), { roots: [], pathMappings: [] })).id;
  });
  const T = () => index.sampleTypes.length;
  const fnId = (name: string) => [...Array(index.functions.count).keys()].find((f) => index.strings[index.functions.name[f]] === name)!;

  it('by function, unlimited budget: consistent; level-1 totals are the root functions; every node names a function', async () => {
    const t = index.defaultType;
    const tree = await engine.flameTree(id, { typeIndex: t, mergeBy: 'function', nodeBudget: 1e6 });
    checkConsistent(tree, index.totals[t]);
    assert.equal(tree.merged.nodes, 0);
    assert.equal(tree.strings[tree.name[0]], 'all');
    // a function's total in the function table = sum over its outermost occurrences in the tree
    const fib = fnId('main.fib');
    const names = Array.from(tree.name, (n) => tree.strings[n]);
    let fibTotal = 0;
    for (let i = 1; i < tree.count; i++) {
      if (names[i] !== 'main.fib') continue;
      let outer = true;
      for (let p = tree.parent[i]; p > 0; p = tree.parent[p]) if (names[p] === 'main.fib') outer = false;
      if (outer) fibTotal += tree.total[i];
    }
    assert.equal(fibTotal, index.functions.total[fib * T() + t]);
    assert.ok(names.filter((n) => n === 'main.fib').length > 3, 'recursion shows as nested fib nodes');
    assert.equal(tree.line[names.indexOf('main.fib')], 35, 'function nodes carry the start line');
  });

  it('by line: consistent, lines of main.go present', async () => {
    const t = index.defaultType;
    const tree = await engine.flameTree(id, { typeIndex: t, mergeBy: 'line', nodeBudget: 1e6 });
    checkConsistent(tree, index.totals[t]);
    const mainGo = tree.files.findIndex((f) => f.endsWith('/gen/main.go'));
    assert.ok(mainGo >= 0);
    const lines = new Set<number>();
    for (let i = 0; i < tree.count; i++) if (tree.file[i] === mainGo) lines.add(tree.line[i]);
    assert.ok(lines.has(28) && lines.has(20), 'hashLoop:28 and inlined mix:20 are nodes');
  });

  it('node budget: at most nodeBudget nodes, the rest folded into "other" nodes and reported', async () => {
    const t = index.defaultType;
    const full = await engine.flameTree(id, { typeIndex: t, mergeBy: 'function', nodeBudget: 1e6 });
    for (const budget of [2, 10, 40]) {
      const tree = await engine.flameTree(id, { typeIndex: t, mergeBy: 'function', nodeBudget: budget });
      assert.ok(tree.count <= budget, `${tree.count} ≤ ${budget}`);
      checkConsistent(tree, index.totals[t]);
      const others = [...Array(tree.count).keys()].filter((i) => tree.strings[tree.name[i]] === 'other');
      assert.ok(others.length > 0 && tree.merged.nodes > 0);
      assert.equal(others.reduce((a, i) => a + tree.total[i], 0), tree.merged.weight);
      const perParent = new Set(others.map((i) => tree.parent[i]));
      assert.equal(perParent.size, others.length, 'one "other" per parent');
      assert.ok(full.count > tree.count);
    }
  });

  it('inverted: level-1 nodes are leaf functions with their self weight', async () => {
    const t = index.defaultType;
    const tree = await engine.flameTree(id, { typeIndex: t, mergeBy: 'function', nodeBudget: 1e6, inverted: true });
    checkConsistent(tree, index.totals[t]);
    const F = index.functions;
    for (let i = 1; i < tree.count; i++) {
      if (tree.parent[i] !== 0) continue;
      const f = [...Array(F.count).keys()].find((k) => index.strings[F.name[k]] === tree.strings[tree.name[i]] && F.startLine[k] === tree.line[i])!;
      assert.equal(tree.total[i], F.self[f * T() + t], tree.strings[tree.name[i]]);
    }
  });

  it('focus on a function: rooted at it, its total is the function total', async () => {
    const t = index.defaultType;
    const f = fnId('main.hashLoop');
    const tree = await engine.flameTree(id, { typeIndex: t, mergeBy: 'function', nodeBudget: 1e6, focusFunction: f });
    assert.equal(tree.total[0], index.functions.total[f * T() + t]);
    const kids = children(tree)[0];
    assert.deepEqual(kids.map((k) => tree.strings[tree.name[k]]), ['main.hashLoop']);
    await assert.rejects(engine.flameTree(id, { typeIndex: t, mergeBy: 'function', nodeBudget: 10, focusFunction: 1e6 }), EngineError);
  });

  it('diff tree against the same profile: base equals current everywhere', async () => {
    const t = index.defaultType;
    const tree = await engine.flameTree(id, { typeIndex: t, mergeBy: 'line', nodeBudget: 500, baseId: id });
    assert.ok(tree.baseTotal && tree.baseSelf);
    for (let i = 0; i < tree.count; i++) {
      assert.equal(tree.baseTotal![i], tree.total[i]);
      assert.equal(tree.baseSelf![i], tree.self[i]);
    }
  });

  it('per-line diff: identical profiles give equal base and current; missing type is a typed error', async () => {
    const t = index.defaultType;
    const d = await engine.diff(id, id, t);
    assert.equal(d.baseTotal, d.currentTotal);
    assert.ok(d.lines.length > 10);
    for (const r of d.lines) assert.equal(r.base, r.current);
    await assert.rejects(engine.diff(heapId, id, t), (e: unknown) => e instanceof EngineError && e.code === 'bad-reference');
    await assert.rejects(engine.flameTree(999, { typeIndex: 0, mergeBy: 'line', nodeBudget: 10 }), (e: unknown) => e instanceof EngineError && e.code === 'unknown-profile');
  });
});

describe('any prefix tree works, not only the decoders\' chain layout', () => {
  it('a deduplicated prefix tree of the same samples gives the same index and trees', async () => {
    const raw = decodeProfile(readFileSync(path.join(GO, 'cpu.pb.gz')));
    // rebuild the stacks as a real prefix tree (shared prefixes, one node per unique path)
    const parent: number[] = [-1];
    const frame: number[] = [-1];
    const child = new Map<string, number>();
    const leaves = new Int32Array(raw.samples.count);
    for (let i = 0; i < raw.samples.count; i++) {
      const path: number[] = [];
      for (let n = raw.samples.stack[i]; n > 0; n = raw.stacks.parent[n]) path.push(raw.stacks.frame[n]);
      let node = 0;
      for (let k = path.length - 1; k >= 0; k--) {
        const key = `${node}:${path[k]}`;
        let c = child.get(key);
        if (c === undefined) {
          c = parent.length;
          parent.push(node);
          frame.push(path[k]);
          child.set(key, c);
        }
        node = c;
      }
      leaves[i] = node;
    }
    assert.ok(parent.length < raw.stacks.count, 'the tree shares prefixes');
    const tree = { ...raw, stacks: { count: parent.length, parent: Int32Array.from(parent), frame: Int32Array.from(frame) }, samples: { ...raw.samples, stack: leaves } };
    const opts = { roots: [], pathMappings: [] };
    const a = buildIndex(raw, await symbolize(raw, opts));
    const b = buildIndex(tree, await symbolize(tree, opts));
    assert.deepEqual(b.index, a.index);
    for (const mergeBy of ['function', 'line'] as const) {
      for (const inverted of [false, true]) {
        const o = { typeIndex: 1, mergeBy, nodeBudget: 200, inverted };
        assert.deepEqual(buildFlameTree(b, o), buildFlameTree(a, o), `${mergeBy} inverted=${inverted}`);
      }
    }
  });
});
