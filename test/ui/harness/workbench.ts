/**
 * Drives a real VS Code workbench (code-server + Chromium through playwright-core) for UI tests: what only
 * pixels show — CodeLens text, decoration ::after text, hovers, the flame graph webview. Usage in
 * test/vscode/README.md. Everything started here is stopped by `close()`, and on failure/Ctrl-C.
 */
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { launchBrowser, type BrowserSession } from '../../vscode/runner/browser';
import { startCodeServer, workbenchUrl, type CodeServer } from '../../vscode/runner/codeServer';
import { CACHE, ROOT } from '../../vscode/runner/tools';

// The functions given to page.evaluate run in the browser; this project type-checks without the DOM lib.
declare const document: any;
declare function getComputedStyle(el: any, pseudo?: string): { content: string };

export const SCREENSHOTS = path.join(CACHE, 'screenshots');

export interface WorkbenchOptions {
  /** folder to copy as the workspace (default demo/workspace); `null` = open no folder */
  workspace?: string | null;
  /** file to open, relative to the workspace (or absolute) */
  openFile?: string;
  /** user settings merged over the harness defaults */
  settings?: Record<string, unknown>;
  /** environment for code-server (reaches the extension host) */
  env?: Record<string, string>;
  /** load the extension from this folder in development mode (default: this repository); false = not */
  extensionDevelopmentPath?: string | false;
  /** install these .vsix files first (use with extensionDevelopmentPath: false) */
  installVsix?: string[];
  width?: number;
  height?: number;
}

let seq = 0;

export class Workbench {
  constructor(
    readonly page: Page,
    readonly server: CodeServer,
    private readonly browser: BrowserSession,
    /** absolute path of the workspace folder (a fresh copy), if any */
    readonly workspace: string | undefined,
  ) {}

  /** Absolute path of a workspace-relative file. */
  file(rel: string): string {
    return path.isAbsolute(rel) || !this.workspace ? rel : path.join(this.workspace, rel);
  }

  /** Opens a file through Quick Open (Ctrl+P) and waits for its tab to be active. */
  async openFile(rel: string): Promise<void> {
    const abs = this.file(rel);
    await this.page.keyboard.press('Control+P');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(this.workspace ? path.relative(this.workspace, abs) : abs);
    // file search can take a while on a busy machine: wait for the file itself in the list
    await this.page.locator('.quick-input-list .monaco-list-row', { hasText: path.basename(abs) }).first().waitFor({ state: 'visible', timeout: 30_000 });
    await this.page.keyboard.press('Enter');
    await this.page.locator(`.tab.active[data-resource-name="${path.basename(abs)}"]`).waitFor({ timeout: 10_000 });
    await this.page.locator('.monaco-editor .view-lines').first().waitFor();
  }

