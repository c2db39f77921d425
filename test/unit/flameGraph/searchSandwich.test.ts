import assert from 'node:assert/strict';
import { FlameIndex } from '../../../src/webview/flameGraph/flameLayout';
import { searchFrames } from '../../../src/webview/flameGraph/search';
import { buildSandwich } from '../../../src/webview/flameGraph/sandwich';
import type { WireFlameTree } from '../../../src/shared/protocol';
import { GO_CPU, NODE_DEFAULT, engine, handTree, loadTree, nodesNamed } from './realTrees';

/** Brute force: total of matching nodes that have no matching ancestor. */
function bruteShare(t: WireFlameTree, hit: (i: number) => boolean): { count: number; value: number } {
  let count = 0;
  let value = 0;
  for (let i = 1; i < t.count; i++) {
    if (!hit(i)) continue;
    count++;
    let covered = false;
    for (let p = t.parent[i]; p > 0; p = t.parent[p]) if (hit(p)) covered = true;
    if (!covered) value += t.total[i];
  }
  return { count, value };
}

describe('flame graph search (real Go CPU profile)', () => {
  let t: WireFlameTree;
  let index: FlameIndex;
  before(async () => {
    ({ wire: t } = await loadTree(GO_CPU));
    index = new FlameIndex(t);
  });

  it('plain text matches names case-insensitively and measures the matched share', () => {
    const out = searchFrames(index, 'HASHLOOP', false);
    assert.ok(out.ok);
    const want = bruteShare(t, (i) => t.strings[t.name[i]].toLowerCase().includes('hashloop'));
    assert.ok(want.count > 0);
    assert.equal(out.result.count, want.count);
    assert.ok(Math.abs(out.result.value - want.value) < 1e-6);
    assert.ok(Math.abs(out.result.share - want.value / t.total[0]) < 1e-12);
    assert.ok(out.result.share > 0 && out.result.share <= 1);
  });

  it('regular expressions, and a clear message for a bad one', () => {
    const out = searchFrames(index, '^runtime\\.(mallocgc|gcBgMarkWorker)$', true);
    assert.ok(out.ok);
    const want = bruteShare(t, (i) => /^runtime\.(mallocgc|gcBgMarkWorker)$/i.test(t.strings[t.name[i]]));
    assert.equal(out.result.count, want.count);
    const bad = searchFrames(index, 'main.(', true);
    assert.equal(bad.ok, false);
    assert.match(!bad.ok ? bad.error : '', /Invalid regular expression/);
  });

  it('matches file paths too; the whole tree matches "." as 100%', () => {
    const out = searchFrames(index, 'main.go', false);
    assert.ok(out.ok && out.result.count > 0);
    const all = searchFrames(index, '.', true);
    assert.ok(all.ok);
    assert.ok(Math.abs(all.result.share - (t.total[0] - t.self[0]) / t.total[0]) < 1e-9);
  });

  it('measures the share within the zoom root', () => {
    const z = nodesNamed(t, 'main.main')[0];
    const out = searchFrames(index, 'hashLoop', false, z);
    assert.ok(out.ok);
    let v = 0;
    for (let i = z; i < index.end[z]; i++) if (t.strings[t.name[i]].includes('hashLoop')) {
      let covered = false;
      for (let p = t.parent[i]; p >= z && p > 0; p = t.parent[p]) if (t.strings[t.name[p]].includes('hashLoop')) covered = true;
      if (!covered) v += t.total[i];
    }
    assert.ok(Math.abs(out.result.share - v / t.total[z]) < 1e-12);
  });

  it('does not count recursion twice', () => {
    const tree = handTree([['all', -1, 0], ['f', 0, 1], ['g', 1, 1], ['f', 2, 5], ['h', 0, 3]]);
    const out = searchFrames(new FlameIndex(tree), 'f', false);
    assert.ok(out.ok);
    assert.equal(out.result.count, 2);
    assert.equal(out.result.value, 7);
    assert.ok(Math.abs(out.result.share - 0.7) < 1e-12);
  });
});

