/**
 * `npm run bench:engine [-- --full --runs N --sizes 1,10,60]` (also the first part of `npm run bench`;
 * there, set BENCH_FULL=1 for --full)
 *
 * Generates (once; cached in .cache/bench) pprof files of ~1, 10 and 60 MB gzipped, then measures in
 * fresh child processes: our bytes → line+function index (decode + symbolize + index; wall and CPU
 * time, peak RSS) and a flame tree within a 5000-node budget; and, in the same run, `go tool pprof
 * -top -lines` on the same file (wall time, max RSS from /usr/bin/time -v). go tool pprof takes
 * ~100 s on the 60 MB file, so it runs there only with --full. Prints a Markdown table.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { buildSync } from 'esbuild';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { generatePprof } from './genPprof';

const root = path.join(__dirname, '..');
const dir = path.join(root, '.cache', 'bench');
const argv = process.argv.slice(2);
// `npm run bench` chains other benches, so npm's trailing args do not reach this script: use
// `npm run bench:engine -- --full` or BENCH_FULL=1.
const full = argv.includes('--full') || process.env.BENCH_FULL === '1';
const arg = (name: string, def: string) => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] ? argv[i + 1] : def;
};
const runs = Number(arg('--runs', '3'));
const sizes = arg('--sizes', '1,10,60').split(',').map(Number);

/** samples per target size (the generator writes ~61 bytes gzipped per sample) */
const PLAN: Record<number, { samples: number; functions: number; files: number }> = {
  1: { samples: 16_500, functions: 5_000, files: 400 },
  10: { samples: 165_000, functions: 5_000, files: 400 },
  60: { samples: 985_000, functions: 8_000, files: 600 },
};

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
};
const mb = (b: number) => `${(b / 1048576).toFixed(0)} MB`;
const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function ensureFile(size: number): string {
  const file = path.join(dir, `bench-${size}mb.pb.gz`);
  if (!existsSync(file)) {
    const t0 = Date.now();
    const buf = generatePprof({ ...PLAN[size], seed: size });
    writeFileSync(file, buf);
    console.error(`generated ${path.relative(root, file)} (${mb(buf.length)}) in ${Date.now() - t0} ms`);
  }
  return file;
}

interface Ours {
  indexMs: number;
  indexCpuMs: number;
  peakRssAfterIndex: number;
  /** the process's peak at the end: after the stacks written after the load and both flame trees */
  peakRss: number;
  flameFunctionMs: number;
  flameLineMs: number;
  /** waiting for the stacks (written after the load answers, for big pprof profiles) before the first flame tree */
  stacksMs: number;
  samples: number;
  stackNodes: number;
  lines: number;
  functions: number;
}

