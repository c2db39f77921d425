/**
 * Bad input gives a typed EngineError with a clear message, never another exception or a hang:
 * bad gzip, gzip bomb (inflation cap), truncated/corrupt protobuf, wrong format, dangling ids,
 * empty profiles — and a deterministic mutation fuzz over real profiles.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Function as PFunction, Line, Location, Profile, Sample, StringTable, ValueType } from 'pprof-format';
import { decodePprof } from '../../../src/core/decode/decodePprof';
import { decodeProfile } from '../../../src/core/decode/decodeProfile';
import { EngineError, type EngineErrorCode } from '../../../src/core/engine';
import { buildIndex } from '../../../src/core/index/buildIndex';
import { buildFlameTree } from '../../../src/core/index/flameTree';
import type { RawProfile } from '../../../src/core/model';
import type { SymbolizeResult } from '../../../src/core/symbolize/symbolize';
import { prng as rng } from '../../support/prng';

const GO = path.join(__dirname, '../../fixtures/go');

function expectCode(fn: () => unknown, code: EngineErrorCode, message?: RegExp): EngineError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof EngineError, `expected EngineError(${code}), got ${(e as Error)?.stack}`);
    assert.equal(e.code, code, e.message);
    if (message) assert.match(e.message, message);
    return e;
  }
  assert.fail(`expected EngineError(${code}), got a result`);
}

/** Identity symbolization (no files resolved), so index building can run without the file system. */
function plainSymbols(raw: RawProfile): SymbolizeResult {
  const n = raw.frames.count;
  return {
    symbols: {
      file: new Int32Array(n).fill(-1),
      line: raw.frames.line.slice(),
      column: raw.frames.column.slice(),
      startLine: raw.frames.startLine.slice(),
      name: raw.frames.name.slice(),
      kind: raw.frames.kind.slice(),
      candidates: new Map(),
    },
    files: [],
    unresolved: [],
  };
}

/** A small valid pprof built with pprof-format: main → work → leaf, 2 samples. */
function smallProfile(edit?: (p: Profile, st: StringTable) => void): Uint8Array {
  const st = new StringTable();
  const fn = (id: number, name: string) => new PFunction({ id, name: st.dedup(name), filename: st.dedup('/app/main.go'), startLine: id * 10 });
  const loc = (id: number, fnId: number, line: number) => new Location({ id, line: [new Line({ functionId: fnId, line })] });
  const p = new Profile({
    sampleType: [new ValueType({ type: st.dedup('samples'), unit: st.dedup('count') }), new ValueType({ type: st.dedup('cpu'), unit: st.dedup('nanoseconds') })],
    function: [fn(1, 'main'), fn(2, 'work'), fn(3, 'leaf')],
    location: [loc(1, 1, 12), loc(2, 2, 22), loc(3, 3, 31)],
    sample: [new Sample({ locationId: [3, 2, 1], value: [1, 10] }), new Sample({ locationId: [2, 1], value: [2, 20] })],
    stringTable: st,
  });
  edit?.(p, st);
  return p.encode();
}

