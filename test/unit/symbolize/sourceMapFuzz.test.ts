/**
 * Mutation fuzzing of the source-map loader with the real esbuild and tsc maps of the Node fixture:
 * thousands of corrupted maps (deterministic seed) must each give an 'error' result or a usable map,
 * never a throw, and the WASM module must still work afterwards. Bounded by mocha's timeout.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadSourceMapText } from '../../../src/core/symbolize/sourceMapLoader';
import { symbolize } from '../../../src/core/symbolize/symbolize';
import { loadRaw, options } from './fixtureHelpers';
import { prng as mulberry32 } from '../../support/prng';

const WS = path.resolve(__dirname, '../../fixtures/node/workspace'); // the committed maps (deterministic)
const bundleMap = readFileSync(path.join(WS, 'build/app.min.js.map'), 'utf8');
const tscMap = readFileSync(path.join(WS, 'lib/matrix.js.map'), 'utf8');


const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function mutate(rand: () => number, base: string): string {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
  const int = (n: number) => Math.floor(rand() * n);
  const obj = JSON.parse(base);
  switch (int(10)) {
    case 0: { // flip characters anywhere in the JSON text
      const chars = base.split('');
      for (let k = 1 + int(8); k > 0; k--) chars[int(chars.length)] = String.fromCharCode(32 + int(95));
      return chars.join('');
    }
    case 1: // truncate
      return base.slice(0, int(base.length));
    case 2: { // corrupt the mappings string (still base64-ish)
      const m: string[] = obj.mappings.split('');
      for (let k = 1 + int(20); k > 0; k--) m[int(m.length)] = pick([...B64.split(''), ';', ',', ',', ';']);
      obj.mappings = m.join('');
      return JSON.stringify(obj);
    }
    case 3: // random mappings
      obj.mappings = Array.from({ length: int(400) }, () => pick([...B64.split(''), ';', ','])).join('');
      return JSON.stringify(obj);
    case 4: { // wrong types in fields
      const field = pick(['version', 'sources', 'names', 'mappings', 'sourcesContent', 'sourceRoot', 'file', 'sections']);
      obj[field] = pick<unknown>([null, 7, -1, 'x', {}, [], [1, 2], [null], ['a', 3], true, 2 ** 53, { offset: { line: 0, column: 0 } }]);
      return JSON.stringify(obj);
    }
    case 5: { // huge or negative VLQ values spliced into mappings
      const huge = pick(['gggggggggggC', '//////////////', 'D', 'hgggggggD', '+/+/+/+/A', 'AAAAA', 'AAAAAAAA', 'A,A;B']);
      const at = int(obj.mappings.length);
      obj.mappings = obj.mappings.slice(0, at) + huge + obj.mappings.slice(at);
      return JSON.stringify(obj);
    }
    case 6: // fewer sources / names than the mappings refer to
      obj.sources = obj.sources.slice(0, int(obj.sources.length));
      obj.names = (obj.names ?? []).slice(0, int((obj.names ?? []).length + 1));
      return JSON.stringify(obj);
    case 7: { // index map with odd sections
      const sections = Array.from({ length: 1 + int(4) }, () => ({
        offset: { line: pick([0, 1, 2, -1, 1e9, 0.5]), column: pick([0, 10, -5, 2 ** 40]) },
        ...(rand() < 0.8 ? { map: rand() < 0.5 ? obj : { ...obj, mappings: obj.mappings.slice(0, int(obj.mappings.length)) } } : { url: pick(['missing.map', '../../etc/passwd', '', 'data:x']) }),
      }));
      return JSON.stringify({ version: 3, sections });
    }
    case 8: // random bytes
      return Array.from({ length: int(300) }, () => String.fromCharCode(int(256))).join('');
    default: { // sourcesContent / sourceRoot oddities
      obj.sourceRoot = pick(['', '/', '../../..', 'webpack://x/', 'file:///C:/a b/', '%E0%A4%A']);
      obj.sourcesContent = pick([undefined, [], [null], obj.sourcesContent?.slice(0, 1)]);
      return JSON.stringify(obj);
    }
  }
}

describe('symbolize: source-map loader fuzz', function () {
  this.timeout(120_000);

  it('never throws on 5000 corrupted real maps and still maps correctly afterwards', async () => {
    const rand = mulberry32(0x5eed);
    const outcomes = { ok: 0, error: 0 };
    const failures: string[] = [];
    const t0 = Date.now();
    for (let i = 0; i < 5000; i++) {
      const text = mutate(rand, i % 3 === 0 ? tscMap : bundleMap);
      try {
        const r = await loadSourceMapText(text, path.join(WS, 'build'), `fuzz#${i}`);
        if (r.kind === 'ok') {
          outcomes.ok++;
          for (let k = 0; k < 20; k++) {
            const line = 1 + Math.floor(rand() * 60);
            const col = Math.floor(rand() * 5000);
            const p = r.map.lookup(line, col, rand() < 0.5);
            if (p.source !== null) r.map.content(p.source);
          }
          r.map.mappingsOnLine(1, new Set([1, 2, 3]));
          r.map.destroy();
        } else {
          outcomes.error++;
          assert.equal(r.kind, 'error');
          assert.match((r as { detail: string }).detail, /invalid source map fuzz#\d+: \S/);
        }
      } catch (e) {
        failures.push(`case ${i}: ${(e as Error).stack}`);
      }
    }
    assert.deepEqual(failures.slice(0, 3), []);
    assert.ok(outcomes.error > 500, `expected many rejected maps, got ${JSON.stringify(outcomes)}`);
    assert.ok(outcomes.ok > 100, `expected some maps to survive mutation, got ${JSON.stringify(outcomes)}`);
    // The WASM instance is not poisoned: the intact map still gives the known answer.
    const good = await loadSourceMapText(bundleMap, path.join(WS, 'build'), 'good');
    assert.equal(good.kind, 'ok');
    if (good.kind === 'ok') {
      const code = readFileSync(path.join(WS, 'build/app.min.js'), 'utf8');
      const q = good.map.lookup(1, code.indexOf('multiply('));
      assert.equal(q.source, '../src/matrix.ts');
      assert.equal(q.line, 19);
      good.map.destroy();
    }
    console.log(`      fuzz: ${JSON.stringify(outcomes)} in ${Date.now() - t0} ms`);
  });
});

describe('symbolize: never throws on odd frame positions', function () {
  this.timeout(120_000);

  it('300 real bundle profiles with scrambled lines, columns, kinds and names', async () => {
    const rand = mulberry32(0xf00d);
    const int = (n: number) => Math.floor(rand() * n);
    const base = loadRaw('bundle-time-default.pb.gz');
    for (let i = 0; i < 300; i++) {
      const raw = { ...base, strings: base.strings.slice(), frames: { ...base.frames, line: base.frames.line.slice(), column: base.frames.column.slice(), kind: base.frames.kind.slice(), name: base.frames.name.slice(), startLine: base.frames.startLine.slice() } };
      raw.strings.push('(anonymous:L#1:C#99999999)', '(anonymous:L#-1)', 'a.js:b:c', '<static_initializer>', 'get ', '');
      for (let f = 0; f < raw.frames.count; f++) {
        if (rand() < 0.5) raw.frames.line[f] = [0, 1, 2, 3, -1, 2 ** 31 - 1, int(5)][int(7)];
        if (rand() < 0.5) raw.frames.column[f] = [0, 1, -3, 4000, 2 ** 31 - 1, int(3000)][int(6)];
        if (rand() < 0.3) raw.frames.kind[f] = int(7);
        if (rand() < 0.3) raw.frames.name[f] = int(raw.strings.length);
        if (rand() < 0.2) raw.frames.startLine[f] = int(10) - 2;
      }
      const r = await symbolize(raw, options());
      assert.equal(r.symbols.file.length, raw.frames.count);
      for (let f = 0; f < raw.frames.count; f++) {
        assert.ok(r.symbols.file[f] >= -1 && r.symbols.file[f] < r.files.length);
        assert.ok(r.symbols.name[f] >= 0 && r.symbols.name[f] < raw.strings.length);
      }
      assert.ok(!r.unresolved.some((u) => /internal error/.test(u.detail)), JSON.stringify(r.unresolved));
    }
  });
});
