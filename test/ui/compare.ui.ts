/**
 * Compare as a user sees it in code-server, on the demo workspace: the demo's own profile
 * (profiles/cpu.pb.gz, loaded by profileLens.defaultProfile) compared with a real baseline of the same
 * build under a lighter load (test/fixtures/compare/baseline.pb.gz), picked through the file dialog.
 * Reads the rendered delta text, opens the hover, the diff flame graph, and captures screenshots
 * (.cache/screenshots/compare*.png; the README uses media/screenshots/compare.png).
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { openWorkbench, type Workbench } from './harness/workbench';

declare const document: any;
declare const getComputedStyle: (e: unknown, pseudo?: string) => { content: string; color: string };

const BASELINE = path.resolve(__dirname, '../fixtures/compare/baseline.pb.gz');

describe('compare (UI)', () => {
  let wb: Workbench;
  before(async () => {
    wb = await openWorkbench({ openFile: 'src/pricing.ts', width: 1360, height: 820 });
  });
  after(async () => wb?.close());

  it('Compare with Profile File… turns the inline cost into coloured changes', async () => {
    await wb.waitForCodeLens(90_000).catch(async (e) => { await wb.screenshot('compare-nolens'); throw e; });
    await wb.runCommand('Profile Lens: Compare with Profile File…');
    // code-server's file dialog is a quick input: type the path, Enter
    const input = wb.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    // the dialog fills in its start folder asynchronously: wait for it, then type until the value sticks
    await wb.page.locator('.quick-input-list .monaco-list-row').first().waitFor({ state: 'visible', timeout: 15_000 });
    for (let i = 0; i < 10; i++) {
      await input.fill(BASELINE);
      await wb.page.waitForTimeout(700);
      if ((await input.inputValue()) === BASELINE) break;
    }
    await wb.screenshot('compare-dialog');
    await wb.page.keyboard.press('Enter');
    let hot: { line: string; text: string } | undefined;
    for (let i = 0; i < 60 && !hot; i++) {
      await wb.page.waitForTimeout(500);
      if (i === 2) await wb.goToLine(38);
      hot = (await wb.decorationTexts('after')).find((d) => d.line.includes('findBundleDeals') && /^(≈ )?\+\d/.test(d.text));
    }
    if (!hot) await wb.screenshot('compare-failed');
    assert.ok(hot, `delta text on the findBundleDeals line: ${JSON.stringify(await wb.decorationTexts('after'))}`);
    assert.match(hot.text, /^(≈ )?\+\d+\.\d% wall \(\+[\d.]+ (ms|s)\)$/);
    const color = await wb.page.evaluate(() => {
      for (const span of Array.from(document.querySelectorAll('.monaco-editor .view-lines span')) as any[]) {
        const c = getComputedStyle(span, '::after').content;
        if (c && /\+\d/.test(c) && (span.closest('.view-line')?.textContent ?? '').includes('findBundleDeals')) return getComputedStyle(span, '::after').color;
      }
      return '';
    });
    // the "worse" theme colour (light theme default #c72e2e, dark #f48771)
    assert.ok(['rgb(199, 46, 46)', 'rgb(244, 135, 113)'].includes(color), color);
    const lenses = await wb.codeLensTexts();
    assert.ok(lenses.some((l) => /vs baseline/.test(l)), lenses.join(' | '));
    const status = await wb.page.locator('.statusbar-item', { hasText: 'vs baseline.pb.gz' }).count();
    assert.ok(status > 0, 'the status bar says what is compared');
    await wb.screenshot('compare-editor');
  });

  it('the hover adds a "vs baseline" section', async () => {
    for (let i = 0; i < 13; i++) await wb.page.keyboard.press('Control+ArrowDown');
    await wb.page.waitForTimeout(300);
    const text = await wb.hover('findBundleDeals', 15_000);
    assert.match(text, /vs baseline/);
    assert.match(text, /slower/);
    await wb.page.waitForTimeout(500);
    await wb.screenshot('compare');
  });

  it('Show Flame Graph while comparing opens the diff flame graph with its legend', async () => {
    await wb.page.mouse.move(5, 400);
    await wb.page.keyboard.press('Escape');
    await wb.runCommand('Profile Lens: Show Flame Graph');
    await wb.page.locator('.tab.active', { hasText: 'Flame Graph' }).waitFor({ timeout: 30_000 });
    const frame = await wb.webviewFrame(30_000);
    await frame.waitForFunction(() => document.body.dataset.state === 'drawn', undefined, { timeout: 60_000 });
    const legend = await frame.evaluate(() => {
      const l = document.querySelector('.legend');
      return l && !l.hidden ? l.textContent : '';
    });
    assert.ok(legend, 'the diff legend is shown');
    const label = await frame.evaluate(() => document.body.textContent ?? '');
    assert.match(label, /vs baseline\.pb\.gz/);
    await wb.page.waitForTimeout(300);
    await wb.screenshot('compare-flamegraph');
  });
});
