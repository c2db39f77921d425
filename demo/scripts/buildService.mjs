// Bundles and minifies the demo service with esbuild, with a linked source map:
//   demo/workspace/src/main.ts → demo/workspace/dist/service.js (+ service.js.map)
// `node demo/scripts/buildService.mjs`
import * as esbuild from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const WORKSPACE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../workspace');
export const BUNDLE = path.join(WORKSPACE, 'dist/service.js');

export async function buildService() {
  await esbuild.build({
    entryPoints: [path.join(WORKSPACE, 'src/main.ts')],
    outfile: BUNDLE,
    bundle: true,
    minify: true,
    sourcemap: true, // linked: //# sourceMappingURL=service.js.map, sources relative (../src/*.ts)
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'warning',
  });
  return BUNDLE;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = await buildService();
  console.log(`built ${path.relative(process.cwd(), out)}`);
}
