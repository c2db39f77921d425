/**
 * Pure layout and hit-testing of a flame graph: given a tree and a viewport, which rectangles to draw
 * and which frame is under a point. No DOM here (unit-tested in Node).
 *
 * Geometry: rows are call depths. Row r is at y = r * rowHeight - scrollTop in icicle orientation
 * (root on top) and at y = height - (r + 1) * rowHeight + scrollTop in flame orientation (root at the
 * bottom). The zoom root spans the full width; its ancestors are drawn full width too (kind Ancestor).
 *
 * Culling: a frame narrower than `tinyWidth` px is "tiny". A run of two or more adjacent tiny siblings
 * becomes one rectangle (kind Run) and their subtrees are not visited; a run narrower than
 * `minWidth` px (default 0.5) is not drawn at all. Subtrees entirely outside the visible rows are
 * skipped, so the work is bounded by what fits on screen, not by the tree size.
 */
import type { WireFlameTree } from '../../shared/protocol';

export type Orientation = 'icicle' | 'flame';

/** Height of one row (call depth) in CSS px. */
export const ROW_HEIGHT = 20;

export interface Viewport {
  /** CSS pixels */
  width: number;
  height: number;
  rowHeight: number;
  /** pixels scrolled away from the root's edge (top in icicle, bottom in flame); >= 0 */
  scrollTop: number;
  orientation: Orientation;
  /** node id of the zoom root (0 = whole tree) */
  zoom: number;
  /** rectangles narrower than this are not drawn (default 0.5 px) */
  minWidth?: number;
  /** frames narrower than this merge with adjacent tiny siblings (default 2 px) */
  tinyWidth?: number;
}

export const enum RectKind {
  Frame = 0,
  /** several adjacent tiny siblings drawn as one */
  Run = 1,
  /** an ancestor of the zoom root, drawn full width */
  Ancestor = 2,
}

/** The rectangles of one layout, in pre-order (so within a row, by increasing x). */
export interface Rects {
  count: number;
  /** node id; for a run, its first node */
  node: Int32Array;
  x: Float64Array;
  y: Float64Array;
  w: Float64Array;
  row: Int32Array;
  kind: Uint8Array;
  /** for a run: how many sibling frames it stands for (else 1) */
  runCount: Int32Array;
  /** for a run: summed total (else the node's total) */
  value: Float64Array;
  rowHeight: number;
  /** rows firstRow..lastRow are visible; rowStart[r - firstRow] .. rowStart[r - firstRow + 1] - 1 index `order` */
  firstRow: number;
  lastRow: number;
  rowStart: Int32Array;
  order: Int32Array;
}

/** Per-tree precomputation: subtree ends and horizontal offsets (in value units). O(n) once per tree. */
export class FlameIndex {
  /** end[i]: one past the last node of i's subtree (pre-order) */
  readonly end: Int32Array;
  /** offset of node i's left edge from the root's left edge, in value units */
  readonly offset: Float64Array;
  readonly maxDepth: number;
  /** deepest depth within node i's subtree */
  readonly deepest: Uint16Array;

  constructor(readonly tree: WireFlameTree) {
    const n = tree.count;
    const end = new Int32Array(n);
    const offset = new Float64Array(n);
    const cursor = new Float64Array(n);
    // hot loops over locals: property loads on the tree object would dominate on 1 M nodes
    const parent = tree.parent;
    const depth = tree.depth;
    const total = tree.total;
    const deepest = depth.slice(0, n);
    let maxDepth = 0;
    for (let i = 0; i < n; i++) end[i] = i + 1;
    for (let i = n - 1; i > 0; i--) {
      const p = parent[i];
      if (end[i] > end[p]) end[p] = end[i];
      if (deepest[i] > deepest[p]) deepest[p] = deepest[i];
    }
    this.deepest = deepest;
    for (let i = 1; i < n; i++) {
      const p = parent[i];
      const o = cursor[p];
      offset[i] = o;
      cursor[p] = o + total[i];
      cursor[i] = o;
      if (depth[i] > maxDepth) maxDepth = depth[i];
    }
    this.end = end;
    this.offset = offset;
    this.maxDepth = maxDepth;
  }

