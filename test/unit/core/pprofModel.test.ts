/**
 * What the pprof decoder keeps, on small profiles written with pprof-format (the reference encoder):
 * default_sample_type, inlined frames (innermost first), labels per sample, duplicated string-table
 * entries, samples without locations, and Line.column.
 */
import assert from 'node:assert/strict';
import { Function as PFunction, Label, Line, Location, Profile, Sample, StringTable, ValueType } from 'pprof-format';
import { decodePprof } from '../../../src/core/decode/decodePprof';
import { decodeProfile } from '../../../src/core/decode/decodeProfile';
import { createInProcessEngine } from '../../../src/core/inProcessEngine';
import { PositionKind } from '../../../src/core/model';

function build(edit: (p: Profile, st: StringTable) => void): Uint8Array {
  const st = new StringTable();
  const p = new Profile({ stringTable: st });
  edit(p, st);
  return p.encode();
}

describe('pprof model details', () => {
  it('default_sample_type selects the type by name; without it the last type is the default', () => {
    const make = (dflt?: string) =>
      build((p, st) => {
        p.sampleType = ['alloc_objects', 'alloc_space', 'inuse_objects', 'inuse_space'].map((t) => new ValueType({ type: st.dedup(t), unit: st.dedup('count') }));
        p.function = [new PFunction({ id: 1, name: st.dedup('f'), filename: st.dedup('a.go'), startLine: 3 })];
        p.location = [new Location({ id: 1, line: [new Line({ functionId: 1, line: 4 })] })];
        p.sample = [new Sample({ locationId: [1], value: [1, 2, 3, 4] })];
        if (dflt) p.defaultSampleType = st.dedup(dflt);
      });
    assert.equal(decodeProfile(make()).defaultType, 3);
    assert.equal(decodeProfile(make('alloc_space')).defaultType, 1);
  });

  it('a Location with several Lines is several frames, innermost first; labels stay per sample; columns are kept', async () => {
    const bytes = build((p, st) => {
      p.sampleType = [new ValueType({ type: st.dedup('cpu'), unit: st.dedup('nanoseconds') })];
      p.function = [
        new PFunction({ id: 1, name: st.dedup('main'), filename: st.dedup('/app/main.go'), startLine: 10 }),
        new PFunction({ id: 2, name: st.dedup('inlined'), filename: st.dedup('/app/util.go'), startLine: 20 }),
      ];
      // one location: inlined (innermost, util.go:21 col 5) inside main (main.go:12)
      p.location = [new Location({ id: 7, line: [new Line({ functionId: 2, line: 21, column: 5 }), new Line({ functionId: 1, line: 12 })] })];
      p.sample = [
        new Sample({ locationId: [7], value: [100], label: [new Label({ key: st.dedup('span_id'), str: st.dedup('abc') })] }),
        new Sample({ locationId: [], value: [5] }),
      ];
    });
    const raw = decodeProfile(bytes);
    const leaf = raw.samples.stack[0];
    const f = raw.frames;
    const leafFrame = raw.stacks.frame[leaf];
    assert.equal(raw.strings[f.name[leafFrame]], 'inlined');
    assert.deepEqual([f.line[leafFrame], f.column[leafFrame], f.kind[leafFrame]], [21, 5, PositionKind.Exact]);
    const outer = raw.stacks.frame[raw.stacks.parent[leaf]];
    assert.equal(raw.strings[f.name[outer]], 'main');
    assert.equal(raw.stacks.parent[raw.stacks.parent[leaf]], 0, 'main is the root frame');
    assert.equal(raw.samples.labelOffsets[1] - raw.samples.labelOffsets[0], 1);
    assert.equal(raw.strings[raw.samples.labelKey[0]], 'span_id');
    assert.equal(raw.strings[raw.samples.labelStr[0]], 'abc');
    assert.equal(raw.samples.stack[1], 0, 'a sample without locations sits at the root');
    const { index } = await createInProcessEngine().load(bytes, { roots: [], pathMappings: [] });
    assert.equal(index.totals[0], 105, 'it still counts in the total');
    const F = index.functions;
    const byName = (n: string) => [...Array(F.count).keys()].find((k) => index.strings[F.name[k]] === n)!;
    assert.deepEqual([F.self[byName('inlined')], F.total[byName('inlined')]], [100, 100]);
    assert.deepEqual([F.self[byName('main')], F.total[byName('main')]], [0, 100]);
  });

  it('duplicated string-table entries do not split a function; both decoders agree', async () => {
    const encoded = build((p, st) => {
      p.sampleType = [new ValueType({ type: st.dedup('samples'), unit: st.dedup('count') })];
      p.function = [
        new PFunction({ id: 1, name: st.dedup('workA'), filename: st.dedup('/app/w1.go'), startLine: 5 }),
        new PFunction({ id: 2, name: st.dedup('workB'), filename: st.dedup('/app/w2.go'), startLine: 5 }),
      ];
      p.location = [new Location({ id: 1, line: [new Line({ functionId: 1, line: 6 })] }), new Location({ id: 2, line: [new Line({ functionId: 2, line: 6 })] })];
      p.sample = [new Sample({ locationId: [1], value: [1] }), new Sample({ locationId: [2], value: [2] })];
    });
    // the same name and file under two string ids (as some writers produce): rewrite B → A in place
    const bytes = Buffer.from(Buffer.from(encoded).toString('latin1').replace('workB', 'workA').replace('/app/w2.go', '/app/w1.go'), 'latin1');
    const raw = decodeProfile(bytes);
    assert.deepEqual(raw, decodePprof(bytes));
    assert.equal(raw.frames.count, 1, 'one frame for both locations');
    const { index } = await createInProcessEngine().load(bytes, { roots: [], pathMappings: [] });
    assert.equal(index.functions.count, 1);
    assert.equal(index.functions.self[0], 3);
    assert.equal(index.lines.count, 1);
  });
});
