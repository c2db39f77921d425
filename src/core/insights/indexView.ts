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
  /** edges by callee and by caller in CSR form: edge ids of function f are list[start[f] .. start[f+1]) */
  private byCallee: { start: Uint32Array; list: Int32Array } | undefined;
  private byCaller: { start: Uint32Array; list: Int32Array } | undefined;

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
    this.byCallee ??= csr(this.index.edges.count, this.index.functions.count, this.index.edges.callee, this.index.edges.caller);
    return this.neighbours(this.byCallee, fn, limit, t, this.index.edges.caller);
  }

  /** Functions called by `fn`, heaviest first by type `t`. */
  callees(fn: number, limit: number, t: number): Neighbour[] {
    this.byCaller ??= csr(this.index.edges.count, this.index.functions.count, this.index.edges.caller, this.index.edges.callee);
    return this.neighbours(this.byCaller, fn, limit, t, this.index.edges.callee);
  }

  /** Weight of edge `e` for type `t` (edges carry one weight per type; older indexes one per edge). */
  edgeWeight(e: number, t: number): number {
    const { edges } = this.index;
    return edges.weight.length === edges.count * this.T ? edges.weight[e * this.T + t] : edges.weight[e];
  }

  private neighbours(g: { start: Uint32Array; list: Int32Array }, fn: number, limit: number, t: number, other: Int32Array): Neighbour[] {
    if (fn < 0 || fn + 1 >= g.start.length) return [];
    const out: Neighbour[] = [];
    for (let i = g.start[fn]; i < g.start[fn + 1]; i++) {
      const e = g.list[i];
      const weight = this.edgeWeight(e, t);
      if (weight > 0) out.push({ fn: other[e], weight });
    }
    return out.sort((a, b) => b.weight - a.weight || a.fn - b.fn).slice(0, limit);
  }

  name(fn: number): string {
    return this.index.strings[this.index.functions.name[fn]] ?? '';
  }
}

/** Edge ids grouped by `key[e]` (self-edges skipped), as CSR over `n` keys. */
function csr(count: number, n: number, key: Int32Array, other: Int32Array): { start: Uint32Array; list: Int32Array } {
  const start = new Uint32Array(n + 1);
  for (let e = 0; e < count; e++) if (key[e] !== other[e] && key[e] >= 0 && key[e] < n) start[key[e] + 1]++;
  for (let i = 0; i < n; i++) start[i + 1] += start[i];
  const fill = start.slice(0, n);
  const list = new Int32Array(start[n]);
  for (let e = 0; e < count; e++) if (key[e] !== other[e] && key[e] >= 0 && key[e] < n) list[fill[key[e]]++] = e;
  return { start, list };
}
