/**
 * source-map 0.8 loads mappings.wasm from beside its own module file. Bundled by esbuild (as
 * scripts/build.mjs does for dist/*.js), that is beside the bundle: this test bundles a small
 * program around symbolize(), runs it in a separate Node process, and checks it maps the real
 * fixture with mappings.wasm copied beside it, and degrades to a clear report without it.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { PROFILES, WS } from './fixtureHelpers';

const REPO = path.resolve(__dirname, '../../..');

describe('symbolize: source-map WASM from an esbuild bundle', function () {
  this.timeout(60_000);
  let tmp: string;
  before(async () => {
    tmp = mkdtempSync(path.join(tmpdir(), 'pl-wasm-'));
    const entry = path.join(tmp, 'probe.ts');
    writeFileSync(entry, `
      import { readFileSync } from 'node:fs';
      import { decodeProfile } from ${JSON.stringify(path.join(REPO, 'src/core/decode/decodeProfile'))};
      import { symbolize } from ${JSON.stringify(path.join(REPO, 'src/core/symbolize/symbolize'))};
      (async () => {
        const raw = decodeProfile(readFileSync(process.argv[2]));
        const r = await symbolize(raw, { roots: [process.argv[3]], pathMappings: [] });
        const names: string[] = [];
        for (let f = 0; f < raw.frames.count; f++) {
          const id = r.symbols.file[f];
          if (id >= 0 && r.files[id].viaSourceMap) names.push(raw.strings[r.symbols.name[f]] + '@' + r.symbols.startLine[f]);
        }
        console.log(JSON.stringify({ names, unresolved: r.unresolved }));
      })();
    `);
    for (const d of ['with', 'without']) {
      mkdirSync(path.join(tmp, d), { recursive: true });
      await esbuild.build({ entryPoints: [entry], outfile: path.join(tmp, d, 'probe.js'), bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'error' });
    }
    copyFileSync(require.resolve('source-map/lib/mappings.wasm'), path.join(tmp, 'with', 'mappings.wasm'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  const probe = (dir: string) => JSON.parse(execFileSync(process.execPath, [path.join(tmp, dir, 'probe.js'), path.join(PROFILES, 'bundle-time-default.pb.gz'), WS], { encoding: 'utf8' }));

  it('maps the minified bundle when mappings.wasm sits beside the bundle', () => {
    const out = probe('with');
    assert.ok(out.names.includes('slowChecksum@35'), out.names.join(' '));
    assert.ok(out.names.includes('multiply@19'));
    assert.ok(!out.unresolved.some((u: { reason: string }) => u.reason === 'source-map-error'));
  });

  it('without it, says so instead of crashing', () => {
    const out = probe('without');
    assert.deepEqual(out.names, []);
    const u = out.unresolved.find((x: { reason: string; detail: string }) => x.reason === 'source-map-error');
    assert.ok(u, JSON.stringify(out.unresolved));
    assert.match(u.detail, /mappings\.wasm is missing beside the bundle/);
  });
});
