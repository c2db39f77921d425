/**
 * The real flame graph page (dist/webview/flameGraph.js, the host's own HTML shell and CSP) in headless
 * Chromium, with this module playing the extension host over the protocol: it answers `ready` and
 * sends trees exactly as VS Code would (string table + typed arrays, via window.postMessage).
 * Used by test/ui/flameGraphPage.ui.ts and bench/flameGraph/run.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { flameGraphHtml, makeNonce } from '../../src/host/flameGraph/flameGraphHtml';
import type { FromWebview, ToWebview, TreeMessage, TreeOptions, WireFlameTree } from '../../src/shared/protocol';

// page.evaluate callbacks run in the browser; this project type-checks without the DOM lib.
declare const window: any;
declare const document: any;
declare const sessionStorage: any;
declare const performance: any;

export const ROOT = path.resolve(__dirname, '../..');
const ORIGIN = 'https://flame.test';
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** A few of the variables VS Code sets on a webview's <html> (Dark Modern / Light Modern values). */
const THEMES = {
  dark: {
    bodyClass: 'vscode-dark',
    vars: {
      '--vscode-font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif', '--vscode-font-size': '13px',
      '--vscode-editor-font-family': '"Droid Sans Mono", "monospace", monospace',
      '--vscode-foreground': '#cccccc', '--vscode-descriptionForeground': '#9d9d9d', '--vscode-editor-background': '#1f1f1f',
      '--vscode-focusBorder': '#0078d4', '--vscode-input-background': '#313131', '--vscode-input-foreground': '#cccccc',
      '--vscode-input-border': '#3c3c3c', '--vscode-dropdown-background': '#313131', '--vscode-dropdown-foreground': '#cccccc',
      '--vscode-dropdown-border': '#3c3c3c', '--vscode-button-secondaryBackground': '#313131', '--vscode-button-secondaryForeground': '#cccccc',
      '--vscode-button-secondaryHoverBackground': '#3c3c3c', '--vscode-button-border': '#ffffff12', '--vscode-panel-border': '#2b2b2b',
      '--vscode-textLink-foreground': '#4daafc', '--vscode-errorForeground': '#f85149', '--vscode-editorHoverWidget-background': '#202020',
      '--vscode-editorHoverWidget-foreground': '#cccccc', '--vscode-editorHoverWidget-border': '#454545', '--vscode-widget-shadow': '#0000005c',
      '--vscode-inputOption-activeBackground': '#2489db82', '--vscode-inputOption-activeForeground': '#ffffff', '--vscode-inputOption-activeBorder': '#2488db',
      '--vscode-editorCursor-foreground': '#aeafad',
    },
  },
  light: {
    bodyClass: 'vscode-light',
    vars: {
      '--vscode-font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif', '--vscode-font-size': '13px',
      '--vscode-editor-font-family': '"Droid Sans Mono", "monospace", monospace',
      '--vscode-foreground': '#3b3b3b', '--vscode-descriptionForeground': '#3b3b3b', '--vscode-editor-background': '#ffffff',
      '--vscode-focusBorder': '#005fb8', '--vscode-input-background': '#ffffff', '--vscode-input-foreground': '#3b3b3b',
      '--vscode-input-border': '#cecece', '--vscode-dropdown-background': '#ffffff', '--vscode-dropdown-foreground': '#3b3b3b',
      '--vscode-dropdown-border': '#cecece', '--vscode-button-secondaryBackground': '#e5e5e5', '--vscode-button-secondaryForeground': '#3b3b3b',
      '--vscode-button-secondaryHoverBackground': '#cccccc', '--vscode-button-border': '#0000001a', '--vscode-panel-border': '#e5e5e5',
      '--vscode-textLink-foreground': '#005fb8', '--vscode-errorForeground': '#f85149', '--vscode-editorHoverWidget-background': '#f8f8f8',
      '--vscode-editorHoverWidget-foreground': '#3b3b3b', '--vscode-editorHoverWidget-border': '#c8c8c8', '--vscode-widget-shadow': '#00000029',
      '--vscode-inputOption-activeBackground': '#bed6ed', '--vscode-inputOption-activeForeground': '#000000', '--vscode-inputOption-activeBorder': '#005fb8',
      '--vscode-editorCursor-foreground': '#000000',
    },
  },
  'high-contrast': {
    bodyClass: 'vscode-high-contrast',
    vars: {
      '--vscode-font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif', '--vscode-font-size': '13px',
      '--vscode-editor-font-family': '"Droid Sans Mono", "monospace", monospace',
      '--vscode-foreground': '#ffffff', '--vscode-descriptionForeground': '#ffffff', '--vscode-editor-background': '#000000',
      '--vscode-focusBorder': '#f38518', '--vscode-contrastBorder': '#6fc3df', '--vscode-input-background': '#000000',
      '--vscode-input-foreground': '#ffffff', '--vscode-input-border': '#6fc3df', '--vscode-dropdown-background': '#000000',
      '--vscode-dropdown-foreground': '#ffffff', '--vscode-dropdown-border': '#6fc3df', '--vscode-button-border': '#6fc3df',
      '--vscode-panel-border': '#6fc3df', '--vscode-textLink-foreground': '#21a6ff', '--vscode-errorForeground': '#f48771',
      '--vscode-editorHoverWidget-background': '#0c141f', '--vscode-editorHoverWidget-foreground': '#ffffff',
      '--vscode-editorHoverWidget-border': '#6fc3df', '--vscode-inputOption-activeBorder': '#6fc3df',
      '--vscode-editorCursor-foreground': '#ffffff',
    },
  },
} as const;
export type ThemeName = keyof typeof THEMES;

