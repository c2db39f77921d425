/**
 * Read-side lookups over one ProfileIndex, built once per loaded profile: functions of a file,
 * the index row of a (file, line), the function enclosing a line, callers and callees. Pure.
 */
import type { Line1, ProfileIndex } from '../model';

export interface Neighbour {
  fn: number;
  weight: number;
}

export class IndexView {
  readonly T: number;
  private fileFunctions: Int32Array[] | undefined;
  /** function id → ids of edges ending / starting at it */
  private callerLists: Map<number, number[]> | undefined;
  private calleeLists: Map<number, number[]> | undefined;

  constructor(readonly index: ProfileIndex) {
    this.T = Math.max(1, index.sampleTypes.length);
  }

  get fileCount(): number {
    return this.index.files.length;
  }

  /** Rows of `index.lines` for a file: [start, end). */
  lineRows(file: number): [number, number] {
    const fs = this.index.lines.fileStart;
    if (file < 0 || file + 1 >= fs.length) return [0, 0];
    return [fs[file], fs[file + 1]];
  }

  /** Row in `index.lines` of (file, line), -1 when the line has no cost. */
  lineRow(file: number, line: Line1): number {
    const [start, end] = this.lineRows(file);
    const lines = this.index.lines.line;
    let lo = start;
    let hi = end;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (lines[mid] < line) lo = mid + 1;
      else hi = mid;
    }
    return lo < end && lines[lo] === line ? lo : -1;
  }

  /** Function ids of a file sorted by start line (functions without a start line last). */
  functionsOf(file: number): Int32Array {
    if (!this.fileFunctions) {
      const { functions } = this.index;
      const buckets: number[][] = Array.from({ length: this.index.files.length }, () => []);
      for (let f = 0; f < functions.count; f++) {
        const file = functions.file[f];
        if (file >= 0 && file < buckets.length) buckets[file].push(f);
      }
      const start = functions.startLine;
      const key = (f: number) => (start[f] > 0 ? start[f] : Number.MAX_SAFE_INTEGER);
      this.fileFunctions = buckets.map((b) => Int32Array.from(b.sort((a, c) => key(a) - key(c) || a - c)));
    }
    return this.fileFunctions[file] ?? new Int32Array(0);
  }

  /**
   * The function a line most likely belongs to: the one in the same file with the greatest start
   * line ≤ `line` (nested functions make this a heuristic; the hover says "in"). -1 when none.
   */
  functionAt(file: number, line: Line1): number {
    // The engine may record the function each line row belongs to (the heaviest one on that line).
    const owner = (this.index.lines as { fn?: Int32Array }).fn;
    if (owner) {
      const row = this.lineRow(file, line);
      if (row >= 0 && owner[row] >= 0 && owner[row] < this.index.functions.count) return owner[row];
    }
    const fns = this.functionsOf(file);
    const start = this.index.functions.startLine;
    let best = -1;
    for (const f of fns) {
      const s = start[f];
      if (s > 0 && s <= line) best = f;
      else if (s > line) break;
    }
    return best;
  }

  /** Value of per-row array `values` (count * T) for row `i`, type `t`. */
  value(values: Float64Array, i: number, t: number): number {
    return values[i * this.T + t] ?? 0;
  }

  /** Share of the profile total for type `t`. */
  share(value: number, t: number): number {
    const total = this.index.totals[t] ?? 0;
    return total > 0 ? value / total : 0;
  }

  /** Functions calling `fn`, heaviest first by type `t` (weights: share base is totals[t]). */
  callers(fn: number, limit: number, t: number): Neighbour[] {
    this.buildEdges();
    return this.neighbours(this.callerLists!.get(fn), limit, t, this.index.edges.caller);
  }

  /** Functions called by `fn`, heaviest first by type `t`. */
  callees(fn: number, limit: number, t: number): Neighbour[] {
    this.buildEdges();
    return this.neighbours(this.calleeLists!.get(fn), limit, t, this.index.edges.callee);
  }

  /** Weight of edge `e` for type `t` (edges carry one weight per type; older indexes one per edge). */
  edgeWeight(e: number, t: number): number {
    const { edges } = this.index;
    return edges.weight.length === edges.count * this.T ? edges.weight[e * this.T + t] : edges.weight[e];
  }

  private neighbours(list: number[] | undefined, limit: number, t: number, end: Int32Array): Neighbour[] {
    if (!list) return [];
    return list
      .map((e) => ({ fn: end[e], weight: this.edgeWeight(e, t) }))
      .filter((n) => n.weight > 0)
      .sort((a, b) => b.weight - a.weight)
      .slice(0, limit);
  }

  private buildEdges(): void {
    if (this.callerLists) return;
    const callers = new Map<number, number[]>();
    const callees = new Map<number, number[]>();
    const { edges } = this.index;
    for (let e = 0; e < edges.count; e++) {
      const a = edges.caller[e];
      const b = edges.callee[e];
      if (a === b) continue;
      push(callers, b, e);
      push(callees, a, e);
    }
    this.callerLists = callers;
    this.calleeLists = callees;
  }

  name(fn: number): string {
    return this.index.strings[this.index.functions.name[fn]] ?? '';
  }
}

function push(map: Map<number, number[]>, key: number, n: number): void {
  const list = map.get(key);
  if (list) list.push(n);
  else map.set(key, [n]);
}
