/**
 * Synthetic but realistic pprof CPU profiles for the bench: thousands of functions in hundreds of
 * files, a call graph with Zipf-skewed callee choice, stacks 20–80 deep made of a shared hot prefix
 * and a random tail, ~15% of locations with inlined frames, span/endpoint labels. Written with a
 * small protobuf writer (pprof-format would need an object per sample). Deterministic (seeded).
 */
import { gzipSync } from 'node:zlib';
import { prng as rng } from '../test/support/prng';

class Writer {
  buf: Buffer;
  pos = 0;
  constructor(size = 256) {
    this.buf = Buffer.allocUnsafe(size);
  }
  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const b = Buffer.alloc(size);
    this.buf.copy(b, 0, 0, this.pos);
    this.buf = b;
  }
  varint(v: number): void {
    this.ensure(10);
    if (v < 0) {
      // two's complement, 10 bytes
      let lo = v >>> 0;
      let hi = Math.floor(v / 4294967296) >>> 0;
      for (let i = 0; i < 9; i++) {
        this.buf[this.pos++] = (lo & 0x7f) | 0x80;
        lo = (lo >>> 7) | ((hi & 0x7f) << 25);
        hi >>>= 7;
      }
      this.buf[this.pos++] = lo & 1;
      return;
    }
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
  }
  tag(field: number, wt: number): void {
    this.varint(field * 8 + wt);
  }
  bytes(field: number, b: Uint8Array): void {
    this.tag(field, 2);
    this.varint(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  /** writes a nested message built by `fn` */
  msg(field: number, fn: (w: Writer) => void): void {
    const inner = new Writer();
    fn(inner);
    this.bytes(field, inner.buf.subarray(0, inner.pos));
  }
  raw(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
}


/** Zipf-like pick in [0, n): index ~ n^u skewed toward 0. */
function zipf(r: () => number, n: number, s = 1.2): number {
  const u = r();
  return Math.min(n - 1, Math.floor(Math.pow(n + 1, Math.pow(u, s)) - 1));
}

export interface GenOptions {
  samples: number;
  functions: number;
  files: number;
  seed?: number;
  /** added to every location id (default 0): tests use it to get 3-byte and sparse ids */
  locationIdBase?: number;
}

export function generatePprof(o: GenOptions): Buffer {
  const r = rng(o.seed ?? 42);
  const strings: string[] = [''];
  const sid = new Map<string, number>([['', 0]]);
  const str = (s: string): number => {
    let id = sid.get(s);
    if (id === undefined) {
      id = strings.length;
      strings.push(s);
      sid.set(s, id);
    }
    return id;
  };
  const files: number[] = [];
  for (let f = 0; f < o.files; f++) files.push(str(`/go/src/github.com/acme/shop/internal/pkg${f % 97}/mod${f}/file${f}.go`));
  // functions: file, start line, number of lines
  const fnFile: number[] = [], fnStart: number[] = [], fnLen: number[] = [], fnName: number[] = [];
  for (let i = 0; i < o.functions; i++) {
    const f = zipf(r, o.files, 1.05);
    fnFile.push(f);
    fnStart.push(10 + Math.floor(r() * 900));
    fnLen.push(5 + Math.floor(r() * 120));
    fnName.push(str(`github.com/acme/shop/internal/pkg${f % 97}.(*T${i % 53}).Method${i}`));
  }
  // call graph: callees drawn Zipf-skewed among all functions (hot helpers everywhere)
  const callees: number[][] = [];
  for (let i = 0; i < o.functions; i++) {
    const n = 2 + Math.floor(r() * 7);
    const c: number[] = [];
    for (let k = 0; k < n; k++) c.push(zipf(r, o.functions, 1.1));
    callees.push(c);
  }
  // locations: (function, line) call sites; some with inlined callees (2–3 Lines, innermost first)
  const locLines: number[][] = []; // flat [fn, line, fn, line, ...]
  const idBase = o.locationIdBase ?? 0;
  const locOfSite = new Map<number, number>();
  const locFor = (fn: number, line: number, pc = 0): number => {
    const key = (fn * 100000 + line) * 16 + pc;
    let id = locOfSite.get(key);
    if (id === undefined) {
      id = locLines.length + 1 + idBase;
      const lines = [fn, line];
      if (r() < 0.15) {
        // an inlined helper called at this site: its line comes first (innermost)
        const h = zipf(r, o.functions, 1.3);
        lines.unshift(h, fnStart[h] + 1 + Math.floor(r() * fnLen[h]));
        if (r() < 0.3) {
          const h2 = zipf(r, o.functions, 1.3);
          lines.unshift(h2, fnStart[h2] + 1 + Math.floor(r() * fnLen[h2]));
        }
      }
      locLines.push(lines);
      locOfSite.set(key, id);
    }
    return id;
  };
  /** the sampled line of a leaf: Zipf-hot lines within the function */
  const leafSite = (fn: number): number => locFor(fn, fnStart[fn] + 1 + zipf(r, fnLen[fn], 1.5), Math.floor(r() * 12));
  /** a call site: the line in `fn` that calls `callee` (fixed per pair, as in real code) */
  const callSite = (fn: number, callee: number): number => locFor(fn, fnStart[fn] + 1 + ((fn * 7919 + callee * 104729) % fnLen[fn]));
  const walk = (from: number, depth: number, out: number[]): number => {
    let fn = from;
    for (let d = 0; d < depth; d++) {
      out.push(fn);
      const c = callees[fn];
      fn = c[zipf(r, c.length, 1.0)];
    }
    return fn;
  };
  // hot prefixes shared by many samples
  const roots = 24;
  const prefixes: number[][] = [];
  for (let p = 0; p < Math.max(200, o.samples / 40); p++) {
    const fns: number[] = [];
    walk(zipf(r, roots, 1.0), 10 + Math.floor(r() * 40), fns);
    // the tail continues with callees[last][0], so the prefix's last call site is fixed too
    prefixes.push(fns.map((fn, k) => callSite(fn, k + 1 < fns.length ? fns[k + 1] : callees[fn][0])));
  }
  const w = new Writer(1 << 24);
  const cpu = str('cpu'), ns = str('nanoseconds'), samplesS = str('samples'), count = str('count');
  w.msg(1, (m) => { m.tag(1, 0); m.varint(samplesS); m.tag(2, 0); m.varint(count); });
  w.msg(1, (m) => { m.tag(1, 0); m.varint(cpu); m.tag(2, 0); m.varint(ns); });
  const threadKey = str('thread_id'), spanKey = str('span_id'), traceKey = str('trace_id'), endpointKey = str('endpoint');
  const endpoints = Array.from({ length: 12 }, (_, i) => str(`/api/v1/resource${i}`));
  const ids: number[] = [];
  for (let s = 0; s < o.samples; s++) {
    ids.length = 0;
    const prefix = prefixes[zipf(r, prefixes.length, 1.1)];
    const target = 20 + Math.floor(r() * 61);
    const tailDepth = Math.max(1, target - prefix.length);
    const tail: number[] = [];
    // continue from a callee of the prefix's last function
    const lastFn = locLines[prefix[prefix.length - 1] - 1 - idBase].at(-2)!;
    walk(callees[lastFn][0], tailDepth, tail);
    // leaf first
    for (let i = tail.length - 1; i >= 0; i--) ids.push(i === tail.length - 1 ? leafSite(tail[i]) : callSite(tail[i], tail[i + 1]));
    for (let i = prefix.length - 1; i >= 0; i--) ids.push(prefix[i]);
    const n = 1 + zipf(r, 50, 1.5);
    w.msg(2, (m) => {
      m.tag(1, 2);
      const packed = new Writer();
      for (const id of ids) packed.varint(id);
      m.varint(packed.pos);
      m.raw(packed.buf.subarray(0, packed.pos));
      m.tag(2, 2);
      const vals = new Writer();
      vals.varint(n);
      vals.varint(n * 10_000_000 + Math.floor(r() * 2_000_000)); // wall-clock jitter
      m.varint(vals.pos);
      m.raw(vals.buf.subarray(0, vals.pos));
      m.msg(3, (l) => { l.tag(1, 0); l.varint(endpointKey); l.tag(2, 0); l.varint(endpoints[zipf(r, endpoints.length)]); });
      m.msg(3, (l) => { l.tag(1, 0); l.varint(threadKey); l.tag(3, 0); l.varint(Math.floor(r() * 2 ** 22)); });
      // span/trace ids as attached by tracing-aware profilers: mostly unique per sample
      const span = str(Math.floor(r() * 2 ** 52).toString(16).padStart(16, '0'));
      m.msg(3, (l) => { l.tag(1, 0); l.varint(spanKey); l.tag(2, 0); l.varint(span); });
      if (r() < 0.5) {
        const trace = str(Math.floor(r() * 2 ** 52).toString(16).padStart(16, '0') + Math.floor(r() * 2 ** 52).toString(16).padStart(16, '0'));
        m.msg(3, (l) => { l.tag(1, 0); l.varint(traceKey); l.tag(2, 0); l.varint(trace); });
      }
    });
  }
  for (let i = 0; i < locLines.length; i++) {
    const lines = locLines[i];
    w.msg(4, (m) => {
      m.tag(1, 0);
      m.varint(i + 1 + idBase);
      m.tag(3, 0);
      m.varint(0x400000 + i * 16);
      for (let k = 0; k < lines.length; k += 2) {
        m.msg(4, (l) => { l.tag(1, 0); l.varint(lines[k] + 1); l.tag(2, 0); l.varint(lines[k + 1]); });
      }
    });
  }
  for (let i = 0; i < o.functions; i++) {
    w.msg(5, (m) => {
      m.tag(1, 0); m.varint(i + 1);
      m.tag(2, 0); m.varint(fnName[i]);
      m.tag(3, 0); m.varint(fnName[i]);
      m.tag(4, 0); m.varint(files[fnFile[i]]);
      m.tag(5, 0); m.varint(fnStart[i]);
    });
  }
  for (const s of strings) w.bytes(6, Buffer.from(s, 'utf8'));
  w.tag(9, 0); w.varint(Date.UTC(2026, 0, 1) * 1e6);
  w.tag(10, 0); w.varint(60e9);
  w.msg(11, (m) => { m.tag(1, 0); m.varint(cpu); m.tag(2, 0); m.varint(ns); });
  w.tag(12, 0); w.varint(10_000_000);
  return gzipSync(w.buf.subarray(0, w.pos), { level: 6 });
}
