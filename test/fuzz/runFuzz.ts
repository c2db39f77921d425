/**
 * `npm run fuzz`: deterministic, time-bounded mutation fuzz of every input we do not control.
 * - decoders (pprof gz/raw, .cpuprofile, .heapprofile, collapsed): whole engine load + flame trees (pprof
 *   also through the two-thread engine: same outcome and index, else counted as a crash), one
 *   worker thread per format with a 1 GB heap limit; a case that does not finish in HANG_MS is a hang
 *   (the worker is killed and restarted at the next case), a non-EngineError or a dead worker a crash;
 * - the source-map loader on the real esbuild/tsc maps of the Node fixture (hostile sources, urls);
 * - the backend client against a local server that misbehaves on every request.
 * Prints per format: cases, outcomes, crashes, hangs, caps tripped, slowest case, heap growth.
 * Options: --seed N (default 0x5eed), --cases N per format (default 3000), --seconds S per format (default 45).
 * Exit code 1 when anything crashed or hung.
 */
import { existsSync, readFileSync } from 'node:fs';
import { buildSync } from 'esbuild';
import type * as http from 'node:http';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { BackendError } from '../../src/core/backend/backendError';
import { ProtoWriter } from '../../src/core/backend/protoWire';
import { loadSourceMapText } from '../../src/core/symbolize/sourceMapLoader';
import { startLocalServer } from '../unit/backend/localServer';
import { buildPprof } from '../unit/backend/pprofBuilder';
import type { WorkerInput, WorkerMessage } from './fuzzWorker';
import { fuzzClientCalls } from '../support/fuzzClient';
import { prng } from '../support/prng';
import { FORMATS, HOSTILE_STRINGS } from './mutants';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const SEED = arg('seed', 0x5eed);
const CASES = arg('cases', 3000);
const SECONDS = arg('seconds', 45);
const HANG_MS = 10_000;

interface Report {
  format: string;
  cases: number;
  outcomes: Map<string, number>;
  crashes: string[];
  hangs: number[];
  slowestMs: number;
  heapGrowth?: string;
  capsTripped: number;
}

const newReport = (format: string): Report => ({ format, cases: 0, outcomes: new Map(), crashes: [], hangs: [], slowestMs: 0, capsTripped: 0 });
const count = (r: Report, outcome: string) => r.outcomes.set(outcome, (r.outcomes.get(outcome) ?? 0) + 1);

/** The two-thread engine's helper, bundled as scripts/build.mjs bundles it (the fuzz worker runs it beside the one-thread engine). */
function sampleWorkerBundle(): string {
  const out = path.join(__dirname, '../../.cache/fuzz/sampleWorker.js');
  if (!existsSync(out)) {
    buildSync({ entryPoints: [path.join(__dirname, '../../src/core/parallel/sampleWorker.ts')], bundle: true, platform: 'node', target: 'node20', outfile: out, logLevel: 'warning' });
  }
  return out;
}

