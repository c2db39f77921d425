/**
 * Correlate (Engine.select) on a real Go CPU profile whose samples carry span labels the way
 * grafana/otel-profiling-go sets them (pprof.Do with span_id/trace_id/span_name/endpoint; see
 * test/fixtures/spans/gen). The selected index must equal, line by line and function by function,
 * what `go tool pprof -tagfocus=<key>=<value> -top [-lines]` reports on the same file
 * (test/fixtures/spans/*.txt, written by generate.sh), and the label summary what `-tags` reports.
 * Edge cases (AND/OR, numeric labels, no match, empty stacks, parent-pointer stacks, release, the
 * worker engine) against a brute-force count over the raw samples.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { EngineError, type SampleSelection } from '../../../src/core/engine';
import { createInProcessEngine } from '../../../src/core/inProcessEngine';
import { matchForInput, matchSamples, parseLabelMatch, selectSamples, selectionLabel } from '../../../src/core/index/selectSamples';
import { buildIndex } from '../../../src/core/index/buildIndex';
import type { ProfileIndex, RawProfile } from '../../../src/core/model';
import { createWorkerEngine } from '../../../src/core/worker/workerEngine';
import { assertFunctionsMatchGo, assertLinesMatchGo } from '../core/goTop';

const DIR = path.join(__dirname, '../../fixtures/spans');
const CPU = readFileSync(path.join(DIR, 'cpu.pb.gz'));
const CHECKOUT = '00f067aa0ba902b7';
const CHECKOUT2 = 'e457b5a2e4d86bd1';
const SEARCH = 'b7ad6b7169203331';
const TRACE_A = '4bf92f3577b34da6a3ce929d0e0e4736';

const sel = (...pairs: string[]): SampleSelection => ({ labels: pairs.map((p) => parseLabelMatch(p)!) });

/** Our rows with a cost against go tool pprof's text for the same selection (file:line; function name). */
function assertEqualsGo(index: ProfileIndex, name: string): { lines: number; functions: number } {
  const lines = assertLinesMatchGo(index, 'cpu', readFileSync(path.join(DIR, `${name}.lines.txt`), 'utf8'), true);
  const functions = assertFunctionsMatchGo(index, 'cpu', readFileSync(path.join(DIR, `${name}.functions.txt`), 'utf8'));
  return { lines, functions };
}

