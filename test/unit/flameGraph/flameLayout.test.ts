import assert from 'node:assert/strict';
import { FlameIndex, RectKind, hitTest, layoutFlame, rectOfNode, rowsNeeded, type Viewport } from '../../../src/webview/flameGraph/flameLayout';
import type { WireFlameTree } from '../../../src/shared/protocol';
import { GO_CPU, NODE_LINES, handTree, loadTree, nodesNamed } from './realTrees';

const vp = (over: Partial<Viewport> = {}): Viewport => ({ width: 1000, height: 2000, rowHeight: 20, scrollTop: 0, orientation: 'icicle', zoom: 0, ...over });

describe('flame graph layout (real Go CPU profile)', () => {
  let t: WireFlameTree;
  let index: FlameIndex;
  before(async () => {
    ({ wire: t } = await loadTree(GO_CPU));
    index = new FlameIndex(t);
  });

  it('places every child inside its parent, children side by side', () => {
    for (let i = 1; i < t.count; i++) {
      const p = t.parent[i];
      assert.ok(index.offset[i] >= index.offset[p] - 1e-6, `node ${i} starts before its parent`);
      assert.ok(index.offset[i] + t.total[i] <= index.offset[p] + t.total[p] + 1e-3, `node ${i} ends after its parent`);
      const next = index.nextSibling(i);
      if (next > 0) assert.equal(index.offset[next], index.offset[i] + t.total[i]);
    }
  });

  it('draws the root full width and each frame in proportion to its total', () => {
    const r = layoutFlame(index, vp());
    assert.equal(r.node[0], 0);
    assert.equal(r.w[0], 1000);
    for (let k = 0; k < r.count; k++) {
      assert.ok(r.w[k] >= 0.5, 'nothing under half a pixel');
      assert.ok(r.x[k] >= -1e-9 && r.x[k] + r.w[k] <= 1000 + 1e-6);
      assert.equal(r.y[k], r.row[k] * 20);
      if (r.kind[k] === RectKind.Frame) assert.ok(Math.abs(r.w[k] - (t.total[r.node[k]] / t.total[0]) * 1000) < 1e-6);
    }
    const hot = nodesNamed(t, 'main.hashLoop');
    assert.ok(hot.length > 0);
    assert.ok(hot.some((n) => rectOfNode(r, n) >= 0), 'the hot loop is drawn');
  });

  it('finds the frame under a point, and nothing in the gaps', () => {
    const v = vp();
    const r = layoutFlame(index, v);
    let checked = 0;
    for (let k = 0; k < r.count; k++) {
      if (r.w[k] < 1) continue;
      assert.equal(hitTest(r, v, r.x[k] + r.w[k] / 2, r.y[k] + 10), k);
      checked++;
    }
    assert.ok(checked > 10);
    // below the deepest row there is nothing
    assert.equal(hitTest(r, v, 500, (index.maxDepth + 1) * 20 + 5), -1);
    // a parent with self time leaves a gap right of its children
    const withSelf = [...Array(t.count).keys()].find((i) => i > 0 && t.self[i] / t.total[0] * 1000 > 5 && index.children(i).length > 0 && rectOfNode(r, i) >= 0);
    if (withSelf !== undefined) {
      const k = rectOfNode(r, withSelf);
      assert.equal(hitTest(r, v, r.x[k] + r.w[k] - 1, r.y[k] + 30), -1);
    }
  });

  it('zooms: the zoom root spans the width, its ancestors too, other subtrees are gone', () => {
    const z = nodesNamed(t, 'main.hashLoop')[0];
    const r = layoutFlame(index, vp({ zoom: z }));
    const k = rectOfNode(r, z);
    assert.equal(r.x[k], 0);
    assert.equal(r.w[k], 1000);
    const anc = index.ancestors(z);
    for (const a of anc) assert.equal(r.kind[rectOfNode(r, a)], RectKind.Ancestor);
    for (let q = 0; q < r.count; q++) {
      const n = r.node[q];
      if (r.kind[q] === RectKind.Ancestor) continue;
      assert.ok(n >= z && n < index.end[z], `node ${n} is outside the zoomed subtree`);
    }
  });

  it('flame orientation puts the root at the bottom and hit-tests the same frames', () => {
    const v = vp({ orientation: 'flame', height: 600 });
    const r = layoutFlame(index, v);
    assert.equal(r.y[0], 600 - 20);
    for (let k = 0; k < r.count; k++) if (r.w[k] >= 1) assert.equal(hitTest(r, v, r.x[k] + r.w[k] / 2, r.y[k] + 10), k);
  });

  it('lays out only visible rows when scrolled', () => {
    const v = vp({ height: 100, scrollTop: 60 });
    const r = layoutFlame(index, v);
    for (let k = 0; k < r.count; k++) assert.ok(r.row[k] >= 3 && r.row[k] <= 7, `row ${r.row[k]}`);
    assert.ok(rowsNeeded(index, 0) === index.maxDepth + 1);
  });

  it('keeps a deep by-line tree consistent', async () => {
    const { wire } = await loadTree(NODE_LINES, { mergeBy: 'line' });
    const ix = new FlameIndex(wire);
    const r = layoutFlame(ix, vp({ width: 300 }));
    assert.ok(r.count > 3);
    for (let k = 1; k < r.count; k++) assert.ok(r.row[k] >= r.row[0]);
  });
});

