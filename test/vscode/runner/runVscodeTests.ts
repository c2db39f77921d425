/**
 * `npm run test:vscode [-- <file filter>…] [--grep <re>] [--workspace <dir>] [--timeout <s>] [--no-build] [--verbose]`
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
import { cleanupAll } from './processes';
import { CACHE, ROOT, ensureTools } from './tools';

interface Args {
  filters: string[];
  grep?: string;
  workspace?: string;
  timeoutS: number;
  build: boolean;
  verbose: boolean;
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
    else a.filters.push(x);
  }
  return a;
}

/** A fresh copy of the demo workspace (suites may write into it), or the folder given. */
export function prepareWorkspace(given?: string): string {
  if (given) return path.resolve(given);
  const dest = path.join(CACHE, 'vscode-workspace');
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
  if (args.build) {
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
  const index = await buildSuites(suites);
  console.log(`[test:vscode] ${suites.length} suite file(s): ${suites.map((s) => path.basename(s)).join(', ')}`);
  const workspace = prepareWorkspace(args.workspace);
  const resultsFile = path.join(CACHE, 'vscode-tests', 'results.json');
  rmSync(resultsFile, { force: true });

  const ts = Date.now();
  const server = await startCodeServer({
    workspace,
    env: {
      PROFILE_LENS_TEST_RESULTS: resultsFile,
      ...(args.grep ? { PROFILE_LENS_TEST_GREP: args.grep } : {}),
    },
  });
  lap(`code-server ready on ${server.origin} (pid ${server.pid})`, ts);
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
  const url = workbenchUrl(server, { folder: workspace, extensionTestsPath: index });
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
