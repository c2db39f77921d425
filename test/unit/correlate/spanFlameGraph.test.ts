/**
 * Pyroscope span flame graphs → stacks → pprof (src/core/backend/spanFlameGraph.ts): the level
 * layout (x offsets are deltas within a level), self values to leaf stacks, placement of functions at
 * the start lines given, and malformed shapes as typed BackendErrors. The real server's answers are
 * checked end to end in test/e2e/backend/spanProfile.e2e.ts.
 */
import assert from 'node:assert/strict';
import { BackendError } from '../../../src/core/backend/backendError';
import { flameGraphStacks, flameGraphToPprof, parseFlameGraph } from '../../../src/core/backend/spanFlameGraph';
import { createInProcessEngine } from '../../../src/core/inProcessEngine';

// total(100) → main(100, self 10) → a(60, self 60), b(30) → c(30, self 30); int64s as protojson strings
const FG = {
  names: ['total', 'main', 'a', 'b', 'c'],
  levels: [{ values: ['0', '100', '0', '0'] }, { values: ['0', '100', '10', '1'] }, { values: ['0', '60', '60', '2', '0', '30', '0', '3'] }, { values: ['60', '30', '30', '4'] }],
  total: '100',
  maxSelf: '60',
};

describe('correlate: Pyroscope span flame graphs', () => {
  it('levels → root-first stacks with their self values (deltas within a level, parents by position)', () => {
    const stacks = flameGraphStacks(parseFlameGraph(FG));
    assert.deepEqual(stacks, [
      { frames: ['main'], value: 10 },
      { frames: ['main', 'a'], value: 60 },
      { frames: ['main', 'b', 'c'], value: 30 },
    ]);
  });

  it('→ pprof: the engine reads the same totals; functions sit at the start lines given, unknown ones have no file', async () => {
    const fg = parseFlameGraph(FG);
    const bytes = flameGraphToPprof(fg, { sampleType: { type: 'cpu', unit: 'nanoseconds' }, place: (n) => (n === 'a' ? { file: 'svc/a.go', line: 12 } : undefined) });
    const engine = createInProcessEngine();
    const r = await engine.load(bytes, { roots: [], pathMappings: [] });
    const I = r.index;
    assert.equal(I.totals[0], 100);
    const byName = new Map(Array.from({ length: I.functions.count }, (_, f) => [I.strings[I.functions.name[f]], f]));
    const a = byName.get('a')!;
    assert.equal(I.functions.self[a], 60);
    assert.equal(I.functions.startLine[a], 12);
    assert.equal(I.strings[I.functions.profileFile![a]], 'svc/a.go');
    assert.equal(I.functions.total[byName.get('main')!], 100);
    assert.equal(I.functions.total[byName.get('b')!], 30);
    await engine.dispose();
  });

  it('malformed answers are typed errors, never a crash', () => {
    const bad = (v: unknown, re: RegExp) => assert.throws(() => flameGraphStacks(parseFlameGraph(v)), (e: unknown) => e instanceof BackendError && e.code === 'malformed' && re.test(e.message));
    bad(null, /no flamegraph object/);
    bad({ names: ['total'], levels: [{ values: ['0', '1', '1'] }] }, /chunks of 4/);
    bad({ names: ['total'], levels: [{ values: ['0', '1', '1', '7'] }] }, /name index 7/);
    bad({ names: ['total'], levels: [{ values: 'x' }] }, /without values/);
    bad({ names: ['total', 'x'], levels: [{ values: ['0', '10', '0', '0'] }, { values: ['20', '5', '5', '1'] }] }, /outside its parent/);
    assert.deepEqual(flameGraphStacks(parseFlameGraph({})), []);
  });
});
