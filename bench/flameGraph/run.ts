/**
 * Flame graph bench (`npm run bench:flame`): the real page (dist/webview/flameGraph.js) in headless
 * Chromium, fed trees the real engine builds from a large real profile (@datadog/pprof time profiler,
 * see genBigProfile.mjs): 100 k nodes and 1 M nodes. Measures, inside the page:
 *  - first paint: window.postMessage(tree) → the page has drawn (includes structured clone, index,
 *    colours, layout, drawing);
 *  - zoom frame: work of the frame drawn after a click (layout + draw), and click → drawn latency;
 *  - hover: the mousemove handler (hit test, repaint of two bars, tooltip);
 *  - search: Enter in the search box → drawn (regex over every frame + redraw);
 *  - reference, same run, same page: every node drawn one by one with fillRect (no culling, no batching).
 * Prints a table and writes .cache/bench/flame/results.json.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { createInProcessEngine } from '../../src/core/inProcessEngine';
import { generatePprof } from '../genPprof';
import type { WireFlameTree } from '../../src/shared/protocol';
import { toWireTree } from '../../src/host/flameGraph/wireTree';
import { FlameIndex, ROW_HEIGHT, layoutFlame, rowsNeeded } from '../../src/webview/flameGraph/flameLayout';
import { openFlamePage, type FlamePage } from '../../test/ui/flameGraphPage';

declare const window: any;
declare const document: any;
declare const performance: any;

const ROOT = path.resolve(__dirname, '../..');
const OUT = path.join(ROOT, '.cache/bench/flame');
const WIDTH = 1600;
const HEIGHT = 900;
const RUNS = 5;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const max = (xs: number[]) => Math.max(...xs);
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))];
const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));

async function firstPaint(fp: FlamePage, tree: WireFlameTree, key: string): Promise<{ total: number; handler: number; rects: number }> {
  const drawn = await fp.sendTree(tree, { label: 'big.pb.gz', profileKey: key });
  const total = await fp.page.evaluate(() => window.__posted.drawn - window.__postedAt);
  return { total, handler: drawn.ms, rects: drawn.rects };
}

async function zoomFrame(fp: FlamePage, tree: WireFlameTree): Promise<{ work: number; latency: number; rects: number }[]> {
  const index = new FlameIndex(tree);
  const box = await fp.canvasBox();
  const out: { work: number; latency: number; rects: number }[] = [];
  // zoom into the heaviest path, level by level, then back out with the breadcrumb
  let node = 0;
  for (let level = 0; level < 6; level++) {
    const child = index.heaviestChild(node);
    if (child < 0) break;
    // where the page scrolls after a zoom: the zoom root's parent row at the top (main.ts zoomTo)
    const scrollTop = Math.min(Math.max(0, (tree.depth[node] - 1) * ROW_HEIGHT), Math.max(0, rowsNeeded(index, node) * ROW_HEIGHT - box.height));
    const r = layoutFlame(index, { width: box.width, height: box.height, rowHeight: ROW_HEIGHT, scrollTop, orientation: 'icicle', zoom: node });
    let k = -1;
    for (let q = 0; q < r.count; q++) if (r.node[q] === child) k = q;
    if (k < 0) break;
    // the page scrolls a zoomed frame near the top: only click rows that are on screen without scrolling
    if (r.y[k] < 0 || r.y[k] + ROW_HEIGHT > box.height) break;
    const since = fp.messages.length;
    await fp.page.evaluate(() => {
      document.querySelector('canvas').addEventListener('click', () => { window.__clickAt = performance.now(); }, { once: true, capture: true });
    });
    await fp.page.mouse.click(box.x + r.x[k] + Math.min(20, r.w[k] / 2), box.y + r.y[k] + ROW_HEIGHT / 2);
    const drawn = await fp.next('drawn', 10_000, since);
    const latency = await fp.page.evaluate(() => window.__posted.drawn - window.__clickAt);
    out.push({ work: drawn.ms, latency, rects: drawn.rects });
    node = child;
  }
  const since = fp.messages.length;
  await fp.page.locator('.crumbs .crumb').first().click();
  const back = await fp.next('drawn', 10_000, since);
  out.push({ work: back.ms, latency: NaN, rects: back.rects });
  return out;
}

async function hover(fp: FlamePage, tree: WireFlameTree): Promise<number[]> {
  const box = await fp.canvasBox();
  // points over the bars the page shows at the root (and some over empty space)
  const r = layoutFlame(new FlameIndex(tree), { width: box.width, height: box.height, rowHeight: ROW_HEIGHT, scrollTop: 0, orientation: 'icicle', zoom: 0 });
  await fp.page.evaluate(() => {
    window.__hover = [];
    window.addEventListener('mousemove', () => { window.__hoverAt = performance.now(); }, { capture: true });
    window.addEventListener('mousemove', () => { window.__hover.push(performance.now() - window.__hoverAt); });
  });
  for (let i = 0; i < 300; i++) {
    if (i % 10 === 9) { await fp.page.mouse.move(box.x + box.width - 3, box.y + box.height - 3); continue; }
    const k = (i * 7919) % r.count;
    await fp.page.mouse.move(box.x + r.x[k] + Math.max(0.5, r.w[k] / 2), box.y + r.y[k] + ROW_HEIGHT / 2);
  }
  return fp.page.evaluate(() => window.__hover as number[]);
}

async function search(fp: FlamePage, query: string): Promise<{ ms: number; info: string }> {
  const toggle = fp.page.locator('button.toggle');
  if ((await toggle.getAttribute('aria-pressed')) !== 'true') await toggle.click();
  await fp.page.waitForTimeout(300);
  const since = fp.messages.length;
  await fp.page.locator('input.search').fill(query);
  await fp.page.evaluate(() => { window.__searchAt = performance.now(); });
  await fp.page.locator('input.search').press('Enter');
  await fp.next('drawn', 10_000, since);
  const ms = await fp.page.evaluate(() => window.__posted.drawn - window.__searchAt);
  const info = (await fp.page.locator('.search-info').textContent()) ?? '';
  await fp.page.locator('input.search').press('Escape');
  await fp.page.waitForTimeout(300);
  return { ms, info };
}

/** The reference: every node of the tree drawn with its own fillRect, no culling or batching. */
async function naiveDraw(fp: FlamePage): Promise<number> {
  return fp.page.evaluate(({ w, h, rowH }: { w: number; h: number; rowH: number }) => {
    const t = window.__lastTree;
    const c = document.createElement('canvas');
    c.width = w;
    c.height = h;
    const ctx = c.getContext('2d', { alpha: false });
    const n = t.count;
    const off = new Float64Array(n);
    const cur = new Float64Array(n);
    for (let i = 1; i < n; i++) { const p = t.parent[i]; off[i] = cur[p]; cur[p] += t.total[i]; cur[i] = off[i]; }
    const scale = w / t.total[0];
    const palette = Array.from({ length: 24 }, (_, k) => `hsl(${k * 15} 40% 40%)`);
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      ctx.fillStyle = palette[t.name[i] % 24];
      ctx.fillRect(off[i] * scale, t.depth[i] * rowH, t.total[i] * scale, rowH - 1);
    }
    ctx.getImageData(0, 0, 1, 1); // flush the drawing
    return performance.now() - t0;
  }, { w: WIDTH, h: HEIGHT, rowH: ROW_HEIGHT });
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const { generateBigProfile } = await import(path.join(__dirname, 'genBigProfile.mjs'));
  const file: string = await generateBigProfile(Number(process.env.FLAME_BENCH_SECONDS ?? 30));
  const engine = createInProcessEngine();
  const bytes = readFileSync(file);
  const loaded = await engine.load(bytes, { roots: [], pathMappings: [] });
  const trees: { label: string; tree: WireFlameTree; buildMs: number }[] = [];
  for (const budget of [100_000, 1_000_000]) {
    const t0 = performance.now();
    const ft = await engine.flameTree(loaded.id, { typeIndex: loaded.index.defaultType, mergeBy: 'function', nodeBudget: budget });
    trees.push({ label: `real, ${Math.round(ft.count / 1000)} k nodes`, tree: toWireTree(ft, (p) => path.basename(p)), buildMs: performance.now() - t0 });
  }
  // a second shape: the engine bench's synthetic profile (Zipf-hot functions, shared hot prefixes, inlining),
  // whose flame graph has many more bars wide enough to draw than the random-call workload's
  const synth = generatePprof({ samples: 130_000, functions: 5_000, files: 400, seed: 10 });
  const sl = await engine.load(synth, { roots: [], pathMappings: [] });
  for (const [budget, mergeBy] of [[100_000, 'line']] as const) {
    const t0 = performance.now();
    const ft = await engine.flameTree(sl.id, { typeIndex: sl.index.defaultType, mergeBy, nodeBudget: budget });
    trees.push({ label: `synthetic by ${mergeBy}, ${Math.round(ft.count / 1000)} k nodes`, tree: toWireTree(ft, (p) => path.basename(p)), buildMs: performance.now() - t0 });
  }
  console.log(`real profile: ${path.relative(ROOT, file)} (${(bytes.length / 1e6).toFixed(1)} MB, ${loaded.index.sampleCount} samples, @datadog/pprof time profiler)`);
  console.log(`synthetic profile: bench/genPprof.ts 130 k samples (${(synth.length / 1e6).toFixed(1)} MB)`);
  const results: Record<string, unknown>[] = [];
  for (const dpr of [1, 2]) {
    for (const { label, tree, buildMs } of trees) {
      if (dpr === 2 && tree.count > 200_000) continue;
      const fp = await openFlamePage({ width: WIDTH, height: HEIGHT, deviceScaleFactor: dpr, theme: 'dark' });
      try {
        await fp.page.evaluate(() => {
          window.addEventListener('message', (ev: any) => { if (ev.data?.type === 'tree') window.__lastTree = ev.data.tree; });
        });
        const paints: { total: number; handler: number; rects: number }[] = [];
        for (let i = 0; i < RUNS; i++) paints.push(await firstPaint(fp, tree, `run${i}`));
        const zooms = dpr === 1 ? await zoomFrame(fp, tree) : [];
        const hovers = dpr === 1 ? await hover(fp, tree) : [];
        const s = dpr === 1 ? await search(fp, label.startsWith('real') ? 'm1[0-9]_fn(1|2)' : 'Method1[0-9]+$') : undefined;
        const ref = dpr === 1 ? [await naiveDraw(fp), await naiveDraw(fp), await naiveDraw(fp)] : [];
        const row = {
          tree: label, nodes: tree.count, dpr, engineTreeMs: Math.round(buildMs),
          firstPaintMs: median(paints.map((p) => p.total)), firstPaintHandlerMs: median(paints.map((p) => p.handler)), rects: paints[0].rects,
          zoomFrameMsMedian: zooms.length ? median(zooms.map((z) => z.work)) : undefined, zoomFrameMsMax: zooms.length ? max(zooms.map((z) => z.work)) : undefined,
          clickToDrawnMsMedian: zooms.length ? median(zooms.filter((z) => !Number.isNaN(z.latency)).map((z) => z.latency)) : undefined,
          hoverMsMedian: hovers.length ? median(hovers) : undefined, hoverMsP95: hovers.length ? p95(hovers) : undefined, hoverMsMax: hovers.length ? max(hovers) : undefined, hoverEvents: hovers.length,
          searchMs: s?.ms, searchInfo: s?.info, naiveDrawAllMs: ref.length ? median(ref) : undefined,
        };
        results.push(row);
      } finally {
        await fp.close();
      }
    }
  }
  const load = (await import('node:os')).loadavg()[0];
  console.log(`\nflame graph page in headless Chromium, viewport 1600×900 (times in ms, medians unless noted; machine load average ${load.toFixed(1)} on ${(await import('node:os')).cpus().length} cores)`);
  console.log('| tree | DPR | first paint (post → drawn) | of which page handler | rects drawn | zoom frame work (median / max) | click → drawn | hover handler (median / p95 / max) | search (regex) → drawn | reference: every node by fillRect |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const r of results as any[]) {
    const o = (x: number | undefined) => (x === undefined ? '–' : fmt(x));
    console.log(`| ${r.tree} | ${r.dpr} | ${o(r.firstPaintMs)} | ${o(r.firstPaintHandlerMs)} | ${r.rects} | ${r.zoomFrameMsMedian === undefined ? '–' : `${o(r.zoomFrameMsMedian)} / ${o(r.zoomFrameMsMax)}`} | ${o(r.clickToDrawnMsMedian)} | ${r.hoverMsMedian === undefined ? '–' : `${o(r.hoverMsMedian)} / ${o(r.hoverMsP95)} / ${o(r.hoverMsMax)}`} | ${r.searchMs === undefined ? '–' : `${o(r.searchMs)} (${r.searchInfo})`} | ${o(r.naiveDrawAllMs)} |`);
  }
  const targets = results.filter((r: any) => r.dpr === 1).map((r: any) => ({
    tree: r.tree,
    firstPaint: r.nodes <= 150_000 ? (r.firstPaintMs <= 100 ? 'ok' : `over (${fmt(r.firstPaintMs)} > 100)`) : 'n/a',
    zoomFrame: r.zoomFrameMsMedian <= 16 ? `ok (median; max ${fmt(r.zoomFrameMsMax)})` : `over (median ${fmt(r.zoomFrameMsMedian)} > 16)`,
    hover: r.hoverMsP95 <= 16 ? 'ok (p95)' : `over (p95 ${fmt(r.hoverMsP95)} > 16)`,
  }));
  console.log('\ntargets (first paint ≤ 100 ms at 100 k; zoom/hover frame ≤ 16 ms):', JSON.stringify(targets));
  writeFileSync(path.join(OUT, 'results.json'), JSON.stringify({ date: new Date().toISOString(), profile: path.relative(ROOT, file), results }, null, 2));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
