/**
 * V8 profiles written by a real `node --cpu-prof` / `node --heap-prof` run of a small workload
 * (made in the test setup), checked against the profile's own numbers: time from samples +
 * timeDeltas, per-function self/total from the node tree, per-line self from positionTicks.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createInProcessEngine } from '../../../src/core/inProcessEngine';
import type { ProfileIndex } from '../../../src/core/model';

const WORKLOAD = `
function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
function hashStrings(n) {
  let h = 0;
  for (let i = 0; i < n; i++) {
    const s = 'k' + i;
    for (let j = 0; j < s.length; j++) h = (h * 31 + s.charCodeAt(j)) | 0;
  }
  return h;
}
function allocate(n) {
  const out = [];
  for (let i = 0; i < n; i++) out.push({ i, s: 'v' + i, a: new Array(16).fill(i) });
  return out;
}
const keep = (globalThis.keep = []);
const end = Date.now() + 600;
let acc = 0;
while (Date.now() < end) {
  acc += fib(22);
  acc += hashStrings(20000);
  acc += allocate(5000).length;
  keep.push(allocate(500));
  keep.push(new Array(1000).fill(acc));
}
console.log(acc > 0 ? 'ok' : 'no', keep.length);
`;

interface CpuNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
  positionTicks?: { line: number; ticks: number }[];
}

let dir: string;
let cpuFile: string;
let heapFile: string;

before(function () {
  this.timeout(60000);
  dir = mkdtempSync(path.join(tmpdir(), 'profile-lens-v8-'));
  const script = path.join(dir, 'work.js');
  writeFileSync(script, WORKLOAD);
  execFileSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '200', script], { cwd: dir });
  execFileSync(process.execPath, ['--heap-prof', '--heap-prof-dir', dir, '--heap-prof-interval', '4096', script], { cwd: dir });
  cpuFile = path.join(dir, readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))!);
  heapFile = path.join(dir, readdirSync(dir).find((f) => f.endsWith('.heapprofile'))!);
});

after(() => rmSync(dir, { recursive: true, force: true }));

async function load(file: string): Promise<ProfileIndex> {
  const r = await createInProcessEngine().load(readFileSync(file), { roots: [], pathMappings: [] });
  return r.index;
}

const fnKey = (name: string, url: string, line1: number) => `${name || '(anonymous)'}|${url.replace(/^file:\/\//, '')}|${line1}`;

function ourFunctions(index: ProfileIndex, t: number) {
  const T = index.sampleTypes.length;
  const F = index.functions;
  const m = new Map<string, { self: number; total: number }>();
  for (let f = 0; f < F.count; f++) {
    const file = F.file[f] >= 0 ? index.files[F.file[f]].profilePath : F.profileFile?.[f] ? index.strings[F.profileFile[f]] : '';
    m.set(`${index.strings[F.name[f]]}|${file}|${F.startLine[f]}`, { self: F.self[f * T + t], total: F.total[f * T + t] });
  }
  return m;
}

describe('node --cpu-prof .cpuprofile', () => {
  it('time comes from samples + timeDeltas; per-function self and total (counted once) match the node tree', async () => {
    const j = JSON.parse(readFileSync(cpuFile, 'utf8')) as { nodes: CpuNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };
    const index = await load(cpuFile);
    assert.deepEqual(index.sampleTypes.map((s) => `${s.type}/${s.unit}`), ['samples/count', 'cpu/nanoseconds']);
    // independent reference from the JSON
    const ts: number[] = [];
    let t = j.startTime;
    for (const d of j.timeDeltas) ts.push((t += d));
    const dur = ts.map((x, i) => (i + 1 < ts.length ? ts[i + 1] - x : Math.max(0, j.endTime - x)) * 1000);
    const byId = new Map(j.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of j.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const expected = new Map<string, { self: number; total: number; selfNs: number }>();
    const get = (k: string) => expected.get(k) ?? (expected.set(k, { self: 0, total: 0, selfNs: 0 }), expected.get(k)!);
    j.samples.forEach((id, i) => {
      const n = byId.get(id)!;
      const cf = n.callFrame;
      const e = get(fnKey(cf.functionName, cf.url, cf.lineNumber + 1));
      e.self++;
      e.selfNs += dur[i];
      const seen = new Set<string>();
      for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
        const c = byId.get(cur)!.callFrame;
        if (parent.get(cur) === undefined && c.functionName === '(root)') break;
        const k = fnKey(c.functionName, c.url, c.lineNumber + 1);
        if (!seen.has(k)) {
          seen.add(k);
          get(k).total++;
        }
      }
    });
    assert.equal(index.totals[0], j.samples.length);
    assert.ok(Math.abs(index.totals[1] - dur.reduce((a, b) => a + b, 0)) < 1e-3);
    const ours = ourFunctions(index, 0);
    const oursNs = ourFunctions(index, 1);
    let fib = false;
    for (const [k, e] of expected) {
      const o = ours.get(k);
      assert.ok(o, `function ${k} is in the index`);
      assert.equal(o.self, e.self, `self samples of ${k}`);
      assert.equal(o.total, e.total, `total samples of ${k}`);
      assert.ok(Math.abs(oursNs.get(k)!.self - e.selfNs) < 1e-3, `self time of ${k}`);
      if (k.startsWith('fib|')) fib = true;
    }
    assert.ok(fib, 'the recursive fib was sampled');
  });

  it('positionTicks (1-based) give the sampled lines; callFrame (0-based) gives the function start', async () => {
    const j = JSON.parse(readFileSync(cpuFile, 'utf8')) as { nodes: CpuNode[]; samples: number[] };
    const index = await load(cpuFile);
    const T = index.sampleTypes.length;
    const counts = new Map<number, number>();
    for (const id of j.samples) counts.set(id, (counts.get(id) ?? 0) + 1);
    // lines hit per url, from nodes whose ticks account for exactly their samples
    const expected = new Map<string, number>();
    for (const n of j.nodes) {
      const ticks = n.positionTicks ?? [];
      const sum = ticks.reduce((a, p) => a + p.ticks, 0);
      if (sum === 0 || sum !== counts.get(n.id)) continue;
      for (const p of ticks) {
        const k = `${n.callFrame.url.replace(/^file:\/\//, '')}:${p.line}`;
        expected.set(k, (expected.get(k) ?? 0) + p.ticks);
      }
    }
    assert.ok(expected.size > 3, 'the workload has ticked lines');
    const L = index.lines;
    const ours = new Map<string, number>();
    for (let r = 0; r < L.count; r++) {
      const file = L.file[r] >= 0 ? index.files[L.file[r]].profilePath : L.profileFile?.[r] ? index.strings[L.profileFile[r]] : '';
      ours.set(`${file}:${L.line[r]}`, L.self[r * T + 0]);
    }
    let checked = 0;
    for (const [k, v] of expected) {
      if (!k.endsWith('work.js:' + k.split(':').pop())) continue;
      assert.ok((ours.get(k) ?? 0) >= v, `line ${k}: ${ours.get(k)} ≥ ${v} ticks`);
      checked++;
    }
    assert.ok(checked > 3);
    // fib's start: V8 callFrame lineNumber 1 (0-based) → our start line 2
    const F = index.functions;
    const fib = [...Array(F.count).keys()].find((f) => index.strings[F.name[f]] === 'fib')!;
    assert.equal(F.startLine[fib], 2);
  });
});

describe('node --heap-prof .heapprofile', () => {
  it('per-function sampled bytes and counts match the profile samples', async () => {
    interface HNode { id: number; callFrame: CpuNode['callFrame']; selfSize: number; children: HNode[] }
    const j = JSON.parse(readFileSync(heapFile, 'utf8')) as { head: HNode; samples: { size: number; nodeId: number }[] };
    const index = await load(heapFile);
    assert.deepEqual(index.sampleTypes.map((s) => s.type), ['inuse_objects', 'inuse_space']);
    // reference: bytes = selfSize per node (what DevTools shows); objects = samples on nodes in the tree
    const nodeFn = new Map<number, string>();
    const liveNodes = new Set<number>();
    const expected = new Map<string, { count: number; bytes: number }>();
    const walk = (n: HNode) => {
      const k = fnKey(n.callFrame.functionName, n.callFrame.url, n.callFrame.lineNumber + 1);
      nodeFn.set(n.id, k);
      if (n.selfSize > 0) {
        liveNodes.add(n.id);
        const e = expected.get(k) ?? { count: 0, bytes: 0 };
        e.bytes += n.selfSize;
        expected.set(k, e);
      }
      n.children.forEach(walk);
    };
    walk(j.head);
    for (const s of j.samples) if (liveNodes.has(s.nodeId)) expected.get(nodeFn.get(s.nodeId)!)!.count++;
    let selfSum = 0;
    for (const e of expected.values()) selfSum += e.bytes;
    assert.equal(index.totals[1], selfSum);
    const objs = ourFunctions(index, 0);
    const bytes = ourFunctions(index, 1);
    for (const [k, e] of expected) {
      assert.equal(bytes.get(k)?.self, e.bytes, `bytes of ${k}`);
      assert.equal(objs.get(k)?.self, e.count, `objects of ${k}`);
    }
    assert.ok([...expected.keys()].some((k) => k.startsWith('allocate|')), 'allocate was sampled');
  });
});

describe('collapsed stacks', () => {
  it('"a;b;c 42" lines become stacks with counts', async () => {
    const r = await createInProcessEngine().load(Buffer.from('main;parse;lex 30\nmain;parse 10\nmain;eval;eval;eval 5\n# comment\n'), { roots: [], pathMappings: [] });
    const ix = r.index;
    assert.equal(ix.totals[0], 45);
    const F = ix.functions;
    const get = (n: string) => [...Array(F.count).keys()].find((f) => ix.strings[F.name[f]] === n)!;
    assert.equal(F.total[get('parse')], 40);
    assert.equal(F.self[get('lex')], 30);
    assert.equal(F.total[get('eval')], 5, 'recursion counted once');
    assert.equal(F.total[get('main')], 45);
  });
});
