/**
 * Frame search: which frames match a query (plain text, case-insensitive, or a regular expression)
 * on the function name or file path, and the share of the total they account for. No DOM.
 */
import type { WireFlameTree } from '../../shared/protocol';
import type { FlameIndex } from './flameLayout';

export interface SearchResult {
  /** 1 when node i matches */
  matches: Uint8Array;
  /** matching frames */
  count: number;
  /** total of matching frames not below another match (so recursion is not counted twice) */
  value: number;
  /** value / total of `within` */
  share: number;
}

export type SearchOutcome = { ok: true; result: SearchResult } | { ok: false; error: string };

/** A predicate on strings for a query; a bad regular expression gives a message instead of throwing. */
export function compileQuery(query: string, regex: boolean): { ok: true; test: (s: string) => boolean } | { ok: false; error: string } {
  if (!regex) {
    const q = query.toLowerCase();
    return { ok: true, test: (s) => s.toLowerCase().includes(q) };
  }
  try {
    const re = new RegExp(query, 'i');
    return { ok: true, test: (s) => re.test(s) };
  } catch (e) {
    return { ok: false, error: `Invalid regular expression: ${(e as Error).message}` };
  }
}

/** Matches every frame; the share is measured within node `within`'s subtree (the zoom root). */
export function searchFrames(index: FlameIndex, query: string, regex: boolean, within = 0): SearchOutcome {
  const tree: WireFlameTree = index.tree;
  const compiled = compileQuery(query, regex);
  if (!compiled.ok) return compiled;
  const nameHit = tree.strings.map((s) => compiled.test(s));
  const fileHit = tree.files.map((s) => compiled.test(s));
  const n = tree.count;
  const matches = new Uint8Array(n);
  const under = new Uint8Array(n); // some ancestor-or-self matches
  let count = 0;
  let value = 0;
  const { file, name, parent, total } = tree;
  const endWithin = index.end[within];
  for (let i = 1; i < n; i++) {
    const f = file[i];
    const hit = nameHit[name[i]] || (f >= 0 && fileHit[f]);
    const p = parent[i];
    if (hit) {
      matches[i] = 1;
      count++;
      if (!under[p] && i >= within && i < endWithin) value += total[i];
    }
    under[i] = hit || under[p] ? 1 : 0;
  }
  // a match above the zoom root covers all of it
  let covered = false;
  for (let a = within; a > 0; a = tree.parent[a]) if (matches[a] && a !== within) covered = true;
  if (covered) value = tree.total[within];
  const base = tree.total[within];
  return { ok: true, result: { matches, count, value, share: base > 0 ? value / base : 0 } };
}
