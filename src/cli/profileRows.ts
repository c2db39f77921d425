/**
 * The CLI's JSON shape: `{sampleType, total, rows: [{file, line, function, self, total, selfPct, totalPct}]}`,
 * rows sorted by self descending. `file` is relative to `root` (forward slashes) when the resolved
 * file lies under it, else the resolved path (or the profile's path when unresolved, "" when none).
 */
import * as path from 'node:path';
import type { ProfileIndex, SampleType } from '../core/model';

export type RowKind = 'lines' | 'functions';

export interface ProfileRow {
  file: string;
  line: number;
  function: string;
  self: number;
  total: number;
  selfPct: number;
  totalPct: number;
}

export interface ProfileRows {
  sampleType: SampleType;
  total: number;
  rows: ProfileRow[];
}

export function displayPath(p: string, root: string | undefined): string {
  if (!p) return '';
  if (root && path.isAbsolute(p)) {
    const rel = path.relative(root, p);
    if (rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel)) return rel.split(path.sep).join('/');
  }
  return p;
}

const pct = (v: number, total: number): number => (total === 0 ? 0 : Math.round((v / total) * 1e6) / 1e4);

export function profileRows(index: ProfileIndex, kind: RowKind, typeIndex: number, opts: { root?: string; top?: number } = {}): ProfileRows {
  const T = index.sampleTypes.length;
  const total = index.totals[typeIndex];
  const rows: ProfileRow[] = [];
  const fileName = (file: number, profileFile: number | undefined): string =>
    file >= 0 ? displayPath(index.files[file].path, opts.root) : profileFile ? index.strings[profileFile] : '';
  if (kind === 'lines') {
    const L = index.lines;
    for (let r = 0; r < L.count; r++) {
      const self = L.self[r * T + typeIndex];
      const tot = L.total[r * T + typeIndex];
      if (self === 0 && tot === 0) continue;
      const fn = L.fn ? L.fn[r] : -1;
      rows.push({
        file: fileName(L.file[r], L.profileFile?.[r]),
        line: L.line[r],
        function: fn >= 0 ? index.strings[index.functions.name[fn]] : '',
        self,
        total: tot,
        selfPct: pct(self, total),
        totalPct: pct(tot, total),
      });
    }
  } else {
    const F = index.functions;
    for (let f = 0; f < F.count; f++) {
      const self = F.self[f * T + typeIndex];
      const tot = F.total[f * T + typeIndex];
      if (self === 0 && tot === 0) continue;
      rows.push({
        file: fileName(F.file[f], F.profileFile?.[f]),
        line: F.startLine[f],
        function: index.strings[F.name[f]],
        self,
        total: tot,
        selfPct: pct(self, total),
        totalPct: pct(tot, total),
      });
    }
  }
  rows.sort((a, b) => b.self - a.self || b.total - a.total || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.line - b.line);
  return { sampleType: index.sampleTypes[typeIndex], total, rows: opts.top ? rows.slice(0, opts.top) : rows };
}