  /** Ancestors of `node` from the root (0) down to its parent. */
  ancestors(node: number): number[] {
    const out: number[] = [];
    for (let p = this.tree.parent[node]; node > 0 && p >= 0; p = this.tree.parent[p]) {
      out.push(p);
      if (p === 0) break;
    }
    return out.reverse();
  }

  children(node: number): number[] {
    const out: number[] = [];
    for (let c = node + 1; c < this.end[node]; c = this.end[c]) out.push(c);
    return out;
  }

  /** Next sibling, or -1. */
  nextSibling(node: number): number {
    if (node === 0) return -1;
    const e = this.end[node];
    return e < this.end[this.tree.parent[node]] ? e : -1;
  }

  /** Previous sibling, or -1. */
  prevSibling(node: number): number {
    if (node === 0) return -1;
    const p = this.tree.parent[node];
    let prev = -1;
    for (let c = p + 1; c < node; c = this.end[c]) prev = c;
    return prev;
  }

  /** The child with the largest total, or -1. */
  heaviestChild(node: number): number {
    let best = -1;
    for (let c = node + 1; c < this.end[node]; c = this.end[c]) if (best < 0 || this.tree.total[c] > this.tree.total[best]) best = c;
    return best;
  }

  /** A node's identity that survives a re-query of the tree: the frame keys from the root down. */
  pathOf(node: number): string[] {
    const chain = [...this.ancestors(node).slice(1), node].filter((n) => n > 0);
    return chain.map((n) => frameKey(this.tree, n));
  }

  /** The node reached by following `path` (frame keys) from the root; the deepest match if it breaks off. */
  findPath(path: readonly string[]): number {
    let node = 0;
    for (const key of path) {
      let next = -1;
      for (let c = node + 1; c < this.end[node]; c = this.end[c]) {
        if (frameKey(this.tree, c) === key) { next = c; break; }
      }
      if (next < 0) break;
      node = next;
    }
    return node;
  }
}

/** Stable text key of a frame: name, file and line. */
export function frameKey(tree: WireFlameTree, node: number): string {
  const f = tree.file[node];
  return `${tree.strings[tree.name[node]]}\u0000${f >= 0 ? tree.files[f] : ''}\u0000${tree.line[node]}`;
}

class RectBuilder {
  count = 0;
  node = new Int32Array(256);
  x = new Float64Array(256);
  y = new Float64Array(256);
  w = new Float64Array(256);
  row = new Int32Array(256);
  kind = new Uint8Array(256);
  runCount = new Int32Array(256);
  value = new Float64Array(256);

  push(node: number, x: number, y: number, w: number, row: number, kind: RectKind, runCount: number, value: number): void {
    if (this.count === this.node.length) this.grow();
    const i = this.count++;
    this.node[i] = node; this.x[i] = x; this.y[i] = y; this.w[i] = w;
    this.row[i] = row; this.kind[i] = kind; this.runCount[i] = runCount; this.value[i] = value;
  }

  private grow(): void {
    const n = this.node.length * 2;
    const g = <T extends Int32Array | Float64Array | Uint8Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(n);
      b.set(a);
      return b;
    };
    this.node = g(this.node); this.x = g(this.x); this.y = g(this.y); this.w = g(this.w);
    this.row = g(this.row); this.kind = g(this.kind); this.runCount = g(this.runCount); this.value = g(this.value);
  }
}

