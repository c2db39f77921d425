/**
 * `npm run demo [-- --live] [-- --check] [-- --vsix] [-- --port N] [-- --desktop]`
 *
 * Builds the extension, starts code-server (127.0.0.1) with Profile Lens on demo/workspace — whose
 * settings load the committed real profile (profiles/cpu.pb.gz) — and prints the URL to open. Runs
 * until Ctrl-C; every process it started is stopped then.
 *   --live     also run the demo service under a bounded load with /debug/pprof endpoints, and open a
 *              copy of the workspace whose settings follow its CPU endpoint (profileLens.followUrl,
 *              refreshed every 10 s after each 10 s collection): the profile on screen keeps updating
 *   --check    CI: open the workbench in headless Chromium, wait until the slow function's file shows
 *              the extension's CodeLens and "Show Flame Graph" draws, save screenshots, exit 0
 *              (1 on failure/timeout)
 *   --vsix     install the packaged .vsix (npm run package) instead of development mode
 *   --desktop  open a desktop VS Code (`code` on PATH) in development mode instead of code-server
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Workbench } from '../../test/ui/harness/workbench';
import { launchBrowser } from '../../test/vscode/runner/browser';
import { freePort, startCodeServer, workbenchUrl } from '../../test/vscode/runner/codeServer';
import { cleanupAll, onCleanup, trackGroup } from '../../test/vscode/runner/processes';
import { CACHE, ROOT, ensureTools } from '../../test/vscode/runner/tools';

const argv = process.argv.slice(2);
const flag = (f: string) => argv.includes(`--${f}`);
const opt = (f: string) => {
  const i = argv.indexOf(`--${f}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const DEMO = path.join(ROOT, 'demo/workspace');
const SLOW_FILE = 'src/pricing.ts';
const log = (s: string) => console.log(`[demo] ${s}`);

async function portNear(preferred: number): Promise<number> {
  const net = await import('node:net');
  const free = await new Promise<boolean>((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(preferred, '127.0.0.1', () => s.close(() => resolve(true)));
  });
  return free ? preferred : freePort();
}

async function startLiveService(): Promise<string> {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(ROOT, 'demo/scripts/serve.mjs'), '--port', String(port), '--load', '--rps', opt('rps') ?? '10'], {
    cwd: ROOT, detached: true, stdio: ['ignore', 'inherit', 'inherit'],
  });
  trackGroup(child, 'demo service');
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) return base;
    } catch {
      // starting
    }
    if (i > 100) throw new Error('the demo service did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The live demo's workspace settings: follow the service's CPU endpoint instead of loading the committed
 * profile (a default profile loading at the same moment would stop the following), refresh every 10 s, and
 * map the service's paths (the committed workspace, where it runs from) to this copy.
 */
function followLive(workspace: string, url: string): void {
  const file = path.join(workspace, '.vscode/settings.json');
  const settings = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  delete settings['profileLens.defaultProfile'];
  settings['profileLens.followUrl'] = url;
  settings['profileLens.backend.refreshIntervalSeconds'] = 10;
  settings['profileLens.pathMappings'] = [{ from: DEMO, to: workspace }];
  writeFileSync(file, `${JSON.stringify(settings, null, 2)}\n`);
}

function packageVsix(): string {
  execFileSync('npm', ['run', '--silent', 'package'], { cwd: ROOT, stdio: 'inherit' });
  const vsix = readdirSync(path.join(ROOT, '.cache')).filter((f) => f.endsWith('.vsix')).map((f) => path.join(ROOT, '.cache', f));
  if (!vsix.length) throw new Error('npm run package produced no .vsix in .cache/');
  return vsix.sort().at(-1)!;
}