describe('flame graph culling (hand-made tree)', () => {
  // root → big (900) and 100 tiny siblings of 1 each; tiny49 has a child of 1
  const spec: [string, number, number][] = [['all', -1, 0], ['big', 0, 900]];
  for (let i = 0; i < 100; i++) spec.push([`tiny${i}`, 0, 1]);
  const tree = handTree([...spec.slice(0, 52), ['tinyChild', 51, 1], ...spec.slice(52)]);
  const index = new FlameIndex(tree);

  it('merges adjacent tiny siblings into one run and skips their subtrees', () => {
    const r = layoutFlame(index, vp({ width: 100 }));
    const runs = [...Array(r.count).keys()].filter((k) => r.kind[k] === RectKind.Run);
    assert.equal(runs.length, 1);
    const k = runs[0];
    assert.equal(r.runCount[k], 100);
    assert.ok(Math.abs(r.w[k] - 1010 / 1001 * 10) < 1e-9);
    assert.ok(Math.abs(r.x[k] - 900 / 1001 * 100) < 1e-9);
    assert.equal(rectOfNode(r, nodesNamedHand(tree, 'tinyChild')), -1);
    assert.equal(r.count, 3); // root, big, the run
  });

  it('draws them one by one once they are wide enough', () => {
    const r = layoutFlame(index, vp({ width: 10_000 }));
    assert.equal([...Array(r.count).keys()].filter((k) => r.kind[k] === RectKind.Run).length, 0);
    assert.equal(r.count, tree.count);
  });

  it('drops a run under half a pixel', () => {
    const r = layoutFlame(index, vp({ width: 4 }));
    // 100 tiny frames are 0.4 px together
    assert.equal([...Array(r.count).keys()].filter((k) => r.kind[k] === RectKind.Run).length, 0);
  });

  it('survives a re-query: paths of frame keys find the same node', () => {
    const n = nodesNamedHand(tree, 'tinyChild');
    const path = index.pathOf(n);
    assert.equal(path.length, 2);
    assert.equal(new FlameIndex(tree).findPath(path), n);
    assert.equal(index.findPath([...path.slice(0, 1), 'gone']), index.tree.parent[n]);
  });
});

function nodesNamedHand(t: WireFlameTree, name: string): number {
  return t.strings.indexOf(name) >= 0 ? t.name.indexOf(t.strings.indexOf(name)) : -1;
}
