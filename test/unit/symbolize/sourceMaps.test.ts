/**
 * Source maps on the real fixture builds: linked, inline data: URI, `.map` beside the file,
 * sourceRoot (webpack://-style), index maps (composed from real tsc maps, one section by url),
 * sourcesContent-only sources, and missing / invalid / incomplete maps (reported, never thrown).
 */
import * as assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { RawProfile } from '../../../src/core/model';
import { symbolize, type SymbolizeResult } from '../../../src/core/symbolize/symbolize';
import { DEPLOY, loadRaw, options, selfPerFrame, totalOf, WS } from './fixtureHelpers';

interface Row { name: string; file: string; line: number; startLine: number }

/** Per frame: original name, file (relative to the workspace), line, start line. */
function rows(raw: RawProfile, r: SymbolizeResult, base = WS): Row[] {
  const out: Row[] = [];
  for (let f = 0; f < raw.frames.count; f++) {
    const fid = r.symbols.file[f];
    out.push({
      name: raw.strings[r.symbols.name[f]],
      file: fid < 0 ? '' : path.relative(base, r.files[fid].path).split(path.sep).join('/'),
      line: r.symbols.line[f],
      startLine: r.symbols.startLine[f],
    });
  }
  return out;
}

const bundleCode = readFileSync(path.join(WS, 'build/app.min.js'), 'utf8');
const bundleMap = readFileSync(path.join(WS, 'build/app.min.js.map'), 'utf8');
const withoutAnnotation = (code: string) => code.replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n');