describe('flame graph sandwich view', () => {
  it('callees and callers add up to the function total; callers reach the root (real Go CPU profile)', async () => {
    const { wire: t } = await loadTree(GO_CPU);
    const index = new FlameIndex(t);
    const n = nodesNamed(t, 'main.hashLoop')[0];
    const s = buildSandwich(index, t.name[n], t.file[n]);
    assert.ok(s.occurrences >= 1);
    const fnTotal = nodesNamed(t, 'main.hashLoop').filter((i) => {
      for (let p = t.parent[i]; p > 0; p = t.parent[p]) if (t.strings[t.name[p]] === 'main.hashLoop') return false;
      return true;
    }).reduce((a, i) => a + t.total[i], 0);
    assert.ok(Math.abs(s.callees.total[0] - fnTotal) < 1e-6);
    assert.ok(Math.abs(s.callers.total[0] - fnTotal) < 1e-6);
    for (const side of [s.callers, s.callees]) {
      const ix = new FlameIndex(side);
      for (let i = 0; i < side.count; i++) {
        const kids = ix.children(i).reduce((a, c) => a + side.total[c], 0);
        assert.ok(kids <= side.total[i] + 1e-6, 'children never exceed their parent');
        assert.ok(Math.abs(side.self[i] + kids - side.total[i]) < 1e-3 * Math.max(1, side.total[i]), 'self + children = total');
      }
    }
    // the direct caller of hashLoop in main.go is main.work
    const callerNames = new FlameIndex(s.callers).children(0).map((c) => s.callers.strings[s.callers.name[c]]);
    assert.ok(callerNames.includes('main.work'), callerNames.join(','));
  });

  it('agrees with the engine focusFunction tree on a real Node profile', async () => {
    const { wire: t } = await loadTree(NODE_DEFAULT);
    const index = new FlameIndex(t);
    // the heaviest non-root function by total with a file
    let best = -1;
    for (let i = 1; i < t.count; i++) if (t.file[i] >= 0 && t.parent[i] > 0 && (best < 0 || t.total[i] > t.total[best])) best = i;
    const s = buildSandwich(index, t.name[best], t.file[best]);
    const name = t.strings[t.name[best]];
    // the engine's own tree focused on the same function (an independent computation)
    const { index: pi, id } = await loadTree(NODE_DEFAULT);
    const fns = pi.functions;
    const fid = [...Array(fns.count).keys()].find((f) => pi.strings[fns.name[f]] === name && fns.file[f] === t.file[best]);
    assert.ok(fid !== undefined, `function ${name} (${t.files[t.file[best]]}) in the index`);
    const focused = await engine.flameTree(id, { typeIndex: pi.defaultType, mergeBy: 'function', nodeBudget: 100_000, focusFunction: fid });
    const fnNode = [...Array(focused.count).keys()].find((i) => focused.parent[i] === 0 && focused.strings[focused.name[i]] === name)!;
    assert.ok(Math.abs(focused.total[fnNode] - s.callees.total[0]) < 1e-6, `${focused.total[fnNode]} vs ${s.callees.total[0]}`);
  });

  it('merges every place a function appears; recursion stays inside', () => {
    // all → a → f → g → f → h ; all → b → f
    const tree = handTree([['all', -1, 0], ['a', 0, 0], ['f', 1, 1], ['g', 2, 0], ['f', 3, 0], ['h', 4, 2], ['b', 0, 0], ['f', 6, 4]]);
    for (let i = 0; i < tree.count; i++) tree.line[i] = 0;
    const s = buildSandwich(new FlameIndex(tree), tree.strings.indexOf('f'), 0);
    assert.equal(s.occurrences, 2);
    assert.equal(s.callees.total[0], 7);
    assert.equal(s.callees.self[0], 5);
    assert.equal(s.callers.total[0], 7);
    const callers = new FlameIndex(s.callers).children(0).map((c) => [s.callers.strings[s.callers.name[c]], s.callers.total[c]]);
    assert.deepEqual(callers.sort(), [['a', 3], ['b', 4]]);
    // g → f → h is kept as a chain below f
    const ix = new FlameIndex(s.callees);
    const g = ix.children(0)[0];
    assert.equal(s.callees.strings[s.callees.name[g]], 'g');
    assert.equal(s.callees.total[g], 2);
  });
});