export interface FlamePageOptions {
  width?: number;
  height?: number;
  theme?: ThemeName;
  deviceScaleFactor?: number;
}

export interface FlamePage {
  page: Page;
  /** every message the page posted, in order */
  messages: FromWebview[];
  /** resolves with the next message of `type` posted after the call (or already queued since `since`) */
  next<T extends FromWebview['type']>(type: T, timeoutMs?: number, since?: number): Promise<Extract<FromWebview, { type: T }>>;
  send(m: ToWebview): Promise<void>;
  sendTree(tree: WireFlameTree, extra?: Partial<Omit<TreeMessage, 'type' | 'tree'>>): Promise<Extract<FromWebview, { type: 'drawn' }>>;
  /** the canvas' position on the page (CSS px) */
  canvasBox(): Promise<{ x: number; y: number; width: number; height: number }>;
  /** RGBA of one canvas pixel at CSS coordinates */
  pixel(x: number, y: number): Promise<[number, number, number, number]>;
  setTheme(theme: ThemeName): Promise<void>;
  /** reload the page (what hiding and showing a panel does); state kept by setState survives */
  reload(): Promise<void>;
  close(): Promise<void>;
}

function themeCss(theme: ThemeName): string {
  const vars = Object.entries(THEMES[theme].vars).map(([k, v]) => `${k}: ${v};`).join(' ');
  return `html { ${vars} }`;
}

function encodeColumn(a: ArrayBufferView): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

