/**
 * The two-thread sample passes (src/core/parallel) against the one-thread engine: the same
 * RawProfile and ProfileIndex, bit for bit, on real profiles (every pprof fixture) and generated
 * big ones; the same typed errors; the one-thread fallback when the helper dies. The helper runs
 * from a real bundle of sampleWorker.ts, built here with esbuild as scripts/build.mjs builds it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync, gunzipSync } from 'node:zlib';
import { buildSync } from 'esbuild';
import { Location, Profile } from 'pprof-format';
import { generatePprof } from '../../../bench/genPprof';
import { EngineError } from '../../../src/core/engine';
import { allocSampleArrays, decodeSamplesGeneral, PprofTableScanner, readPprofTables } from '../../../src/core/decode/decodePprofFast';
import { newLabelSink, readSampleRange, SampleStream } from '../../../src/core/decode/samplePass';
import { EngineCore } from '../../../src/core/engineCore';
import { hasDeferredStacks } from '../../../src/core/parallel/parallelPasses';
import { pprofFixtures } from '../../support/pprofFixtures';

const FIXTURES = path.join(__dirname, '../../fixtures');


describe('two-thread sample passes = one thread', function () {
  this.timeout(120_000);
  let dir: string;
  let script: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'pl-parallel-'));
    script = path.join(dir, 'sampleWorker.js');
    buildSync({
      entryPoints: [path.join(__dirname, '../../../src/core/parallel/sampleWorker.ts')], bundle: true, platform: 'node', target: 'node20',
      outfile: script, logLevel: 'warning',
    });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function both(bytes: Uint8Array, expectShared = true) {
    const one = new EngineCore();
    const two = new EngineCore({ sampleWorkerScript: script, parallelMinBytes: 0 });
    try {
      const a = await one.load(bytes, { roots: [], pathMappings: [] });
      const b = await two.load(bytes, { roots: [], pathMappings: [] });
      // two sample types and exact sums: indexed from the location ids, stacks written after the load
      const deferred = hasDeferredStacks(two.get(b.id).raw);
      // …and its label values decoded after it ('' until then)
      const empty = (x: string[]) => x.filter((v) => v === '').length;
      const stringsDeferred = empty(two.get(b.id).raw.strings) - empty(one.get(a.id).raw.strings);
      const ia = await one.ready(a.id);
      const ib = await two.ready(b.id);
      if (expectShared) assert.ok(ib.raw.stacks.frame.buffer instanceof SharedArrayBuffer, 'the two-thread path was taken');
      assert.deepEqual(b.index, a.index);
      assert.deepEqual(ib.raw.samples, ia.raw.samples);
      assert.deepEqual(ib.raw.stacks.frame, ia.raw.stacks.frame);
      assert.deepEqual(ib.raw.frames, ia.raw.frames);
      // label values are decoded after the load (the tables need none of them): complete by now
      assert.deepEqual(ib.raw.strings, ia.raw.strings);
      assert.deepEqual(ib.sampleDepth, ia.sampleDepth);
      assert.deepEqual(ib.frameLine, ia.frameLine);
      const opts = { typeIndex: a.index.defaultType, mergeBy: 'function' as const, nodeBudget: 2000 };
      assert.deepEqual(await two.flameTree(b.id, opts), await one.flameTree(a.id, opts));
      return { one: a, two: b, deferred, stringsDeferred };
    } finally {
      await one.dispose();
      await two.dispose();
    }
  }

  for (const f of pprofFixtures(FIXTURES)) {
    it(`fixture ${path.relative(FIXTURES, f)}`, async () => {
      const bytes = readFileSync(f);
      const inflated = bytes[0] === 0x1f ? gunzipSync(bytes) : bytes;
      // a profile with one sample has nothing to split
      await both(bytes, countSamples(inflated) >= 2);
    });
  }

  for (const locationIdBase of [0, 12_000]) {
    it(`generated profile, location ids from ${locationIdBase + 1} (two sample types)`, async () => {
      const gz = generatePprof({ samples: 3000, functions: 4000, files: 150, seed: 5, locationIdBase });
      const r = await both(gz);
      assert.ok(r.deferred, 'indexed from the location ids, the stacks written after the load');
      // one span id per sample, a trace id on half of them: label values nothing in the tables names
      assert.ok(r.stringsDeferred > 3000, `label strings decoded after the load: ${r.stringsDeferred}`);
      assert.equal(r.two.index.sampleCount, 3000);
      assert.ok(r.two.index.edges.count > 100);
    });
  }

  it('symbolized while the helper writes the stacks (leaf weights from the stream): stackless samples, leaves without lines, inlined leaves, unpacked ids', async () => {
    const p = Profile.decode(gunzipSync(generatePprof({ samples: 2000, functions: 1500, files: 60, seed: 21 })));
    const maxId = Math.max(...p.location.map((l) => Number(l.id)));
    const inlined = p.location.find((l) => l.line.length > 1)!;
    assert.ok(inlined, 'the generator writes inlined locations');
    for (let i = 0; i < p.sample.length; i += 7) p.sample[i].locationId = [];
    for (let i = 5; i < p.sample.length; i += 13) p.sample[i].locationId.unshift(inlined.id);
    for (let i = 9; i < p.sample.length; i += 17) p.sample[i].locationId = p.sample[i].locationId.slice(0, 1);
    // leaf weights from the stream, per leaf id
    await both(gzipSync(p.encode()));
    // a leaf location without lines (the leaf frame is the next location's): weights from the stacks
    p.location.push(new Location({ id: maxId + 1, line: [] }));
    for (let i = 3; i < p.sample.length; i += 11) p.sample[i].locationId.unshift(maxId + 1);
    const r = await both(gzipSync(p.encode()));
    assert.equal(r.two.index.sampleCount, 2000);
    // no workspace: every path is reported unresolved, with its self weight (symbolize's leaf weights)
    assert.ok(r.two.index.unresolved.length > 10 && r.two.index.unresolved.every((u) => u.selfWeight >= 0));
    assert.ok(r.two.index.unresolved.some((u) => u.selfWeight > 0));
  });

  it('sparse location ids (general path): same result, one thread', async () => {
    await both(generatePprof({ samples: 500, functions: 800, files: 40, seed: 6, locationIdBase: 3_000_000 }), false);
  });

  it('a corrupt sample in the second half: the same typed error', async () => {
    const raw = gunzipSync(generatePprof({ samples: 400, functions: 500, files: 30, seed: 8 }));
    // the last sample's first label key → a string id past the table (label messages are `1a LEN 08 KEY`)
    const bad = Buffer.from(raw);
    const lastSample = lastSampleStart(bad);
    const k = bad.indexOf(Buffer.from([0x1a]), lastSample);
    bad[k + 3] = 0xff;
    bad[k + 4] |= 0x80; // key varint grows into the next byte: either a huge id or a truncated label
    const errors: string[] = [];
    for (const core of [new EngineCore(), new EngineCore({ sampleWorkerScript: script, parallelMinBytes: 0 })]) {
      try {
        await core.load(bad, { roots: [], pathMappings: [] });
        errors.push('loaded');
      } catch (e) {
        assert.ok(e instanceof EngineError, String(e));
        errors.push(`${e.code}: ${e.message}`);
      } finally {
        await core.dispose();
      }
    }
    assert.notEqual(errors[0], 'loaded');
    assert.equal(errors[1], errors[0]);
  });

  it('inflating into shared memory: the same result, and the same typed errors (bomb, truncated, corrupt, empty)', async () => {
    const gz = generatePprof({ samples: 1200, functions: 1500, files: 80, seed: 12 });
    await both(gz);
    const cases: [string, Uint8Array, number | undefined][] = [
      ['bomb', gzipSync(Buffer.alloc(8 << 20)), 1 << 20],
      ['truncated', gz.subarray(0, gz.length >> 1), undefined],
      ['corrupt', (() => { const b = Buffer.from(gz); b.fill(0x55, 100, 400); return b; })(), undefined],
      ['empty', gzipSync(Buffer.alloc(0)), undefined],
    ];
    for (const [name, bytes, maxInflatedBytes] of cases) {
      const codes: string[] = [];
      for (const core of [new EngineCore(), new EngineCore({ sampleWorkerScript: script, parallelMinBytes: 0 })]) {
        try {
          await core.load(bytes, { roots: [], pathMappings: [], maxInflatedBytes });
          codes.push('loaded');
        } catch (e) {
          assert.ok(e instanceof EngineError, `${name}: ${String(e)}`);
          codes.push(`${e.code}: ${e.message.replace(/\(.*\)/, '(…)')}`);
        } finally {
          await core.dispose();
        }
      }
      assert.notEqual(codes[0], 'loaded', name);
      assert.equal(codes[1], codes[0], name);
    }
  });

  it('the tables pass fed in pieces (as the bytes inflate) = the tables pass at once', () => {
    const files = [...pprofFixtures(FIXTURES).map((f) => readFileSync(f)), generatePprof({ samples: 2000, functions: 2500, files: 100, seed: 13 })];
    let seed = 1;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    let streamed = 0;
    for (const f of files) {
      const bytes = f[0] === 0x1f ? gunzipSync(f) : f;
      const whole = readPprofTables(bytes);
      for (const step of [1, 7, 1000, 65536]) {
        const sc = new PprofTableScanner(new SampleStream());
        let avail = 0;
        while (avail < bytes.length) {
          avail = Math.min(bytes.length, avail + 1 + rnd(step * 2));
          sc.scan(bytes, avail, false);
        }
        assert.equal(sc.broken, false);
        sc.scan(bytes, bytes.length, true);
        const pieces = sc.finish(bytes);
        assert.deepEqual(pieces.at.subarray(0, 2 * pieces.nSamples), whole.at.subarray(0, 2 * whole.nSamples));
        assert.deepEqual(pieces.idFrame, whole.idFrame);
        // the samples read as they came: what one pass over all of them reads (when it can stream them)
        const stream = sc.stream as SampleStream;
        if (stream.complete(pieces.nSamples, pieces.T, pieces.asm.nStrings)) {
          streamed++;
          const all = allocSampleArrays(pieces.nSamples, pieces.T);
          const labels = newLabelSink();
          readSampleRange(bytes, pieces.at, 0, pieces.nSamples, pieces.T, pieces.asm.nStrings, undefined, undefined, all, labels);
          assert.deepEqual(stream.arrays.values.subarray(0, all.values.length), all.values);
          assert.deepEqual(stream.arrays.idsFrom.subarray(0, pieces.nSamples), all.idsFrom);
          assert.deepEqual(stream.arrays.idsTo.subarray(0, pieces.nSamples), all.idsTo);
          assert.deepEqual(stream.arrays.labelCount.subarray(0, pieces.nSamples), all.labelCount);
          assert.deepEqual(stream.labels.key.data.subarray(0, stream.labels.key.length), labels.key.data.subarray(0, labels.key.length));
          assert.deepEqual(stream.labels.num.data.subarray(0, stream.labels.num.length), labels.num.data.subarray(0, labels.num.length));
        }
        assert.deepEqual(decodeSamplesGeneral(pieces), decodeSamplesGeneral(step === 1 ? whole : readPprofTables(bytes)));
      }
    }
    assert.ok(streamed >= files.length * 2, `samples streamed in ${streamed} of ${files.length * 4} runs`);
  });

  it('values whose sums are not exact in floating point (past 2^53): still the one-thread index', async () => {
    const p = Profile.decode(gunzipSync(generatePprof({ samples: 600, functions: 700, files: 40, seed: 14 })));
    p.sample.forEach((s, i) => (s.value = [s.value[0], i % 3 === 0 ? 2n ** 58n + BigInt(i) : BigInt(i * 1_000_003)]));
    const r = await both(p.encode());
    assert.ok(r.two.index.totals[1] > 2 ** 53);
    // gzipped, its samples are read while it inflates: the leaf weights symbolize needs are then
    // summed per sample from the stacks, not per leaf id (the fuzzer found the difference)
    await both(gzipSync(p.encode()));
  });

  it('a process whose helper started but had nothing to do exits by itself (the CLI, the bench)', () => {
    const entry = path.join(dir, 'exitEntry.ts');
    writeFileSync(entry, `import { readFileSync } from 'node:fs';
import { EngineCore } from ${JSON.stringify(path.join(__dirname, '../../../src/core/engineCore'))};
const core = new EngineCore({ sampleWorkerScript: ${JSON.stringify(script)}, parallelMinBytes: 20_000 });
core.load(readFileSync(process.argv[2]), { roots: [], pathMappings: [] }).then((r) => console.log('loaded', r.timings.threads));
`);
    const bundle = path.join(dir, 'exitEntry.js');
    buildSync({ entryPoints: [entry], bundle: true, platform: 'node', target: 'node20', outfile: bundle, logLevel: 'warning' });
    // a gzipped V8 .cpuprofile: the trailer says it is big enough to start the helper while it
    // inflates, and then it is not pprof, so the helper is never used
    const profile = path.join(dir, 'bundle.cpuprofile.gz');
    writeFileSync(profile, gzipSync(readFileSync(path.join(FIXTURES, 'node/profiles/bundle.cpuprofile'))));
    const r = spawnSync(process.execPath, [bundle, profile], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.signal, null, 'the process had to be killed: something keeps it alive');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /loaded 1/);
  });

  it('a helper that dies: the one-thread result, no error', async () => {
    const dying = path.join(dir, 'dying.js');
    writeFileSync(dying, 'process.exit(3);\n');
    const gz = generatePprof({ samples: 800, functions: 900, files: 50, seed: 9 });
    const one = new EngineCore();
    const two = new EngineCore({ sampleWorkerScript: dying, parallelMinBytes: 0 });
    try {
      const a = await one.load(gz, { roots: [], pathMappings: [] });
      const b = await two.load(gz, { roots: [], pathMappings: [] });
      assert.deepEqual(b.index, a.index);
      // and the next load does not wait for a dead helper
      const c = await two.load(gzipSync(gunzipSync(gz)), { roots: [], pathMappings: [] });
      assert.deepEqual(c.index, a.index);
    } finally {
      await one.dispose();
      await two.dispose();
    }
  });
});

/** Top-level sample messages (field 2, wire type 2) of a raw pprof. */
function sampleStarts(b: Uint8Array): number[] {
  const out: number[] = [];
  let p = 0;
  const varint = (): number => {
    let v = 0, s = 0, x: number;
    do {
      x = b[p++];
      v += (x & 0x7f) * 2 ** s;
      s += 7;
    } while (x & 0x80);
    return v;
  };
  while (p < b.length) {
    const tag = varint();
    const wt = tag & 7;
    if (wt === 0) varint();
    else if (wt === 2) {
      const n = varint();
      if (tag >>> 3 === 2) out.push(p);
      p += n;
    } else if (wt === 1) p += 8;
    else if (wt === 5) p += 4;
  }
  return out;
}

function countSamples(b: Uint8Array): number {
  return sampleStarts(b).length;
}

function lastSampleStart(b: Uint8Array): number {
  const s = sampleStarts(b);
  return s[s.length - 1];
}
