/**
 * Real Go profiles (runtime/pprof, CPU and heap; see test/fixtures/go/gen) checked line by line and
 * function by function against `go tool pprof -top [-lines]` run on the same files with exact units
 * (test/fixtures/go/*.txt, written by generate.sh). Also a differential check of the hand-written
 * decoder against pprof-format on every pprof fixture.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { decodePprof } from '../../../src/core/decode/decodePprof';
import { decodePprofFast } from '../../../src/core/decode/decodePprofFast';
import { createInProcessEngine } from '../../../src/core/inProcessEngine';
import type { ProfileIndex } from '../../../src/core/model';
import { generatePprof } from '../../../bench/genPprof';
import { assertFunctionsMatchGo, assertLinesMatchGo } from './goTop';
import { pprofFixtures } from '../../support/pprofFixtures';

const GO = path.join(__dirname, '../../fixtures/go');

async function load(file: string): Promise<ProfileIndex> {
  const engine = createInProcessEngine();
  const r = await engine.load(readFileSync(path.join(GO, file)), { roots: [], pathMappings: [] });
  return r.index;
}

describe('Go runtime/pprof profiles agree with go tool pprof', () => {
  it('CPU profile: flat/cum per line (-top -lines) and per function (-top), exactly', async () => {
    const index = await load('cpu.pb.gz');
    assert.deepEqual(index.sampleTypes.map((s) => s.type), ['samples', 'cpu']);
    assert.equal(index.defaultType, 1, 'default = last type');
    const nLines = assertLinesMatchGo(index, 'cpu', readFileSync(path.join(GO, 'cpu.top-lines.txt'), 'utf8'));
    const nFns = assertFunctionsMatchGo(index, 'cpu', readFileSync(path.join(GO, 'cpu.top.txt'), 'utf8'));
    assert.ok(nLines > 50 && nFns > 30, `${nLines} lines, ${nFns} functions compared`);
  });

  for (const type of ['alloc_objects', 'alloc_space', 'inuse_objects', 'inuse_space']) {
    it(`heap profile, ${type}: per line and per function, exactly`, async () => {
      const index = await load('heap.pb.gz');
      assertLinesMatchGo(index, type, readFileSync(path.join(GO, `heap.${type}.top-lines.txt`), 'utf8'));
      assertFunctionsMatchGo(index, type, readFileSync(path.join(GO, `heap.${type}.top.txt`), 'utf8'));
    });
  }

  it('heap profile default type follows default_sample_type (alloc_space for allocs)', async () => {
    const index = await load('heap.pb.gz');
    assert.equal(index.sampleTypes[index.defaultType].type, 'alloc_space');
  });

  it('inlined calls are separate frames, innermost first; recursion (fib) is counted once in total', async () => {
    const index = await load('cpu.pb.gz');
    const T = index.sampleTypes.length;
    const t = index.defaultType;
    const F = index.functions;
    const byName = (n: string) => [...Array(F.count).keys()].find((f) => index.strings[F.name[f]] === n)!;
    const mix = byName('main.mix');
    const hashLoop = byName('main.hashLoop');
    assert.ok(mix !== undefined && hashLoop !== undefined);
    // main.mix is inlined into hashLoop: it still gets its own row, and hashLoop's total contains it
    assert.ok(F.self[mix * T + t] > 0);
    assert.ok(F.total[hashLoop * T + t] >= F.total[mix * T + t] + F.self[hashLoop * T + t]);
    const edge = [...Array(index.edges.count).keys()].find((e) => index.edges.caller[e] === hashLoop && index.edges.callee[e] === mix);
    assert.ok(edge !== undefined, 'hashLoop -> mix edge through inlining');
    assert.equal(index.edges.weight[edge! * T + t], F.total[mix * T + t], 'all of mix is called from hashLoop');
    const fib = byName('main.fib');
    assert.ok(F.total[fib * T + t] <= index.totals[t], 'recursion not double counted');
    assert.equal(F.startLine[fib], 35, 'Go Function.start_line is the func line');
  });
});


describe('hand-written pprof decoder = pprof-format (differential, every pprof fixture)', () => {
  const files = pprofFixtures(path.join(__dirname, '../../fixtures'));
  it('finds fixtures', () => assert.ok(files.length >= 2, files.join(', ')));
  for (const f of files) {
    it(path.relative(path.join(__dirname, '../../fixtures'), f), () => {
      let bytes: Uint8Array = readFileSync(f);
      if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
      const a = decodePprofFast(bytes);
      const b = decodePprof(bytes);
      assert.deepEqual(a, b);
      assert.ok(a.samples.count > 0);
    });
  }
});

describe('hand-written pprof decoder = pprof-format on generated profiles (id encodings of the fast and general paths)', () => {
  // location ids: 1–2 byte varints (the bench's own); 2- and 3-byte ids (past 16383) in the dense id
  // table (~7 000 locations: ids up to 4 × that are dense); ids past 2^21 (sparse: the general path
  // with an id → location map). ~15 % of locations have inlined frames.
  for (const locationIdBase of [0, 12_000, 3_000_000]) {
    it(`location ids from ${locationIdBase + 1}`, () => {
      const bytes = gunzipSync(generatePprof({ samples: 2500, functions: 20_000, files: 200, seed: 11, locationIdBase }));
      const a = decodePprofFast(bytes);
      const b = decodePprof(bytes);
      assert.deepEqual(a, b);
      assert.equal(a.samples.count, 2500);
      assert.ok(a.stacks.count > 1500 * 20, `stacks are 20–80 deep (${a.stacks.count} nodes)`);
    });
  }
});

describe('caller → callee edges', () => {
  it('equal a brute-force count over the raw samples (pair once per sample, no self-edges)', async () => {
    const engine = createInProcessEngine();
    const r = await engine.load(readFileSync(path.join(GO, 'cpu.pb.gz')), { roots: [], pathMappings: [] });
    const ip = engine.core.get(r.id);
    const { raw, index } = ip;
    const T = raw.sampleTypes.length;
    const expected = new Map<string, number>();
    for (let i = 0; i < raw.samples.count; i++) {
      const seen = new Set<string>();
      const fns: number[] = [];
      for (let n = raw.samples.stack[i]; n > 0; n = raw.stacks.parent[n]) fns.push(ip.frameFn[raw.stacks.frame[n]]);
      for (let k = 1; k < fns.length; k++) {
        if (fns[k] === fns[k - 1]) continue;
        const key = `${fns[k]}>${fns[k - 1]}`;
        if (seen.has(key)) continue;
        seen.add(key);
        expected.set(key, (expected.get(key) ?? 0) + raw.samples.values[i * T + 1]);
      }
    }
    assert.equal(index.edges.count, expected.size);
    for (let e = 0; e < index.edges.count; e++) {
      assert.equal(index.edges.weight[e * T + 1], expected.get(`${index.edges.caller[e]}>${index.edges.callee[e]}`));
    }
  });
});
