/**
 * Deterministic mutants of real profiles for `npm run fuzz`: byte-level damage (flips, truncation,
 * splices, varint 0xff runs), structural damage through pprof-format / JSON (dangling and negative
 * ids, cycles, huge counts, deep stacks, wrong types), hostile strings, and random low inflation
 * caps so the gzip cap trips on real data.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Location, Profile, Sample } from 'pprof-format';

export type FuzzFormat = 'pprof-gz' | 'pprof-raw' | 'cpuprofile' | 'heapprofile' | 'collapsed';
export const FORMATS: FuzzFormat[] = ['pprof-gz', 'pprof-raw', 'cpuprofile', 'heapprofile', 'collapsed'];

const FIX = path.resolve(__dirname, '../fixtures');
const read = (p: string) => readFileSync(path.join(FIX, p));

export const HOSTILE_STRINGS = [
  '**bold** [link](command:workbench.action.terminal.new) `code`',
  '<img src=x onerror=alert(1)><script>alert(1)</script>',
  '[x](command:profileLens.openLocation?%7B%22path%22%3A%22%2Fetc%2Fpasswd%22%7D)',
  'a\u0000b\u001b[31mred\u001b[0m\r\n\u2028\u202e',
  '../../../../etc/passwd',
  '/etc/passwd',
  'file:///etc/shadow',
  'x'.repeat(100_000),
  '\ud800\udfff\ud800',
  '',
];

let cache: Record<FuzzFormat, Uint8Array[]> | undefined;
function sources(): Record<FuzzFormat, Uint8Array[]> {
  if (cache) return cache;
  const gz = ['go/cpu.pb.gz', 'go/heap.pb.gz', 'node/profiles/bundle-time-lines.pb.gz', 'node/profiles/bundle-heap.pb.gz', 'node/profiles/lib-time-default.pb.gz', 'compare/baseline.pb.gz'].map(read);
  const collapsed = Buffer.from(
    [
      'main;net/http.(*conn).serve;handler;json.Marshal;reflect.Value.Field 120',
      'main;net/http.(*conn).serve;handler;db.Query 340',
      'main;runtime.gcBgMarkWorker;runtime.scanobject 55',
      'main;handler;handler;handler;recurse 12',
      'node:internal/main;app.js:run;lib/matrix.js:multiply 901',
    ].join('\n') + '\n',
  );
  cache = {
    'pprof-gz': gz,
    'pprof-raw': gz.map((b) => gunzipSync(b)),
    cpuprofile: [read('node/profiles/bundle.cpuprofile')],
    heapprofile: [read('node/profiles/bundle.heapprofile')],
    collapsed: [collapsed],
  };
  return cache;
}

function byteMutate(src: Uint8Array, r: () => number): Uint8Array {
  const int = (n: number) => Math.floor(r() * n);
  let b = Buffer.from(src);
  for (let rounds = 1 + int(3); rounds > 0; rounds--) {
    if (b.length === 0) return b;
    switch (int(7)) {
      case 0: for (let k = 1 + int(8); k > 0; k--) b[int(b.length)] ^= 1 << int(8); break;
      case 1: b = b.subarray(0, int(b.length)); break;
      case 2: for (let k = 1 + int(4); k > 0; k--) b[int(b.length)] = int(256); break;
      case 3: { const a = int(b.length); b = Buffer.concat([b.subarray(0, a), b.subarray(a, a + int(256)), b.subarray(a)]); break; }
      case 4: { const a = int(b.length); b = Buffer.concat([b.subarray(0, a), b.subarray(a + 1 + int(32))]); break; }
      case 5: { const a = int(b.length); b.fill(0xff, a, a + 1 + int(10)); break; }
      default: { const a = int(b.length); b = Buffer.concat([b.subarray(0, a), Buffer.from([0xc3, 0x28, 0xed, 0xa0, 0x80, 0x00, 0x1b]), b.subarray(a)]); break; }
    }
  }
  return b;
}

function pprofStructural(raw: Uint8Array, r: () => number): Uint8Array {
  const int = (n: number) => Math.floor(r() * n);
  const pick = <T>(xs: T[]): T => xs[int(xs.length)];
  const p = Profile.decode(raw);
  const strings = p.stringTable.strings;
  for (let rounds = 1 + int(3); rounds > 0; rounds--) {
    switch (int(9)) {
      case 0: // hostile strings everywhere
        for (let k = 1 + int(6); k > 0; k--) strings[1 + int(Math.max(1, strings.length - 1))] = pick(HOSTILE_STRINGS);
        break;
      case 1: // dangling / negative ids
        for (const s of p.sample) if (r() < 0.2) s.locationId[int(s.locationId.length || 1)] = pick([0, -1, 1e6, 2 ** 40]);
        break;
      case 2: // function references outside the function table, string ids outside the table
        for (const l of p.location) for (const line of l.line) if (r() < 0.3) line.functionId = pick([0, 99999, -5]);
        for (const f of p.function) if (r() < 0.3) f.name = pick([strings.length + 5, -1, 2 ** 31]);
        break;
      case 3: { // a very deep stack (recursion)
        const s = p.sample[int(p.sample.length)];
        if (s) s.locationId = Array.from({ length: 1000 + int(50_000) }, (_, i) => s.locationId[i % Math.max(1, s.locationId.length)] ?? 1);
        break;
      }
      case 4: // values: huge, negative, NaN-ish, missing
        for (const s of p.sample) if (r() < 0.3) s.value = s.value.map(() => pick<number | bigint>([0, -1, 2 ** 53, Number.MAX_SAFE_INTEGER, 7]));
        break;
      case 5: // many samples
        for (let k = int(20_000); k > 0; k--) p.sample.push(new Sample({ locationId: [1 + int(p.location.length)], value: p.sampleType.map(() => 1) }));
        break;
      case 6: // sample types / default type out of range
        p.defaultSampleType = pick([0, 99, -1]);
        if (r() < 0.3) p.sampleType = [];
        break;
      case 7: // duplicate location ids, location with no lines
        p.location.push(new Location({ id: p.location[0]?.id ?? 1, line: [] }));
        break;
      default: // drop a table
        if (r() < 0.5) p.function = []; else p.location = p.location.slice(0, int(p.location.length));
    }
  }
  return p.encode();
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function randomJson(r: () => number, depth = 0): Json {
  const int = (n: number) => Math.floor(r() * n);
  switch (int(depth > 2 ? 6 : 8)) {
    case 0: return null;
    case 1: return [0, -1, 1, 1e308, -1e308, 2 ** 53, 0.5, 1e9][int(8)];
    case 2: return HOSTILE_STRINGS[int(HOSTILE_STRINGS.length)];
    case 3: return r() < 0.5;
    case 4: return int(100);
    case 5: return 'x';
    case 6: return Array.from({ length: int(5) }, () => randomJson(r, depth + 1));
    default: return Object.fromEntries(['id', 'children', 'callFrame', 'selfSize', 'functionName', 'url', 'lineNumber'].filter(() => r() < 0.4).map((k) => [k, randomJson(r, depth + 1)]));
  }
}

/** Visits every container in a JSON value and lets `f` edit one picked at random. */
function jsonStructural(text: Uint8Array, r: () => number): Uint8Array {
  const int = (n: number) => Math.floor(r() * n);
  const root = JSON.parse(Buffer.from(text).toString('utf8')) as Json;
  const containers: (Json[] | { [k: string]: Json })[] = [];
  const walk = (v: Json) => {
    if (v && typeof v === 'object') {
      containers.push(v);
      for (const c of Array.isArray(v) ? v : Object.values(v)) walk(c);
    }
  };
  walk(root);
  for (let rounds = 1 + int(6); rounds > 0; rounds--) {
    const c = containers[int(containers.length)];
    const keys = Array.isArray(c) ? c.map((_, i) => i) : Object.keys(c);
    if (keys.length === 0) continue;
    const k = keys[int(keys.length)];
    const op = int(5);
    if (op === 0) { if (Array.isArray(c)) c.splice(k as number, 1); else delete c[k as string]; }
    else if (op === 1 && Array.isArray(c)) c.push(...Array.from({ length: int(3000) }, () => c[int(c.length)] ?? 1));
    else (c as Record<string | number, Json>)[k] = randomJson(r);
  }
  // cycles and self references in V8 trees
  const o = root as { nodes?: { id: number; children?: number[] }[]; head?: { children?: Json[] } };
  if (r() < 0.2 && Array.isArray(o.nodes) && o.nodes.length > 1) {
    const n = o.nodes[int(o.nodes.length)];
    if (n && typeof n === 'object') n.children = [n.id, o.nodes[0]?.id ?? 1];
  }
  if (r() < 0.1 && o.head && typeof o.head === 'object' && Array.isArray(o.head.children)) o.head.children.push(o.head as unknown as Json);
  return Buffer.from(JSON.stringify(root, (_k, v: unknown) => v, 0) ?? 'null');
}

