/**
 * The production case on real data: an esbuild-minified bundle profiled by @datadog/pprof without
 * columns must map back to the same original functions as the unbundled tsc build of the same
 * workload, and every position mode must land on the right original lines. Oracle: the TypeScript
 * parser's view of the workload sources (fixtureHelpers.tsFunctions).
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { PositionKind } from '../../../src/core/model';
import { symbolize } from '../../../src/core/symbolize/symbolize';
import { type FnRow, functionsOf, loadRaw, options, PROFILES, run, selfPerFrame, totalOf, tsFunctions, WS } from './fixtureHelpers';
import { rawFromPprof } from './rawFromPprof';

const oracle = new Map<string, ReturnType<typeof tsFunctions>>();
function tsFns(file: string) {
  let v = oracle.get(file);
  if (!v) {
    v = tsFunctions(path.join(WS, file));
    oracle.set(file, v);
  }
  return v;
}

/** The function row is a real original function: TypeScript agrees on its name and start line. */
function assertRealFunction(row: FnRow): void {
  const fns = tsFns(row.file);
  const match = fns.filter((f) => f.line === row.startLine && (f.name === row.name || (row.name === '(anonymous)' && f.name === '')));
  assert.ok(match.length > 0, `${row.key} is not a function of ${row.file} (TypeScript sees: ${fns.map((f) => `${f.name || '(anonymous)'}:${f.line}`).join(', ')})`);
}

