/**
 * Debian's Chromium driven by playwright-core, headless, with a throwaway profile and HOME/XDG inside it.
 * Playwright owns the browser process (it is closed in `close()`, on our cleanup, and by Playwright's
 * own exit handlers if we die).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { onCleanup } from './processes';
import { CHROMIUM } from './tools';

export interface BrowserSession {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
];

export async function launchBrowser(opts: { width?: number; height?: number } = {}): Promise<BrowserSession> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'profile-lens-chromium-'));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    env: {
      ...process.env,
      HOME: home,
      XDG_CONFIG_HOME: path.join(home, 'config'),
      XDG_CACHE_HOME: path.join(home, 'cache'),
      XDG_DATA_HOME: path.join(home, 'data'),
    },
  });
  const context = await browser.newContext({ viewport: { width: opts.width ?? 1400, height: opts.height ?? 900 } });
  const page = await context.newPage();
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await browser.close().catch(() => undefined);
    rmSync(home, { recursive: true, force: true });
  };
  onCleanup(close);
  return { browser, context, page, close };
}