describe('decode errors are typed', () => {
  it('a valid small profile decodes', () => {
    const raw = decodeProfile(smallProfile());
    assert.equal(raw.samples.count, 2);
    assert.deepEqual(Array.from(raw.samples.values), [1, 10, 2, 20]);
  });

  it('the string table: ASCII, multi-byte UTF-8, invalid UTF-8 and long strings decode as pprof-format decodes them', () => {
    const names = Array.from({ length: 300 }, (_, i) =>
      i % 7 === 0 ? `café_${i}` : i % 11 === 0 ? `日本語の関数${i}` : i % 13 === 0 ? `emoji🙂${i}` : i % 17 === 0 ? `long_${'x'.repeat(200 + i)}` : `pkg.fn${i}`);
    const bytes = Buffer.from(smallProfile((p, st) => {
      for (const n of names) st.dedup(n);
      st.dedup('bad_utf8_marker_AAAA');
    }));
    // one string with bytes that are not UTF-8 (as a hostile or broken writer leaves them)
    const k = bytes.indexOf(Buffer.from('bad_utf8_marker_AAAA'));
    bytes[k + 16] = 0xff;
    bytes[k + 17] = 0xc3;
    const fast = decodeProfile(bytes);
    const reference = decodePprof(bytes);
    assert.deepEqual(fast.strings, reference.strings);
    for (const n of names) assert.ok(fast.strings.includes(n), n);
    assert.ok(fast.strings.some((x) => x.startsWith('bad_utf8_marker_\ufffd')));
  });

  it('empty input → empty-profile', () => expectCode(() => decodeProfile(new Uint8Array(0)), 'empty-profile'));

  it('a profile with no samples → empty-profile', () => {
    expectCode(() => decodeProfile(smallProfile((p) => (p.sample = []))), 'empty-profile', /no samples/);
  });

  it('bad gzip → bad-gzip', () => {
    const gz = gzipSync(smallProfile());
    gz[gz.length - 6] ^= 0xff; // CRC/body damage
    expectCode(() => decodeProfile(gz), 'bad-gzip');
    expectCode(() => decodeProfile(gz.subarray(0, gz.length >> 1)), 'bad-gzip');
  });

  it('gzip bomb is refused by the inflation cap (option and 512 MB default)', () => {
    const zeros = gzipSync(Buffer.alloc(4 << 20));
    expectCode(() => decodeProfile(zeros, { maxInflatedBytes: 1 << 20 }), 'too-large', /more than 1 MB/);
    // ~576 MB of zeros in 9 gzip members of 64 MB each: more than the default cap
    const member = gzipSync(Buffer.alloc(64 << 20), { level: 9 });
    const bomb = Buffer.concat(Array.from({ length: 9 }, () => member));
    assert.ok(bomb.length < 1 << 20, `bomb is small (${bomb.length} bytes)`);
    expectCode(() => decodeProfile(bomb), 'too-large', /512 MB/);
  });

  it('a small file whose stacks expand to billions of frames is refused (too-large), not an out-of-memory crash', () => {
    const bytes = smallProfile((p) => {
      p.location[0].line = Array.from({ length: 20000 }, () => new Line({ functionId: 1, line: 3 }));
      p.sample = Array.from({ length: 20000 }, () => new Sample({ locationId: [1, 1, 1, 1], value: [1, 1] }));
    });
    assert.ok(bytes.length < 1 << 20);
    expectCode(() => decodeProfile(bytes), 'too-large', /frames/);
  });

  it('truncated protobuf → corrupt-protobuf', () => {
    const bytes = smallProfile();
    expectCode(() => decodeProfile(bytes.subarray(0, bytes.length - 3)), 'corrupt-protobuf');
    const go = gunzipSync(readFileSync(path.join(GO, 'cpu.pb.gz')));
    expectCode(() => decodeProfile(go.subarray(0, Math.floor(go.length * 0.6))), 'corrupt-protobuf');
  });

  it('wrong format → unknown-format / bad-json', () => {
    expectCode(() => decodeProfile(Buffer.from('\x89PNG\r\n\x1a\n\0\0\0\rIHDR')), 'unknown-format');
    expectCode(() => decodeProfile(Buffer.from('hello world, this is not a profile\n')), 'unknown-format');
    expectCode(() => decodeProfile(Buffer.from('{"nodes": [1, 2')), 'bad-json');
    expectCode(() => decodeProfile(Buffer.from('{"some": "json"}')), 'unknown-format', /neither/);
  });

  it('.cpuprofile with wrong JSON types or dangling/cyclic node references → typed errors', () => {
    const cf = { functionName: 'f', url: 'file:///a.js', lineNumber: 1, columnNumber: 1 };
    const json = (o: unknown) => Buffer.from(JSON.stringify(o));
    expectCode(() => decodeProfile(json({ nodes: [{ id: 1, callFrame: cf, children: [2] }], samples: [1], timeDeltas: [1] })), 'bad-reference', /child 2/);
    expectCode(() => decodeProfile(json({ nodes: [{ id: 1, callFrame: cf }], samples: [9], timeDeltas: [1] })), 'bad-reference', /node 9/);
    expectCode(() => decodeProfile(json({ nodes: [{ id: 1, callFrame: cf, children: [2] }, { id: 2, callFrame: cf, children: [1] }], samples: [1], timeDeltas: [1] })), 'bad-reference', /cycle/);
    expectCode(() => decodeProfile(json({ nodes: [{ id: 'x' }], samples: [] })), 'bad-json');
    // odd types are tolerated where the meaning is clear
    const raw = decodeProfile(json({ nodes: [{ id: 1, callFrame: { functionName: 7, url: null, lineNumber: 'a' }, children: 3, positionTicks: 'no' }], samples: [1, 1], timeDeltas: ['x', 5] }));
    assert.equal(raw.samples.count, 2);
  });

  it('out-of-range location, function and string ids → bad-reference', () => {
    expectCode(() => decodeProfile(smallProfile((p) => (p.sample[0].locationId = [99]))), 'bad-reference', /location 99/);
    expectCode(() => decodeProfile(smallProfile((p) => (p.location[0].line[0].functionId = 42))), 'bad-reference', /function 42/);
    expectCode(() => decodeProfile(smallProfile((p) => (p.function[0].name = 9999))), 'bad-reference', /string 9999/);
    expectCode(() => decodeProfile(smallProfile((p) => (p.sampleType[0].type = 777))), 'bad-reference');
  });

  it('sample value count not matching the sample types → corrupt-protobuf', () => {
    expectCode(() => decodeProfile(smallProfile((p) => (p.sample[0].value = [1]))), 'corrupt-protobuf', /1 values/);
  });

  it('negative int64 values (diff profiles) decode as negative numbers', () => {
    const raw = decodeProfile(smallProfile((p) => (p.sample[0].value = [-3, -(2 ** 40)])));
    assert.deepEqual(Array.from(raw.samples.values.subarray(0, 2)), [-3, -(2 ** 40)]);
  });

  it('packed column<<32|line in Line.line is split into line and column', () => {
    const raw = decodeProfile(smallProfile((p) => (p.location[2].line[0].line = (7n << 32n) | 31n)));
    const f = raw.frames;
    const i = [...Array(f.count).keys()].find((k) => raw.strings[f.name[k]] === 'leaf')!;
    assert.equal(f.line[i], 31);
    assert.equal(f.column[i], 7);
  });
});


