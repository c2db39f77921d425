/** Parses `go tool pprof -top [-lines]` text output (run with an exact unit, e.g. -unit=ns), and compares an index with it. */
import assert from 'node:assert/strict';
import type { ProfileIndex } from '../../../src/core/model';

export interface GoTopRow {
  flat: number;
  cum: number;
  name: string;
  file?: string;
  line?: number;
  inline: boolean;
}

const ROW = /^\s*(-?\d+(?:\.\d+)?)[a-zA-Z]*\s+\S+%\s+\S+%\s+(-?\d+(?:\.\d+)?)[a-zA-Z]*\s+\S+%\s+(.*)$/;
const LOC = /^(.*) (\S+):(\d+)$/;

export function parseGoTop(text: string, withLines: boolean): { total: number; rows: GoTopRow[] } {
  const lines = text.split('\n');
  const head = lines.findIndex((l) => /^\s*flat\s+flat%\s+sum%\s+cum\s+cum%/.test(l));
  if (head < 0) throw new Error('not go tool pprof -top output');
  const totalMatch = /of (-?\d+)[a-zA-Z]* total/.exec(text);
  const rows: GoTopRow[] = [];
  for (const l of lines.slice(head + 1)) {
    if (!l.trim()) continue;
    const m = ROW.exec(l);
    if (!m) throw new Error(`unparsed go tool pprof row: ${l}`);
    let rest = m[3];
    const inline = rest.endsWith(' (inline)');
    if (inline) rest = rest.slice(0, -' (inline)'.length);
    const row: GoTopRow = { flat: Number(m[1]), cum: Number(m[2]), name: rest, inline };
    if (withLines) {
      const lm = LOC.exec(rest);
      if (!lm) throw new Error(`no file:line in row: ${l}`);
      row.name = lm[1];
      row.file = lm[2];
      row.line = Number(lm[3]);
    }
    rows.push(row);
  }
  return { total: totalMatch ? Number(totalMatch[1]) : NaN, rows };
}

function profilePathOf(index: ProfileIndex, file: number, profileFile: number | undefined): string {
  return file >= 0 ? index.files[file].profilePath : profileFile ? index.strings[profileFile] : '';
}

/**
 * Our per-line self/total of `typeName` equal go tool pprof's -top -lines text (rows keyed by
 * file:line; a line go splits by function must lie between its largest and summed cum). The total
 * is go's "of N total", or with `shownTotal` its "accounting for N" (a -tagfocus selection).
 * Returns the lines compared.
 */
export function assertLinesMatchGo(index: ProfileIndex, typeName: string, goText: string, shownTotal = false): number {
  const t = index.sampleTypes.findIndex((s) => s.type === typeName);
  assert.ok(t >= 0, `no sample type ${typeName}`);
  const T = index.sampleTypes.length;
  const go = parseGoTop(goText, true);
  const shown = /accounting for (-?\d+)[a-zA-Z]*/.exec(goText);
  assert.equal(index.totals[t], shownTotal ? Number(shown?.[1]) : go.total, 'total');
  // go keys rows by (function, file, line); we key by (file, line)
  const goByLine = new Map<string, { flat: number; cums: number[]; names: Set<string> }>();
  for (const r of go.rows) {
    const k = `${r.file}:${r.line}`;
    const e = goByLine.get(k) ?? { flat: 0, cums: [], names: new Set<string>() };
    e.flat += r.flat;
    e.cums.push(r.cum);
    e.names.add(r.name);
    goByLine.set(k, e);
  }
  const L = index.lines;
  const ours = new Map<string, { self: number; total: number }>();
  for (let r = 0; r < L.count; r++) {
    const self = L.self[r * T + t];
    const total = L.total[r * T + t];
    if (self === 0 && total === 0) continue;
    ours.set(`${profilePathOf(index, L.file[r], L.profileFile?.[r])}:${L.line[r]}`, { self, total });
  }
  assert.deepEqual([...ours.keys()].sort(), [...goByLine.keys()].sort(), 'same set of lines');
  let checked = 0;
  for (const [k, g] of goByLine) {
    const o = ours.get(k)!;
    assert.equal(o.self, g.flat, `flat of ${k}`);
    if (g.cums.length === 1) assert.equal(o.total, g.cums[0], `cum of ${k}`);
    else assert.ok(o.total >= Math.max(...g.cums) && o.total <= g.cums.reduce((a, b) => a + b, 0), `cum of shared line ${k}`);
    checked++;
  }
  return checked;
}

/** Our per-function self/total of `typeName` equal go tool pprof's -top text; returns the functions compared. */
export function assertFunctionsMatchGo(index: ProfileIndex, typeName: string, goText: string): number {
  const t = index.sampleTypes.findIndex((s) => s.type === typeName);
  const T = index.sampleTypes.length;
  const go = parseGoTop(goText, false);
  const F = index.functions;
  const ours = new Map<string, { self: number; total: number }>();
  for (let f = 0; f < F.count; f++) {
    const self = F.self[f * T + t];
    const total = F.total[f * T + t];
    if (self === 0 && total === 0) continue;
    const name = index.strings[F.name[f]];
    assert.ok(!ours.has(name), `Go function ${name} appears once`);
    ours.set(name, { self, total });
  }
  assert.deepEqual([...ours.keys()].sort(), go.rows.map((r) => r.name).sort(), 'same set of functions');
  for (const r of go.rows) {
    assert.equal(ours.get(r.name)!.self, r.flat, `flat of ${r.name}`);
    assert.equal(ours.get(r.name)!.total, r.cum, `cum of ${r.name}`);
  }
  return go.rows.length;
}
