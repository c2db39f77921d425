/**
 * The flame graph inside a real VS Code (code-server) on the demo workspace and its real profile:
 * "Profile Lens: Show Flame Graph" opens the panel, the page draws the tree, a hover shows the frame,
 * and Ctrl+click on a frame opens its file at its line in the editor.
 */
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import type { Frame } from 'playwright-core';
import { openWorkbench, type Workbench } from './harness/workbench';

// page.evaluate callbacks run in the browser; this project type-checks without the DOM lib.
declare const document: any;

/** The demo's default profile loads when the folder opens; the command shows in the palette once it has. */
async function showFlameGraph(wb: Workbench): Promise<void> {
  const title = 'Profile Lens: Show Flame Graph';
  const labels = await wb.paletteEntries(title, { until: title, timeoutMs: 240_000 });
  if (!labels.some((l) => l.includes(title))) {
    const shot = await wb.screenshot('flamegraph-codeserver-no-command');
    const notes = await wb.notifications().catch(() => [] as string[]);
    throw new Error(`"${title}" never appeared (the demo profile did not load?). Palette: ${labels.join(' | ')}; notifications: ${notes.join(' | ')}; screenshot ${shot}`);
  }
  await wb.runCommand(title);
}

describe('flame graph in code-server (demo workspace)', function () {
  this.timeout(400_000);
  let wb: Workbench;
  let frame: Frame;

  before(async () => {
    wb = await openWorkbench({ openFile: 'src/main.ts', width: 1600, height: 1000 });
  });
  after(async () => wb?.close());

  it('opens from the command palette and draws the demo profile', async () => {
    await showFlameGraph(wb);
    await wb.page.locator('.tab.active', { hasText: 'Flame Graph' }).waitFor({ timeout: 30_000 });
    frame = await wb.webviewFrame(30_000);
    await frame.waitForFunction(() => document.body.dataset.state === 'drawn', undefined, { timeout: 60_000 });
    const rects = Number(await frame.evaluate(() => document.body.dataset.rects));
    assert.ok(rects > 10, `${rects} bars drawn`);
    assert.match((await frame.locator('.notes').textContent()) ?? '', /wall \(nanoseconds\)/);
    await wb.screenshot('flamegraph-codeserver');
  });

  it('Ctrl+click on a frame opens its source at its line', async () => {
    const box = await frame.locator('canvas').boundingBox();
    assert.ok(box);
    // find findBundleDeals (the demo's slow function) by hovering along the rows, as a user would
    let hit: { x: number; y: number; where: string } | undefined;
    for (let row = 1; row < 25 && !hit; row++) {
      for (let x = 4; x < box.width && !hit; x += 12) {
        await wb.page.mouse.move(box.x + x, box.y + row * 20 + 10);
        const title = await frame.locator('.tooltip:not([hidden]) .tt-title').textContent({ timeout: 200 }).catch(() => null);
        if (title === 'findBundleDeals') {
          const where = (await frame.locator('.tooltip .tt-line').first().textContent()) ?? '';
          hit = { x: box.x + x, y: box.y + row * 20 + 10, where };
        }
      }
    }
    assert.ok(hit, 'findBundleDeals is in the flame graph');
    const m = /^(.*pricing\.ts):(\d+)$/.exec(hit.where);
    assert.ok(m, `tooltip names the source: ${hit.where}`);
    const line = Number(m[2]);
    await wb.screenshot('flamegraph-codeserver-hover');
    await wb.page.keyboard.down('Control');
    await wb.page.mouse.click(hit.x, hit.y);
    await wb.page.keyboard.up('Control');
    await wb.page.locator('.tab.active[data-resource-name="pricing.ts"]').waitFor({ timeout: 15_000 });
    const status = wb.page.locator('.statusbar-item[id="status.editor.selection"]');
    await status.waitFor({ timeout: 10_000 });
    await wb.page.waitForFunction((l: number) => {
      const el = document.querySelector('.statusbar-item[id="status.editor.selection"]');
      return el && new RegExp(`Ln ${l},`).test(el.textContent);
    }, line, { timeout: 10_000 });
    assert.match((await status.textContent()) ?? '', new RegExp(`Ln ${line}, Col 1`));
    // the line the editor went to is where findBundleDeals is defined in the workspace's source
    const source = readFileSync(wb.file('src/pricing.ts'), 'utf8').split('\n');
    assert.match(source[line - 1], /function findBundleDeals\(/);
    // the cursor is now in findBundleDeals: the flame graph highlights its frames
    await frame.waitForFunction(() => document.body.dataset.highlight === 'findBundleDeals', undefined, { timeout: 10_000 });
    await wb.page.waitForTimeout(300);
    await wb.screenshot('flamegraph-codeserver-opened');
  });

  it('merged by line: a line frame opens at its own line', async () => {
    await wb.page.locator('.tab', { hasText: 'Flame Graph' }).click();
    frame = await wb.webviewFrame(30_000);
    await frame.locator('select[aria-label="Merge frames"]').selectOption('line');
    await frame.waitForFunction(() => document.querySelector('.status').hidden && document.body.dataset.state === 'drawn', undefined, { timeout: 30_000 });
    const box = await frame.locator('canvas').boundingBox();
    assert.ok(box);
    let hit: { x: number; y: number; line: number } | undefined;
    for (let row = 1; row < 25 && !hit; row++) {
      for (let x = 4; x < box.width && !hit; x += 12) {
        await wb.page.mouse.move(box.x + x, box.y + row * 20 + 10);
        const title = await frame.locator('.tooltip:not([hidden]) .tt-title').textContent({ timeout: 200 }).catch(() => null);
        const m = title ? /^findBundleDeals:(\d+)$/.exec(title) : null;
        if (m) hit = { x: box.x + x, y: box.y + row * 20 + 10, line: Number(m[1]) };
      }
    }
    assert.ok(hit, 'a findBundleDeals line frame is in the by-line flame graph');
    const where = (await frame.locator('.tooltip .tt-line').first().textContent()) ?? '';
    assert.ok(where.endsWith(`pricing.ts:${hit.line}`), where);
    await wb.screenshot('flamegraph-codeserver-byline');
    await wb.page.mouse.dblclick(hit.x, hit.y);
    await wb.page.waitForFunction((l: number) => {
      const el = document.querySelector('.statusbar-item[id="status.editor.selection"]');
      return el && new RegExp(`Ln ${l},`).test(el.textContent);
    }, hit.line, { timeout: 10_000 });
    // within findBundleDeals (the demo profile is @datadog/pprof's default mode: function start lines)
    const source = readFileSync(wb.file('src/pricing.ts'), 'utf8').split('\n');
    const start = source.findIndex((l) => l.includes('function findBundleDeals(')) + 1;
    assert.ok(hit.line >= start && hit.line < start + 20, `line ${hit.line} is in the function (starts at ${start})`);
  });

  it('keeps its zoom when the panel is hidden and shown again', async () => {
    await wb.page.locator('.tab', { hasText: 'Flame Graph' }).click();
    frame = await wb.webviewFrame(30_000);
    const box = (await frame.locator('canvas').boundingBox())!;
    // zoom into computeQuote (row 4 of the by-line tree, leftmost)
    let zoomed = '';
    for (let x = 4; x < 200 && !zoomed; x += 12) {
      await wb.page.mouse.move(box.x + x, box.y + 4 * 20 + 10);
      const title = await frame.locator('.tooltip:not([hidden]) .tt-title').textContent({ timeout: 200 }).catch(() => null);
      if (title?.startsWith('computeQuote')) {
        await wb.page.mouse.click(box.x + x, box.y + 4 * 20 + 10);
        zoomed = title;
      }
    }
    assert.ok(zoomed, 'computeQuote found');
    await frame.waitForFunction((t: string) => document.querySelector('.crumbs .crumb.current')?.textContent === t, zoomed);
    // another tab in the same group hides the panel (its page is discarded), then show it again
    await wb.page.locator('.tab', { hasText: 'main.ts' }).first().click();
    await wb.page.waitForTimeout(500);
    await wb.page.locator('.tab', { hasText: 'Flame Graph' }).click();
    const again = await wb.webviewFrame(30_000);
    await again.waitForFunction(() => document.body.dataset.state === 'drawn', undefined, { timeout: 30_000 });
    await again.waitForFunction((t: string) => document.querySelector('.crumbs .crumb.current')?.textContent === t, zoomed, { timeout: 10_000 });
    assert.equal(await again.locator('select[aria-label="Merge frames"]').inputValue(), 'line', 'the by-line option is kept too');
    frame = again;
  });

  it('bottom-up: the hottest self frame is right below the root', async () => {
    await frame.locator('select[aria-label="Call tree"]').selectOption('bottom-up');
    await frame.waitForFunction(() => document.querySelector('.status').hidden && document.querySelectorAll('.crumbs .crumb').length === 1, undefined, { timeout: 30_000 });
    const box = (await frame.locator('canvas').boundingBox())!;
    await wb.page.mouse.move(box.x + 30, box.y + 20 + 10);
    const title = await frame.locator('.tooltip:not([hidden]) .tt-title').textContent({ timeout: 5000 });
    assert.match(title ?? '', /^findBundleDeals:\d+$/, 'findBundleDeals has 79% self time: the widest leaf');
    await wb.screenshot('flamegraph-codeserver-bottomup');
  });

  it('exports the view as SVG through the save dialog', async () => {
    const target = wb.file('cpu-flamegraph.svg');
    rmSync(target, { force: true });
    await frame.locator('button', { hasText: 'SVG' }).click();
    // code-server's save dialog is a quick input prefilled with the workspace path
    const input = wb.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    await wb.page.waitForFunction(() => /cpu-flamegraph\.svg$/.test(document.querySelector('.quick-input-widget input')?.value ?? ''), undefined, { timeout: 10_000 });
    await wb.page.keyboard.press('Enter');
    const deadline = Date.now() + 15_000;
    while (!existsSync(target) && Date.now() < deadline) await wb.page.waitForTimeout(200);
    const svg = readFileSync(target, 'utf8');
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.ok(svg.includes('findBundleDeals'), 'the exported view names the frames');
  });

  it('the CodeLens of a function opens its sandwich view', async () => {
    // pricing.ts is open beside the panel; findBundleDeals' lens is the one with most self time
    await wb.page.locator('.tab', { hasText: 'pricing.ts' }).first().click();
    const lens = wb.page.locator('.codelens-decoration a', { hasText: /self [5-9]\d(\.\d)?%/ }).first();
    await lens.waitFor({ state: 'visible', timeout: 20_000 });
    await lens.click();
    const f = await wb.webviewFrame(30_000);
    await f.waitForFunction(() => /Sandwich: findBundleDeals/.test(document.querySelector('.crumbs')?.textContent ?? ''), undefined, { timeout: 20_000 });
    assert.equal(await f.locator('.pane-label').first().textContent(), '↑ callers of findBundleDeals');
    await wb.screenshot('flamegraph-codeserver-sandwich');
  });
});

describe('flame graph in code-server follows the colour theme', function () {
  this.timeout(400_000);
  for (const [theme, dark] of [['Default Dark Modern', true], ['Default Light Modern', false]] as const) {
    it(`${theme}: canvas and page take the theme's colours`, async () => {
      const wb = await openWorkbench({ openFile: 'src/pricing.ts', width: 1600, height: 1000, settings: { 'workbench.colorTheme': theme } });
      try {
        await showFlameGraph(wb);
        const frame = await wb.webviewFrame(30_000);
        await frame.waitForFunction(() => document.body.dataset.state === 'drawn', undefined, { timeout: 60_000 });
        // the canvas background below the bars is the editor background of the theme
        const [r, g, b] = await frame.evaluate(() => {
          const c = document.querySelector('canvas');
          const d = c.getContext('2d').getImageData(c.width - 3, c.height - 3, 1, 1).data;
          return [d[0], d[1], d[2]];
        });
        const luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
        assert.ok(dark ? luminance < 60 : luminance > 200, `background ${r},${g},${b} for ${theme}`);
        assert.equal(await frame.evaluate((cls: string) => document.body.classList.contains(cls), dark ? 'vscode-dark' : 'vscode-light'), true);
        // a search, for the screenshot: matches keep their colours, the rest dims
        await frame.locator('input.search').fill('Deals|Quote|editDistance');
        await frame.locator('button.toggle').click();
        await frame.waitForFunction(() => /frames/.test(document.querySelector('.search-info').textContent));
        const box = await frame.locator('canvas').boundingBox();
        await wb.page.mouse.move(box!.x + 120, box!.y + 5 * 20 + 10);
        await frame.locator('.tooltip:not([hidden])').waitFor({ timeout: 5000 });
        await wb.screenshot(`flamegraph-codeserver-${dark ? 'dark' : 'light'}`);
      } finally {
        await wb.close();
      }
    });
  }
});