function mutate(src: Uint8Array, r: () => number): Uint8Array {
  const b = Buffer.from(src);
  const kind = Math.floor(r() * 6);
  switch (kind) {
    case 0: // flip bytes
      for (let k = 1 + Math.floor(r() * 8); k > 0; k--) b[Math.floor(r() * b.length)] ^= 1 << Math.floor(r() * 8);
      return b;
    case 1: // truncate
      return b.subarray(0, Math.floor(r() * b.length));
    case 2: // random byte values
      for (let k = 1 + Math.floor(r() * 4); k > 0; k--) b[Math.floor(r() * b.length)] = Math.floor(r() * 256);
      return b;
    case 3: { // duplicate a slice
      const a = Math.floor(r() * b.length);
      const n = Math.floor(r() * 64);
      return Buffer.concat([b.subarray(0, a), b.subarray(a, a + n), b.subarray(a)]);
    }
    case 4: { // delete a slice
      const a = Math.floor(r() * b.length);
      return Buffer.concat([b.subarray(0, a), b.subarray(a + 1 + Math.floor(r() * 16))]);
    }
    default: // varint-ish huge values
      b[Math.floor(r() * b.length)] = 0xff;
      b[Math.floor(r() * b.length)] = 0xff;
      return b;
  }
}

describe('mutation fuzz: typed error or valid result, never a crash or a hang', function () {
  this.timeout(120000);
  const inputs: [string, Uint8Array][] = [
    ['go cpu (raw protobuf)', gunzipSync(readFileSync(path.join(GO, 'cpu.pb.gz')))],
    ['go heap (raw protobuf)', gunzipSync(readFileSync(path.join(GO, 'heap.pb.gz')))],
    ['small pprof', smallProfile()],
    ['go cpu (gzipped)', readFileSync(path.join(GO, 'cpu.pb.gz'))],
    ['cpuprofile json', Buffer.from(JSON.stringify({
      nodes: [
        { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1, columnNumber: -1 }, children: [2] },
        { id: 2, callFrame: { functionName: 'main', url: 'file:///app/a.js', lineNumber: 3, columnNumber: 10 }, children: [3], positionTicks: [{ line: 5, ticks: 2 }] },
        { id: 3, callFrame: { functionName: 'f', url: 'file:///app/a.js', lineNumber: 9, columnNumber: 2 } },
      ],
      startTime: 0, endTime: 100, samples: [2, 3, 2, 3], timeDeltas: [10, 20, 30, 40],
    }))],
    ['collapsed', Buffer.from('main;work;leaf 10\nmain;work 5\nmain;other 1\n')],
  ];
  for (const [name, input] of inputs) {
    it(`${name}: 600 mutants`, () => {
      const r = rng(name.length * 7919);
      const codes = new Map<string, number>();
      let ok = 0;
      for (let i = 0; i < 600; i++) {
        const m = mutate(input, r);
        const t0 = performance.now();
        try {
          const raw = decodeProfile(m, { maxInflatedBytes: 64 << 20 });
          // a valid result must index and build a call tree
          const ip = buildIndex(raw, plainSymbols(raw));
          buildFlameTree(ip, { typeIndex: raw.defaultType, mergeBy: 'function', nodeBudget: 50 });
          ok++;
        } catch (e) {
          if (!(e instanceof EngineError)) {
            assert.fail(`mutant ${i} of ${name} threw ${(e as Error)?.stack ?? e}`);
          }
          codes.set(e.code, (codes.get(e.code) ?? 0) + 1);
        }
        assert.ok(performance.now() - t0 < 5000, `mutant ${i} took ${performance.now() - t0} ms`);
      }
      assert.equal(ok + [...codes.values()].reduce((a, b) => a + b, 0), 600);
    });
  }
});