describe('symbolize: source maps', function () {
  this.timeout(60_000);
  let tmp: string;
  let linked: Row[];
  before(async () => {
    tmp = mkdtempSync(path.join(tmpdir(), 'pl-maps-'));
    const raw = loadRaw('bundle-time-default.pb.gz');
    linked = rows(raw, await symbolize(raw, options()));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  /** Deploys a variant of the bundle under `dir`/build and symbolizes the real profile against it. */
  async function variant(dir: string, code: string, files: Record<string, string> = {}, extraRoots: string[] = []) {
    mkdirSync(path.join(dir, 'build'), { recursive: true });
    writeFileSync(path.join(dir, 'build/app.min.js'), code);
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, 'build', name), text);
    const raw = loadRaw('bundle-time-default.pb.gz');
    const r = await symbolize(raw, { roots: [WS, ...extraRoots], pathMappings: [{ from: DEPLOY, to: dir }] });
    return { raw, r };
  }

  it('a dependency that exists only in sourcesContent becomes a read-only document, not an error', async () => {
    const raw = loadRaw('bundle-time-default.pb.gz');
    const r = await symbolize(raw, options());
    const ring = r.files.find((f) => f.path.endsWith(path.join('node_modules', '@acme', 'ringbuf', 'src', 'index.ts')));
    assert.ok(ring, r.files.map((f) => f.path).join('\n'));
    assert.equal(ring.onDisk, false);
    assert.equal(ring.viaSourceMap, true);
    assert.match(ring.content!, /export class RingBuffer<T>/);
    const ringId = r.files.indexOf(ring);
    // stretch() (minified in the bundle) is the dependency's costly function: sampled in every run
    const stretch = [...Array(raw.frames.count).keys()].find((f) => r.symbols.file[f] === ringId && raw.strings[r.symbols.name[f]] === 'stretch');
    assert.ok(stretch !== undefined, 'the dependency function stretch() is in the profile');
    assert.match(ring.content!.split('\n')[r.symbols.line[stretch] - 1], /^export function stretch\(key: string, rounds: number\): number \{/);
    assert.ok(!r.unresolved.some((u) => /ringbuf/.test(u.detail)));
  });

  it('inline data: URI maps and a .map beside an unannotated file give the same answer as the linked map', async () => {
    const inline = withoutAnnotation(bundleCode) + `//# sourceMappingURL=data:application/json;charset=utf-8;base64,${Buffer.from(bundleMap).toString('base64')}\n`;
    const a = await variant(path.join(tmp, 'inline'), inline);
    assert.deepEqual(rows(a.raw, a.r).filter((x) => x.file.startsWith('src/')), linked.filter((x) => x.file.startsWith('src/')));
    const b = await variant(path.join(tmp, 'beside'), withoutAnnotation(bundleCode), { 'app.min.js.map': bundleMap });
    assert.deepEqual(rows(b.raw, b.r).filter((x) => x.file.startsWith('src/')), linked.filter((x) => x.file.startsWith('src/')));
    assert.equal(a.r.stats!.sourceMapsLoaded >= 1 && b.r.stats!.sourceMapsLoaded >= 1, true);
  });

  it('a remote sourceMappingURL is not fetched: a local <file>.map copy is used, else it is reported', async () => {
    const remote = withoutAnnotation(bundleCode) + '//# sourceMappingURL=https://cdn.example.com/assets/app.min.js.map\n';
    const a = await variant(path.join(tmp, 'remote-copy'), remote, { 'app.min.js.map': bundleMap });
    assert.deepEqual(rows(a.raw, a.r).filter((x) => x.file.startsWith('src/')), linked.filter((x) => x.file.startsWith('src/')));
    const b = await variant(path.join(tmp, 'remote-only'), remote);
    const u = b.r.unresolved.find((x) => x.reason === 'missing-source-map');
    assert.ok(u && /remote sourceMappingURL=https:\/\/cdn\.example\.com\/assets\/app\.min\.js\.map, which is not fetched; put a copy at .*app\.min\.js\.map/.test(u.detail), JSON.stringify(b.r.unresolved));
  });

  it('sourceRoot: webpack://-style sources resolve against the workspace root', async () => {
    const m = JSON.parse(bundleMap);
    m.sourceRoot = 'webpack://fixture-app/';
    m.sources = m.sources.map((s: string) => s.replace(/^\.\.\//, ''));
    const { raw, r } = await variant(path.join(tmp, 'webpack'), bundleCode, { 'app.min.js.map': JSON.stringify(m) });
    assert.deepEqual(rows(raw, r).filter((x) => x.file.startsWith('src/')), linked.filter((x) => x.file.startsWith('src/')));
    assert.ok(r.files.some((f) => f.path === path.join(WS, 'src/tokenizer.ts') && f.onDisk));
  });

  it('absolute build-machine paths in sources (file:// and /home/runner/…) are found in the workspace by suffix', async () => {
    const m = JSON.parse(bundleMap);
    m.sources = m.sources.map((x: string, i: number) => (i % 2 ? 'file:///home/runner/work/app/app/' : '/home/runner/work/app/app/') + x.replace(/^\.\.\//, ''));
    delete m.sourcesContent;
    const { raw, r } = await variant(path.join(tmp, 'ci-paths'), bundleCode, { 'app.min.js.map': JSON.stringify(m) });
    assert.deepEqual(rows(raw, r).filter((x) => x.file.startsWith('src/')), linked.filter((x) => x.file.startsWith('src/')));
    assert.ok(r.stats!.learnedPrefixes.some((l) => l.from === '/home/runner/work/app/app' && l.to === WS), JSON.stringify(r.stats!.learnedPrefixes));
  });

  it('index maps: sections (one inline, one by url) composed from the real tsc maps', async () => {
    const lib = path.join(WS, 'lib');
    const strip = (f: string) => readFileSync(path.join(lib, f), 'utf8').replace(/\/\/# sourceMappingURL=.*\n?$/, '');
    const first = strip('tokenizer.js');
    const firstLines = first.split('\n').length - 1; // `first` ends with a newline
    const dir = path.join(tmp, 'indexed/lib');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'combined.js'), `${first}${strip('matrix.js')}//# sourceMappingURL=combined.js.map\n`);
    const tokMap = JSON.parse(readFileSync(path.join(lib, 'tokenizer.js.map'), 'utf8'));
    tokMap.sourceRoot = `${lib}/`; // a sourceRoot, so the inline section's relative sources land in the workspace
    writeFileSync(path.join(dir, 'combined.js.map'), JSON.stringify({
      version: 3, file: 'combined.js',
      sections: [
        { offset: { line: 0, column: 0 }, map: tokMap },
        { offset: { line: firstLines, column: 0 }, url: path.relative(dir, path.join(lib, 'matrix.js.map')) },
      ],
    }));
    // The real unbundled profile, as if tokenizer.js and matrix.js had been one file.
    const raw = loadRaw('lib-time-default.pb.gz');
    const reference = rows(raw, await symbolize(raw, options()));
    const moved = loadRaw('lib-time-default.pb.gz');
    const strings = moved.strings.slice();
    const line = moved.frames.line.slice();
    const startLine = moved.frames.startLine.slice();
    const combined = path.join(dir, 'combined.js');
    const touched: number[] = [];
    for (let f = 0; f < moved.frames.count; f++) {
      const p = moved.strings[moved.frames.file[f]];
      if (p === `${DEPLOY}/lib/tokenizer.js`) touched.push(f);
      if (p === `${DEPLOY}/lib/matrix.js`) {
        touched.push(f);
        line[f] += firstLines;
        startLine[f] += firstLines;
      }
    }
    for (const f of touched) strings[moved.frames.file[f]] = combined;
    const composed: RawProfile = { ...moved, strings, frames: { ...moved.frames, line, startLine } };
    const r = await symbolize(composed, options({ roots: [WS, path.join(tmp, 'indexed')] }));
    const got = rows(composed, r);
    assert.ok(touched.length >= 5, `frames in tokenizer.js/matrix.js: ${touched.length}`);
    for (const f of touched) assert.deepEqual(got[f], reference[f], `frame ${f}`);
    assert.ok(touched.some((f) => got[f].name === 'multiply' && got[f].file === 'src/matrix.ts'));
    assert.ok(touched.some((f) => got[f].name === 'slowChecksum' && got[f].file === 'src/tokenizer.ts'));
  });

  it('a declared but missing map is reported with its weight; frames stay on the generated file', async () => {
    const { raw, r } = await variant(path.join(tmp, 'missing'), bundleCode);
    const u = r.unresolved.find((x) => x.reason === 'missing-source-map');
    assert.ok(u, JSON.stringify(r.unresolved));
    assert.equal(u.profilePath, `${DEPLOY}/build/app.min.js`);
    assert.match(u.detail, /declares sourceMappingURL=app\.min\.js\.map/);
    const self = selfPerFrame(raw);
    let w = 0;
    for (let f = 0; f < raw.frames.count; f++) {
      if (raw.strings[raw.frames.file[f]] !== `${DEPLOY}/build/app.min.js`) continue;
      w += self[f];
      assert.equal(r.files[r.symbols.file[f]].path, path.join(tmp, 'missing/build/app.min.js'));
      assert.equal(r.symbols.line[f], raw.frames.line[f]);
    }
    assert.ok(Math.abs(u.selfWeight - w / totalOf(raw)) < 1e-9);
  });

  it('an invalid map is reported as source-map-error', async () => {
    const { r } = await variant(path.join(tmp, 'invalid'), bundleCode, { 'app.min.js.map': '{"version":3,"sources":["a.ts"],"mappings":"AAAA,ZZ!"}' });
    const u = r.unresolved.find((x) => x.reason === 'source-map-error');
    assert.ok(u, JSON.stringify(r.unresolved));
    assert.match(u.detail, /invalid source map .*app\.min\.js\.map/);
    const t = await variant(path.join(tmp, 'truncated'), bundleCode, { 'app.min.js.map': bundleMap.slice(0, 500) });
    assert.ok(t.r.unresolved.some((x) => x.reason === 'source-map-error'));
  });

  it('a source neither on disk nor in sourcesContent falls back to the generated file and is reported', async () => {
    const m = JSON.parse(bundleMap);
    delete m.sourcesContent;
    const { raw, r } = await variant(path.join(tmp, 'nocontent'), bundleCode, { 'app.min.js.map': JSON.stringify(m) });
    const u = r.unresolved.find((x) => x.reason === 'not-found' && /ringbuf/.test(x.detail));
    assert.ok(u, JSON.stringify(r.unresolved));
    const code = readFileSync(path.join(WS, 'build/app.min.js'), 'utf8');
    const stretchName = /function (\w+)\(\w+,\w+\)\{let \w+=2166136261/.exec(code)?.[1];
    assert.ok(stretchName, 'stretch() found in the minified bundle by its FNV offset basis');
    const stretch = [...Array(raw.frames.count).keys()].find((f) => raw.strings[raw.frames.name[f]] === stretchName && raw.strings[raw.frames.file[f]].endsWith('app.min.js'));
    assert.ok(stretch !== undefined);
    assert.ok(r.files[r.symbols.file[stretch]].path.endsWith(path.join('build', 'app.min.js')));
    assert.equal(raw.strings[r.symbols.name[stretch]], 'stretch', 'the name still comes back from the map');
    // the workspace sources are still mapped
    assert.ok(r.files.some((f) => f.path === path.join(WS, 'src/matrix.ts')));
  });

  it('copies of the workspace resolve the same way (no absolute paths baked into the maps)', async () => {
    const copy = path.join(tmp, 'clone');
    cpSync(WS, copy, { recursive: true });
    const raw = loadRaw('bundle-time-default.pb.gz');
    const r = await symbolize(raw, { roots: [copy], pathMappings: [] });
    assert.deepEqual(rows(raw, r, copy).filter((x) => x.file.startsWith('src/')), linked.filter((x) => x.file.startsWith('src/')));
  });
});
