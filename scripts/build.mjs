// Bundles every entry point with esbuild. `node scripts/build.mjs [--watch] [--production]`
// Entry points are listed once here; a missing entry file is skipped (features land one by one).
import * as esbuild from 'esbuild';
import { existsSync, mkdirSync, copyFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const at = (p) => path.join(root, p);

const node = {
  bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: true,
  minify: production, logLevel: 'warning', legalComments: 'none',
};
const builds = [
  { ...node, entryPoints: [at('src/extension.ts')], outfile: at('dist/extension.js'), external: ['vscode'] },
  { ...node, entryPoints: [at('src/core/worker/engineWorker.ts')], outfile: at('dist/engineWorker.js') },
  { ...node, entryPoints: [at('src/core/parallel/sampleWorker.ts')], outfile: at('dist/sampleWorker.js') },
  { ...node, entryPoints: [at('src/cli/main.ts')], outfile: at('dist/cli.js'), banner: { js: '#!/usr/bin/env node' } },
  {
    bundle: true, platform: 'browser', target: 'chrome120', format: 'iife', sourcemap: true, minify: production,
    logLevel: 'warning', entryPoints: [at('src/webview/flameGraph/main.ts')], outfile: at('dist/webview/flameGraph.js'),
  },
].filter((b) => existsSync(b.entryPoints[0]));

mkdirSync(at('dist'), { recursive: true });
// source-map 0.8 loads mappings.wasm from beside its own file; bundled, it must sit beside dist/*.js.
copyFileSync(require.resolve('source-map/lib/mappings.wasm'), at('dist/mappings.wasm'));

if (watch) {
  for (const b of builds) (await esbuild.context(b)).watch();
} else {
  const t0 = Date.now();
  await Promise.all(builds.map((b) => esbuild.build(b)));
  console.log(`built ${builds.length} bundles in ${Date.now() - t0} ms`);
}