/** Lays out the visible part of the tree. Cost is proportional to the rectangles produced (plus skipped runs). */
export function layoutFlame(index: FlameIndex, vp: Viewport): Rects {
  const tree = index.tree;
  const { width, height, rowHeight, orientation } = vp;
  const minWidth = vp.minWidth ?? 0.5;
  const tinyWidth = Math.max(minWidth, vp.tinyWidth ?? 2);
  const scrollTop = Math.max(0, vp.scrollTop);
  const zoom = vp.zoom >= 0 && vp.zoom < tree.count ? vp.zoom : 0;
  const firstRow = Math.max(0, Math.floor(scrollTop / rowHeight));
  const lastRow = Math.max(firstRow, Math.ceil((scrollTop + height) / rowHeight) - 1);
  const yOf = orientation === 'icicle'
    ? (row: number) => row * rowHeight - scrollTop
    : (row: number) => height - (row + 1) * rowHeight + scrollTop;
  const out = new RectBuilder();
  const visible = (row: number) => row >= firstRow && row <= lastRow;

  for (const a of index.ancestors(zoom)) {
    const row = tree.depth[a];
    if (visible(row)) out.push(a, 0, yOf(row), width, row, RectKind.Ancestor, 1, tree.total[a]);
  }
  const zTotal = tree.total[zoom];
  const zRow = tree.depth[zoom];
  if (zTotal > 0 && visible(zRow)) out.push(zoom, 0, yOf(zRow), width, zRow, RectKind.Frame, 1, zTotal);
  if (zTotal > 0) {
    const scale = width / zTotal;
    const base = index.offset[zoom];
    const { end, offset } = index;
    const { total, parent, depth } = tree;
    const endZ = end[zoom];
    let i = zoom + 1;
    while (i < endZ) {
      const row = depth[i];
      if (row > lastRow) { i = end[i]; continue; }
      const w = total[i] * scale;
      if (w < tinyWidth) {
        // a run of adjacent tiny siblings
        const p = parent[i];
        let j = i;
        let runValue = 0;
        let n = 0;
        while (j < endZ && parent[j] === p && total[j] * scale < tinyWidth) {
          runValue += total[j];
          n++;
          j = end[j];
        }
        if (n >= 2) {
          const rw = runValue * scale;
          if (rw >= minWidth && visible(row)) out.push(i, (offset[i] - base) * scale, yOf(row), rw, row, RectKind.Run, n, runValue);
          i = j;
          continue;
        }
        if (w < minWidth) { i = end[i]; continue; }
      }
      if (visible(row)) out.push(i, (offset[i] - base) * scale, yOf(row), w, row, RectKind.Frame, 1, total[i]);
      i++;
    }
  }

  // index rows for hit-testing: rectangles of a row are already in x order (pre-order)
  const rows = lastRow - firstRow + 1;
  const rowStart = new Int32Array(rows + 1);
  for (let k = 0; k < out.count; k++) rowStart[out.row[k] - firstRow + 1]++;
  for (let r = 0; r < rows; r++) rowStart[r + 1] += rowStart[r];
  const fill = rowStart.slice(0, rows);
  const order = new Int32Array(out.count);
  for (let k = 0; k < out.count; k++) order[fill[out.row[k] - firstRow]++] = k;

  return {
    count: out.count, node: out.node, x: out.x, y: out.y, w: out.w, row: out.row, kind: out.kind,
    runCount: out.runCount, value: out.value, rowHeight, firstRow, lastRow, rowStart, order,
  };
}

/** Index (into `rects`) of the rectangle under (x, y), or -1. */
export function hitTest(rects: Rects, vp: Pick<Viewport, 'height' | 'rowHeight' | 'scrollTop' | 'orientation'>, x: number, y: number): number {
  const row = vp.orientation === 'icicle'
    ? Math.floor((y + vp.scrollTop) / vp.rowHeight)
    : Math.floor((vp.height - y + vp.scrollTop) / vp.rowHeight);
  if (row < rects.firstRow || row > rects.lastRow) return -1;
  let lo = rects.rowStart[row - rects.firstRow];
  let hi = rects.rowStart[row - rects.firstRow + 1] - 1;
  // last rectangle with x <= point
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const k = rects.order[mid];
    if (rects.x[k] <= x) { found = k; lo = mid + 1; } else hi = mid - 1;
  }
  if (found < 0) return -1;
  return x < rects.x[found] + Math.max(rects.w[found], 1) ? found : -1;
}

/** Index of the rectangle drawn for `node`, or -1 (culled, merged into a run, or off screen). */
export function rectOfNode(rects: Rects, node: number): number {
  for (let k = 0; k < rects.count; k++) if (rects.node[k] === node && rects.kind[k] !== RectKind.Run) return k;
  return -1;
}

/** Rows needed to show the zoom root's subtree (for scroll limits). */
export function rowsNeeded(index: FlameIndex, zoom: number): number {
  return index.deepest[zoom] + 1;
}