export async function openFlamePage(o: FlamePageOptions = {}): Promise<FlamePage> {
  const script = path.join(ROOT, 'dist/webview/flameGraph.js');
  if (!existsSync(script)) throw new Error(`${script} is missing: run npm run build first`);
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  let theme: ThemeName = o.theme ?? 'dark';
  try {
    const context = await browser.newContext({ viewport: { width: o.width ?? 1200, height: o.height ?? 700 }, deviceScaleFactor: o.deviceScaleFactor ?? 1 });
    const page = await context.newPage();
    const messages: FromWebview[] = [];
    const waiters: { type: string; since: number; resolve: (m: FromWebview) => void }[] = [];
    await page.exposeBinding('__toHost', (_src, m: FromWebview) => {
      messages.push(m);
      for (let i = waiters.length - 1; i >= 0; i--) if (waiters[i].type === m.type) { waiters[i].resolve(m); waiters.splice(i, 1); }
    });
    // tsx (esbuild keepNames) wraps functions in __name(); functions sent to the page need it too
    await page.addInitScript({ content: 'window.__name = (f) => f;' });
    // what VS Code provides inside a webview: acquireVsCodeApi with state kept across reloads
    await page.addInitScript(() => {
      let acquired = false;
      window.acquireVsCodeApi = () => {
        if (acquired) throw new Error('acquireVsCodeApi called twice');
        acquired = true;
        return {
          postMessage: (m: { type: string }) => {
            // when the page posted it (for the bench: post → drawn without the round trip to Node)
            window.__posted = { ...(window.__posted ?? {}), [m.type]: performance.now() };
            window.__toHost(m);
          },
          getState: () => { const s = sessionStorage.getItem('state'); return s ? JSON.parse(s) : undefined; },
          setState: (s: unknown) => sessionStorage.setItem('state', JSON.stringify(s)),
        };
      };
    });
    await page.route(`${ORIGIN}/**`, async (route) => {
      const url = new URL(route.request().url());
      if (url.pathname === '/') {
        const nonce = makeNonce();
        let html = flameGraphHtml({ cspSource: ORIGIN, scriptUri: `${ORIGIN}/dist/webview/flameGraph.js`, styleUri: `${ORIGIN}/media/flameGraph.css`, nonce });
        // VS Code adds its theme variables and a theme class; here through an extra stylesheet (allowed by the CSP)
        html = html.replace('<link rel="stylesheet"', `<link rel="stylesheet" href="${ORIGIN}/theme.css">\n<link rel="stylesheet"`)
          .replace('<body>', `<body class="${THEMES[theme].bodyClass}">`);
        return route.fulfill({ status: 200, contentType: 'text/html', body: html });
      }
      if (url.pathname === '/theme.css') return route.fulfill({ status: 200, contentType: 'text/css', body: themeCss(theme) });
      const file = path.join(ROOT, url.pathname);
      if (!file.startsWith(path.join(ROOT, 'dist')) && !file.startsWith(path.join(ROOT, 'media'))) return route.fulfill({ status: 404 });
      if (!existsSync(file)) return route.fulfill({ status: 404 });
      return route.fulfill({ status: 200, contentType: file.endsWith('.css') ? 'text/css' : 'text/javascript', body: readFileSync(file) });
    });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });

    const next = <T extends FromWebview['type']>(type: T, timeoutMs = 10_000, since = messages.length) =>
      new Promise<Extract<FromWebview, { type: T }>>((resolve, reject) => {
        const queued = messages.slice(since).find((m) => m.type === type);
        if (queued) return resolve(queued as Extract<FromWebview, { type: T }>);
        const timer = setTimeout(() => reject(new Error(`no '${type}' from the page within ${timeoutMs} ms; page errors: ${errors.join(' | ') || 'none'}`)), timeoutMs);
        waiters.push({ type, since, resolve: (m) => { clearTimeout(timer); resolve(m as Extract<FromWebview, { type: T }>); } });
      });

    const load = async () => {
      const ready = next('ready', 10_000);
      await page.goto(`${ORIGIN}/`);
      await ready;
    };
    await load();

    const fp: FlamePage = {
      page,
      messages,
      next,
      async send(m) {
        await page.evaluate((msg: unknown) => window.postMessage(msg, '*'), m);
      },
      async sendTree(tree, extra = {}) {
        const cols: Record<string, string> = {};
        for (const k of ['parent', 'depth', 'name', 'file', 'line', 'self', 'total', 'baseSelf', 'baseTotal'] as const) {
          const a = tree[k];
          if (a) cols[k] = encodeColumn(a);
        }
        const options: TreeOptions = extra.options ?? { mergeBy: 'function', inverted: false, typeIndex: 0 };
        const head = {
          type: 'tree', options, sampleTypes: extra.sampleTypes ?? [tree.sampleType], label: extra.label ?? 'profile',
          profileKey: extra.profileKey ?? 'p1',
          ...(extra.selection ? { selection: extra.selection } : {}),
          tree: { sampleType: tree.sampleType, strings: tree.strings, files: tree.files, count: tree.count, merged: tree.merged },
        };
        const drawn = next('drawn', 60_000);
        // decode to typed arrays inside the page first, then post: what arrives is what VS Code delivers
        await page.evaluate(({ head, cols }: { head: any; cols: Record<string, string> }) => {
          const types: Record<string, any> = {
            parent: Int32Array, depth: Uint16Array, name: Int32Array, file: Int32Array, line: Int32Array,
            self: Float64Array, total: Float64Array, baseSelf: Float64Array, baseTotal: Float64Array,
          };
          for (const [k, b64] of Object.entries(cols)) {
            const bin = atob(b64);
            const bytes = new Uint8Array(bin.length);
            for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
            head.tree[k] = new types[k](bytes.buffer);
          }
          window.__pendingTree = head;
        }, { head, cols });
        await page.evaluate(() => { window.__postedAt = performance.now(); window.postMessage(window.__pendingTree, '*'); window.__pendingTree = undefined; });
        return drawn;
      },
      async canvasBox() {
        const b = await page.locator('canvas').boundingBox();
        if (!b) throw new Error('no canvas');
        return b;
      },
      async pixel(x, y) {
        return page.evaluate(({ x, y }: { x: number; y: number }) => {
          const c = document.querySelector('canvas');
          const dpr = c.width / parseFloat(c.style.width);
          const d = c.getContext('2d').getImageData(Math.floor(x * dpr), Math.floor(y * dpr), 1, 1).data;
          return [d[0], d[1], d[2], d[3]] as [number, number, number, number];
        }, { x, y });
      },
      async setTheme(t) {
        theme = t;
        await page.evaluate(async (cls: string) => {
          const link = document.querySelector('link[href*="theme.css"]');
          await new Promise((resolve) => {
            link.onload = resolve;
            link.href = `${link.href.split('?')[0]}?${Date.now()}`;
          });
          document.body.className = cls;
        }, THEMES[t].bodyClass);
        await page.waitForTimeout(200);
      },
      async reload() {
        await load();
      },
      async close() {
        await browser.close();
      },
    };
    return fp;
  } catch (e) {
    await browser.close();
    throw e;
  }
}
