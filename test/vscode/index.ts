/**
 * Runs inside VS Code's extension host (code-server, or a desktop VS Code through @vscode/test-electron).
 * The runner bundles this file with every test/vscode/suite/**\/*.test.ts into one CommonJS module
 * (.cache/vscode-tests/index.js, see runner/buildSuites.ts) whose `run()` VS Code's test runner calls.
 * Results (passed/failed, failures with stacks, the output lines, metrics recorded by suites) are
 * written as JSON to $PROFILE_LENS_TEST_RESULTS; the runner prints them.
 */
import { writeFileSync } from 'node:fs';
import Mocha from 'mocha';
import { takeMetrics } from './support/metrics';

export interface SuiteResults {
  passed: number;
  failed: number;
  pending: number;
  durationMs: number;
  failures: { title: string; error: string }[];
  lines: string[];
  metrics: { name: string; value: number; unit: string }[];
}

/** `loadSuites` requires the bundled suite modules after mocha's globals (describe/it) exist. */
export function runSuites(loadSuites: () => void): Promise<void> {
  const grep = process.env.PROFILE_LENS_TEST_GREP;
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 30_000, reporter: function Silent() { /* our own output below */ } as any, ...(grep ? { grep } : {}) });
  const t0 = Date.now();
  mocha.suite.emit('pre-require', globalThis, 'bundled-suites', mocha);
  const results: SuiteResults = { passed: 0, failed: 0, pending: 0, durationMs: 0, failures: [], lines: [], metrics: [] };
  const say = (line: string): void => {
    results.lines.push(line);
    console.log(line);
  };
  try {
    loadSuites();
  } catch (e) {
    results.failed++;
    results.failures.push({ title: 'loading the suites', error: errorText(e) });
    say(`✗ loading the suites: ${errorText(e)}`);
    return finish(results, t0);
  }
  return new Promise<void>((resolve, reject) => {
    const runner = mocha.run();
    runner.on('suite', (s) => {
      if (s.title) say(`${'  '.repeat(depth(s) - 1)}${s.title}`);
    });
    runner.on('pass', (t) => {
      results.passed++;
      say(`${'  '.repeat(depth(t.parent!))}✓ ${t.title} (${t.duration ?? 0} ms)`);
    });
    runner.on('pending', (t) => {
      results.pending++;
      say(`${'  '.repeat(depth(t.parent!))}- ${t.title} (pending)`);
    });
    runner.on('fail', (t, err) => {
      results.failed++;
      const title = t.fullTitle();
      results.failures.push({ title, error: errorText(err) });
      say(`${'  '.repeat(depth(t.parent ?? mocha.suite))}✗ ${t.title}`);
    });
    runner.on('end', () => {
      finish(results, t0).then(resolve, reject);
    });
  });
}

function depth(s: Mocha.Suite): number {
  let d = 0;
  for (let p: Mocha.Suite | undefined = s; p && !p.root; p = p.parent) d++;
  return Math.max(d, 1);
}

function errorText(e: unknown): string {
  if (e instanceof Error) return e.stack ?? `${e.name}: ${e.message}`;
  return String(e);
}

async function finish(results: SuiteResults, t0: number): Promise<void> {
  results.durationMs = Date.now() - t0;
  results.metrics = takeMetrics();
  const file = process.env.PROFILE_LENS_TEST_RESULTS;
  if (file) writeFileSync(file, JSON.stringify(results, null, 2));
  for (const f of results.failures) console.error(`FAILED ${f.title}\n${f.error}`);
  console.log(`${results.passed} passed, ${results.failed} failed`);
  if (results.failed > 0) throw new Error(`${results.failed} test(s) failed`);
}