  /**
   * Labels the command palette lists for `query`. With `until`, re-opens the palette until a label
   * contains it (commands appear once the extension host has registered the contributions).
   * `keepOpen` leaves the palette open (for a screenshot).
   */
  async paletteEntries(query: string, o: { until?: string; timeoutMs?: number; keepOpen?: boolean } = {}): Promise<string[]> {
    const deadline = Date.now() + (o.timeoutMs ?? 45_000);
    for (;;) {
      await this.openPalette(query);
      const rows = this.page.locator('.quick-input-list .monaco-list-row');
      await rows.first().waitFor({ state: 'visible', timeout: 10_000 }).catch(() => undefined);
      await this.page.waitForTimeout(200);
      const labels = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? e.textContent ?? ''));
      const done = !o.until || labels.some((l) => l.includes(o.until!)) || Date.now() > deadline;
      if (!done || !o.keepOpen) await this.page.keyboard.press('Escape');
      if (done) return labels;
      await this.page.waitForTimeout(500);
    }
  }

  /**
   * Runs a command by its palette title ("Profile Lens: Show Flame Graph"): F1, type, click. Waits up to
   * `timeoutMs` for the command to be listed (a `when` clause may hide it until, e.g., a profile is loaded).
   */
  async runCommand(title: string, timeoutMs = 45_000): Promise<void> {
    const labels = await this.paletteEntries(title, { until: title, keepOpen: true, timeoutMs });
    if (!labels.some((l) => l.includes(title))) {
      await this.page.keyboard.press('Escape');
      throw new Error(`the command palette does not list "${title}" after ${timeoutMs / 1000} s (it lists: ${labels.slice(0, 8).join(' | ')}); is its "when" clause false (e.g. no profile loaded)?`);
    }
    const row = this.page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    await row.waitFor({ state: 'visible', timeout: 10_000 });
    await row.click();
  }

  /** Opens the command palette with `>text` typed (leaves it open). */
  async openPalette(text: string): Promise<void> {
    await this.page.locator('.monaco-workbench').click({ position: { x: 5, y: 5 }, force: true }).catch(() => undefined);
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`>${text}`);
  }

  /** Moves the active editor's cursor to a 1-based line (Ctrl+G, `:line`, Enter) and lets it scroll there. */
  async goToLine(line: number): Promise<void> {
    await this.page.keyboard.press('Control+G');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`:${line}`);
    await this.page.keyboard.press('Enter');
    await this.page.waitForTimeout(300);
  }

  /** Text of every visible CodeLens (`.codelens-decoration`) in the editors. */
  async codeLensTexts(): Promise<string[]> {
    return this.page.locator('.codelens-decoration').evaluateAll((els) => els.map((e) => (e.textContent ?? '').trim()).filter(Boolean));
  }

  /** Waits until at least one CodeLens is visible and returns their texts. */
  async waitForCodeLens(timeoutMs = 15_000): Promise<string[]> {
    await this.page.locator('.codelens-decoration').first().waitFor({ state: 'visible', timeout: timeoutMs });
    return this.codeLensTexts();
  }

  /**
   * Decoration text (`after`/`before` render options) is CSS `content`, not DOM text: reads
   * `getComputedStyle(span, '::after').content` for every span in the editors' view lines.
   */
  async decorationTexts(pseudo: 'after' | 'before' = 'after'): Promise<{ line: string; text: string }[]> {
    return this.page.evaluate((which) => {
      const out: { line: string; text: string }[] = [];
      for (const span of Array.from(document.querySelectorAll('.monaco-editor .view-lines span')) as any[]) {
        const c = getComputedStyle(span, `::${which}`).content;
        if (!c || c === 'none' || c === 'normal' || c === '""') continue;
        const line = span.closest('.view-line')?.textContent ?? '';
        out.push({ line, text: c.replace(/^"|"$/g, '').replace(/\\"/g, '"') });
      }
      return out;
    }, pseudo);
  }

  /**
   * Moves the mouse over the first occurrence of `word` in the editor (on the first rendered line
   * containing `on.line`, when given); returns the text of the hover (the first one containing
   * `on.hasText`, when given).
   */
  async hover(word: string, timeoutMs = 10_000, on: { line?: string; hasText?: string } = {}): Promise<string> {
    const box = await this.page.evaluate(([w, l]) => {
      for (const span of Array.from(document.querySelectorAll('.monaco-editor .view-lines .view-line span span')) as any[]) {
        if (l && !(span.closest('.view-line')?.textContent ?? '').replace(/\u00a0/g, ' ').includes(l)) continue;
        const t = span.textContent ?? '';
        const i = t.indexOf(w);
        if (i < 0) continue;
        const range = document.createRange();
        const node = span.firstChild!;
        range.setStart(node, i);
        range.setEnd(node, i + w.length);
        const r = range.getBoundingClientRect();
        return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
      }
      return undefined;
    }, [word, on.line ?? ''] as const);
    if (!box) throw new Error(`"${word}" is not visible in the editor${on.line ? ` on a line containing "${on.line}"` : ''}`);
    await this.page.mouse.move(box.x - 30, box.y + 40);
    await this.page.mouse.move(box.x, box.y, { steps: 5 });
    const hover = this.page.locator('.monaco-hover:not(.hidden)', on.hasText ? { hasText: on.hasText } : {}).first();
    await hover.waitFor({ state: 'visible', timeout: timeoutMs });
    await this.page.waitForTimeout(500); // fade-in before screenshots
    return (await hover.innerText()).trim();
  }

  /** Saves a screenshot of the page (or an element) to .cache/screenshots/<name>.png; returns its path. */
  async screenshot(name: string, selector?: string): Promise<string> {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const file = path.join(SCREENSHOTS, `${name}.png`);
    if (selector) await this.page.locator(selector).first().screenshot({ path: file });
    else await this.page.screenshot({ path: file });
    return file;
  }

  /**
   * The frame with a webview's own content. VS Code nests it: iframe.webview → iframe#active-frame.
   * `titleContains` picks the editor tab's webview when several are open.
   */
  async webviewFrame(timeoutMs = 15_000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const inner = this.page.frames().find((f) => f.name() === 'active-frame' || /\/fake\.html/.test(f.url()));
      if (inner) {
        await inner.waitForLoadState('domcontentloaded');
        return inner;
      }
      if (Date.now() > deadline) throw new Error(`no webview frame appeared within ${timeoutMs} ms (frames: ${this.page.frames().map((f) => f.url()).join(', ')})`);
      await this.page.waitForTimeout(100);
    }
  }

  /** Texts of the notifications (toasts are hidden in smoke-test mode; reads the notification centre). */
  async notifications(): Promise<string[]> {
    await this.page.keyboard.press('Escape');
    await this.runCommand('Notifications: Show Notifications').catch(() => undefined);
    await this.page.waitForTimeout(300);
    const texts = await this.page.locator('.notifications-center .notification-list-item-message').allInnerTexts();
    await this.runCommand('Notifications: Hide Notifications').catch(() => undefined);
    return texts;
  }

  async close(): Promise<void> {
    await this.browser.close();
    await this.server.stop();
  }
}

/** Starts code-server + Chromium, opens the workbench with the extension and waits until it is rendered. */
export async function openWorkbench(o: WorkbenchOptions = {}): Promise<Workbench> {
  let workspace: string | undefined;
  if (o.workspace !== null) {
    const from = o.workspace ?? path.join(ROOT, 'demo/workspace');
    workspace = path.join(CACHE, `ui-workspace-${process.pid}-${seq++}`);
    rmSync(workspace, { recursive: true, force: true });
    mkdirSync(workspace, { recursive: true });
    if (existsSync(from)) cpSync(from, workspace, { recursive: true, filter: (src) => !src.includes(`${path.sep}node_modules`) });
  }
  const server = await startCodeServer({ settings: o.settings, env: o.env, installVsix: o.installVsix });
  const browser = await launchBrowser({ width: o.width, height: o.height });
  const wb = new Workbench(browser.page, server, browser, workspace);
  const url = workbenchUrl(server, {
    folder: workspace,
    extensionDevelopmentPath: o.extensionDevelopmentPath ?? ROOT,
    openFile: o.openFile ? wb.file(o.openFile) : undefined,
  });
  await browser.page.goto(url);
  await browser.page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await browser.page.locator('.statusbar').waitFor({ timeout: 60_000 });
  if (o.openFile) {
    await browser.page.locator(`.tab.active[data-resource-name="${path.basename(o.openFile)}"]`).waitFor({ timeout: 30_000 });
    await browser.page.locator('.monaco-editor .view-lines').first().waitFor();
  }
  const cleanupWorkspace = workspace;
  const close = wb.close.bind(wb);
  wb.close = async () => {
    await close();
    if (cleanupWorkspace) rmSync(cleanupWorkspace, { recursive: true, force: true });
  };
  return wb;
}