async function fuzzDecoder(format: (typeof FORMATS)[number]): Promise<Report> {
  const report = newReport(format);
  const deadline = Date.now() + SECONDS * 1000;
  let next = 0;
  while (next < CASES && Date.now() < deadline) {
    const input: WorkerInput = { format, seed: SEED, cases: CASES, startAt: next, deadline, sampleWorkerScript: sampleWorkerBundle() };
    next = await new Promise<number>((resolve) => {
      // a TypeScript worker: register tsx's CommonJS hook inside the thread, then load the file
      const w = new Worker(`require('tsx/cjs'); require(${JSON.stringify(path.join(__dirname, 'fuzzWorker.ts'))});`, {
        eval: true,
        workerData: input,
        resourceLimits: { maxOldGenerationSizeMb: 1024 },
      });
      let current = -1;
      let watchdog: NodeJS.Timeout | undefined;
      const arm = () => {
        clearTimeout(watchdog);
        watchdog = setTimeout(() => {
          report.hangs.push(current);
          void w.terminate();
        }, HANG_MS);
      };
      let settled = false;
      const done = (n: number) => {
        if (settled) return;
        settled = true;
        clearTimeout(watchdog);
        resolve(n);
      };
      w.on('message', (m: WorkerMessage) => {
        if (m.kind === 'start') {
          current = m.index;
          arm();
        } else if (m.kind === 'done') {
          clearTimeout(watchdog);
          report.cases++;
          count(report, m.outcome);
          if (m.outcome === 'too-large') report.capsTripped++;
          if (m.crash) report.crashes.push(`case ${m.index}: ${m.crash.split('\n').slice(0, 4).join(' | ')}`);
          report.slowestMs = Math.max(report.slowestMs, m.ms);
        } else {
          const mb = (b: number) => (b / 1048576).toFixed(1);
          report.heapGrowth = `${mb(m.heapBefore)} → ${mb(m.heapAfter)} MB`;
          done(CASES);
        }
      });
      w.on('error', (e) => {
        if (current < next) throw new Error(`the fuzz worker does not start: ${e.message}`);
        // out of memory or an exception that escaped the worker: a crash of the case in flight
        report.cases++;
        count(report, 'crash');
        report.crashes.push(`case ${current}: worker died: ${e.message}`);
        done(current + 1);
      });
      w.on('exit', () => done(report.hangs.includes(current) ? (report.cases++, count(report, 'hang'), current + 1) : current + 1));
    });
  }
  return report;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

async function fuzzSourceMaps(): Promise<Report> {
  const report = newReport('source-map');
  const WS = path.resolve(__dirname, '../fixtures/node/workspace');
  const bases = [readFileSync(path.join(WS, 'build/app.min.js.map'), 'utf8'), readFileSync(path.join(WS, 'lib/matrix.js.map'), 'utf8')];
  const deadline = Date.now() + SECONDS * 1000;
  const outside = (f: string) => f.startsWith(WS + path.sep);
  for (let i = 0; i < CASES && Date.now() < deadline; i++) {
    const r = prng(SEED ^ Math.imul(i + 1, 0x85ebca6b));
    const int = (n: number) => Math.floor(r() * n);
    const pick = <T>(xs: T[]): T => xs[int(xs.length)];
    const base = pick(bases);
    let text: string;
    const obj = JSON.parse(base) as Record<string, unknown> & { mappings: string; sources: unknown[] };
    switch (int(8)) {
      case 0: { const c = base.split(''); for (let k = 1 + int(8); k > 0; k--) c[int(c.length)] = String.fromCharCode(int(256)); text = c.join(''); break; }
      case 1: text = base.slice(0, int(base.length)); break;
      case 2: { const m = obj.mappings.split(''); for (let k = 1 + int(30); k > 0; k--) m[int(m.length)] = pick([...B64, ';', ',']); obj.mappings = m.join(''); text = JSON.stringify(obj); break; }
      case 3: obj.sources = obj.sources.map(() => pick(['../../../../etc/passwd', '/etc/shadow', 'file:///etc/hosts', 'C:\\Windows\\win.ini', '\\\\server\\share\\x', ...HOSTILE_STRINGS])); text = JSON.stringify(obj); break;
      case 4: obj[pick(['version', 'sources', 'names', 'mappings', 'sourcesContent', 'sourceRoot', 'sections'])] = pick<unknown>([null, 7, 'x', {}, [], [null], 2 ** 53, HOSTILE_STRINGS[7]]); text = JSON.stringify(obj); break;
      case 5: text = JSON.stringify({ version: 3, sections: [{ offset: { line: 0, column: 0 }, url: pick(['/etc/passwd', '../../../../../etc/passwd', 'file:///etc/passwd', 'missing.map', 'data:x']) }] }); break;
      case 6: obj.mappings = Array.from({ length: int(5000) }, () => pick([...B64, ';', ','])).join(''); text = JSON.stringify(obj); break;
      default: obj.sourceRoot = pick(['../../../..', '/', 'file:///etc/', 'webpack://x/../../']); text = JSON.stringify(obj); break;
    }
    const t0 = performance.now();
    let outcome = 'ok';
    try {
      const res = await Promise.race([
        loadSourceMapText(text, path.join(WS, 'build'), `fuzz#${i}`, { allowed: outside, maxBytes: 4 << 20, maxBytesSetting: 'profileLens.limits.maxSourceMapMB' }),
        new Promise<'hang'>((resolve) => setTimeout(() => resolve('hang'), HANG_MS).unref()),
      ]);
      if (res === 'hang') {
        outcome = 'hang';
        report.hangs.push(i);
      } else if (res.kind === 'ok') {
        for (let k = 0; k < 10; k++) {
          const p = res.map.lookup(1 + int(60), int(5000), r() < 0.5);
          if (p.source !== null) res.map.content(p.source);
        }
        res.map.destroy();
      } else if (res.kind !== 'none') {
        outcome = res.kind;
        if (/outside the workspace/.test(res.detail)) outcome = 'refused-outside';
        if (/root:x:0:0|localhost/.test(res.detail)) report.crashes.push(`case ${i}: a file outside the workspace was read: ${res.detail.slice(0, 200)}`);
      }
    } catch (e) {
      outcome = 'crash';
      report.crashes.push(`case ${i}: ${(e as Error).stack?.split('\n').slice(0, 3).join(' | ')}`);
    }
    report.cases++;
    count(report, outcome);
    if (outcome === 'refused-outside') report.capsTripped++;
    report.slowestMs = Math.max(report.slowestMs, performance.now() - t0);
  }
  return report;
}

async function fuzzBackend(): Promise<Report> {
  const report = newReport('backend');
  const r = prng(SEED ^ 0xbac0);
  const int = (n: number) => Math.floor(r() * n);
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
  const pprof = buildPprof([
    { frames: [['main', '/app/main.go', 1], ['slow', '/app/main.go', 9]], value: 7 },
    { frames: [['main', '/app/main.go', 1], [HOSTILE_STRINGS[1], HOSTILE_STRINGS[3], 0]], value: 3 },
  ]);
  const good = new ProtoWriter().bytes(5, new ProtoWriter().bytes(1, pprof).finish()).finish();
  const behaviours: ((res: http.ServerResponse) => void)[] = [
    (res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(JSON.stringify({ names: [HOSTILE_STRINGS[int(HOSTILE_STRINGS.length)], 7, null], labelsSet: int(2) ? [] : 'x', profileTypes: [{ ID: HOSTILE_STRINGS[0] }] })); },
    (res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(bytes(int(300))); },
    (res) => { res.writeHead(200, { 'content-type': 'application/proto' }); res.end(bytes(int(300))); },
    (res) => { const b = Buffer.from(good); for (let k = 1 + int(6); k > 0; k--) b[int(b.length)] ^= 1 << int(8); res.writeHead(200, { 'content-type': 'application/proto' }); res.end(b); },
    (res) => { res.writeHead(200 + int(400), { 'content-type': 'application/json' }); res.end(JSON.stringify({ code: 'x', message: HOSTILE_STRINGS[int(HOSTILE_STRINGS.length)] })); },
    (res) => { res.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' }); res.end('{"names":['); },
    (res) => { res.socket?.destroy(); }, // reset
    (res) => { res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' }); res.write('{'); }, // stall
    (res) => { // slow drip
      res.writeHead(200, { 'content-type': 'application/json' });
      const t = setInterval(() => (res.writableEnded ? clearInterval(t) : res.write(' ')), 20);
      res.on('close', () => clearInterval(t));
    },
    (res) => { res.writeHead(200, { 'content-type': 'application/proto', 'content-length': String(1 << 30) }); res.write(bytes(1024)); }, // huge announced
    (res) => { res.writeHead(200, { 'content-type': 'application/proto' }); for (let k = 0; k < 40; k++) res.write(Buffer.alloc(4096, 0x41)); res.end(); }, // huge chunked
    (res) => { res.writeHead([301, 302, 307, 308][int(4)], { location: ['/loop', 'http://[::1', 'ftp://x/', '//127.0.0.1:1/x', ''][int(5)] }); res.end(); },
    (res) => { res.writeHead(200, { 'content-type': 'text/html' }); res.end('<html><script>alert(1)</script>'); },
    (res) => { res.writeHead(200, { 'content-type': 'application/proto' }); res.end(Buffer.from(good)); },
  ];
  const server = await startLocalServer((_req, res) => behaviours[int(behaviours.length)](res));
  const deadline = Date.now() + SECONDS * 1000;
  try {
    for (let i = 0; i < CASES && Date.now() < deadline; i++) {
      const calls = fuzzClientCalls(server.url, 'fuzz-secret-token');
      const t0 = performance.now();
      let timer: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([
        calls[i % calls.length]().then(() => 'ok', (e: unknown) => {
          if (e instanceof BackendError) {
            if (/fuzz-secret-token/.test(e.message)) report.crashes.push(`case ${i}: the token appears in an error message`);
            return e.code;
          }
          report.crashes.push(`case ${i}: ${(e as Error)?.stack?.split('\n').slice(0, 3).join(' | ')}`);
          return 'crash';
        }),
        new Promise<string>((resolve) => (timer = setTimeout(() => resolve('hang'), HANG_MS))),
      ]);
      clearTimeout(timer);
      if (outcome === 'hang') report.hangs.push(i);
      if (outcome === 'too-large') report.capsTripped++;
      report.cases++;
      count(report, outcome);
      report.slowestMs = Math.max(report.slowestMs, performance.now() - t0);
    }
  } finally {
    await server.close();
  }
  return report;
}

async function main(): Promise<void> {
  const t0 = Date.now();
  console.log(`fuzz: seed 0x${SEED.toString(16)}, up to ${CASES} cases and ${SECONDS} s per format, hang = no result in ${HANG_MS / 1000} s`);
  const reports: Report[] = [];
  for (const f of FORMATS) reports.push(await fuzzDecoder(f));
  reports.push(await fuzzSourceMaps());
  reports.push(await fuzzBackend());
  console.log('');
  console.log(`${'format'.padEnd(12)} ${'cases'.padStart(6)} ${'crashes'.padStart(7)} ${'hangs'.padStart(5)} ${'caps'.padStart(5)} ${'slowest'.padStart(9)}  heap (worker, after GC)  outcomes`);
  let bad = 0;
  for (const r of reports) {
    bad += r.crashes.length + r.hangs.length;
    const outcomes = [...r.outcomes].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ');
    console.log(`${r.format.padEnd(12)} ${String(r.cases).padStart(6)} ${String(r.crashes.length).padStart(7)} ${String(r.hangs.length).padStart(5)} ${String(r.capsTripped).padStart(5)} ${`${r.slowestMs.toFixed(0)} ms`.padStart(9)}  ${(r.heapGrowth ?? '-').padEnd(23)}  ${outcomes}`);
    for (const c of r.crashes.slice(0, 5)) console.log(`  crash ${c}`);
    for (const h of r.hangs.slice(0, 5)) console.log(`  hang on case ${h}`);
  }
  console.log(`\ncaps: decoders count 'too-large' (inflation cap, stack-expansion cap, table caps), source-map counts reads refused outside the workspace, backend counts the response-size cap.`);
  console.log(`total ${reports.reduce((a, r) => a + r.cases, 0)} cases in ${((Date.now() - t0) / 1000).toFixed(0)} s; ${bad === 0 ? 'no crash, no hang' : `${bad} crashes/hangs`}`);
  process.exitCode = bad === 0 ? 0 : 1;
}

void main();