async function main(): Promise<number> {
  const t0 = Date.now();
  const check = flag('check');
  if (!existsSync(path.join(ROOT, 'node_modules/esbuild'))) {
    console.error('[demo] dependencies are missing: run `npm ci` first');
    return 1;
  }
  if (!flag('no-build')) execFileSync(process.execPath, [path.join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, stdio: 'inherit' });

  if (flag('desktop')) {
    const which = spawnSync('sh', ['-c', 'command -v code'], { encoding: 'utf8' });
    if (which.status !== 0) {
      console.error('[demo] --desktop: no `code` on PATH; run without --desktop for the browser VS Code');
      return 1;
    }
    execFileSync('code', ['--new-window', `--extensionDevelopmentPath=${ROOT}`, DEMO, path.join(DEMO, SLOW_FILE)], { stdio: 'inherit' });
    log('opened the desktop VS Code (Extension Development Host) on demo/workspace');
    return 0;
  }

  ensureTools();
  // --check and --live work on a copy so they never touch the committed workspace
  let workspace = DEMO;
  if (check || flag('live')) {
    const copy = path.join(CACHE, `demo-${check ? 'check' : 'live'}-${process.pid}`, 'demo-workspace');
    workspace = copy;
    rmSync(copy, { recursive: true, force: true });
    mkdirSync(copy, { recursive: true });
    cpSync(DEMO, copy, { recursive: true });
    onCleanup(() => rmSync(path.dirname(copy), { recursive: true, force: true }));
  }
  let live: string | undefined;
  if (flag('live')) {
    live = await startLiveService();
    log(`live service: ${live}  (bounded load running; pprof: ${live}/debug/pprof/profile?seconds=10, ${live}/debug/pprof/heap)`);
    followLive(workspace, `${live}/debug/pprof/profile?seconds=10`);
  }
  const vsix = flag('vsix') ? packageVsix() : undefined;
  const server = await startCodeServer({
    port: opt('port') ? Number(opt('port')) : (check ? await freePort() : await portNear(8080)),
    workspace,
    installVsix: vsix ? [vsix] : undefined,
    // the smoke-test driver honours `payload` (development path, openFile) but hides toasts: the
    // interactive --vsix demo runs without it; --check keeps it to open the file directly
    smokeTestDriver: !vsix || check,
    keepState: !!process.env.PROFILE_LENS_KEEP_STATE,
    env: live ? { PROFILE_LENS_DEMO_PPROF_URL: `${live}/debug/pprof/profile?seconds=10` } : {},
  });
  const file = path.join(workspace, SLOW_FILE);
  const url = vsix && !check
    ? `${server.origin}/?folder=${encodeURIComponent(workspace)}`
    : workbenchUrl(server, { folder: workspace, openFile: file, extensionDevelopmentPath: vsix ? false : undefined });
  log(`code-server ${server.origin} (pid ${server.pid}) ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  console.log(`\n  Open this URL in a browser on this machine:\n\n  ${url}\n`);
  console.log(`  ${live ? 'The live CPU profile of the running service loads after its first 10 s collection' : 'The demo profile (profiles/cpu.pb.gz) loads on its own'}. Open ${SLOW_FILE}: findBundleDeals is the hot spot;`);
  console.log('  "Profile Lens: Show Flame Graph" opens the flame graph; "Profile Lens: Open Profile File…" → profiles/heap.pb.gz for memory.');
  if (live) {
    console.log(`  Live: the workspace follows ${live}/debug/pprof/profile?seconds=10 (setting profileLens.followUrl): a new 10 s CPU`);
    console.log('  profile replaces the view 10 s after each one ends (status bar "updated N s ago"; click it for Refresh Now / Pause).');
    console.log(`  "Profile Lens: Fetch Profile from URL…" with ${live}/debug/pprof/heap follows the heap instead.`);
  }
  console.log('');

  if (check) return runCheck(server, workspace, url, vsix !== undefined, t0, live !== undefined);
  log('running; Ctrl-C stops code-server' + (live ? ' and the service' : ''));
  await new Promise(() => undefined); // until a signal; processes.ts stops everything
  return 0;
}

async function runCheck(server: Awaited<ReturnType<typeof startCodeServer>>, workspace: string, url: string, vsix: boolean, t0: number, live: boolean): Promise<number> {
  const timeoutMs = Number(opt('timeout') ?? 300) * 1000;
  const session = await launchBrowser();
  const wb = new Workbench(session.page, server, session, workspace);
  const work = (async () => {
    await session.page.goto(url);
    await session.page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await session.page.locator(`.tab.active[data-resource-name="${path.basename(SLOW_FILE)}"]`).waitFor({ timeout: 60_000 });
    const lenses = await wb.waitForCodeLens(240_000); // slow only on a very busy machine
    await session.page.waitForTimeout(500);
    const shot = await wb.screenshot(vsix ? 'demo-check-vsix' : 'demo-check');
    log(`the editor shows ${lenses.length} CodeLens in ${SLOW_FILE}: ${lenses.slice(0, 4).map((l) => JSON.stringify(l)).join(', ')}`);
    log(`screenshot: ${path.relative(ROOT, shot)}`);
    // "Show Flame Graph" works on the demo profile
    await wb.runCommand('Profile Lens: Show Flame Graph');
    const frame = await wb.webviewFrame(30_000);
    await frame.locator('canvas').first().waitFor({ state: 'visible', timeout: 30_000 });
    await frame.waitForFunction(() => (globalThis as any).document.body.dataset.state === 'drawn', undefined, { timeout: 30_000 });
    const bars = Number(await frame.evaluate(() => (globalThis as any).document.body.dataset.rects));
    if (!(bars > 10)) throw new Error(`the flame graph drew ${bars} bars`);
    const fg = await wb.screenshot(vsix ? 'demo-check-vsix-flamegraph' : 'demo-check-flamegraph');
    log(`flame graph drawn (${bars} bars): ${path.relative(ROOT, fg)}`);
    if (live) {
      // --live: the followed endpoint is pulled again without anyone asking (status bar: refreshing → updated)
      const status = (re: RegExp) => session.page.locator('.statusbar-item').filter({ hasText: re }).first();
      await status(/refreshing · updated \d+ s ago/).waitFor({ timeout: 60_000 });
      const t = Date.now();
      await status(/^\s*updated [0-4] s ago/).waitFor({ timeout: 60_000 });
      log(`live: a newer profile arrived on its own (refresh ran ${((Date.now() - t) / 1000).toFixed(1)} s: the 10 s collection)`);
      const shot2 = await wb.screenshot('demo-check-live');
      log(`screenshot: ${path.relative(ROOT, shot2)}`);
    }
    return lenses;
  })();
  const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs).unref());
  try {
    const r = await Promise.race([work, timeout]);
    if (r === 'timeout') {
      const shot = await wb.screenshot('demo-check-timeout').catch(() => '(none)');
      console.error(`[demo] --check: no CodeLens in ${SLOW_FILE} within ${timeoutMs / 1000} s (screenshot ${shot})`);
      return 1;
    }
    log(`check passed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return 0;
  } catch (e) {
    const shot = await wb.screenshot('demo-check-failed').catch(() => '(none)');
    console.error(`[demo] --check failed: ${e instanceof Error ? e.message : e} (screenshot ${shot})`);
    const notes = await wb.notifications().catch(() => []);
    if (notes.length) console.error(`[demo] notifications:\n  ${notes.join('\n  ')}`);
    console.error(`[demo] server log: ${server.logFile}`);
    return 1;
  }
}

main().then(
  async (code) => {
    await cleanupAll();
    process.exit(code);
  },
  async (e) => {
    console.error('[demo] error:', e);
    await cleanupAll();
    process.exit(1);
  },
);