/** Replaces one random value anywhere in a JSON document by a value of another type. */
function mutateJson(doc: unknown, r: () => number): unknown {
  const copy = JSON.parse(JSON.stringify(doc));
  const slots: [Record<string, unknown> | unknown[], string | number][] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) {
      v.forEach((x, i) => {
        slots.push([v, i]);
        walk(x);
      });
    } else if (v && typeof v === 'object') {
      for (const k of Object.keys(v)) {
        slots.push([v as Record<string, unknown>, k]);
        walk((v as Record<string, unknown>)[k]);
      }
    }
  };
  walk(copy);
  const values = [null, 3, -1, 1e20, 'x', '', [], {}, [1, 2], { id: 1 }, true, 0.5];
  for (let k = 1 + Math.floor(r() * 3); k > 0 && slots.length; k--) {
    const [o, key] = slots[Math.floor(r() * slots.length)];
    (o as Record<string | number, unknown>)[key] = values[Math.floor(r() * values.length)];
  }
  return copy;
}

describe('structured JSON fuzz (.cpuprofile / .heapprofile; FUZZ_SEED=n for other seeds): typed error or valid result', () => {
  const cpu = {
    nodes: [
      { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1, columnNumber: -1 }, children: [2, 4] },
      { id: 2, callFrame: { functionName: 'main', url: 'file:///app/a.js', lineNumber: 3, columnNumber: 10 }, children: [3], positionTicks: [{ line: 5, ticks: 2 }] },
      { id: 3, callFrame: { functionName: 'f', url: 'file:///app/a.js', lineNumber: 9, columnNumber: 2 }, positionTicks: [{ line: 11, ticks: 1 }] },
      { id: 4, callFrame: { functionName: '(garbage collector)', url: '', lineNumber: -1, columnNumber: -1 } },
    ],
    startTime: 0, endTime: 100, samples: [2, 3, 2, 4], timeDeltas: [10, 20, 30, 40],
  };
  const heap = {
    head: {
      id: 1, selfSize: 0, callFrame: { functionName: '(root)', url: '', lineNumber: -1, columnNumber: -1 },
      children: [{ id: 2, selfSize: 64, callFrame: { functionName: 'alloc', url: 'file:///app/a.js', lineNumber: 1, columnNumber: 1 }, children: [] }],
    },
    samples: [{ size: 64, nodeId: 2, ordinal: 1 }],
  };
  for (const [name, doc] of [['cpuprofile', cpu], ['heapprofile', heap]] as const) {
    it(`${name}: 1000 mutants`, () => {
      const r = rng(name.length * 104729 + Number(process.env.FUZZ_SEED ?? 0));
      for (let i = 0; i < 1000; i++) {
        const bytes = Buffer.from(JSON.stringify(mutateJson(doc, r)));
        try {
          const raw = decodeProfile(bytes);
          const ip = buildIndex(raw, plainSymbols(raw));
          buildFlameTree(ip, { typeIndex: raw.defaultType, mergeBy: 'line', nodeBudget: 20 });
        } catch (e) {
          if (!(e instanceof EngineError)) assert.fail(`${name} mutant ${i} threw ${(e as Error)?.stack ?? e}\n${bytes}`);
        }
      }
    });
  }
});

