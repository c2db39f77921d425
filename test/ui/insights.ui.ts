/**
 * Editor insights as a user sees them in code-server, on the demo workspace (a real @datadog/pprof
 * profile of the demo shop API, loaded by `profileLens.defaultProfile`): CodeLens, inline cost,
 * gutter heat and an open hover, read from the rendered DOM and captured as screenshots
 * (.cache/screenshots/insights*.png; the README uses media/screenshots/insights.png).
 */
import * as assert from 'node:assert/strict';
import { openWorkbench, type Workbench } from './harness/workbench';

// The functions given to page.evaluate run in the browser; this project type-checks without the DOM lib.
declare const document: any;

describe('editor insights (UI)', () => {
  let wb: Workbench;
  before(async () => {
    wb = await openWorkbench({ openFile: 'src/pricing.ts', width: 1280, height: 800 });
  });
  after(async () => wb?.close());

  it('shows CodeLens, inline cost and gutter heat on the hot function of the demo', async () => {
    const lenses = await wb.waitForCodeLens(30_000);
    assert.ok(lenses.some((l) => /wall \d+(\.\d)?% \(self \d+(\.\d)?%\)/.test(l)), `lenses: ${lenses.join(' | ')}`);
    const inline = await wb.decorationTexts('after');
    const hot = inline.find((d) => d.line.includes('findBundleDeals'));
    assert.ok(hot, `inline cost on the findBundleDeals line: ${JSON.stringify(inline)}`);
    assert.match(hot.text, /^(≈ )?\d+(\.\d)?% wall/);
    const gutter = await wb.page.evaluate(() => document.querySelectorAll('.monaco-editor .margin-view-overlays .cgmr').length);
    assert.ok(gutter > 0, 'gutter heat markers are rendered');
    await wb.screenshot('insights-editor');
  });

  it('hover on the hot function explains the cost', async () => {
    const text = await wb.hover('findBundleDeals');
    assert.match(text, /Profile Lens/);
    assert.match(text, /self/);
    assert.match(text, /total/);
    assert.match(text, /wall \(nanoseconds\)/);
    assert.match(text, /Open in flame graph/);
    await wb.screenshot('insights');
  });

  it('the Hotspots view lists the hot functions', async () => {
    await wb.page.mouse.move(5, 400);
    await wb.page.keyboard.press('Escape');
    const item = wb.page.locator('.activitybar .action-item [aria-label*="Profile Lens"]').first();
    await item.click();
    const row = wb.page.locator('.sidebar .monaco-list-row', { hasText: 'findBundleDeals' }).first();
    await row.waitFor({ state: 'visible', timeout: 15_000 });
    await wb.screenshot('insights-hotspots');
  });
});