describe('correlate: selected samples agree with go tool pprof -tagfocus (real Go profile with span labels)', () => {
  const engine = createInProcessEngine();
  let parentId = 0;
  let whole: ProfileIndex;
  before(async () => {
    const r = await engine.load(CPU, { roots: [], pathMappings: [] });
    parentId = r.id;
    whole = r.index;
  });
  after(() => engine.dispose());

  it('the whole profile agrees (the reference itself is sound)', () => {
    const n = assertEqualsGo(whole, 'all');
    assert.ok(n.lines > 20 && n.functions > 10, JSON.stringify(n));
  });

  const cases: [string, SampleSelection, string][] = [
    ['one span (checkout)', sel(`span_id=${CHECKOUT}`), 'span-checkout'],
    ['another span (search)', sel(`span_id=${SEARCH}`), 'span-search'],
    ['a whole trace (trace_id)', sel(`trace_id=${TRACE_A}`), 'trace-a'],
    ['two spans of one key, OR-ed', { labels: [{ key: 'span_id', values: [CHECKOUT, CHECKOUT2] }] }, 'two-spans'],
  ];
  for (const [what, selection, name] of cases) {
    it(`${what}: per line (-top -lines) and per function (-top), exactly`, async () => {
      const r = await engine.select(parentId, selection);
      assert.notEqual(r.id, parentId);
      const n = assertEqualsGo(r.index, name);
      assert.ok(n.lines >= 3 && n.functions >= 3, JSON.stringify(n));
      assert.ok(r.index.totals[1] < whole.totals[1]);
      await engine.release(r.id);
    });
  }

  it('the selection paints the span\'s own code only: checkout has priceCart, not searchIndex', async () => {
    const r = await engine.select(parentId, sel(`span_id=${CHECKOUT}`));
    const names = new Set<string>();
    const F = r.index.functions;
    for (let f = 0; f < F.count; f++) names.add(r.index.strings[F.name[f]]);
    assert.ok(names.has('main.priceCart'));
    assert.ok(!names.has('main.searchIndex') && !names.has('main.compactCache'), [...names].join(', '));
    // compact: only the frames the span's samples use
    assert.ok(engine.core.get(r.id).raw.frames.count < engine.core.get(parentId).raw.frames.count);
    assert.equal(r.index.durationNanos, whole.durationNanos, 'same window as the parent');
    await engine.release(r.id);
  });

  it('label summary equals go tool pprof -tags (keys, values, weights)', async () => {
    const keys = await engine.labels(parentId, { maxValues: 100 });
    const text = readFileSync(path.join(DIR, 'tags.txt'), 'utf8');
    const expected = new Map<string, Map<string, number>>();
    const keyTotals = new Map<string, number>();
    let key = '';
    for (const line of text.split('\n')) {
      const k = /^\s*(\S+): Total (\d+)ns/.exec(line);
      if (k) {
        key = k[1];
        expected.set(key, new Map());
        keyTotals.set(key, Number(k[2]));
        continue;
      }
      const v = /^\s*(\d+)ns \([\d.]+%\): (.*)$/.exec(line);
      if (v) expected.get(key)!.set(v[2], Number(v[1]));
    }
    assert.deepEqual(keys.map((k) => k.key).sort(), [...expected.keys()].sort());
    const cpu = whole.sampleTypes.findIndex((s) => s.type === 'cpu');
    for (const k of keys) {
      const exp = expected.get(k.key)!;
      assert.equal(k.distinct, exp.size, k.key);
      assert.equal(k.weight?.[cpu], keyTotals.get(k.key), `total of ${k.key}`);
      assert.deepEqual(new Map(k.top.map((v) => [v.value, v.weight[cpu]])), exp, k.key);
      // heaviest first
      for (let i = 1; i < k.top.length; i++) assert.ok(k.top[i - 1].weight[cpu] >= k.top[i].weight[cpu]);
    }
    const limited = await engine.labels(parentId, { maxValues: 2 });
    assert.ok(limited.every((k) => k.top.length <= 2));
    assert.equal(limited.find((k) => k.key === 'span_id')!.distinct, 5);
  });
});

