/**
 * `node --expose-gc --import tsx bench/insights/run.ts [--sizes 1,10]` (also `npm run bench:insights`)
 *
 * What the editor does with a loaded profile, on the synthetic pprof files of `npm run bench`
 * (.cache/bench/bench-<N>mb.pb.gz, generated if missing; paths mapped onto a generated workspace of
 * Go files so every file resolves): per-file annotations for every file (each file's first open),
 * the Hotspots content, hover markdown for the hottest lines, and the line-shift work per edit on the
 * file with the most annotated lines. Index building itself is measured by `npm run bench`.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { createInProcessEngine } from '../../src/core/inProcessEngine';
import { computeFileInsights } from '../../src/core/insights/fileInsights';
import { computeHotspots } from '../../src/core/insights/hotspots';
import { buildHoverMarkdown } from '../../src/core/insights/hoverMarkdown';
import { IndexView } from '../../src/core/insights/indexView';
import { LineMap } from '../../src/core/insights/lineShift';
import { generatePprof } from '../genPprof';

const root = path.join(__dirname, '../..');
const dir = path.join(root, '.cache', 'bench');
const argv = process.argv.slice(2);
const sizes = (argv[argv.indexOf('--sizes') + 1] && argv.includes('--sizes') ? argv[argv.indexOf('--sizes') + 1] : '1,10').split(',').map(Number);
/** same plans as bench/run.ts */
const PLAN: Record<number, { samples: number; functions: number; files: number }> = {
  1: { samples: 16_500, functions: 5_000, files: 400 },
  10: { samples: 165_000, functions: 5_000, files: 400 },
  60: { samples: 985_000, functions: 8_000, files: 600 },
};
const PREFIX = '/go/src/github.com/acme/shop';

const now = () => Number(process.hrtime.bigint()) / 1e6;
const q = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
const ms = (x: number) => (x < 1 ? `${(x * 1000).toFixed(0)} µs` : `${x.toFixed(1)} ms`);

function ensureProfile(size: number): string {
  const file = path.join(dir, `bench-${size}mb.pb.gz`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, generatePprof({ ...PLAN[size], seed: size }));
  }
  return file;
}

/** A workspace holding every file the synthetic profiles name (600 files × 3000 short lines). */
function ensureWorkspace(): string {
  const ws = path.join(dir, 'insights-ws');
  const marker = path.join(ws, '.done');
  if (existsSync(marker)) return ws;
  const body = Array.from({ length: 3000 }, (_, i) => `// ${i + 1}`).join('\n');
  for (let f = 0; f < 600; f++) {
    const p = path.join(ws, `internal/pkg${f % 97}/mod${f}/file${f}.go`);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, body);
  }
  writeFileSync(marker, '');
  return ws;
}

async function main(): Promise<void> {
  const ws = ensureWorkspace();
  const rows: string[] = [];
  for (const size of sizes) {
    const file = ensureProfile(size);
    const engine = createInProcessEngine();
    const { index } = await engine.load(readFileSync(file), { roots: [ws], pathMappings: [{ from: PREFIX, to: ws }] });
    const t = index.defaultType;
    const options = { typeIndex: t, extraTypes: [], threshold: 0.01, lineCost: 'total' as const };

    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.(); // the load just allocated a lot: do not bill its garbage to the first file
    // three rounds, each with a fresh view (cold caches); medians reported (the machine is shared)
    let view = new IndexView(index);
    const rounds: number[] = [];
    let perFile: number[] = [];
    let annotatedLines = 0;
    let lenses = 0;
    let busiest = { file: -1, lines: [] as number[] };
    for (let round = 0; round < 3; round++) {
      gc?.();
      const r0 = now();
      view = new IndexView(index);
      perFile = [];
      annotatedLines = 0;
      lenses = 0;
      for (let f = 0; f < index.files.length; f++) {
        const a = now();
        const fi = computeFileInsights(view, f, { ...options, threshold: 0 });
        perFile.push(now() - a);
        annotatedLines += fi.lines.length;
        lenses += fi.functions.length;
        if (fi.lines.length > busiest.lines.length) busiest = { file: f, lines: fi.lines.map((l) => l.line) };
      }
      rounds.push(now() - r0);
    }
    const allFiles = q(rounds, 0.5);
    let t0 = now();


    const hs: number[] = [];
    for (let round = 0; round < 3; round++) {
      gc?.();
      t0 = now();
      computeHotspots(view, t, 20);
      hs.push(now() - t0);
    }
    const hotspotsMs = q(hs, 0.5);

    const rowsByTotal = Array.from({ length: index.lines.count }, (_, r) => r)
      .filter((r) => index.lines.file[r] >= 0)
      .sort((a, b) => index.lines.total[b * view.T + t] - index.lines.total[a * view.T + t])
      .slice(0, 100);
    const hovers: number[] = [];
    for (const r of rowsByTotal) {
      const a = now();
      const f = index.lines.file[r];
      const line = index.lines.line[r];
      buildHoverMarkdown(view, { file: f, line, row: r, fn: view.functionAt(f, line), types: [t], stale: false, edited: false }, { openFunction: (x) => `command:o?${x}`, flameGraph: (x) => `command:f?${x}` });
      hovers.push(now() - a);
    }

    // reference in the same run: a full sort of every function and line (what topIds avoids)
    gc?.();
    t0 = now();
    const allFns = Array.from({ length: index.functions.count }, (_, f) => ({ f, v: index.functions.self[f * view.T + t] })).filter((x) => x.v > 0).sort((a, b) => b.v - a.v).slice(0, 20);
    const allLines = Array.from({ length: index.lines.count }, (_, r) => ({ r, v: index.lines.self[r * view.T + t] })).filter((x) => x.v > 0).sort((a, b) => b.v - a.v).slice(0, 20);
    const fullSortMs = now() - t0;
    void allFns;
    void allLines;

    // reference: recomputing the busiest file's annotations (what a per-keystroke design would do)
    const recompute: number[] = [];
    for (let i = 0; i < 50; i++) {
      const a = now();
      computeFileInsights(view, busiest.file, options);
      recompute.push(now() - a);
    }

    const map = new LineMap(busiest.lines);
    t0 = now();
    const edits = 10_000;
    for (let i = 0; i < edits; i++) map.apply([{ startLine: 1 + (i % 50), startColumn: 1, endLine: 1 + (i % 50), insertedLines: i % 2 }]);
    const perEdit = (now() - t0) / edits;

    rows.push(
      `| ${size} MB | ${index.files.length} | ${annotatedLines} / ${lenses} | ${ms(allFiles)} | ${ms(q(perFile, 0.5))} / ${ms(q(perFile, 0.95))} / ${ms(Math.max(...perFile))} | ${ms(hotspotsMs)} (full sort: ${ms(fullSortMs)}) | ${ms(q(hovers, 0.5))} / ${ms(hovers[0])} | ${ms(perEdit)} (recompute the file: ${ms(q(recompute, 0.5))}) |`,
    );
    await engine.dispose();
  }
  console.log('| profile | files | lines / lenses (threshold 0) | annotations, all files | per file p50 / p95 / max | hotspots, top 20 (reference) | hover p50 / first (builds caller/callee lists) | line shift per edit, busiest file (reference) |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
}

void main();