function collapsedMutate(src: Uint8Array, r: () => number): Uint8Array {
  const int = (n: number) => Math.floor(r() * n);
  const lines = Buffer.from(src).toString('utf8').split('\n');
  for (let rounds = 1 + int(4); rounds > 0; rounds--) {
    const i = int(lines.length);
    switch (int(6)) {
      case 0: lines[i] = `${HOSTILE_STRINGS[int(HOSTILE_STRINGS.length)]};x ${int(100)}`; break;
      case 1: lines[i] = `${lines[i] ?? 'a'}`.replace(/\d+$/, String([-1, 0, 1e308, 2 ** 64, 'NaN', '1e400', ''][int(7)])); break;
      case 2: lines[i] = Array.from({ length: 1 + int(20_000) }, (_, k) => `f${k % 50}`).join(';') + ' 1'; break;
      case 3: lines.splice(i, 0, ...Array.from({ length: int(5000) }, (_, k) => `a;b${k};c ${k}`)); break;
      case 4: lines[i] = ';;; 3'; break;
      default: lines[i] = `${lines[i] ?? ''}\u0000\u001b`; break;
    }
  }
  return Buffer.from(lines.join('\n'));
}

export function mutantFor(format: FuzzFormat, r: () => number): { bytes: Uint8Array; maxInflatedBytes?: number } {
  const srcs = sources()[format];
  const src = srcs[Math.floor(r() * srcs.length)];
  const structural = r() < 0.5;
  let bytes: Uint8Array;
  let maxInflatedBytes: number | undefined;
  try {
    switch (format) {
      case 'pprof-gz': {
        const mode = r();
        if (mode < 0.35) bytes = gzipSync(pprofStructural(gunzipSync(src), r));
        else if (mode < 0.7) bytes = byteMutate(src, r); // damage to the gzip stream itself
        else bytes = gzipSync(byteMutate(gunzipSync(src), r));
        // now and then a low inflation cap, so the cap trips on real data (as a gzip bomb would)
        if (r() < 0.1) maxInflatedBytes = 256 + Math.floor(r() * 16_384);
        break;
      }
      case 'pprof-raw': bytes = structural ? pprofStructural(src, r) : byteMutate(src, r); break;
      case 'cpuprofile':
      case 'heapprofile': bytes = structural ? jsonStructural(src, r) : byteMutate(src, r); break;
      default: bytes = structural ? collapsedMutate(src, r) : byteMutate(src, r); break;
    }
  } catch {
    // the structural mutator itself could not re-encode: fall back to byte damage
    bytes = byteMutate(src, r);
  }
  return { bytes, maxInflatedBytes };
}