describe('correlate: selection edge cases', () => {
  const engine = createInProcessEngine();
  let parentId = 0;
  let raw: RawProfile;
  before(async () => {
    const r = await engine.load(CPU, { roots: [], pathMappings: [] });
    parentId = r.id;
    raw = engine.core.get(r.id).raw;
  });
  after(() => engine.dispose());

  /** brute force: labels of sample i as key → values */
  const labelsOf = (i: number) => {
    const m = new Map<string, string[]>();
    for (let j = raw.samples.labelOffsets[i]; j < raw.samples.labelOffsets[i + 1]; j++) {
      const k = raw.strings[raw.samples.labelKey[j]];
      m.set(k, [...(m.get(k) ?? []), raw.samples.labelStr[j] ? raw.strings[raw.samples.labelStr[j]] : String(raw.samples.labelNum[j])]);
    }
    return m;
  };
  const brute = (s: SampleSelection) => {
    let n = 0;
    for (let i = 0; i < raw.samples.count; i++) {
      const l = labelsOf(i);
      if (s.labels.every((m) => (l.get(m.key) ?? []).some((v) => m.values.includes(v)))) n++;
    }
    return n;
  };

  it('keys are AND-ed, values of one key OR-ed (brute force over the raw samples)', () => {
    const checks: SampleSelection[] = [
      sel('span_name=POST /checkout'),
      sel('span_name=POST /checkout', `trace_id=${TRACE_A}`),
      sel(`span_name=POST /checkout|GET /search`),
      sel('endpoint=/search', `span_id=${CHECKOUT}`),
      sel('endpoint=/checkout', `span_id=${CHECKOUT}|${SEARCH}`),
      { labels: [{ key: 'span_id', values: [CHECKOUT] }, { key: 'span_id', values: [SEARCH] }] },
    ];
    const counts = checks.map((c) => matchSamples(raw, c).count);
    assert.deepEqual(counts, checks.map((c) => brute({ labels: [...new Map(c.labels.map((m) => [m.key, [] as string[]])).keys()].map((k) => ({ key: k, values: c.labels.filter((m) => m.key === k).flatMap((m) => m.values) })) })));
    assert.ok(counts[0] > counts[1] && counts[1] > 0, 'AND narrows');
    assert.ok(counts[2] > counts[0], 'OR widens');
    assert.equal(counts[3], 0, 'a checkout span is not on /search');
    assert.equal(counts[4], matchSamples(raw, sel(`span_id=${CHECKOUT}`)).count);
    assert.equal(counts[5], brute({ labels: [{ key: 'span_id', values: [CHECKOUT, SEARCH] }] }), 'same key twice: merged, OR');
    assert.ok(counts[5] > matchSamples(raw, sel(`span_id=${CHECKOUT}`)).count);
  });

  it('an id that matches nothing is a typed no-match error naming the keys the profile has', async () => {
    const e = await engine.select(parentId, sel('span_id=deadbeefdeadbeef')).catch((x: unknown) => x);
    assert.ok(e instanceof EngineError && e.code === 'no-match', String(e));
    assert.match(e.message, /No samples carry span_id=deadbeefdeadbeef/);
    assert.match(e.message, /label keys are: .*span_id \(\d+ samples, 5 values\).*trace_id/);
    // a prefix or a different case is not the id (exact match)
    await assert.rejects(engine.select(parentId, sel(`span_id=${CHECKOUT.slice(0, 8)}`)), (x: EngineError) => x.code === 'no-match');
    await assert.rejects(engine.select(parentId, sel(`span_id=${CHECKOUT.toUpperCase()}`)), (x: EngineError) => x.code === 'no-match');
    // a key the profile does not have
    await assert.rejects(engine.select(parentId, sel('tenant=acme')), (x: EngineError) => x.code === 'no-match' && /tenant=acme/.test(x.message));
  });

  it('an empty selection or a key without values is refused (bad-reference)', async () => {
    await assert.rejects(engine.select(parentId, { labels: [] }), (x: EngineError) => x.code === 'bad-reference');
    await assert.rejects(engine.select(parentId, { labels: [{ key: 'span_id', values: [] }] }), (x: EngineError) => x.code === 'bad-reference');
    assert.equal(parseLabelMatch('span_id'), undefined);
    assert.equal(parseLabelMatch('=x'), undefined);
    assert.deepEqual(parseLabelMatch(' span_id = a | b '), { key: 'span_id', values: ['a', 'b'] });
  });

  it('what the user types: a bare 16-hex id is a span, 32-hex a trace, key=value anything; the status label', () => {
    assert.deepEqual(matchForInput(' 00f067aa0ba902b7 '), { key: 'span_id', values: ['00f067aa0ba902b7'] });
    assert.deepEqual(matchForInput(TRACE_A), { key: 'trace_id', values: [TRACE_A] });
    assert.deepEqual(matchForInput('a|b'), { key: 'span_id', values: ['a', 'b'] });
    assert.deepEqual(matchForInput('span_name=POST /checkout'), { key: 'span_name', values: ['POST /checkout'] });
    assert.equal(matchForInput('   '), undefined);
    assert.equal(matchForInput('=x'), undefined);
    assert.equal(selectionLabel(sel(`span_id=${CHECKOUT}`)), 'span 00f067aa…');
    assert.equal(selectionLabel(sel(`span_id=${CHECKOUT}|${SEARCH}`)), 'spans 00f067aa…, b7ad6b71…');
    assert.equal(selectionLabel(sel(`trace_id=${TRACE_A}`, 'endpoint=/checkout')), 'trace 4bf92f35… & endpoint=/checkout');
    assert.equal(selectionLabel(sel('span_name=a very long span name that goes on and on')), 'span_name=a very long span name t…');
  });

  it('a profile without labels says so', async () => {
    const go = await engine.load(readFileSync(path.join(__dirname, '../../fixtures/go/cpu.pb.gz')), { roots: [], pathMappings: [] });
    const e = await engine.select(go.id, sel('span_id=1')).then(() => undefined, (x: unknown) => x as EngineError);
    assert.equal(e?.code, 'no-match');
    assert.match(e?.message ?? '', /no sample labels at all/);
    assert.deepEqual(await engine.labels(go.id), []);
  });

  it('a selection of a selection narrows further; releasing the parent keeps the child usable', async () => {
    const trace = await engine.select(parentId, sel(`trace_id=${TRACE_A}`));
    const span = await engine.select(trace.id, sel(`span_id=${CHECKOUT}`));
    const direct = await engine.select(parentId, sel(`span_id=${CHECKOUT}`));
    assert.deepEqual([...span.index.totals], [...direct.index.totals]);
    assert.deepEqual([...span.index.lines.self], [...direct.index.lines.self]);
    await engine.release(trace.id);
    const tree = await engine.flameTree(span.id, { typeIndex: 1, mergeBy: 'function', nodeBudget: 1000 });
    assert.equal(tree.total[0], span.index.totals[1], 'flame graph of the selection has its total');
    await assert.rejects(engine.select(trace.id, sel(`span_id=${CHECKOUT}`)), (x: EngineError) => x.code === 'unknown-profile');
  });

  it('numeric labels match by number; samples with an empty stack and parent-pointer stacks are kept', () => {
    // a small hand-made profile on top of the real one's symbolization: labels num "bytes", an empty stack
    const ip = engine.core.get(parentId);
    const T = raw.sampleTypes.length;
    const bytesKey = raw.strings.length;
    const strings = [...raw.strings, 'bytes'];
    // sample 0: the real sample 0's stack (walked by parent); sample 1: empty stack; sample 2: like 0
    const depth: number[] = [];
    for (let n = raw.samples.stack[0]; n > 0; n = raw.stacks.parent[n]) depth.push(raw.stacks.frame[n]);
    const frames = depth.reverse();
    // parent-pointer tree: root, then one chain shared by samples 0 and 2
    const parent = Int32Array.from([-1, ...frames.map((_, k) => k)]);
    const frame = Int32Array.from([-1, ...frames]);
    const leaf = frames.length;
    const handMade: RawProfile = {
      ...raw,
      strings,
      stacks: { count: frame.length, parent, frame },
      samples: {
        count: 3,
        stack: Int32Array.from([leaf, 0, leaf]),
        values: Float64Array.from([1, 10, 1, 20, 1, 40].slice(0, 3 * T)),
        labelOffsets: Uint32Array.from([0, 1, 2, 3]),
        labelKey: Int32Array.from([bytesKey, bytesKey, bytesKey]),
        labelStr: Int32Array.from([0, 0, 0]),
        labelNum: Float64Array.from([1024, 1024, 2048]),
      },
    };
    const { raw: sub, sym } = selectSamples(handMade, ip.symbols, sel('bytes=1024'));
    assert.equal(sub.samples.count, 2);
    assert.deepEqual([...sub.samples.stack], [frames.length, 0]);
    const idx = buildIndex(sub, sym).index;
    assert.deepEqual([...idx.totals], [2, 30].slice(0, T));
    assert.equal(idx.sampleCount, 2);
    // the chain copy is root first, parents consecutive
    assert.deepEqual([...sub.stacks.parent].slice(0, 3), [-1, 0, 1]);
    assert.equal(matchSamples(handMade, sel('bytes=2048|4096')).count, 1);
    assert.equal(matchSamples(handMade, sel('bytes=1k')).count, 0);
  });

  it('the worker engine selects and lists labels the same way (protocol, handles, release)', async function () {
    this.timeout(60_000);
    // the same bundle scripts/build.mjs makes as dist/engineWorker.js, built fresh for the test
    const script = path.join(__dirname, '../../../.cache/test/engineWorker-correlate.js');
    buildSync({ entryPoints: [path.join(__dirname, '../../../src/core/worker/engineWorker.ts')], bundle: true, platform: 'node', target: 'node20', outfile: script, logLevel: 'warning' });
    const worker = createWorkerEngine(script);
    try {
      const r = await worker.load(CPU, { roots: [], pathMappings: [] });
      const s = await worker.select(r.id, sel(`span_id=${CHECKOUT}`));
      const local = await engine.select(parentId, sel(`span_id=${CHECKOUT}`));
      assert.deepEqual([...s.index.totals], [...local.index.totals]);
      assert.deepEqual([...s.index.lines.total], [...local.index.lines.total]);
      assert.deepEqual(await worker.labels(r.id, { maxValues: 3 }), await engine.labels(parentId, { maxValues: 3 }));
      const e = await worker.select(r.id, sel('span_id=nope')).catch((x: unknown) => x as EngineError);
      assert.ok(e instanceof EngineError && e.code === 'no-match', String(e));
      await worker.release(s.id);
      await assert.rejects(worker.flameTree(s.id, { typeIndex: 1, mergeBy: 'function', nodeBudget: 10 }), (x: EngineError) => x.code === 'unknown-profile');
    } finally {
      await worker.dispose();
    }
  });
});
