/**
 * @datadog/pprof profiles (made by the symbolization fixtures, test/fixtures/node/profiles): which
 * position kind the decoder assigns per profiler mode, and that same-named functions merged by
 * @datadog/pprof into one pprof Function id come out as separate functions (identity from positions).
 * Skipped when those fixtures are not there.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Profile } from 'pprof-format';
import { decodeProfile } from '../../../src/core/decode/decodeProfile';
import { createInProcessEngine } from '../../../src/core/inProcessEngine';
import { PositionKind } from '../../../src/core/model';

const DIR = path.join(__dirname, '../../fixtures/node/profiles');
const has = (f: string) => existsSync(path.join(DIR, f));

function kindsWithFile(f: string): Set<number> {
  const raw = decodeProfile(readFileSync(path.join(DIR, f)));
  const kinds = new Set<number>();
  for (let i = 0; i < raw.frames.count; i++) if (raw.frames.file[i] !== 0 && raw.frames.line[i] > 0) kinds.add(raw.frames.kind[i]);
  return kinds;
}

describe('@datadog/pprof profiles', () => {
  it('default mode → FunctionStart; lineNumbers → Line; columns → Exact', function () {
    if (!has('lib-time-default.pb.gz') || !has('lib-time-lines.pb.gz') || !has('bundle-time-columns.pb.gz')) this.skip();
    assert.deepEqual([...kindsWithFile('lib-time-default.pb.gz')], [PositionKind.FunctionStart]);
    assert.deepEqual([...kindsWithFile('lib-time-lines.pb.gz')], [PositionKind.Line]);
    assert.ok(kindsWithFile('bundle-time-columns.pb.gz').has(PositionKind.Exact));
    assert.ok(kindsWithFile('bundle-time-pack.pb.gz').has(PositionKind.Exact), 'packed column<<32|line');
  });

  it('functions merged into one pprof Function id by name are split by start line', async function () {
    if (!has('lib-time-default.pb.gz')) this.skip();
    const bytes = readFileSync(path.join(DIR, 'lib-time-default.pb.gz'));
    const p = Profile.decode(gunzipSync(bytes));
    // a Function id whose Locations carry several (start) lines
    const linesOf = new Map<number, Set<number>>();
    for (const l of p.location) for (const ln of l.line) {
      const s = linesOf.get(Number(ln.functionId)) ?? new Set<number>();
      s.add(Number(ln.line));
      linesOf.set(Number(ln.functionId), s);
    }
    const merged = [...linesOf].filter(([, s]) => s.size > 1);
    assert.ok(merged.length > 0, 'the fixture has a merged function id');
    const { index } = await createInProcessEngine().load(bytes, { roots: [], pathMappings: [] });
    for (const [fid, lines] of merged) {
      const fn = p.function.find((f) => Number(f.id) === fid)!;
      const name = p.stringTable.strings[Number(fn.name)];
      const ours = [...Array(index.functions.count).keys()].filter((f) => index.strings[index.functions.name[f]] === name);
      assert.ok(ours.length >= lines.size, `${name}: ${ours.length} functions for ${lines.size} start lines`);
    }
  });
});
