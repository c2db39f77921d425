/**
 * The `profileLens.pathMappings` setting → engine PathMappings: drops malformed entries (a hand-edited
 * settings.json must not break loading), expands `${workspaceFolder}`, and resolves a relative `to`
 * against the first workspace folder. Pure.
 */
import * as path from 'node:path';
import type { PathMapping } from '../engine';

export function resolvePathMappingSetting(raw: unknown, roots: readonly string[]): PathMapping[] {
  if (!Array.isArray(raw)) return [];
  const first = roots[0] ?? '';
  const out: PathMapping[] = [];
  for (const m of raw) {
    if (!m || typeof m !== 'object') continue;
    const { from, to } = m as { from?: unknown; to?: unknown };
    if (typeof from !== 'string' || typeof to !== 'string' || !from.trim() || !to.trim()) continue;
    let local = to.trim().replace(/\$\{workspaceFolder\}/g, first);
    if (!path.isAbsolute(local) && first) local = path.join(first, local);
    out.push({ from: from.trim(), to: local });
  }
  return out;
}
