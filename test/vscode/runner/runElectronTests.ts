/**
 * `npm run test:electron [-- <file filter>…]` — the same suites in a desktop VS Code, for machines that have one:
 *   1. `code` on PATH (or $PROFILE_LENS_CODE): run it with --extensionDevelopmentPath/--extensionTestsPath;
 *   2. otherwise @vscode/test-electron downloads VS Code (needs update.code.visualstudio.com) and runs it.
 * Where neither is possible (no `code`, download fails — e.g. offline CI), it prints why and SKIPS (exit 0).
 * Desktop VS Code needs a display: on a headless Linux run it under xvfb-run.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { SuiteResults } from '../index';
import { buildSuites, findSuites } from './buildSuites';
import { CACHE, ROOT } from './tools';

function desktopCode(): string | undefined {
  if (process.env.PROFILE_LENS_CODE) return process.env.PROFILE_LENS_CODE;
  const r = spawnSync('sh', ['-c', 'command -v code'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function report(resultsFile: string): number {
  if (!existsSync(resultsFile)) {
    console.log('[test:electron] no results were written: the extension test runner did not run');
    console.log('0 passed, 1 failed');
    return 1;
  }
  const r = JSON.parse(readFileSync(resultsFile, 'utf8')) as SuiteResults;
  for (const l of r.lines) console.log(l);
  for (const f of r.failures) console.log(`\nFAILED: ${f.title}\n${f.error}`);
  for (const m of r.metrics) console.log(`  ${m.name}: ${m.value} ${m.unit}`);
  console.log(`${r.passed} passed, ${r.failed} failed`);
  return r.failed > 0 ? 1 : 0;
}

async function main(): Promise<number> {
  const filters = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const runDir = path.join(CACHE, 'vscode-tests', `electron-${process.pid}`);
  mkdirSync(runDir, { recursive: true });
  spawnSync(process.execPath, [path.join(ROOT, 'scripts/build.mjs')], { stdio: 'inherit', cwd: ROOT });
  const index = await buildSuites(findSuites(filters), runDir);
  const resultsFile = path.join(runDir, 'results.json');
  const workspace = path.join(ROOT, 'demo/workspace');
  const state = mkdtempSync(path.join(os.tmpdir(), 'profile-lens-electron-'));
  const env = { ...process.env, PROFILE_LENS_TEST_RESULTS: resultsFile };
  const args = [
    `--extensionDevelopmentPath=${ROOT}`, `--extensionTestsPath=${index}`,
    `--user-data-dir=${path.join(state, 'user-data')}`, `--extensions-dir=${path.join(state, 'extensions')}`,
    '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes', '--new-window', workspace,
  ];
  try {
    const code = desktopCode();
    if (code) {
      console.log(`[test:electron] using ${code}`);
      await new Promise<void>((resolve) => {
        const child = spawn(code, ['--wait', ...args], { stdio: 'inherit', env });
        child.on('exit', () => resolve());
        child.on('error', (e) => {
          console.log(`[test:electron] could not start ${code}: ${e.message}`);
          resolve();
        });
      });
      return report(resultsFile);
    }
    console.log('[test:electron] no `code` on PATH; asking @vscode/test-electron to download VS Code…');
    const { downloadAndUnzipVSCode, runTests } = await import('@vscode/test-electron');
    let executable: string;
    try {
      executable = await Promise.race([
        downloadAndUnzipVSCode({ version: 'stable', cachePath: path.join(ROOT, '.tools/vscode-test') }),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no answer within 60 s')), 60_000).unref()),
      ]);
    } catch (e) {
      console.log(`[test:electron] SKIPPED: VS Code cannot be downloaded here (${e instanceof Error ? e.message.split('\n')[0] : e}).`);
      console.log('[test:electron] The same suites run inside code-server instead: npm run test:vscode');
      return 0;
    }
    await runTests({
      vscodeExecutablePath: executable,
      extensionDevelopmentPath: ROOT,
      extensionTestsPath: index,
      extensionTestsEnv: { PROFILE_LENS_TEST_RESULTS: resultsFile },
      launchArgs: args.filter((a) => !a.startsWith('--extension')),
    }).catch(() => undefined); // the outcome is read from the results file
    return report(resultsFile);
  } finally {
    rmSync(state, { recursive: true, force: true });
    rmSync(runDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error('[test:electron] error:', e);
    process.exit(1);
  },
);