function measureOurs(script: string, file: string, oneThread = false): Ours {
  const out = execFileSync(process.execPath, [script, file, '5000', ...(oneThread ? ['--one-thread'] : [])], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').pop()!) as Ours;
}

function measureGo(file: string): { ms: number; rss?: number } | string {
  const hasTime = existsSync('/usr/bin/time');
  const t0 = performance.now();
  const r = hasTime
    ? spawnSync('/usr/bin/time', ['-v', 'go', 'tool', 'pprof', '-top', '-lines', file], { encoding: 'utf8', maxBuffer: 1 << 30 })
    : spawnSync('go', ['tool', 'pprof', '-top', '-lines', file], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const ms = performance.now() - t0;
  if (r.error) return `go tool pprof could not run: ${r.error.message}`;
  if (r.status !== 0) return `go tool pprof failed: ${r.stderr.split('\n').slice(-3).join(' ')}`;
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr ?? '');
  return { ms, rss: rss ? Number(rss[1]) * 1024 : undefined };
}

/** A fixed CPU-bound loop, to show how contended the machine was during the run. */
function referenceLoopMs(): number {
  const code = 'const a=new Int32Array(1<<24);for(let i=0;i<a.length;i++)a[i]=i*7&1023;const t=performance.now();let s=0;for(let r=0;r<20;r++)for(let i=0;i<a.length;i++)s+=a[i];process.stdout.write(String(performance.now()-t)+" "+s)';
  return Number(execFileSync(process.execPath, ['-e', code], { encoding: 'utf8' }).split(' ')[0]);
}

function main(): void {
  mkdirSync(dir, { recursive: true });
  const script = path.join(dir, 'measure.js');
  buildSync({
    entryPoints: [path.join(__dirname, 'measure.ts')], bundle: true, platform: 'node', target: 'node20',
    outfile: script, logLevel: 'warning',
  });
  // the engine's helper thread, beside the measuring bundle as dist/sampleWorker.js is beside the engine's
  buildSync({
    entryPoints: [path.join(__dirname, '../src/core/parallel/sampleWorker.ts')], bundle: true, platform: 'node', target: 'node20',
    outfile: path.join(dir, 'sampleWorker.js'), logLevel: 'warning',
  });
  const rows: string[] = [];
  const refStart = referenceLoopMs();
  console.log(`Profile Lens bench — ${new Date().toISOString()}, node ${process.version}, ${cpus().length} CPUs, runs=${runs}${full ? ', --full' : ''}`);
  console.log('');
  console.log('| file | samples | ours: bytes→index (wall / CPU) | ours: peak RSS (after the index; at the end) | ours on one thread (wall / CPU, RSS) | stacks after the index; flame tree (fn / line, 5000 nodes) | go tool pprof -top -lines | go peak RSS | speed-up |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const size of sizes) {
    if (!PLAN[size]) continue;
    const file = ensureFile(size);
    const gz = statSync(file).size;
    const ours: Ours[] = [];
    const one: Ours[] = [];
    // alternated, so that both modes see the same machine
    for (let i = 0; i < runs; i++) {
      ours.push(measureOurs(script, file));
      one.push(measureOurs(script, file, true));
    }
    const wall = median(ours.map((o) => o.indexMs));
    const cpu = median(ours.map((o) => o.indexCpuMs));
    const rss = median(ours.map((o) => o.peakRssAfterIndex));
    const rssEnd = median(ours.map((o) => o.peakRss));
    const ff = median(ours.map((o) => o.flameFunctionMs));
    const fl = median(ours.map((o) => o.flameLineMs));
    const st = median(ours.map((o) => o.stacksMs));
    let goCell = 'skipped (use --full)';
    let goRss = '—';
    let ratio = '—';
    if (size < 60 || full) {
      const g = measureGo(file);
      if (typeof g === 'string') goCell = g;
      else {
        goCell = sec(g.ms);
        goRss = g.rss ? mb(g.rss) : 'n/a';
        ratio = `${(g.ms / wall).toFixed(1)}×`;
      }
    }
    const oneCell = `${sec(median(one.map((o) => o.indexMs)))} / ${sec(median(one.map((o) => o.indexCpuMs)))}, ${mb(median(one.map((o) => o.peakRssAfterIndex)))}`;
    const row = `| ${mb(gz)} gz | ${ours[0].samples.toLocaleString('en')} | ${sec(wall)} / ${sec(cpu)} | ${mb(rss)}; ${mb(rssEnd)} | ${oneCell} | ${sec(st)}; ${sec(ff)} / ${sec(fl)} | ${goCell} | ${goRss} | ${ratio} |`;
    rows.push(row);
    console.log(row);
  }
  console.log('');
  console.log(`machine: load average ${loadavg().map((x) => x.toFixed(1)).join(' / ')} (1/5/15 min) on ${cpus().length} CPUs; reference loop ${refStart.toFixed(0)} ms at the start, ${referenceLoopMs().toFixed(0)} ms at the end (335 M typed-array adds, single thread: compare runs by it, lower = less contended)`);
  console.log('ours = decode (hand-written pprof reader) + symbolize + per-line/per-function index, in a fresh process, median of runs; RSS = process maxrss after indexing, and at the end (after the stacks and both flame trees).');
  console.log('stacks after the index = the wait, before the first flame tree, for the stack nodes a big pprof profile gets after its index is answered (two threads).');
  console.log('ours = the engine as the extension runs it: profiles over 4 MB inflated share the per-sample passes with a helper thread (CPU = both threads); one thread = the same engine with the helper off (--one-thread).');
}

main();