describe('symbolize: minified bundle ↔ unbundled, on real @datadog/pprof profiles', function () {
  this.timeout(60_000);

  for (const [profile, what] of [['bundle-time-default.pb.gz', '@datadog/pprof default mode'], ['bundle-pyroscope.pb.gz', 'the @pyroscope/nodejs SDK, names "<path>:<fn>:<line>"']]) {
  it(`bundle (${what}, no columns) maps to the same original functions as the tsc build`, async () => {
    const bundle = await run(profile);
    const lib = await run('lib-time-default.pb.gz');
    const b = functionsOf(bundle.raw, bundle.r);
    const l = functionsOf(lib.raw, lib.r);
    for (const row of [...b.values(), ...l.values()]) assertRealFunction(row);
    // The functions that matter (≥ 2 % self in either run) are found in the other run too.
    const heavy = (m: Map<string, FnRow>, total: number) => [...m.values()].filter((r) => r.self >= 0.02 * total);
    const present = (m: Map<string, FnRow>, row: FnRow) =>
      m.has(row.key) || [...m.values()].some((x) => x.kind === PositionKind.Recovered && x.name === row.name && x.file === row.file && x.candidates?.includes(row.startLine));
    const bHeavy = heavy(b, totalOf(bundle.raw));
    const lHeavy = heavy(l, totalOf(lib.raw));
    assert.ok(bHeavy.length >= 5 && lHeavy.length >= 5, `too few heavy functions: ${bHeavy.length}, ${lHeavy.length}`);
    for (const row of lHeavy) assert.ok(present(b, row), `${row.key} (${(row.self / 1e6).toFixed(0)} ms in the tsc run) is missing from the bundle's mapping: ${[...b.keys()].join(', ')}`);
    for (const row of bHeavy) assert.ok(present(l, row), `${row.key} from the bundle is missing in the tsc run: ${[...l.keys()].join(', ')}`);
    // The names the minifier threw away are back.
    for (const name of ['slowChecksum', 'buildRecords', 'sortDescending', 'multiply']) {
      assert.ok([...b.values()].some((r) => r.name === name), `${name} not recovered from the minified bundle`);
    }
    assert.ok(bundle.r.stats!.recovered >= 10);
  });
  }

  it('duplicate minified names on one generated line: deterministic pick, marked Recovered, candidates kept', async () => {
    const { raw, r } = await run('bundle-time-default.pb.gz');
    const steps: number[] = [];
    for (let f = 0; f < raw.frames.count; f++) if (raw.strings[r.symbols.name[f]] === 'step') steps.push(f);
    assert.ok(steps.length >= 1, 'the nested step() helpers (minified to one name) are in the profile');
    const stepLines = tsFns('src/pipeline.ts').filter((f) => f.name === 'step').map((f) => f.line).sort((a, b) => a - b);
    assert.equal(stepLines.length, 2);
    for (const f of steps) {
      assert.equal(r.symbols.kind[f], PositionKind.Recovered);
      assert.deepEqual([...r.symbols.candidates.get(f)!].sort((a, b) => a - b), stepLines);
      assert.equal(r.symbols.startLine[f], stepLines[0], 'the first candidate in generated order is taken');
    }
    // Running it again gives the same answer.
    const again = await run('bundle-time-default.pb.gz');
    assert.deepEqual([...again.r.symbols.startLine], [...r.symbols.startLine]);
  });

  it('columns mode (Line.column = function start): exact lookups land on the function’s original line', async () => {
    for (const name of ['bundle-time-columns.pb.gz', 'bundle-time-pack.pb.gz']) {
      const { raw, r } = await run(name);
      let checked = 0;
      for (let f = 0; f < raw.frames.count; f++) {
        const fid = r.symbols.file[f];
        if (fid < 0 || raw.frames.column[f] === 0) continue;
        const file = path.relative(WS, r.files[fid].path).split(path.sep).join('/');
        if (!file.startsWith('src/')) continue;
        const nm = raw.strings[r.symbols.name[f]];
        if (nm.startsWith('<')) continue; // V8-synthetic (<instance_members_initializer>)
        assert.equal(r.symbols.kind[f], PositionKind.Exact, `${name}: ${nm}`);
        assert.equal(r.symbols.line[f], r.symbols.startLine[f]);
        assertRealFunction({ key: `${nm}@${file}:${r.symbols.line[f]}`, name: nm, file, startLine: r.symbols.line[f], self: 0, kind: PositionKind.Exact });
        checked++;
      }
      assert.ok(checked >= 15, `${name}: only ${checked} frames with columns`);
    }
  });

  // The engine's decoder cannot tell lineNumbers mode from default mode on a 2-line bundle (every
  // function shows one line either way) and calls it function-start; the manifest knows the mode,
  // so these profiles are read with the test helper that is told it.
  it('lineNumbers mode (sampled line, no column): lines fall inside the named function, candidates flagged', async () => {
    const run = async (name: string) => {
      const raw = rawFromPprof(path.join(PROFILES, name), 'sampled');
      return { raw, r: await symbolize(raw, options()) };
    };
    for (const name of ['bundle-time-lines.pb.gz', 'lib-time-lines.pb.gz']) {
      const { raw, r } = await run(name);
      const self = selfPerFrame(raw);
      let inside = 0, total = 0;
      for (let f = 0; f < raw.frames.count; f++) {
        const fid = r.symbols.file[f];
        if (fid < 0 || self[f] === 0) continue;
        const nm = raw.strings[r.symbols.name[f]];
        if (nm === '(anonymous)') continue; // anonymous callers without a usable column: ambiguous by design
        const file = path.relative(WS, r.files[fid].path).split(path.sep).join('/');
        if (!file.startsWith('src/')) continue;
        const fn = tsFns(file).find((x) => x.name === nm && x.line === r.symbols.startLine[f]);
        assert.ok(fn, `${name}: ${nm}@${file}:${r.symbols.startLine[f]} is not a function start`);
        total++;
        if (r.symbols.line[f] >= fn.startLine && r.symbols.line[f] <= fn.endLine) inside++;
        // candidates lie in the function (or, when Recovered among same-named functions, in one of them)
        const allowed = r.symbols.kind[f] === PositionKind.Recovered ? tsFns(file).filter((x) => x.name === nm) : [fn];
        for (const c of r.symbols.candidates.get(f) ?? []) {
          assert.ok(allowed.some((x) => c >= x.startLine && c <= x.endLine), `${name}: candidate line ${c} outside ${nm} (${fn.startLine}-${fn.endLine})`);
        }
      }
      assert.ok(total >= 10, `${name}: ${total}`);
      assert.equal(inside, total, `${name}: ${total - inside} of ${total} lines outside their function`);
    }
    // On the minified bundle most lines are ambiguous; the tsc build keeps one line per line.
    const b = await run('bundle-time-lines.pb.gz');
    const l = await run('lib-time-lines.pb.gz');
    assert.ok(b.r.symbols.candidates.size > 5);
    assert.ok(l.r.symbols.candidates.size < b.r.symbols.candidates.size);
  });

  it('lineNumbers + columns: callers carry their callee’s start column; they keep their own function', async () => {
    // minified name → original name, from the default-mode profile of the same bundle
    const ref = await run('bundle-time-default.pb.gz');
    const original = new Map<string, string>();
    for (let f = 0; f < ref.raw.frames.count; f++) {
      if (ref.r.symbols.file[f] >= 0 && ref.r.files[ref.r.symbols.file[f]].viaSourceMap) original.set(ref.raw.strings[ref.raw.frames.name[f]], ref.raw.strings[ref.r.symbols.name[f]]);
    }
    const { raw, r } = await run('bundle-time-lines-columns.pb.gz');
    let checked = 0;
    for (let f = 0; f < raw.frames.count; f++) {
      const minified = raw.strings[raw.frames.name[f]];
      const want = original.get(minified);
      if (!want || minified.startsWith('(anonymous') || r.symbols.file[f] < 0 || !r.files[r.symbols.file[f]].viaSourceMap) continue;
      assert.equal(raw.strings[r.symbols.name[f]], want, `${minified} at ${raw.frames.line[f]}:${raw.frames.column[f]}`);
      checked++;
    }
    assert.ok(checked >= 20, `${checked}`);
    assert.ok(r.stats!.droppedColumns > 0, 'some caller columns were recognised as the callee’s');
  });

  it('a bundle over the parse limit is still mapped, by line only, and says so', async () => {
    const raw = loadRaw('bundle-time-default.pb.gz');
    const r = await symbolize(raw, options(), { maxParseBytes: 1000 });
    assert.ok(r.stats!.notParsed.map((p) => path.basename(p)).includes('app.min.js'));
    assert.equal(r.stats!.recovered, 0);
    let mapped = 0;
    for (let f = 0; f < raw.frames.count; f++) {
      const id = r.symbols.file[f];
      if (id < 0 || !r.files[id].viaSourceMap) continue;
      mapped++;
      const profiled = raw.strings[raw.frames.name[f]];
      // no recovery without the parse: names stay as profiled (generated-coordinate anonymous names normalised)
      assert.equal(raw.strings[r.symbols.name[f]], profiled.startsWith('(anonymous') ? '(anonymous)' : profiled);
    }
    assert.ok(mapped > 10);
    assert.ok(r.symbols.candidates.size > 0, 'line-only positions on a minified line are flagged ambiguous');
  });

  it('node --cpu-prof of the bundle (0-based callFrames, positionTicks) maps to the same heavy functions', async () => {
    const cpu = await run('bundle.cpuprofile');
    const lib = await run('lib-time-default.pb.gz');
    const c = functionsOf(cpu.raw, cpu.r);
    const l = functionsOf(lib.raw, lib.r);
    for (const row of c.values()) if (row.name !== '(anonymous)') assertRealFunction(row);
    const total = totalOf(lib.raw);
    for (const row of l.values()) {
      if (row.self < 0.05 * total || row.name === '(anonymous)') continue;
      assert.ok(c.has(row.key) || [...c.values()].some((x) => x.name === row.name && x.file === row.file && x.candidates?.includes(row.startLine)), `${row.key} missing from the cpuprofile mapping: ${[...c.keys()].join(', ')}`);
    }
  });

  it('heap profiles (@datadog/pprof bundle and tsc, node --heap-prof) put the allocations on buildRecords', async () => {
    for (const name of ['bundle-heap.pb.gz', 'lib-heap.pb.gz', 'bundle.heapprofile']) {
      const { raw, r } = await run(name);
      const rows = [...functionsOf(raw, r).values()].sort((a, b) => b.self - a.self);
      assert.ok(rows.length > 0, name);
      const top = rows.find((x) => x.name === 'buildRecords');
      assert.ok(top, `${name}: buildRecords not found among ${rows.map((x) => x.key).join(', ')}`);
      assert.equal(top.file, 'src/records.ts');
      assertRealFunction(top);
      assert.ok(top.self >= 0.5 * rows[0].self, `${name}: buildRecords is not among the top allocators`);
    }
  });
});
