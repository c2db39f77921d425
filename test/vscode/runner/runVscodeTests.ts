/**
 * `npm run test:vscode [-- <file filter>…] [--grep <re>] [--workspace <dir>] [--timeout <s>] [--no-build] [--verbose] [--vsix <file>]`
 * (`--vsix`: install that package into code-server and run the suites against it instead of this folder)
 *
 * Builds the extension and the suites, starts code-server with the smoke-test driver, opens Chromium on a
 * workbench URL whose payload carries extensionDevelopmentPath (this repo) + extensionTestsPath (the
 * compiled suites), waits for `window.codeAutomationExit(code)`, prints the mocha output and a final
 * `N passed, N failed` line, and exits non-zero on failure or timeout. Servers/browsers are always stopped.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import type { SuiteResults } from '../index';
import { launchBrowser } from './browser';
import { buildSuites, findSuites } from './buildSuites';
import { startCodeServer, workbenchUrl } from './codeServer';
import { cleanupAll, onCleanup } from './processes';
import { CACHE, ROOT, ensureTools } from './tools';

const RUN_DIR = path.join(CACHE, 'vscode-tests', `run-${process.pid}`);

interface Args {
  filters: string[];
  grep?: string;
  workspace?: string;
  timeoutS: number;
  build: boolean;
  verbose: boolean;
  /** keep .cache/vscode-tests/run-<pid> (bundle, results, workspace copy) after the run */
  keep?: boolean;
  /** install this .vsix and test it instead of the development folder */
  vsix?: string;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { filters: [], timeoutS: Number(process.env.PROFILE_LENS_VSCODE_TIMEOUT ?? 600), build: true, verbose: !!process.env.PROFILE_LENS_VERBOSE };
  for (let i = 0; i < argv.length; i++) {
    const x = argv[i];
    if (x === '--grep') a.grep = argv[++i];
    else if (x === '--workspace') a.workspace = argv[++i];
    else if (x === '--timeout') a.timeoutS = Number(argv[++i]);
    else if (x === '--no-build') a.build = false;
    else if (x === '--verbose') a.verbose = true;
    else if (x === '--keep') a.keep = true;
    else if (x === '--vsix') a.vsix = path.resolve(argv[++i]);
    else a.filters.push(x);
  }
  return a;
}

