/**
 * Function names as Pyroscope serves the @pyroscope/nodejs agent's profiles
 * (test/fixtures/pyroscope/node-wall-served.pb.gz, fetched from the real v1.12 server):
 * `<file>:<name>:<line>` names are shown as the agent's plain `system_name`; names of any other
 * shape (Go's, the Node fixtures') stay exactly as written.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Profile } from 'pprof-format';
import { decodeProfile } from '../../../src/core/decode/decodeProfile';
import { displayName } from '../../../src/core/decode/pprofAssembler';
import type { RawProfile } from '../../../src/core/model';

const FIX = path.join(__dirname, '../../fixtures');

function frameNames(raw: RawProfile): Set<string> {
  const s = new Set<string>();
  for (let i = 0; i < raw.frames.count; i++) s.add(raw.strings[raw.frames.name[i]]);
  return s;
}

describe('function names (Pyroscope-served Node profiles)', () => {
  const file = path.join(FIX, 'pyroscope/node-wall-served.pb.gz');
  const bytes = readFileSync(file);
  const p = Profile.decode(gunzipSync(bytes));
  const S = p.stringTable.strings;

  it('the served profile really has file:name:line names with the plain name in system_name', () => {
    const long = p.function.filter((f) => /hotPath\.ts:slowPrimeCount:\d+$/.test(S[Number(f.name)]));
    assert.equal(long.length, 1);
    assert.equal(S[Number(long[0].systemName)], 'slowPrimeCount');
  });

  it('the engine shows the system name: slowPrimeCount, (anonymous:L#19:C#33), Garbage Collection', () => {
    const names = frameNames(decodeProfile(bytes));
    for (const n of ['slowPrimeCount', 'buildAllocReport', 'isPrime', 'handleWork', '(anonymous:L#19:C#33)', 'Garbage Collection', 'createAbortSignal']) {
      assert.ok(names.has(n), `${n} in ${[...names].slice(0, 30).join(', ')}`);
    }
    assert.deepEqual([...names].filter((n) => /:\d+$/.test(n) && !/^\(anonymous:L#\d+:C#\d+\)$/.test(n)), []);
    // every function of the file is accounted for: its system name, as written in the profile
    const expected = new Set(p.function.map((f) => S[Number(f.systemName)]));
    for (const n of names) assert.ok(expected.has(n), n);
  });

  it('other shapes stay as written (Go and @datadog/pprof fixtures)', () => {
    for (const f of ['go/cpu.pb.gz', 'node/profiles/lib-time-default.pb.gz', 'spans/cpu.pb.gz']) {
      const b = readFileSync(path.join(FIX, f));
      const q = Profile.decode(gunzipSync(b));
      const written = new Set(q.function.map((fn) => q.stringTable.strings[Number(fn.name)]));
      const names = frameNames(decodeProfile(b));
      for (const n of names) assert.ok(written.has(n), `${f}: ${n}`);
    }
  });

  it('displayName shortens only <path or nothing>:<system name>:<digits>', () => {
    const S2 = ['', './src/a.ts:run:12', 'run', 'main.run', ':GC:0', 'GC', 'pkg:run:x', 'run:12', 'a.b:run:12:3', '/app/src/a.ts', 'node:events:run:7', 'node:events', 'pkg:run:12'];
    assert.equal(displayName(S2, 1, 2, 9), 2, './-relative to its file');
    assert.equal(displayName(S2, 1, 2), 2, 'a path');
    assert.equal(displayName(S2, 10, 2, 11), 2, 'its file as written');
    assert.equal(displayName(S2, 10, 2, 9), 10, 'not its file, not a path');
    assert.equal(displayName(S2, 12, 2), 12, 'a prefix that is neither');
    assert.equal(displayName(S2, 3, 3), 3);
    assert.equal(displayName(S2, 3, 0), 3);
    assert.equal(displayName(S2, 4, 5), 5);
    assert.equal(displayName(S2, 6, 2), 6, 'no line number');
    assert.equal(displayName(S2, 7, 2), 7, 'the name itself, not prefixed');
    assert.equal(displayName(S2, 8, 2), 8, 'something after the line');
    assert.equal(displayName(S2, 1, 99), 1, 'out-of-range system name');
  });
});
