/**
 * The flame graph page in headless Chromium, fed real trees (the engine on real profiles) through the
 * protocol by test/ui/flameGraphPage.ts acting as the host. Checks what a user sees: pixels, the
 * breadcrumb, the tooltip, search results, and the messages the page sends back.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { FlameIndex, ROW_HEIGHT, layoutFlame, rectOfNode, type Rects } from '../../src/webview/flameGraph/flameLayout';
import { Slot, buildPalette, colourIndices, type ColourMode } from '../../src/webview/flameGraph/colours';
import { searchFrames } from '../../src/webview/flameGraph/search';
import { formatPercent } from '../../src/webview/flameGraph/describe';
import type { WireFlameTree } from '../../src/shared/protocol';
import { FIXTURES, GO_CPU, NODE_DEFAULT, NODE_LINES, engine, handTree, loadTree, nodesNamed } from '../unit/flameGraph/realTrees';
import { readFileSync } from 'node:fs';
import { parseLabelMatch, selectionLabel } from '../../src/core/index/selectSamples';
import { toWireTree } from '../../src/host/flameGraph/wireTree';
import { selectionNames, summarizeSelection } from '../../src/host/correlate/selectionSummary';
import type { LoadedProfile } from '../../src/host/profileSession';
import { ROOT, openFlamePage, type FlamePage, type ThemeName } from './flameGraphPage';

declare const document: any;
declare const window: any;

const SHOTS = path.join(ROOT, '.cache/screenshots');

function cssToRgb(css: string): [number, number, number] {
  if (css.startsWith('#')) return [0, 2, 4].map((i) => parseInt(css.slice(1 + i, 3 + i), 16)) as [number, number, number];
  const m = /^hsl\(([\d.]+) ([\d.]+)% ([\d.]+)%\)$/.exec(css)!;
  const [h, s, l] = [Number(m[1]) / 360, Number(m[2]) / 100, Number(m[3]) / 100];
  const q = l < 0.5 ? l * (1 + s) : l + s - l * s;
  const p = 2 * l - q;
  const f = (t: number) => { t = (t + 1) % 1; return t < 1 / 6 ? p + (q - p) * 6 * t : t < 1 / 2 ? q : t < 2 / 3 ? p + (q - p) * (2 / 3 - t) * 6 : p; };
  return [f(h + 1 / 3), f(h), f(h - 1 / 3)].map((v) => Math.round(v * 255)) as [number, number, number];
}

function near(px: number[], css: string, tol = 3): boolean {
  const want = cssToRgb(css);
  return want.every((v, i) => Math.abs(v - px[i]) <= tol);
}

describe('flame graph page in Chromium (real Go CPU profile)', function () {
  this.timeout(120_000);
  let fp: FlamePage;
  let t: WireFlameTree;
  let index: FlameIndex;
  let box: { x: number; y: number; width: number; height: number };

  const layout = (zoom = 0): Rects => layoutFlame(index, { width: box.width, height: box.height, rowHeight: ROW_HEIGHT, scrollTop: 0, orientation: 'icicle', zoom });
  const colourOf = (node: number, theme: ThemeName = 'dark', mode: ColourMode = 'package') =>
    buildPalette(mode, theme === 'dark' ? 'dark' : 'light').fill[colourIndices(t, mode)[node]];
  const centre = (r: Rects, k: number) => ({ x: box.x + r.x[k] + Math.min(r.w[k] / 2, 60), y: box.y + r.y[k] + ROW_HEIGHT / 2 });
  const crumbs = () => fp.page.locator('.crumbs .crumb').allTextContents();

  before(async () => {
    ({ wire: t } = await loadTree(GO_CPU));
    index = new FlameIndex(t);
    fp = await openFlamePage({ width: 1200, height: 700, theme: 'dark' });
  });
  after(async () => fp?.close());

  it('draws the tree it is sent after ready, in the right colours', async () => {
    assert.equal(fp.messages[0].type, 'ready');
    const drawn = await fp.sendTree(t, { label: 'cpu.pb.gz' });
    box = await fp.canvasBox();
    const r = layout();
    assert.equal(drawn.rects, r.count, 'the page drew what the layout module computes for its size');
    assert.ok(near(await fp.pixel(5, 5), buildPalette('package', 'dark').fill[Slot.Root]), 'root bar');
    const hot = nodesNamed(t, 'main.hashLoop')[0];
    const k = rectOfNode(r, hot);
    assert.ok(near(await fp.pixel(r.x[k] + 4, r.y[k] + 3), colourOf(hot)), 'main.hashLoop bar');
    // below the deepest frame: background
    assert.ok(near(await fp.pixel(box.width - 2, box.height - 2), '#1f1f1f'));
    assert.deepEqual(await crumbs(), ['all']);
    assert.match(await fp.page.locator('.notes').textContent() ?? '', /cpu\.pb\.gz · cpu \(nanoseconds\)/);
    mkdirSync(SHOTS, { recursive: true });
    await fp.page.screenshot({ path: path.join(SHOTS, 'flamegraph-page-dark.png') });
  });

  it('shows a tooltip with name, file:line, total/self and share of parent on hover', async () => {
    const r = layout();
    const hot = nodesNamed(t, 'main.hashLoop')[0];
    const p = centre(r, rectOfNode(r, hot));
    await fp.page.mouse.move(p.x, p.y);
    const tip = fp.page.locator('.tooltip');
    await tip.waitFor({ state: 'visible' });
    const text = await tip.innerText();
    assert.match(text, /^main\.hashLoop\n/);
    assert.match(text, new RegExp(`main\\.go:${t.line[hot]}\\n`));
    assert.match(text, /Total: .*% of all, .*% of parent\)/);
    assert.match(text, /Self: /);
    assert.match(text, /Sample type: cpu \(nanoseconds\)/);
    await fp.page.mouse.move(box.x + box.width - 2, box.y + box.height - 2);
    await tip.waitFor({ state: 'hidden' });
  });

  it('zooms on click (breadcrumb follows), zooms out with Escape', async () => {
    const r = layout();
    const hot = nodesNamed(t, 'main.hashLoop')[0];
    const since = fp.messages.length;
    const p = centre(r, rectOfNode(r, hot));
    await fp.page.mouse.click(p.x, p.y);
    await fp.next('drawn', 5000, since);
    assert.deepEqual(await crumbs(), ['all', 'runtime.main', 'main.main', 'main.work', 'main.hashLoop']);
    const z = layout(hot);
    const k = rectOfNode(z, hot);
    assert.equal(z.w[k], box.width);
    // the zoomed frame now spans the whole row, up to the right edge
    assert.ok(near(await fp.pixel(box.width - 4, z.y[k] + 5), colourOf(hot)));
    const s2 = fp.messages.length;
    await fp.page.keyboard.press('Escape');
    await fp.next('drawn', 5000, s2);
    assert.equal((await crumbs()).at(-1), 'main.work');
    await fp.page.locator('.crumbs .crumb', { hasText: 'all' }).click();
    await fp.page.waitForFunction(() => document.querySelectorAll('.crumbs .crumb').length === 1);
  });

  it('keyboard: arrows move the selection, Enter zooms, O opens the source', async () => {
    await fp.page.locator('canvas').focus();
    await fp.page.keyboard.press('Escape'); // at the root: clears the selection
    for (let i = 0; i < 4; i++) await fp.page.keyboard.press('ArrowDown');
    // all → runtime.main → main.main → main.work (heaviest children)
    const live = await fp.page.locator('.sr-only').textContent();
    assert.match(live ?? '', /^main\.work\./);
    const s = fp.messages.length;
    await fp.page.keyboard.press('o');
    const open = await fp.next('openSource', 5000, s);
    const work = nodesNamed(t, 'main.work')[0];
    assert.deepEqual(open, { type: 'openSource', file: t.file[work], line: t.line[work] });
    await fp.page.keyboard.press('Enter');
    await fp.page.waitForFunction(() => document.querySelector('.crumbs .crumb.current')?.textContent === 'main.work');
    await fp.page.keyboard.press('Home');
    await fp.page.waitForFunction(() => document.querySelectorAll('.crumbs .crumb').length === 1);
  });

  it('Ctrl+click asks the host to open the frame\'s file and line', async () => {
    const r = layout();
    const fib = nodesNamed(t, 'main.fib')[0];
    const p = centre(r, rectOfNode(r, fib));
    const s = fp.messages.length;
    await fp.page.keyboard.down('Control');
    await fp.page.mouse.click(p.x, p.y);
    await fp.page.keyboard.up('Control');
    const open = await fp.next('openSource', 5000, s);
    assert.deepEqual(open, { type: 'openSource', file: t.file[fib], line: t.line[fib] });
    assert.equal(t.files[open.file].endsWith('main.go'), true);
    assert.deepEqual(await crumbs(), ['all'], 'Ctrl+click does not zoom');
  });

  it('search highlights matches, dims the rest, and shows the matched share', async () => {
    await fp.page.locator('input.search').fill('hashLoop');
    await fp.page.keyboard.press('Enter');
    const want = searchFrames(index, 'hashLoop', false);
    assert.ok(want.ok);
    const info = fp.page.locator('.search-info');
    await fp.page.waitForFunction(() => /frames/.test(document.querySelector('.search-info').textContent));
    assert.equal(await info.textContent(), `${want.result.count} frames · ${formatPercent(want.result.share)} of all`);
    await fp.page.waitForTimeout(100);
    const r = layout();
    const hot = nodesNamed(t, 'main.hashLoop')[0];
    const fib = nodesNamed(t, 'main.fib')[0];
    const kh = rectOfNode(r, hot);
    const kf = rectOfNode(r, fib);
    assert.ok(near(await fp.pixel(r.x[kh] + 4, r.y[kh] + 3), colourOf(hot)), 'match keeps its colour');
    assert.ok(near(await fp.pixel(r.x[kf] + 4, r.y[kf] + 3), buildPalette('package', 'dark').fill[Slot.Dimmed]), 'non-match dimmed');
    await fp.page.screenshot({ path: path.join(SHOTS, 'flamegraph-page-search.png') });
    // regex toggle, and a bad expression is explained, not thrown
    await fp.page.locator('button.toggle').click();
    await fp.page.locator('input.search').fill('main\\.(fib|sieve');
    await fp.page.keyboard.press('Enter');
    await fp.page.waitForFunction(() => document.querySelector('.search-info').classList.contains('error'));
    assert.match(await info.textContent() ?? '', /Invalid regular expression/);
    await fp.page.locator('input.search').fill('^main\\.(fib|sieve)$');
    await fp.page.keyboard.press('Enter');
    const re = searchFrames(index, '^main\\.(fib|sieve)$', true);
    assert.ok(re.ok);
    await fp.page.waitForFunction((n: number) => document.querySelector('.search-info').textContent.startsWith(`${n} frames`), re.result.count);
    await fp.page.locator('input.search').press('Escape');
    await fp.page.locator('button.toggle').click();
    await fp.page.waitForFunction(() => document.querySelector('.search-info').textContent === '');
  });

  it('sandwich view: callers above, callees below, for the selected function', async () => {
    const r = layout();
    const hot = nodesNamed(t, 'main.hashLoop')[0];
    const p = centre(r, rectOfNode(r, hot));
    await fp.page.mouse.click(p.x, p.y);
    await fp.page.keyboard.press('s');
    await fp.page.waitForFunction(() => /Sandwich: main\.hashLoop/.test(document.querySelector('.crumbs').textContent));
    await fp.page.waitForTimeout(100);
    await fp.page.screenshot({ path: path.join(SHOTS, 'flamegraph-page-sandwich.png') });
    // callers pane (top half, root at its bottom): its bottom row is main.hashLoop itself
    const half = Math.floor(box.height / 2);
    assert.ok(near(await fp.pixel(6, half - 10), colourOf(hot)));
    // callees pane (bottom half, root on top): also main.hashLoop
    assert.ok(near(await fp.pixel(6, half + 1 + 5), colourOf(hot)));
    await fp.page.keyboard.press('Escape');
    await fp.page.waitForFunction(() => document.querySelector('.crumbs .crumb.current')?.textContent === 'main.hashLoop');
  });

  it('opens the sandwich of the function a CodeLens/hover asks for (focusFunction)', async () => {
    const fib = nodesNamed(t, 'main.fib')[0];
    await fp.send({ type: 'focusFunction', name: 'main.fib', file: t.file[fib] });
    await fp.page.waitForFunction(() => /Sandwich: main\.fib/.test(document.querySelector('.crumbs').textContent));
    assert.equal(await fp.page.locator('.pane-label').first().textContent(), '↑ callers of main.fib');
    await fp.page.locator('canvas').focus();
    await fp.page.keyboard.press('Escape');
    await fp.page.waitForFunction(() => !/Sandwich/.test(document.querySelector('.crumbs').textContent));
    assert.equal((await crumbs()).at(-1), 'main.hashLoop', 'back to the zoom it had');
  });

  it('keeps zoom and view when the panel is hidden and shown (page reloaded, same profile)', async () => {
    assert.equal((await crumbs()).at(-1), 'main.hashLoop');
    await fp.reload();
    await fp.sendTree(t, { label: 'cpu.pb.gz' });
    assert.equal((await crumbs()).at(-1), 'main.hashLoop');
    // a different profile starts from the root
    await fp.sendTree(t, { label: 'cpu.pb.gz', profileKey: 'p2' });
    assert.deepEqual(await crumbs(), ['all']);
  });

  it('exports SVG and PNG of the current view', async () => {
    let s = fp.messages.length;
    await fp.page.locator('button', { hasText: 'SVG' }).click();
    const svg = await fp.next('export', 5000, s);
    assert.equal(svg.format, 'svg');
    assert.match(svg.data, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="1200"/);
    assert.ok(svg.data.includes('>main.hashLoop<'));
    assert.equal(svg.suggestedName, 'cpu-flamegraph.svg');
    s = fp.messages.length;
    await fp.page.locator('button', { hasText: 'PNG' }).click();
    const png = await fp.next('export', 5000, s);
    assert.match(png.data, /^data:image\/png;base64,/);
    assert.ok(Buffer.from(png.data.split(',')[1], 'base64').subarray(1, 4).toString() === 'PNG');
  });

  it('follows the theme (light) and redraws', async () => {
    await fp.setTheme('light');
    await fp.page.waitForTimeout(200);
    assert.ok(near(await fp.pixel(5, 5), buildPalette('package', 'light').fill[Slot.Root]));
    const r = layout();
    const hot = nodesNamed(t, 'main.hashLoop')[0];
    const k = rectOfNode(r, hot);
    assert.ok(near(await fp.pixel(r.x[k] + 4, r.y[k] + 3), colourOf(hot, 'light')));
    await fp.page.screenshot({ path: path.join(SHOTS, 'flamegraph-page-light.png') });
    await fp.setTheme('dark');
  });

  it('high contrast: bars get borders in the contrast colour', async () => {
    await fp.setTheme('high-contrast');
    await fp.page.waitForTimeout(200);
    const r = layout();
    const hot = nodesNamed(t, 'main.hashLoop')[0];
    const k = rectOfNode(r, hot);
    // the 1 px border sits half a pixel inside the bar's left edge
    assert.ok(near(await fp.pixel(r.x[k] + 0.5, r.y[k] + ROW_HEIGHT / 2), buildPalette('package', 'high-contrast').stroke, 40));
    assert.ok(near(await fp.pixel(box.width - 2, box.height - 2), '#000000'));
    await fp.page.screenshot({ path: path.join(SHOTS, 'flamegraph-page-hc.png') });
    await fp.setTheme('dark');
  });

  it('highlights the frames of the function the editor cursor is in', async () => {
    const fib = nodesNamed(t, 'main.fib')[0];
    await fp.send({ type: 'highlight', name: 'main.fib', file: t.file[fib] });
    await fp.page.waitForTimeout(150);
    const r = layout();
    const k = rectOfNode(r, fib);
    // a 2 px outline in the cursor colour on the frame's edge
    assert.ok(near(await fp.pixel(r.x[k] + 1.5, r.y[k] + ROW_HEIGHT / 2), '#aeafad', 40));
    await fp.send({ type: 'highlight' });
    await fp.page.waitForTimeout(150);
    assert.ok(!near(await fp.pixel(r.x[k] + 1.5, r.y[k] + ROW_HEIGHT / 2), '#aeafad', 40));
  });

  it('an engine error keeps the last good graph; an unloaded profile clears it', async () => {
    await fp.send({ type: 'status', kind: 'error', message: 'Could not build the flame graph: boom' });
    await fp.page.waitForFunction(() => /boom/.test(document.querySelector('.status').textContent));
    assert.equal(await fp.page.locator('canvas').isVisible(), true);
    await fp.send({ type: 'status', kind: 'empty', message: 'No profile loaded.' });
    await fp.page.waitForFunction(() => document.querySelector('.graph').hidden);
    assert.equal(await fp.page.locator('.crumbs .crumb').count(), 0);
    await fp.sendTree(t, { label: 'cpu.pb.gz', profileKey: 'again' });
    assert.equal(await fp.page.locator('canvas').isVisible(), true);
    assert.equal(await fp.page.locator('.status').isVisible(), false);
  });

  it('shows what the node budget merged', async () => {
    const { wire: small } = await loadTree(GO_CPU, { nodeBudget: 40 });
    await fp.sendTree(small, { label: 'cpu.pb.gz', profileKey: 'budget' });
    assert.match(await fp.page.locator('.notes').textContent() ?? '', /other: [\d.<]+% in \d+ tiny frames/);
  });
});

describe('flame graph page: diff trees and hostile names', function () {
  this.timeout(120_000);
  let fp: FlamePage;
  before(async () => { fp = await openFlamePage({ width: 1000, height: 500, theme: 'dark' }); });
  after(async () => fp?.close());

  it('colours a diff tree red/green with a legend (two real Node profiles)', async () => {
    const { wire } = await loadTree(NODE_LINES, {}, NODE_DEFAULT);
    await fp.sendTree(wire, { label: 'current vs baseline' });
    assert.equal(await fp.page.locator('select[aria-label="Colours"]').inputValue(), 'diff');
    assert.equal(await fp.page.locator('.legend').isVisible(), true);
    await fp.page.screenshot({ path: path.join(SHOTS, 'flamegraph-page-diff.png') });
  });

  it('renders profile strings as text, never as markup', async () => {
    const evil = '<img src=x onerror="window.__pwned=1">';
    const tree = handTree([['all', -1, 0], [evil, 0, 10], ['<b>bold</b>', 1, 5]]);
    await fp.sendTree(tree, { label: '<script>window.__pwned=2</script>', profileKey: 'evil' });
    const b = await fp.canvasBox();
    await fp.page.mouse.move(b.x + 30, b.y + ROW_HEIGHT + 10);
    await fp.page.locator('.tooltip').waitFor({ state: 'visible' });
    assert.equal(await fp.page.locator('.tooltip .tt-title').textContent(), evil);
    await fp.page.locator('.crumbs .crumb').first().click();
    assert.equal(await fp.page.evaluate(() => document.querySelectorAll('img, b, script:not([src])').length), 0);
    assert.equal(await fp.page.evaluate(() => window.__pwned), undefined);
    const s = fp.messages.length;
    await fp.page.locator('button', { hasText: 'SVG' }).click();
    const svg = await fp.next('export', 5000, s);
    assert.ok(!svg.data.includes('<img') && svg.data.includes('&lt;img'));
  });
});

describe('flame graph page: a Correlate selection (real span-labelled Go profile)', function () {
  this.timeout(120_000);
  let fp: FlamePage;
  let span: WireFlameTree;
  let whole: WireFlameTree;
  let info: NonNullable<ReturnType<typeof summarizeSelection>>;
  before(async () => {
    // what the host sends: the engine's selection of the checkout span, summarized by the host's code
    const r = await engine.load(readFileSync(path.join(FIXTURES, 'spans/cpu.pb.gz')), { roots: [], pathMappings: [] });
    const cpu = r.index.sampleTypes.findIndex((x) => x.type === 'cpu');
    const wholeP: LoadedProfile = { id: r.id, source: { kind: 'file', label: 'cpu.pb.gz' }, index: r.index, typeIndex: cpu, loadedAt: 0 };
    const selection = { labels: [parseLabelMatch('span_id=00f067aa0ba902b7')!] };
    const s = await engine.select(r.id, selection);
    const p: LoadedProfile = { ...wholeP, id: s.id, index: s.index, selection: { selection, label: selectionLabel(selection), whole: wholeP } };
    info = summarizeSelection(p, cpu, await selectionNames(engine, p))!;
    span = toWireTree(await engine.flameTree(s.id, { typeIndex: cpu, mergeBy: 'function', nodeBudget: 10_000 }), (x) => x);
    whole = toWireTree(await engine.flameTree(r.id, { typeIndex: cpu, mergeBy: 'function', nodeBudget: 10_000 }), (x) => x);
    fp = await openFlamePage({ width: 1100, height: 600, theme: 'dark' });
  });
  after(async () => fp?.close());

  const tooltipOf = async (tree: WireFlameTree, name: string) => {
    const b = await fp.canvasBox();
    const idx = new FlameIndex(tree);
    const r = layoutFlame(idx, { width: b.width, height: b.height, rowHeight: ROW_HEIGHT, scrollTop: 0, orientation: 'icicle', zoom: 0 });
    const k = rectOfNode(r, nodesNamed(tree, name)[0]);
    await fp.page.mouse.move(b.x + r.x[k] + Math.min(r.w[k] / 2, 60), b.y + r.y[k] + ROW_HEIGHT / 2);
    const tip = fp.page.locator('.tooltip');
    await tip.waitFor({ state: 'visible' });
    const text = await tip.innerText();
    await fp.page.mouse.move(b.x + b.width - 2, b.y + b.height - 2);
    await tip.waitFor({ state: 'hidden' });
    return text;
  };

  it('a header names the span and the base of every share; tooltips and search say "of this span"; its button asks for the whole profile', async () => {
    const drawn = await fp.sendTree(span, { label: 'cpu.pb.gz · span 00f067aa… (POST /checkout)', selection: info, profileKey: 'span' });
    const title = 'Profile of span 00f067aa… (POST /checkout) only';
    const detail = '67 samples · 670 ms of cpu · 25.7% of cpu.pb.gz\'s cpu — only the samples with span_id = 00f067aa0ba902b7. Percentages are shares of this span.';
    assert.equal(drawn.selection, `${title} ${detail}`, 'the page reports the header it shows');
    assert.equal(await fp.page.locator('.selection').isVisible(), true);
    assert.equal(await fp.page.locator('.selection-title').textContent(), title);
    assert.equal(await fp.page.locator('.selection-detail').textContent(), detail);
    assert.match(await fp.page.locator('.notes').textContent() ?? '', /^cpu\.pb\.gz · span 00f067aa… \(POST \/checkout\) · cpu \(nanoseconds\)$/);
    // priceCart is all of the span's 670 ms
    assert.match(await tooltipOf(span, 'main.priceCart'), /Total: 670 ms \(100\.0% of this span, 100\.0% of parent\)/);
    await fp.page.locator('.search').fill('priceCart');
    await fp.page.locator('.search').press('Enter');
    assert.match(await fp.page.locator('.search-info').textContent() ?? '', /^1 frames · 100\.0% of this span$/);
    await fp.page.locator('.search').press('Escape');
    await fp.page.screenshot({ path: path.join(SHOTS, 'flamegraph-page-selection.png') });
    const since = fp.messages.length;
    await fp.page.locator('.selection-whole').click();
    await fp.next('showWholeProfile', 5000, since);
  });

  it('the whole profile\'s tree that follows has no header, and shares are "of all" again', async () => {
    const drawn = await fp.sendTree(whole, { label: 'cpu.pb.gz', profileKey: 'whole' });
    assert.equal(drawn.selection, undefined);
    assert.equal(await fp.page.locator('.selection').isVisible(), false);
    const all = Number(readFileSync(path.join(FIXTURES, 'spans/all.functions.txt'), 'utf8').match(/(\d+)ns total/)![1]);
    const price = Number(/^\s*\d+ns\s+\S+\s+\S+\s+(\d+)ns\s+\S+\s+main\.priceCart$/m.exec(readFileSync(path.join(FIXTURES, 'spans/all.functions.txt'), 'utf8'))![1]);
    assert.match(await tooltipOf(whole, 'main.priceCart'), new RegExp(`Total: 970 ms \\(${formatPercent(price / all).replace('.', '\\.')} of all,`));
  });

  it('selection strings (label values from the profile) are text, never markup', async () => {
    const evil = '<img src=x onerror="window.__pwned=3">';
    await fp.sendTree(span, { label: evil, selection: { ...info, label: `span_name=${evil}`, names: [evil], condition: `span_name = ${evil}`, wholeLabel: evil }, profileKey: 'evil' });
    assert.match(await fp.page.locator('.selection-title').textContent() ?? '', /<img src=x onerror/);
    assert.equal(await fp.page.evaluate(() => document.querySelectorAll('img').length), 0);
    assert.equal(await fp.page.evaluate(() => window.__pwned), undefined);
  });
});

describe('flame graph page at devicePixelRatio 2', function () {
  this.timeout(120_000);
  let fp: FlamePage;
  before(async () => { fp = await openFlamePage({ width: 900, height: 500, deviceScaleFactor: 2 }); });
  after(async () => fp?.close());

  it('backs the canvas with device pixels and draws at that resolution', async () => {
    const { wire } = await loadTree(GO_CPU);
    await fp.sendTree(wire);
    const size = await fp.page.evaluate(() => {
      const c = document.querySelector('canvas');
      return { w: c.width, h: c.height, cssW: c.getBoundingClientRect().width, cssH: c.getBoundingClientRect().height };
    });
    assert.equal(size.w, Math.round(size.cssW * 2));
    assert.equal(size.h, Math.round(size.cssH * 2));
    assert.ok(near(await fp.pixel(5, 5), buildPalette('package', 'dark').fill[Slot.Root]));
  });
});
