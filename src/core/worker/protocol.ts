/** Messages between `workerEngine` (host side) and `engineWorker` (the thread). */
import type { EngineErrorCode, FlameTreeOptions, LabelSummaryOptions, LoadOptions, SampleSelection } from '../engine';

export type WorkerRequest =
  | { seq: number; op: 'load'; bytes: Uint8Array; options: LoadOptions }
  | { seq: number; op: 'flameTree'; id: number; options: FlameTreeOptions }
  | { seq: number; op: 'diff'; baseId: number; currentId: number; typeIndex: number }
  | { seq: number; op: 'release'; id: number }
  | { seq: number; op: 'select'; id: number; selection: SampleSelection }
  | { seq: number; op: 'labels'; id: number; options?: LabelSummaryOptions }
  /** test hook: makes the worker exit abruptly, as a crash would */
  | { seq: number; op: 'crash' };

export type WorkerResponse =
  | { seq: number; ok: true; result: unknown }
  | { seq: number; ok: false; error: { code?: EngineErrorCode; message: string } };

/** Every distinct ArrayBuffer under `value` (typed arrays in plain objects/arrays), for transfer. */
export function collectBuffers(value: unknown, out: Set<ArrayBuffer> = new Set(), depth = 0): ArrayBuffer[] {
  if (depth > 6 || value === null || typeof value !== 'object') return [...out];
  if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof ArrayBuffer) out.add(value.buffer);
  } else if (Array.isArray(value)) {
    // arrays of strings/rows: only look into object entries
    for (const v of value) if (v !== null && typeof v === 'object') collectBuffers(v, out, depth + 1);
  } else if (!(value instanceof Map)) {
    for (const v of Object.values(value)) collectBuffers(v, out, depth + 1);
  }
  return [...out];
}

/** Deep copy of typed arrays (so the worker can transfer them and keep its own). */
export function copyTypedArrays<T>(value: T, depth = 0): T {
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (ArrayBuffer.isView(value)) return (value as unknown as { slice(): T }).slice();
  if (Array.isArray(value) || value instanceof Map) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = copyTypedArrays(v, depth + 1);
  return out as T;
}
