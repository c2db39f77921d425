/**
 * Per-line diff of two indexes for one sample type: self (leaf) weight of each line of the
 * current profile's resolved files against the same file path and line in the baseline.
 * Lines only in the baseline appear (current 0) when their file is in the current index.
 */
import { EngineError, type ProfileDiff } from '../engine';
import type { ProfileIndex } from '../model';

export function diffProfiles(base: ProfileIndex, current: ProfileIndex, typeIndex: number): ProfileDiff {
  const st = current.sampleTypes[typeIndex];
  if (!st) throw new EngineError('bad-reference', `Sample type ${typeIndex} does not exist in the current profile.`);
  const bt = base.sampleTypes.findIndex((s) => s.type === st.type && s.unit === st.unit);
  if (bt < 0) throw new EngineError('bad-reference', `The baseline has no "${st.type}" (${st.unit}) samples to compare with.`);
  const T = current.sampleTypes.length;
  const BT = base.sampleTypes.length;
  const fileByPath = new Map<string, number>();
  current.files.forEach((f, i) => fileByPath.set(f.path, i));
  const rows = new Map<string, { file: number; line: number; base: number; current: number }>();
  const L = current.lines;
  for (let r = 0; r < L.count; r++) {
    const f = L.file[r];
    if (f < 0) continue;
    rows.set(`${f}:${L.line[r]}`, { file: f, line: L.line[r], base: 0, current: L.self[r * T + typeIndex] });
  }
  const B = base.lines;
  for (let r = 0; r < B.count; r++) {
    const bf = B.file[r];
    if (bf < 0) continue;
    const f = fileByPath.get(base.files[bf].path);
    if (f === undefined) continue;
    const key = `${f}:${B.line[r]}`;
    let row = rows.get(key);
    if (!row) rows.set(key, (row = { file: f, line: B.line[r], base: 0, current: 0 }));
    row.base += B.self[r * BT + bt];
  }
  const lines = [...rows.values()].filter((r) => r.base !== 0 || r.current !== 0);
  lines.sort((a, b) => a.file - b.file || a.line - b.line);
  return { sampleType: st, baseTotal: base.totals[bt], currentTotal: current.totals[typeIndex], lines };
}
