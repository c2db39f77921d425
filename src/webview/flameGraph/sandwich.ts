/**
 * Sandwich view of one function, built from the current (top-down) tree: its callers (who calls it,
 * up to the root) and its callees (what it calls), each merged over every place the function appears.
 * Recursion is counted once: only outermost occurrences contribute (deeper ones stay inside their
 * callee subtree). No DOM.
 */
import type { WireFlameTree } from '../../shared/protocol';
import type { FlameIndex } from './flameLayout';

export interface Sandwich {
  /** root = the function; children = its callers, their children = their callers, … */
  callers: WireFlameTree;
  /** root = the function; children = its callees */
  callees: WireFlameTree;
  /** how many places in the tree the function appears (outermost) */
  occurrences: number;
}

/** Does node i run the function (same name and file)? */
function sameFunction(tree: WireFlameTree, i: number, nameStr: number, file: number): boolean {
  return tree.name[i] === nameStr && tree.file[i] === file;
}

class TrieBuilder {
  parent: number[] = [-1];
  name: number[] = [];
  file: number[] = [];
  line: number[] = [];
  self: number[] = [0];
  total: number[] = [0];
  private readonly kids: Map<string, number>[] = [new Map()];

  constructor(rootName: number, rootFile: number, rootLine: number) {
    this.name.push(rootName);
    this.file.push(rootFile);
    this.line.push(rootLine);
  }

  child(p: number, name: number, file: number, line: number): number {
    const key = `${name}:${file}:${line}`;
    let c = this.kids[p].get(key);
    if (c === undefined) {
      c = this.parent.length;
      this.parent.push(p); this.name.push(name); this.file.push(file); this.line.push(line);
      this.self.push(0); this.total.push(0); this.kids.push(new Map());
      this.kids[p].set(key, c);
    }
    return c;
  }

  /** Pre-order, children by decreasing total, as a tree sharing `tree`'s strings and files. */
  build(tree: WireFlameTree): WireFlameTree {
    const n = this.parent.length;
    const order: number[] = [];
    const depthOf = new Uint16Array(n);
    const stack = [0];
    while (stack.length) {
      const v = stack.pop()!;
      order.push(v);
      const kids = [...this.kids[v].values()].sort((a, b) => this.total[a] - this.total[b]);
      for (const k of kids) { depthOf[k] = depthOf[v] + 1; stack.push(k); }
    }
    const newId = new Int32Array(n);
    order.forEach((v, i) => { newId[v] = i; });
    const out: WireFlameTree = {
      sampleType: tree.sampleType, strings: tree.strings, files: tree.files, count: n,
      parent: new Int32Array(n), depth: new Uint16Array(n), name: new Int32Array(n), file: new Int32Array(n),
      line: new Int32Array(n), self: new Float64Array(n), total: new Float64Array(n), merged: { nodes: 0, weight: 0 },
    };
    order.forEach((v, i) => {
      out.parent[i] = v === 0 ? -1 : newId[this.parent[v]];
      out.depth[i] = depthOf[v];
      out.name[i] = this.name[v]; out.file[i] = this.file[v]; out.line[i] = this.line[v];
      out.self[i] = this.self[v]; out.total[i] = this.total[v];
    });
    return out;
  }
}

/** Builds the sandwich of the function with name string id `nameStr` in file `file` (-1 none). */
export function buildSandwich(index: FlameIndex, nameStr: number, file: number): Sandwich {
  const tree = index.tree;
  // by-line trees have one frame per line: the sandwich is about the function, so the root has no line
  const callers = new TrieBuilder(nameStr, file, 0);
  const callees = new TrieBuilder(nameStr, file, 0);
  let occurrences = 0;
  let i = 1;
  while (i < tree.count) {
    if (!sameFunction(tree, i, nameStr, file)) { i++; continue; }
    occurrences++;
    const w = tree.total[i];
    callers.total[0] += w;
    callees.total[0] += w;
    // callers: walk up to the root
    let c = 0;
    let p = tree.parent[i];
    if (p <= 0) callers.self[0] += w;
    while (p > 0) {
      c = callers.child(c, tree.name[p], tree.file[p], tree.line[p]);
      callers.total[c] += w;
      if (tree.parent[p] <= 0) callers.self[c] += w;
      p = tree.parent[p];
    }
    // callees: merge i's subtree under the root (a recursive call stays a child, so nothing counts twice)
    const end = index.end[i];
    const map = new Map<number, number>([[i, 0]]);
    callees.self[0] += tree.self[i];
    for (let j = i + 1; j < end; j++) {
      const m = callees.child(map.get(tree.parent[j])!, tree.name[j], tree.file[j], tree.line[j]);
      callees.total[m] += tree.total[j];
      callees.self[m] += tree.self[j];
      map.set(j, m);
    }
    i = end; // nested occurrences were handled above
  }
  return { callers: callers.build(tree), callees: callees.build(tree), occurrences };
}
