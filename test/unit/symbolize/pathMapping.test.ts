/**
 * Profile paths → workspace files, on the real fixture profiles (recorded under the deployment
 * path /tmp/profile-lens-fixture/usr/src/app, which does not exist when the tests run).
 */
import * as assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { RawProfile } from '../../../src/core/model';
import { normalizeProfilePath } from '../../../src/core/symbolize/pathResolver';
import { symbolize } from '../../../src/core/symbolize/symbolize';
import { DEPLOY, loadRaw, options, selfPerFrame, totalOf, WS } from './fixtureHelpers';

/** The same real profile as if it had been recorded under other paths (file strings rewritten). */
function withPaths(raw: RawProfile, rewrite: (p: string) => string): RawProfile {
  const strings = raw.strings.slice();
  const files = new Set(raw.frames.file);
  for (const id of files) if (id > 0) strings[id] = rewrite(strings[id]);
  return { ...raw, strings };
}

function filesOf(r: Awaited<ReturnType<typeof symbolize>>): string[] {
  return r.files.map((f) => f.path);
}

describe('symbolize: path mapping', function () {
  this.timeout(60_000);
  let tmp: string;
  before(() => {
    tmp = mkdtempSync(path.join(tmpdir(), 'pl-paths-'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('normalizes file:// URLs, Windows paths and webpack:// sources', () => {
    assert.deepEqual(normalizeProfilePath('file:///usr/src/app/a%20b.js'), { norm: '/usr/src/app/a b.js', absolute: true, internal: false });
    assert.deepEqual(normalizeProfilePath('file:///C:/app/dist/x.js'), { norm: 'C:/app/dist/x.js', absolute: true, internal: false });
    assert.deepEqual(normalizeProfilePath('C:\\app\\dist\\..\\src\\x.ts'), { norm: 'C:/app/src/x.ts', absolute: true, internal: false });
    assert.deepEqual(normalizeProfilePath('webpack://my-app/./src/x.ts'), { norm: 'src/x.ts', absolute: false, internal: false });
    assert.deepEqual(normalizeProfilePath('webpack:///src/x.ts'), { norm: 'src/x.ts', absolute: false, internal: false });
    assert.equal(normalizeProfilePath('node:internal/modules/cjs/loader').internal, true);
    assert.deepEqual(normalizeProfilePath('/usr//src/./app/'), { norm: '/usr/src/app', absolute: true, internal: false });
  });

  it('infers the deployment prefix from the longest path suffix and reuses it (tsc build: many files)', async () => {
    const raw = loadRaw('lib-time-default.pb.gz');
    const r = await symbolize(raw, options());
    const learned = r.stats!.learnedPrefixes;
    assert.deepEqual(learned.map((l) => [l.from, l.to]), [[DEPLOY, WS]]);
    assert.equal(r.stats!.resolvedBy.inferred, 1, 'one path taught the prefix');
    assert.ok(r.stats!.resolvedBy.learned >= 3, `the other lib/*.js paths used it: ${JSON.stringify(r.stats!.resolvedBy)}`);
    for (const f of ['main', 'matrix', 'pipeline', 'records', 'tokenizer']) assert.ok(filesOf(r).includes(path.join(WS, `src/${f}.ts`)), f);
  });

  it('resolves file:// and Windows-style profile paths of the same profile', async () => {
    const raw = loadRaw('bundle-time-default.pb.gz');
    const win = withPaths(raw, (p) => (p.startsWith(DEPLOY) ? `C:\\srv\\app${p.slice(DEPLOY.length).replace(/\//g, '\\')}` : p));
    const url = withPaths(raw, (p) => (p.startsWith(DEPLOY) ? `file://${p}` : p));
    for (const variant of [win, url]) {
      const r = await symbolize(variant, options());
      assert.ok(filesOf(r).includes(path.join(WS, 'src/tokenizer.ts')), JSON.stringify(r.unresolved));
    }
  });

  it('explicit mappings win over .pyroscope.yaml and inference; the longest prefix wins', async () => {
    // A second copy of the workspace that only the yaml rule points to.
    const other = path.join(tmp, 'other-checkout');
    cpSync(WS, other, { recursive: true });
    const yaml = { dir: other, text: `version: v1\nsource_code:\n  mappings:\n    - path:\n        - prefix: ${DEPLOY}\n      language: nodejs\n      source:\n        local:\n          path: .\n` };
    const raw = loadRaw('bundle-time-default.pb.gz');
    // (the other checkout is a workspace folder too: files are only read inside workspace folders and mapping targets)
    const byYaml = await symbolize(raw, options({ roots: [WS, other], pyroscopeYaml: [yaml] }));
    assert.equal(byYaml.stats!.resolvedBy['pyroscope-yaml'], 1);
    assert.ok(filesOf(byYaml).includes(path.join(other, 'src/tokenizer.ts')));

    const explicit = await symbolize(loadRaw('bundle-time-default.pb.gz'), options({
      roots: [WS, other],
      pyroscopeYaml: [yaml],
      pathMappings: [{ from: '/tmp/profile-lens-fixture', to: path.join(tmp, 'nowhere') }, { from: `${DEPLOY}/build`, to: path.join(WS, 'build') }],
    }));
    assert.equal(explicit.stats!.resolvedBy.mapping, 1);
    assert.ok(filesOf(explicit).includes(path.join(WS, 'src/tokenizer.ts')), 'the longer explicit prefix was used');
    assert.ok(!filesOf(explicit).some((f) => f.startsWith(other)));
  });

  it('a mapping that points nowhere falls back to inference, and reports not-found when nothing else works', async () => {
    const wrong = [{ from: DEPLOY, to: path.join(tmp, 'missing') }];
    const withRoot = await symbolize(loadRaw('bundle-time-default.pb.gz'), options({ pathMappings: wrong }));
    assert.equal(withRoot.stats!.resolvedBy.inferred, 1);
    const raw = loadRaw('bundle-time-default.pb.gz');
    const noRoot = await symbolize(raw, { roots: [], pathMappings: wrong });
    const u = noRoot.unresolved.find((x) => x.profilePath === `${DEPLOY}/build/app.min.js`);
    assert.ok(u, JSON.stringify(noRoot.unresolved));
    assert.equal(u.reason, 'not-found');
    assert.match(u.detail, /path mapping .* does not exist/);
    // its weight: the share of samples whose leaf is in the bundle
    const self = selfPerFrame(raw);
    let w = 0;
    for (let f = 0; f < raw.frames.count; f++) if (raw.strings[raw.frames.file[f]] === `${DEPLOY}/build/app.min.js`) w += self[f];
    assert.ok(Math.abs(u.selfWeight - w / totalOf(raw)) < 1e-9);
    assert.ok(u.selfWeight > 0.3, `the bundle holds most self time: ${u.selfWeight}`);
  });

  it('ambiguous suffix matches are not guessed: reported with candidates, settled by a mapping', async () => {
    const ws2 = path.join(tmp, 'mono');
    for (const svc of ['svc-a', 'svc-b']) cpSync(path.join(WS, 'build'), path.join(ws2, svc, 'build'), { recursive: true });
    cpSync(path.join(WS, 'src'), path.join(ws2, 'svc-a', 'src'), { recursive: true });
    const raw = loadRaw('bundle-time-default.pb.gz');
    const r = await symbolize(raw, { roots: [ws2], pathMappings: [] });
    const u = r.unresolved.find((x) => x.profilePath.endsWith('build/app.min.js'));
    assert.ok(u, JSON.stringify(r.unresolved));
    assert.equal(u.reason, 'no-match');
    assert.match(u.detail, /ambiguous: 2 workspace files end with build\/app\.min\.js/);
    const fixed = await symbolize(loadRaw('bundle-time-default.pb.gz'), { roots: [ws2], pathMappings: [{ from: DEPLOY, to: path.join(ws2, 'svc-a') }] });
    assert.ok(fixed.files.some((f) => f.path === path.join(ws2, 'svc-a/src/tokenizer.ts')));
  });

  it('a match on the file name alone is trusted only at a workspace root', async () => {
    const nested = path.join(tmp, 'nested');
    cpSync(path.join(WS, 'build'), path.join(nested, 'dist'), { recursive: true }); // dist/app.min.js: only the name matches
    const r = await symbolize(loadRaw('bundle-time-default.pb.gz'), { roots: [nested], pathMappings: [] });
    const u = r.unresolved.find((x) => x.profilePath.endsWith('build/app.min.js'));
    assert.ok(u && /only the file name matches/.test(u.detail), JSON.stringify(r.unresolved));
    const flat = path.join(tmp, 'flat');
    cpSync(path.join(WS, 'build'), flat, { recursive: true }); // <root>/app.min.js, like /usr/src/app/server.js ↔ <root>/server.js
    const r2 = await symbolize(loadRaw('bundle-time-default.pb.gz'), { roots: [flat], pathMappings: [] });
    assert.deepEqual(r2.stats!.learnedPrefixes.map((l) => [l.from, l.to]).slice(0, 1), [[`${DEPLOY}/build`, flat]]);
    // the map beside it was used: its sources are not in this folder, so sourcesContent serves them
    assert.ok(r2.files.some((f) => f.path.endsWith(path.join('src', 'tokenizer.ts')) && !f.onDisk && f.content !== undefined));
  });

  it('lists the workspace within bounds: node_modules and dot-folders are skipped, the file cap is reported', async () => {
    const ws3 = path.join(tmp, 'hidden');
    cpSync(path.join(WS, 'build'), path.join(ws3, 'node_modules/x/build'), { recursive: true });
    cpSync(path.join(WS, 'build'), path.join(ws3, '.git/build'), { recursive: true });
    const r = await symbolize(loadRaw('bundle-time-default.pb.gz'), { roots: [ws3], pathMappings: [] });
    const u = r.unresolved.find((x) => x.profilePath.endsWith('build/app.min.js'));
    assert.ok(u && /no workspace file is named app\.min\.js/.test(u.detail), JSON.stringify(r.unresolved));

    const ws4 = path.join(tmp, 'big');
    mkdirSync(path.join(ws4, 'a'), { recursive: true });
    for (let i = 0; i < 30; i++) writeFileSync(path.join(ws4, 'a', `f${i}.txt`), '');
    cpSync(path.join(WS, 'build'), path.join(ws4, 'z/build'), { recursive: true });
    const capped = await symbolize(loadRaw('bundle-time-default.pb.gz'), { roots: [ws4], pathMappings: [] }, { maxWorkspaceFiles: 10 });
    const c = capped.unresolved.find((x) => x.profilePath.endsWith('build/app.min.js'));
    assert.ok(c && /workspace listing stopped at 10 files/.test(c.detail), JSON.stringify(capped.unresolved));
  });

  it('reports unresolved paths with their self weight, largest first; runtime internals are not reported', async () => {
    const raw = loadRaw('lib-time-default.pb.gz');
    const r = await symbolize(raw, options());
    const ring = r.unresolved.find((u) => u.profilePath === `${DEPLOY}/node_modules/@acme/ringbuf/lib/index.js`);
    assert.ok(ring, JSON.stringify(r.unresolved));
    assert.equal(ring.reason, 'no-match');
    assert.ok(ring.selfWeight >= 0 && ring.selfWeight < 0.2);
    assert.ok(!r.unresolved.some((u) => u.profilePath.startsWith('node:')));
    for (let i = 1; i < r.unresolved.length; i++) assert.ok(r.unresolved[i - 1].selfWeight >= r.unresolved[i].selfWeight);
  });
});
