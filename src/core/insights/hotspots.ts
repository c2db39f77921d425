/**
 * The Hotspots view's content as plain data: top functions and top lines by self cost of one sample
 * type, grouped by file (files ordered by the cost they hold). Pure; the host turns it into tree items.
 */
import type { Line1 } from '../model';
import type { IndexView } from './indexView';

export interface HotspotEntry {
  /** function id (functions) or line row (lines) */
  id: number;
  /** ResolvedFile id, -1 when the code is outside the workspace */
  file: number;
  label: string;
  line: Line1;
  self: number;
  total: number;
}

export interface HotspotGroup {
  file: number;
  /** sum of the entries' self cost */
  self: number;
  entries: HotspotEntry[];
}

export interface Hotspots {
  functions: HotspotGroup[];
  lines: HotspotGroup[];
}

/**
 * Ids of the `max` largest positive values (ties: lower id first), largest first, in one pass without
 * allocating per item: a sorted buffer of at most `max` ids.
 */
export function topIds(count: number, value: (i: number) => number, max: number): number[] {
  const ids: number[] = [];
  const vals: number[] = [];
  for (let i = 0; i < count; i++) {
    const v = value(i);
    if (!(v > 0)) continue;
    if (ids.length === max && v <= vals[max - 1]) continue;
    // first position whose value is smaller than v (equal values keep id order: i is the largest id so far)
    let lo = 0;
    let hi = vals.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (vals[mid] >= v) lo = mid + 1;
      else hi = mid;
    }
    ids.splice(lo, 0, i);
    vals.splice(lo, 0, v);
    if (ids.length > max) {
      ids.pop();
      vals.pop();
    }
  }
  return ids;
}

function groupByFile(entries: HotspotEntry[]): HotspotGroup[] {
  const byFile = new Map<number, HotspotGroup>();
  for (const e of entries) {
    let g = byFile.get(e.file);
    if (!g) byFile.set(e.file, (g = { file: e.file, self: 0, entries: [] }));
    g.entries.push(e);
    g.self += e.self;
  }
  return [...byFile.values()].sort((a, b) => b.self - a.self || a.file - b.file);
}

export function computeHotspots(view: IndexView, t: number, max: number): Hotspots {
  const { index } = view;
  const { functions: fns, lines } = index;
  const fnIds = topIds(fns.count, (f) => view.value(fns.self, f, t), max);
  const lineIds = topIds(lines.count, (r) => (lines.file[r] >= 0 ? view.value(lines.self, r, t) : 0), max);
  return {
    functions: groupByFile(
      fnIds.map((f) => ({ id: f, file: fns.file[f], label: view.name(f) || '(anonymous)', line: fns.startLine[f], self: view.value(fns.self, f, t), total: view.value(fns.total, f, t) })),
    ),
    lines: groupByFile(
      lineIds.map((r) => ({ id: r, file: lines.file[r], label: `line ${lines.line[r]}`, line: lines.line[r], self: view.value(lines.self, r, t), total: view.value(lines.total, r, t) })),
    ),
  };
}
