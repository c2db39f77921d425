/**
 * Correlate as a user sees it in code-server: a workspace with the span fixture's Go source and its real
 * span-labelled CPU profile (test/fixtures/spans, loaded by profileLens.defaultProfile). Show Profile of
 * a Span or Trace… → the label-key quick pick → span_id → the heaviest span: the editor repaints with that
 * span only and the status bar says so; clicking the status item goes back to the whole profile.
 * Then with the span shown again (typed id): the hover opens by naming it, the flame graph's tab and
 * header say it, and the page's Show Whole Profile button ends it everywhere.
 * Screenshots: .cache/screenshots/correlate-{whole,pick-key,pick-value,span,hover,flamegraph}.png.
 */
import * as assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { openWorkbench, type Workbench } from './harness/workbench';

const ROOT = path.resolve(__dirname, '../..');
const FIXTURES = path.join(ROOT, 'test/fixtures/spans');
const WS = path.join(ROOT, '.cache/ui-correlate-src');

function makeWorkspace(): void {
  rmSync(WS, { recursive: true, force: true });
  mkdirSync(path.join(WS, 'spans'), { recursive: true });
  mkdirSync(path.join(WS, 'profiles'), { recursive: true });
  mkdirSync(path.join(WS, '.vscode'), { recursive: true });
  copyFileSync(path.join(FIXTURES, 'gen/main.go'), path.join(WS, 'spans/main.go'));
  copyFileSync(path.join(FIXTURES, 'cpu.pb.gz'), path.join(WS, 'profiles/cpu.pb.gz'));
  writeFileSync(path.join(WS, '.vscode/settings.json'), JSON.stringify({
    'profileLens.defaultProfile': 'profiles/cpu.pb.gz',
    // the profile records module-relative paths (go build -trimpath)
    'profileLens.pathMappings': [{ from: 'profilelens/spans', to: '${workspaceFolder}/spans' }],
  }, null, 2));
}

