/**
 * Compare on real profiles: @datadog/pprof wall-time profiles of the demo shop API (the committed,
 * minified bundle, resolved through its source map) under two loads that differ only in cart size,
 * so findBundleDeals does ~3× the work per quote (test/fixtures/compare/gen/generate.mjs).
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { compareProfiles, isSignificant, type Delta, type LineDelta, type ProfileComparison } from '../../../src/core/compare/compareProfiles';
import { biggestChanges } from '../../../src/core/compare/biggestChanges';
import { buildCompareHover } from '../../../src/core/compare/compareHover';
import { deltaTone, formatDelta, formatShareDelta, formatValueDelta } from '../../../src/core/compare/deltaFormat';
import { computeDiffFileInsights, functionDeltaTitle } from '../../../src/core/compare/diffInsights';
import { EngineError, type LoadResult } from '../../../src/core/engine';
import { createInProcessEngine } from '../../../src/core/inProcessEngine';
import { IndexView } from '../../../src/core/insights/indexView';

const repo = path.join(__dirname, '../../..');
const ws = path.join(repo, 'demo/workspace');
const fixtures = path.join(repo, 'test/fixtures/compare');
const engine = createInProcessEngine();
const load = (file: string): Promise<LoadResult> => engine.load(readFileSync(file), { roots: [ws], pathMappings: [], sourceName: path.basename(file) });
const wall = (r: LoadResult) => r.index.sampleTypes.findIndex((t) => t.type === 'wall');

function fn(cmp: ProfileComparison, name: string, file: string) {
  const f = cmp.functions.find((x) => x.name === name && x.path === path.join(ws, file));
  assert.ok(f, `${name} in ${file} (functions: ${cmp.functions.map((x) => x.name).join(', ')})`);
  return f;
}

describe('compare: two real profiles of the demo service', () => {
  let base: LoadResult;
  let current: LoadResult;
  let short: LoadResult;
  let cmp: ProfileComparison;
  before(async () => {
    base = await load(path.join(fixtures, 'baseline.pb.gz'));
    current = await load(path.join(fixtures, 'current.pb.gz'));
    short = await load(path.join(fixtures, 'current-short.pb.gz'));
    cmp = compareProfiles(base.index, current.index, { typeIndex: wall(current), minDeltaShare: 0.01 });
  });
  after(() => engine.dispose());

  it('both windows are 12 s long: no scaling, sample counts from the count type', () => {
    assert.equal(cmp.scaleReason, 'same-window');
    assert.equal(cmp.scale, 1);
    assert.equal(cmp.sampleType.type, 'wall');
    assert.equal(cmp.baseSamples, base.index.totals[base.index.sampleTypes.findIndex((t) => t.unit === 'count')]);
    assert.ok(cmp.baseSamples > 300 && cmp.currentSamples > 300, `${cmp.baseSamples} / ${cmp.currentSamples}`);
  });

  it('findBundleDeals, made to do ~3× the work per quote, shows a large significant increase', () => {
    const f = fn(cmp, 'findBundleDeals', 'src/pricing.ts');
    // the absolute wall time in the function grows by the order of the extra work (3× per quote)
    const ratio = f.total.current / f.total.base;
    assert.ok(ratio > 2 && ratio < 6, `current/base = ${ratio}`);
    assert.ok(f.total.significant && f.self.significant);
    assert.ok(f.total.change > 0.3, `change ${f.total.change}`);
    assert.equal(deltaTone(f.total), 'worse');
    assert.equal(f.total.delta, f.total.current - f.total.base);
    assert.ok(Math.abs(f.total.change - f.total.delta / cmp.currentTotal) < 1e-12);
    // its caller inherits the change; its self cost carries it
    assert.ok(fn(cmp, 'computeQuote', 'src/pricing.ts').total.change > 0.3);
    assert.ok(f.self.change > 0.3);
  });

  it('the report path, under the same load on both sides, is unchanged within noise', () => {
    for (const name of ['buildSalesReport', 'loadSales']) {
      const f = fn(cmp, name, 'src/reports.ts');
      assert.ok(f.total.base > 0 && f.total.current > 0, name);
      assert.ok(Math.abs(f.total.change) < 0.02, `${name} change ${f.total.change}`);
      assert.equal(f.total.significant, false, name);
      assert.equal(deltaTone(f.total), 'same');
    }
    // and nothing in the baseline the slowdown did not touch is flagged as worse
    const worse = cmp.functions.filter((f) => f.total.significant && f.total.change > 0 && f.path.startsWith(path.join(ws, 'src')));
    assert.deepEqual(worse.map((f) => f.name).sort(), ['(anonymous)', 'computeQuote', 'findBundleDeals'].sort());
  });

  it('a profile compared with itself has no change anywhere', () => {
    const same = compareProfiles(current.index, current.index, { typeIndex: wall(current) });
    assert.ok(same.functions.every((f) => f.total.change === 0 && f.self.change === 0 && !f.total.significant));
    for (const m of same.files.values()) for (const d of m.values()) assert.equal(d.total.delta, 0);
  });

  it('lines are matched by file and line; lines on one side only are kept', () => {
    const pricing = current.index.files.findIndex((f) => f.path === path.join(ws, 'src/pricing.ts'));
    const lines = cmp.files.get(pricing);
    assert.ok(lines && lines.size > 0);
    // every line of the current profile's rows is present with its own row and values
    const view = new IndexView(current.index);
    const [s, e] = view.lineRows(pricing);
    for (let r = s; r < e; r++) {
      const d: LineDelta | undefined = lines.get(current.index.lines.line[r]);
      assert.ok(d, `line ${current.index.lines.line[r]}`);
      assert.equal(d.row, r);
      assert.equal(d.total.current, view.value(current.index.lines.total, r, wall(current)));
    }
    // one-sided rows: current 0 (only in the baseline, row -1) or base 0 (new)
    let oneSided = 0;
    for (const m of cmp.files.values()) {
      for (const d of m.values()) {
        if (d.row < 0) assert.equal(d.total.current, 0);
        if (d.row < 0 || d.total.base === 0) oneSided++;
      }
    }
    assert.ok(oneSided > 0, 'real profiles of different loads have lines sampled on one side only');
    // the hottest changed line in pricing.ts is inside findBundleDeals (lines 38..53)
    const top = [...lines.values()].sort((a, b) => b.self.change - a.self.change)[0];
    assert.ok(top.line >= 38 && top.line <= 53, `line ${top.line}`);
  });

  it('normalises windows of different length by duration, or by totals when durations are unknown', () => {
    // same workload (3 items per cart): 6 s window as baseline, 12 s as current
    const raw = fn(cmp, 'findBundleDeals', 'src/pricing.ts');
    const byDuration = compareProfiles(short.index, current.index, { typeIndex: wall(current), minDeltaShare: 0.01 });
    assert.equal(byDuration.scaleReason, 'duration');
    assert.ok(Math.abs(byDuration.scale - 12 / 6) < 0.1, `scale ${byDuration.scale}`);
    const d = fn(byDuration, 'findBundleDeals', 'src/pricing.ts');
    const unscaled = (d.total.current - d.total.base) / byDuration.currentTotal;
    assert.ok(unscaled > 0.45, `without scaling the 6 s window looks ${unscaled} smaller`);
    assert.ok(d.total.change < unscaled / 2, `scaled change ${d.total.change} vs unscaled ${unscaled}`);
    assert.ok(d.total.change < raw.total.change / 2, 'much less than the real slowdown');
    // the mix is the same: shares agree within a few points
    assert.ok(Math.abs(d.total.deltaShare) < 0.05, `share delta ${d.total.deltaShare}`);
    // without durations: scaled to the current total, change = change of share, within noise
    const byTotals = compareProfiles(short.index, current.index, { typeIndex: wall(current), minDeltaShare: 0.01, baseDurationNanos: 0 });
    assert.equal(byTotals.scaleReason, 'totals');
    assert.ok(Math.abs(byTotals.scale - byTotals.currentTotal / byTotals.baseTotal) < 1e-9);
    const t = fn(byTotals, 'findBundleDeals', 'src/pricing.ts');
    assert.ok(Math.abs(t.total.change - t.total.deltaShare) < 1e-9);
    assert.equal(t.total.significant, false);
  });

  it('a baseline without the sample type is a typed, actionable error', async () => {
    const heap = await load(path.join(ws, 'profiles/heap.pb.gz'));
    assert.throws(() => compareProfiles(heap.index, current.index, { typeIndex: wall(current) }), (e: unknown) => {
      assert.ok(e instanceof EngineError);
      assert.equal(e.code, 'bad-reference');
      assert.match(e.message, /baseline has no "wall".*it has: inuse_objects, inuse_space/);
      return true;
    });
  });

  it('diff annotations for pricing.ts: the slowed function in red with a heat level, text with both deltas', () => {
    const view = new IndexView(current.index);
    const pricing = current.index.files.findIndex((f) => f.path === path.join(ws, 'src/pricing.ts'));
    const fi = computeDiffFileInsights(view, pricing, { typeIndex: wall(current), extraTypes: [], threshold: 0.01, lineCost: 'total' }, cmp);
    const worse = fi.lines.filter((l) => l.tone === 'worse');
    assert.ok(worse.length > 0);
    for (const l of worse) {
      assert.ok(l.level >= 1);
      assert.match(l.text, /^(≈ )?\+\d+\.\d% wall \(\+[\d.]+ (ms|s)\)$/);
    }
    for (const l of fi.lines.filter((x) => x.tone !== 'worse')) assert.equal(l.level, 0);
    const lens = fi.functions.find((f) => view.name(f.fn) === 'findBundleDeals');
    assert.ok(lens);
    assert.equal(lens.title, 'wall +61.2% vs baseline (+2.1 s: 780 ms → 2.9 s) · self +61.3%');
    const fd = cmp.byFunction.get(lens.fn)!;
    assert.equal(functionDeltaTitle(fd, 'wall', 'nanoseconds', cmp.scale), lens.title);
  });

  it('biggest changes: the slowed function first, only significant changes', () => {
    const list = biggestChanges(cmp, 5);
    assert.equal(list[0].fd.name, 'findBundleDeals');
    assert.equal(list[0].tone, 'worse');
    assert.match(list[0].text, /^\+61\.3% wall \(\+2\.1 s\)$/);
    assert.ok(list.every((e) => e.fd.self.significant));
    assert.ok(!list.some((e) => e.fd.name === 'buildSalesReport'));
  });

  it('the hover section has baseline, now and change, and explains the windows', () => {
    const f = fn(cmp, 'findBundleDeals', 'src/pricing.ts');
    const md = buildCompareHover(cmp, 'baseline.pb.gz', undefined, f)!;
    assert.match(md, /^\*\*Profile Lens\*\* · vs baseline baseline\\\.pb\\\.gz · wall/);
    assert.match(md, /\| findBundleDeals total \| 780 ms \(54\.8%\) \| 2\.9 s \(84\.0%\) \| \*\*\+2\.1 s \(\+61\.2%\)\*\* slower \|/);
    // a function-level line (the function's whole cost on its first line) is not repeated as line rows
    const pricing = current.index.files.findIndex((x) => x.path === path.join(ws, 'src/pricing.ts'));
    const withLine = buildCompareHover(cmp, 'b', cmp.files.get(pricing)!.get(f.startLine), f)!;
    assert.doesNotMatch(withLine, /line self/);
    assert.match(md, /Both windows 12\\\.1 s\\\. .*under 1\\\.0%\\\.$/);
  });
});

describe('compare: formatting and noise (pure)', () => {
  const d = (over: Partial<Delta>): Delta => ({ base: 1, current: 1, baseShare: 0.1, currentShare: 0.1, deltaShare: 0, delta: 0, change: 0, significant: false, ...over });
  const wallType = { type: 'wall', unit: 'nanoseconds' };

  it('formats changes with sign, share and unit', () => {
    assert.equal(formatDelta(d({ change: 0.124, delta: 310e6, significant: true }), wallType), '+12.4% wall (+310 ms)');
    assert.equal(formatDelta(d({ change: -0.031, delta: -80e6, significant: true }), { type: 'cpu', unit: 'nanoseconds' }), '−3.1% cpu (−80 ms)');
    assert.equal(formatDelta(d({ change: 0.002, delta: 5e6 }), wallType), '+0.2% wall (+5 ms) · within noise');
    assert.equal(formatDelta(d({ base: 0, change: 0.05, delta: 1e9, significant: true }), wallType), '+5.0% wall (+1 s) · new');
    assert.equal(formatDelta(d({ current: 0, change: -0.05, delta: -1e9, significant: true }), wallType), '−5.0% wall (−1 s) · gone');
    assert.equal(formatDelta(d({ change: 0.02, delta: 4.1 * 1024 * 1024, significant: true }), { type: 'alloc_space', unit: 'bytes' }), '+4.1 MB alloc (+2.0%)');
    assert.equal(formatShareDelta(0), '±0%');
    assert.equal(formatShareDelta(0.0004), '+<0.1%');
    assert.equal(formatValueDelta(0, 'nanoseconds'), '±0');
  });

  it('significance: above the minimum and above sampling noise', () => {
    // 1000 samples each: a 10-point change of a 20% share is far beyond noise, 1 point is not
    assert.equal(isSignificant(0.1, 0.2, 0.3, 1, 1000, 1000, 0.01), true);
    assert.equal(isSignificant(0.01, 0.2, 0.21, 1, 1000, 1000, 0.01), false);
    // below the minimum never counts, however many samples
    assert.equal(isSignificant(0.004, 0.2, 0.204, 1, 1e9, 1e9, 0.005), false);
    // without sample counts only the minimum applies
    assert.equal(isSignificant(0.02, 0.2, 0.22, 1, 0, 0, 0.01), true);
  });
});
