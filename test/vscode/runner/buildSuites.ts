/**
 * Bundles test/vscode/index.ts (the mocha runner) with the suite files into one CommonJS module that
 * VS Code's extension test runner loads (`extensionTestsPath`). `vscode` stays external (the host
 * provides it); mocha is bundled in.
 */
import * as esbuild from 'esbuild';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { CACHE, ROOT } from './tools';

export const SUITE_DIR = path.join(ROOT, 'test/vscode/suite');

/** Suite files, sorted; `filters` keep files whose path contains any of them (all when empty). */
export function findSuites(filters: string[] = []): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = path.join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.test.ts')) out.push(p);
    }
  };
  walk(SUITE_DIR);
  out.sort();
  return filters.length ? out.filter((f) => filters.some((x) => path.relative(SUITE_DIR, f).includes(x))) : out;
}

/** Returns the path of the compiled index (`run()` exported). */
export async function buildSuites(files: string[], outDir = path.join(CACHE, 'vscode-tests')): Promise<string> {
  mkdirSync(outDir, { recursive: true });
  const outfile = path.join(outDir, 'index.js');
  const requires = files.map((f) => `  require(${JSON.stringify(f)});`).join('\n');
  const contents = [
    `import { runSuites } from ${JSON.stringify(path.join(ROOT, 'test/vscode/index.ts'))};`,
    'export function run(): Promise<void> {',
    '  return runSuites(() => {',
    requires,
    '  });',
    '}',
  ].join('\n');
  await esbuild.build({
    stdin: { contents, resolveDir: ROOT, sourcefile: 'vscode-tests-entry.ts', loader: 'ts' },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile,
    external: ['vscode'],
    sourcemap: 'inline',
    logLevel: 'warning',
    // mocha's parallel mode (unused here) resolves worker files at run time
    logOverride: { 'require-resolve-not-external': 'silent' },
    // suites may read fixtures relative to the repository
    define: { 'process.env.PROFILE_LENS_ROOT': JSON.stringify(ROOT) },
  });
  return outfile;
}