describe('structured pprof fuzz (ids, lines, values of odd sizes): typed error or valid result', () => {
  it('800 mutants of the Go CPU profile', () => {
    const base = gunzipSync(readFileSync(path.join(GO, 'cpu.pb.gz')));
    const r = rng(31337 + Number(process.env.FUZZ_SEED ?? 0));
    const odd = [0, 1, 2 ** 28, 2 ** 31, 2 ** 32 + 7, 2 ** 53, -1, -(2 ** 40)];
    const pick = () => odd[Math.floor(r() * odd.length)];
    const big = (v: number) => (Number.isSafeInteger(v) && Math.abs(v) < 2 ** 28 ? v : BigInt.asUintN(64, BigInt(v)));
    for (let i = 0; i < 800; i++) {
      const p = Profile.decode(base);
      for (let k = 1 + Math.floor(r() * 3); k > 0; k--) {
        const what = Math.floor(r() * 6);
        if (what === 0 && p.sample.length) p.sample[Math.floor(r() * p.sample.length)].locationId[0] = big(pick());
        else if (what === 1 && p.location.length) {
          const l = p.location[Math.floor(r() * p.location.length)];
          if (l.line.length) l.line[0].line = big(pick());
        } else if (what === 2 && p.location.length) {
          const l = p.location[Math.floor(r() * p.location.length)];
          if (l.line.length) l.line[0].functionId = big(pick());
        } else if (what === 3 && p.function.length) p.function[Math.floor(r() * p.function.length)].name = big(pick());
        else if (what === 4 && p.sample.length) p.sample[Math.floor(r() * p.sample.length)].value[1] = big(pick());
        else if (p.function.length) p.function[Math.floor(r() * p.function.length)].startLine = big(pick());
      }
      const bytes = p.encode();
      try {
        const raw = decodeProfile(bytes);
        const ip = buildIndex(raw, plainSymbols(raw));
        buildFlameTree(ip, { typeIndex: raw.defaultType, mergeBy: 'line', nodeBudget: 30 });
      } catch (e) {
        if (!(e instanceof EngineError)) assert.fail(`pprof mutant ${i} threw ${(e as Error)?.stack ?? e}`);
      }
    }
  });
});