/** A fresh copy of the demo workspace (suites may write into it), or the folder given. */
export function prepareWorkspace(given?: string): string {
  if (given) return path.resolve(given);
  const dest = path.join(RUN_DIR, 'workspace');
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  const demo = path.join(ROOT, 'demo/workspace');
  if (existsSync(demo)) cpSync(demo, dest, { recursive: true, filter: (src) => !src.includes(`${path.sep}node_modules`) });
  return dest;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const t0 = Date.now();
  const lap = (what: string, since: number) => console.log(`[test:vscode] ${what}: ${((Date.now() - since) / 1000).toFixed(1)} s`);
  if (args.vsix && !existsSync(args.vsix)) {
    console.error(`[test:vscode] ${args.vsix} does not exist (npm run package writes .cache/profile-lens.vsix)`);
    return 1;
  }
  if (args.build && !args.vsix) {
    const tb = Date.now();
    execFileSync(process.execPath, [path.join(ROOT, 'scripts/build.mjs')], { stdio: 'inherit', cwd: ROOT });
    lap('extension build', tb);
  }
  const ti = Date.now();
  ensureTools();
  lap('tools check', ti);
  const suites = findSuites(args.filters);
  if (suites.length === 0) {
    console.error(`[test:vscode] no suite matches ${args.filters.join(', ')} in test/vscode/suite`);
    return 1;
  }
  // Everything of this run lives in its own folder: several runs may go on at once on this machine.
  mkdirSync(RUN_DIR, { recursive: true });
  onCleanup(() => {
    if (!args.keep) rmSync(RUN_DIR, { recursive: true, force: true });
  });
  const index = await buildSuites(suites, RUN_DIR);
  console.log(`[test:vscode] ${suites.length} suite file(s): ${suites.map((s) => path.basename(s)).join(', ')}`);
  const workspace = prepareWorkspace(args.workspace);
  const resultsFile = path.join(RUN_DIR, 'results.json');
  rmSync(resultsFile, { force: true });

  const ts = Date.now();
  const server = await startCodeServer({
    workspace,
    installVsix: args.vsix ? [args.vsix] : undefined,
    env: {
      PROFILE_LENS_TEST_RESULTS: resultsFile,
      ...(args.vsix ? { PROFILE_LENS_EXPECT_INSTALLED: path.basename(args.vsix) } : {}),
      ...(args.grep ? { PROFILE_LENS_TEST_GREP: args.grep } : {}),
    },
  });
  lap(`code-server ready on ${server.origin} (pid ${server.pid})${args.vsix ? `, ${path.basename(args.vsix)} installed` : ''}`, ts);
  const { page } = await launchBrowser();
  let exitCode: number | undefined;
  let resolveExit!: (code: number) => void;
  const exited = new Promise<number>((r) => (resolveExit = r));
  const hostLines: string[] = [];
  await page.exposeFunction('codeAutomationLog', (type: string, logArgs: unknown) => {
    const text = (Array.isArray(logArgs) ? logArgs : [logArgs]).map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(' ');
    hostLines.push(`[${type}] ${text}`);
    if (args.verbose) console.log(`[host:${type}] ${text}`);
  });
  await page.exposeFunction('codeAutomationExit', (code: number) => {
    exitCode = code;
    resolveExit(code);
  });
  page.on('pageerror', (e) => hostLines.push(`[pageerror] ${e.message}`));
  // VS Code runs extension tests only in extension-development mode. To test the installed package,
  // the development path is an empty folder (no extension there), so the installed copy is what loads.
  let devPath: string | undefined;
  if (args.vsix) {
    devPath = path.join(RUN_DIR, 'no-development-extension');
    mkdirSync(devPath, { recursive: true });
  }
  const url = workbenchUrl(server, { folder: workspace, extensionTestsPath: index, extensionDevelopmentPath: devPath });
  const tr = Date.now();
  await page.goto(url);
  const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), args.timeoutS * 1000).unref());
  const outcome = await Promise.race([exited, timeout]);
  lap('suites (workbench load + run)', tr);

  let results: SuiteResults | undefined;
  if (existsSync(resultsFile)) results = JSON.parse(readFileSync(resultsFile, 'utf8')) as SuiteResults;
  if (results) {
    console.log('');
    for (const l of results.lines) console.log(l);
    for (const f of results.failures) console.log(`\nFAILED: ${f.title}\n${f.error}`);
    if (results.metrics.length) {
      console.log('\nmetrics:');
      for (const m of results.metrics) console.log(`  ${m.name}: ${m.value} ${m.unit}`);
    }
  }
  // On trouble, show what the host and workbench said (our own test lines are already printed above).
  const own = new Set(results?.lines ?? []);
  const noise = /Ignoring fetching additional builtin|Updating additional builtin|AccountPolicyGate|No search provider registered/;
  const interesting = hostLines.filter((l) => !own.has(l.replace(/^\[\w+\] /, '')) && !noise.test(l) && !/^\[error\] (FAILED |Error: \d+ test\(s\) failed)/.test(l));
  const showHost = args.verbose || outcome === 'timeout' || !results || results.failed > 0;
  if (showHost && interesting.length) {
    console.log(`\nextension host / workbench log (${interesting.length} lines, last 60 shown; all with --verbose):`);
    for (const l of interesting.slice(-60)) console.log(`  ${l}`);
  }
  if (outcome === 'timeout') {
    console.log(`\n[test:vscode] TIMEOUT after ${args.timeoutS} s (server log: ${server.logFile}, kept until exit)`);
  }
  await cleanupAll();
  lap('total', t0);
  const passed = results?.passed ?? 0;
  const failed = results ? results.failed : 1;
  if (!results) console.log('[test:vscode] no results file was written: the test runner did not run (see log above)');
  console.log(`${passed} passed, ${failed} failed`);
  return outcome === 'timeout' || exitCode !== 0 || failed > 0 || !results ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  async (e) => {
    console.error('[test:vscode] harness error:', e);
    await cleanupAll();
    console.log('0 passed, 1 failed');
    process.exit(1);
  },
);