describe('correlate (UI)', () => {
  let wb: Workbench;
  before(async () => {
    makeWorkspace();
    wb = await openWorkbench({ workspace: WS, openFile: 'spans/main.go', width: 1360, height: 820 });
  });
  after(async () => {
    await wb?.close();
    rmSync(WS, { recursive: true, force: true });
  });

  const statusTexts = () => wb.page.locator('.statusbar-item').allInnerTexts();

  it('pick span_id → a span: only that span is painted and the status bar says so; its item goes back', async () => {
    const whole = await wb.waitForCodeLens(90_000);
    assert.ok(whole.some((t) => /CPU/.test(t)), whole.join(' | '));
    await wb.screenshot('correlate-whole');
    await wb.runCommand('Profile Lens: Show Profile of a Span or Trace…');
    const rows = wb.page.locator('.quick-input-list .monaco-list-row');
    await rows.filter({ hasText: /span_id\s*5 values/ }).first().waitFor({ state: 'visible', timeout: 15_000 });
    const keys = await rows.allInnerTexts();
    for (const k of ['span_id', 'trace_id', 'span_name', 'endpoint']) assert.ok(keys.some((r) => r.includes(k)), keys.join(' | '));
    await wb.screenshot('correlate-pick-key');
    await rows.filter({ hasText: /span_id\s*5 values/ }).first().click();
    await rows.filter({ hasText: '00f067aa0ba902b7' }).first().waitFor({ state: 'visible', timeout: 15_000 });
    const values = await rows.allInnerTexts();
    assert.match(values[0], /00f067aa0ba902b7/, 'the heaviest span first');
    assert.match(values[0], /67 samples · 670(\.00)? ?ms \(25\.7%\)/, values[0]);
    await wb.screenshot('correlate-pick-value');
    await wb.page.keyboard.press('Enter');
    await wb.page.locator('.statusbar-item', { hasText: 'span 00f067aa…: 67 samples' }).first().waitFor({ timeout: 15_000 });
    // the CodeLens now shows the span's shares: priceCart is (nearly) all of it, searchIndex is gone
    let lenses: string[] = [];
    for (let i = 0; i < 50; i++) {
      lenses = await wb.codeLensTexts();
      if (lenses.some((t) => /^CPU (9\d|100)\.\d% /.test(t))) break;
      await wb.page.waitForTimeout(200);
    }
    // priceCart's lens (the first function in the file) now holds nearly all of the span
    assert.match(lenses[0] ?? '', /^CPU (9\d|100)(\.\d)?% /, lenses.join(' | '));
    // the hot loop in view, with the hover of its hottest line
    await wb.goToLine(47);
    await wb.page.waitForTimeout(200);
    await wb.screenshot('correlate-span');
    // the status item ends the selection
    await wb.page.locator('.statusbar-item', { hasText: 'span 00f067aa…' }).first().click();
    await wb.page.locator('.statusbar-item', { hasText: 'span 00f067aa…' }).first().waitFor({ state: 'detached', timeout: 15_000 });
    // (the DOM order of lenses is not stable: compare as sets)
    const sorted = async () => (await wb.codeLensTexts()).sort();
    for (let i = 0; i < 50 && (await sorted()).join(' ') !== [...whole].sort().join(' '); i++) await wb.page.waitForTimeout(200);
    assert.deepEqual(await sorted(), [...whole].sort());
    assert.ok(!(await statusTexts()).some((t) => /span 00f067aa/.test(t)));
  });

  it('a span shown: the hover names it first, the flame graph tab and header say it; the page\'s button ends it', async () => {
    await wb.runCommand('Profile Lens: Show Profile of a Span or Trace…');
    const rows = wb.page.locator('.quick-input-list .monaco-list-row');
    await rows.filter({ hasText: 'Enter a span or trace id' }).first().click();
    await wb.page.locator('.quick-input-box input').fill('00f067aa0ba902b7');
    await wb.page.keyboard.press('Enter');
    await wb.page.locator('.statusbar-item', { hasText: 'span 00f067aa…: 67 samples' }).first().waitFor({ timeout: 15_000 });
    // the hottest line of the span (priceCart's loop body)
    await wb.goToLine(37);
    await wb.page.waitForTimeout(300);
    let text = '';
    for (let i = 0; i < 20 && !text.includes('(POST /checkout)'); i++) {
      text = await wb.hover('mix', 10_000, { line: 'h = mix(h, uint64(i))' });
      if (!text.includes('(POST /checkout)')) { await wb.page.keyboard.press('Escape'); await wb.page.waitForTimeout(300); }
    }
    const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
    assert.match(lines[0], /^Profile of span 00f067aa… \(POST \/checkout\) only ·\s+Show Whole Profile$/, text);
    assert.match(text, /67 samples · 670 ms of cpu · 25\.7% of the whole profile's cpu \(cpu\.pb\.gz: only the samples with span_id = 00f067aa0ba902b7\)\./);
    assert.match(text, /Percentages below are shares of this span's total, not of the whole profile's\./);
    // line 37 holds 500 of the span's 670 ms: 74.6 % of the span (19.2 % of the whole profile)
    assert.match(text, /cpu · this line\s+[\d.]+% \([^)]*\)\s+74\.6% \(500 ms\)/, text);
    await wb.screenshot('correlate-hover');
    await wb.page.keyboard.press('Escape');
    // the flame graph: its tab and header name the span
    await wb.runCommand('Profile Lens: Show Flame Graph');
    await wb.page.locator('.tab.active', { hasText: 'Flame Graph — span 00f067aa…' }).waitFor({ timeout: 30_000 });
    const frame = await wb.webviewFrame(30_000);
    const header = frame.locator('.selection');
    await header.waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal((await frame.locator('.selection-title').innerText()).trim(), 'Profile of span 00f067aa… (POST /checkout) only');
    assert.match(await frame.locator('.selection-detail').innerText(), /^67 samples · 670 ms of cpu · 25\.7% of cpu\.pb\.gz's cpu — only the samples with span_id = 00f067aa0ba902b7\. Percentages are shares of this span\.$/);
    await frame.locator('body[data-state="drawn"]').waitFor({ timeout: 30_000 });
    await wb.screenshot('correlate-flamegraph');
    // its button ends the selection everywhere: status item, header, tab title
    await frame.locator('.selection-whole').click();
    await wb.page.locator('.statusbar-item', { hasText: 'span 00f067aa…' }).first().waitFor({ state: 'detached', timeout: 15_000 });
    await header.waitFor({ state: 'hidden', timeout: 15_000 });
    await wb.page.locator('.tab', { hasText: /^Flame Graph$/ }).first().waitFor({ timeout: 15_000 });
    assert.equal(await wb.page.locator('.tab', { hasText: 'span 00f067aa' }).count(), 0);
  });
});
