/**
 * The engine's FlameTree in the form the page receives (shared/protocol.ts `WireFlameTree`):
 * the same typed arrays (VS Code transfers them as binary), file paths shortened for display.
 */
import type { FlameTree } from '../../core/model';
import type { TreeOptions, WireFlameTree } from '../../shared/protocol';
import type { LoadedProfile } from '../profileSession';

export function toWireTree(tree: FlameTree, displayPath: (path: string) => string): WireFlameTree {
  const used = new Uint8Array(tree.files.length);
  for (let i = 0; i < tree.count; i++) if (tree.file[i] >= 0) used[tree.file[i]] = 1;
  // only paths the tree uses are sent; ids stay those of ProfileIndex.files
  const files = tree.files.map((p, i) => (used[i] ? displayPath(p) : ''));
  const sub = <T extends Int32Array | Uint16Array | Float64Array>(a: T): T => (a.length === tree.count ? a : (a.subarray(0, tree.count) as T));
  return {
    sampleType: tree.sampleType,
    strings: tree.strings,
    files,
    count: tree.count,
    parent: sub(tree.parent),
    depth: sub(tree.depth),
    name: sub(tree.name),
    file: sub(tree.file),
    line: sub(tree.line),
    self: sub(tree.self),
    total: sub(tree.total),
    baseSelf: tree.baseSelf ? sub(tree.baseSelf) : undefined,
    baseTotal: tree.baseTotal ? sub(tree.baseTotal) : undefined,
    merged: tree.merged,
  };
}

/** Bytes the tree occupies on the wire (numeric columns), for logs and the bench. */
export function wireBytes(t: WireFlameTree): number {
  let n = t.parent.byteLength + t.depth.byteLength + t.name.byteLength + t.file.byteLength + t.line.byteLength + t.self.byteLength + t.total.byteLength;
  if (t.baseSelf) n += t.baseSelf.byteLength;
  if (t.baseTotal) n += t.baseTotal.byteLength;
  return n;
}

/** Options from the page are untrusted input: keep only valid values. */
export function sanitizeOptions(o: TreeOptions | undefined, current: LoadedProfile | undefined): TreeOptions {
  const types = current?.index.sampleTypes.length ?? 0;
  const typeIndex = typeof o?.typeIndex === 'number' && o.typeIndex >= 0 && o.typeIndex < types ? Math.floor(o.typeIndex) : current?.typeIndex ?? 0;
  return { mergeBy: o?.mergeBy === 'line' ? 'line' : 'function', inverted: o?.inverted === true, typeIndex };
}

/** `profileLens.flameGraph.nodeBudget`: default, and the bounds the manifest declares. */
export const NODE_BUDGET_DEFAULT = 100_000;
export const NODE_BUDGET_MIN = 1_000;
export const NODE_BUDGET_MAX = 1_000_000;

/**
 * The setting's value as a node budget: a whole number within [NODE_BUDGET_MIN, NODE_BUDGET_MAX]
 * (a hand-edited settings.json may hold anything; VS Code does not enforce `minimum`/`maximum`).
 */
export function clampNodeBudget(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) return NODE_BUDGET_DEFAULT;
  return Math.min(NODE_BUDGET_MAX, Math.max(NODE_BUDGET_MIN, Math.round(value)));
}
