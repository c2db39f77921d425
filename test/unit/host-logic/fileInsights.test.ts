/**
 * Per-file annotations and hover markdown on real profiles: @datadog/pprof profiles of the Node
 * fixture workload (test/fixtures/node), decoded and symbolized by the in-process engine.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { LoadResult } from '../../../src/core/engine';
import { createInProcessEngine } from '../../../src/core/inProcessEngine';
import { computeFileInsights, resolveTypeNames, type InsightOptions } from '../../../src/core/insights/fileInsights';
import { heatLevel } from '../../../src/core/insights/heat';
import { buildHoverMarkdown, escapeMarkdown } from '../../../src/core/insights/hoverMarkdown';
import { computeHotspots, topIds } from '../../../src/core/insights/hotspots';
import { IndexView } from '../../../src/core/insights/indexView';
import type { ProfileIndex } from '../../../src/core/model';

const fixtures = path.join(__dirname, '../../fixtures/node');
const ws = path.join(fixtures, 'workspace');
const manifest = JSON.parse(readFileSync(path.join(fixtures, 'profiles/manifest.json'), 'utf8')) as { deployPrefix: string };

async function load(name: string): Promise<LoadResult> {
  const engine = createInProcessEngine();
  const bytes = readFileSync(path.join(fixtures, 'profiles', name));
  return engine.load(bytes, { roots: [ws], pathMappings: [{ from: manifest.deployPrefix, to: ws }], sourceName: name });
}

function fileId(index: ProfileIndex, rel: string): number {
  const id = index.files.findIndex((f) => f.path === path.join(ws, rel));
  assert.ok(id >= 0, `${rel} resolved (files: ${index.files.map((f) => f.path).join(', ')})`);
  return id;
}

const sourceLines = (rel: string) => readFileSync(path.join(ws, rel), 'utf8').split('\n');

describe('file insights on a real @datadog/pprof profile (lineNumbers, tsc build + source maps)', () => {
  let index: ProfileIndex;
  let view: IndexView;
  let options: InsightOptions;
  before(async () => {
    index = (await load('lib-time-lines.pb.gz')).index;
    view = new IndexView(index);
    options = { typeIndex: index.defaultType, extraTypes: [], threshold: 0.01, lineCost: 'total' };
  });

  it('puts a CodeLens on the source line declaring each hot function', () => {
    const file = fileId(index, 'src/main.ts');
    const fi = computeFileInsights(view, file, options);
    const src = sourceLines('src/main.ts');
    assert.ok(fi.functions.length >= 4, `functions: ${fi.functions.map((f) => view.name(f.fn))}`);
    for (const f of fi.functions) {
      const name = view.name(f.fn);
      assert.match(src[f.line - 1], new RegExp(`function ${name}\\b`), `line ${f.line} declares ${name}`);
      assert.match(f.title, /^wall \d+(\.\d)?% \(self (\d+(\.\d)?|<0\.1)%\)$/);
      assert.ok(f.share >= options.threshold);
    }
    const run = fi.functions.find((f) => view.name(f.fn) === 'run');
    assert.ok(run, 'run() has a lens');
    // run() drives every handler: its total is the largest in the file.
    assert.equal(Math.max(...fi.functions.map((f) => f.share)), run.share);
  });

  it('annotates call lines inside run() with heat levels consistent with their share', () => {
    const file = fileId(index, 'src/main.ts');
    const fi = computeFileInsights(view, file, options);
    const src = sourceLines('src/main.ts');
    const calls = fi.lines.filter((l) => /acc \+= handle/.test(src[l.line - 1]));
    assert.ok(calls.length >= 3, `call lines annotated: ${fi.lines.map((l) => l.line)}`);
    for (const l of fi.lines) {
      assert.equal(l.level, heatLevel(l.share, options.threshold));
      assert.ok(l.level >= 1 && l.level <= 5);
      assert.match(l.text, /^(≈ )?(\d+(\.\d)?|<0\.1)% wall$/);
      // total of a line = what the index says for that row
      const total = index.lines.total[l.row * index.sampleTypes.length + options.typeIndex];
      assert.equal(l.share, total / index.totals[options.typeIndex]);
    }
    const lines = fi.lines.map((l) => l.line);
    assert.deepEqual(lines, [...lines].sort((a, b) => a - b));
  });

  it('self basis annotates fewer or equal lines than total basis, never more cost', () => {
    const file = fileId(index, 'src/main.ts');
    const total = computeFileInsights(view, file, options);
    const self = computeFileInsights(view, file, { ...options, lineCost: 'self' });
    for (const l of self.lines) {
      const t = total.lines.find((x) => x.line === l.line);
      assert.ok(t && t.share >= l.share, `line ${l.line}`);
    }
  });

  it('a higher threshold hides colder lines', () => {
    const file = fileId(index, 'src/main.ts');
    const low = computeFileInsights(view, file, options);
    const high = computeFileInsights(view, file, { ...options, threshold: 0.1 });
    assert.ok(high.lines.length < low.lines.length);
    assert.ok(high.lines.every((l) => l.share >= 0.1));
  });

  it('hover: tables per sample type, callers/callees as links made by the caller, escaped names', () => {
    const file = fileId(index, 'src/main.ts');
    const fi = computeFileInsights(view, file, { ...options, extraTypes: resolveTypeNames(index.sampleTypes, ['sample', 'nope']) });
    const src = sourceLines('src/main.ts');
    const call = fi.lines.find((l) => /acc \+= handleParse/.test(src[l.line - 1]));
    assert.ok(call);
    const fn = view.functionAt(file, call.line);
    assert.equal(view.name(fn), 'run');
    const links: string[] = [];
    const md = buildHoverMarkdown(
      view,
      { file, line: call.line, row: call.row, fn, types: [options.typeIndex, 0], stale: true, edited: false },
      { openFunction: (f) => (links.push(view.name(f)), `command:open?${f}`), flameGraph: (f) => `command:fg?${f}` },
    );
    assert.match(md, /line \d+ of main\\\.ts/);
    assert.match(md, /\| wall · this line \| [\d.<]+% \([\d.]+ (ms|s|µs|ns)\) \| [\d.]+% \([\d.]+ (ms|s)\) \|/);
    assert.match(md, /\| wall · run \| [\d.<]+% \([\d.]+ (ms|s|µs|ns)\) \| [\d.]+% \([\d.]+ (ms|s)\) \|/);
    assert.match(md, /\| sample · this line \| [\d.<]+% \(\d+\) \|/);
    // sample counts come from the profile's "sample" count type, not from the number of pprof records
    const countRow = index.lines.total[call.row * index.sampleTypes.length + 0];
    assert.match(md, new RegExp(`${countRow} samples? on this line`));
    assert.match(md, /in \*\*run\*\* \(line 37\) · \[\$\(flame\) Open in flame graph\]\(command:fg\?\d+\)/);
    assert.match(md, /Calls: \[handle\w+\]\(command:open\?\d+\)/);
    assert.ok(links.includes('handleParse'));
    assert.match(md, /changed on disk after the profile was taken/);
    // every link target is one the caller made
    for (const m of md.matchAll(/\]\(([^)]*)\)/g)) assert.match(m[1], /^command:(open|fg)\?\d+$/);
  });

  it('marks and explains approximate positions (minified bundle, @datadog/pprof default mode)', async () => {
    const def = (await load('bundle-time-default.pb.gz')).index;
    const v = new IndexView(def);
    const file = def.files.findIndex((f) => f.path === path.join(ws, 'src/main.ts'));
    assert.ok(file >= 0);
    const fi = computeFileInsights(v, file, { typeIndex: def.defaultType, extraTypes: [], threshold: 0.01, lineCost: 'total' });
    const approx = fi.lines.filter((l) => l.text.startsWith('≈ '));
    assert.ok(approx.length > 0, 'function-start lines are marked approximate');
    const md = buildHoverMarkdown(v, { file, line: approx[0].line, row: approx[0].row, fn: v.functionAt(file, approx[0].line), types: [def.defaultType], stale: false, edited: false }, { openFunction: () => undefined, flameGraph: () => 'command:fg' });
    assert.match(md, /Approximate position: (the profiler recorded only the function|recovered from a minified name)/);
  });
});

describe('hover escaping', () => {
  it('profile strings cannot form links, HTML, theme icons or tables', () => {
    const evil = '[click](command:workbench.action.terminal.new) <img src=x> $(alert) a|b `x`';
    const out = escapeMarkdown(evil);
    assert.ok(!out.includes('](command:'));
    assert.ok(!/(^|[^\\])</.test(out));
    assert.ok(!/(^|[^\\])\$\(/.test(out));
    assert.ok(!/(^|[^\\])\|/.test(out));
    assert.ok(!/(^|[^\\])`/.test(out));
    assert.equal(escapeMarkdown('a\nb'), 'a b');
  });
});

describe('hotspots on a real profile', () => {
  it('top functions/lines by self equal a full sort, grouped by file in order of their cost', async () => {
    const { index } = await load('bundle-time-lines.pb.gz');
    const view = new IndexView(index);
    const t = index.defaultType;
    const T = index.sampleTypes.length;
    for (const max of [1, 2, 3, 20]) {
      const hot = computeHotspots(view, t, max);
      const naive = Array.from({ length: index.functions.count }, (_, f) => ({ f, self: index.functions.self[f * T + t] }))
        .filter((x) => x.self > 0)
        .sort((a, b) => b.self - a.self || a.f - b.f)
        .slice(0, max);
      const got = hot.functions.flatMap((g) => g.entries);
      assert.deepEqual(got.map((e) => e.id).sort((a, b) => a - b), naive.map((x) => x.f).sort((a, b) => a - b), `max ${max}`);
      for (let i = 1; i < hot.functions.length; i++) assert.ok(hot.functions[i - 1].self >= hot.functions[i].self);
      for (const g of [...hot.functions, ...hot.lines]) {
        assert.ok(g.entries.every((e) => e.file === g.file));
        assert.ok(Math.abs(g.self - g.entries.reduce((s, e) => s + e.self, 0)) < 1e-6);
      }
      assert.ok(hot.lines.flatMap((g) => g.entries).length <= max);
      assert.ok(hot.lines.every((g) => g.file >= 0), 'lines are workspace lines');
    }
    const top = computeHotspots(view, t, 1).functions[0].entries[0];
    assert.ok(top.self > 0 && top.label.length > 0);
  });
});

describe('topIds', () => {
  it('equals a full sort (value desc, id asc) for random values with ties', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 50; round++) {
      const n = 1 + Math.floor(rnd() * 300);
      const vals = Array.from({ length: n }, () => (rnd() < 0.2 ? 0 : Math.floor(rnd() * 20)));
      for (const max of [1, 3, 10, 500]) {
        const naive = vals.map((v, i) => ({ v, i })).filter((x) => x.v > 0).sort((a, b) => b.v - a.v || a.i - b.i).slice(0, max).map((x) => x.i);
        assert.deepEqual(topIds(n, (i) => vals[i], max), naive);
      }
    }
  });
});
