/**
 * Test helper: encodes small pprof profiles with the pprof-format library (the encoder @datadog/pprof
 * itself uses), for the shapes a Pyroscope server returns — including its truncation node "other".
 */
import { Function as PFunction, Location, Profile, StringTable, ValueType } from 'pprof-format';

export interface StackSpec {
  /** leaf-last frames: [function name, file ('' = none), line] */
  frames: [string, string, number][];
  value: number;
}

export function buildPprof(stacks: StackSpec[], type: [string, string] = ['cpu', 'nanoseconds']): Uint8Array {
  const st = new StringTable();
  const fnIds = new Map<string, number>();
  const locIds = new Map<string, number>();
  const functions: PFunction[] = [];
  const locations: Location[] = [];
  const loc = (name: string, file: string, line: number): number => {
    const fk = `${name}\0${file}`;
    let fid = fnIds.get(fk);
    if (fid === undefined) {
      fid = functions.length + 1;
      fnIds.set(fk, fid);
      functions.push(new PFunction({ id: fid, name: st.dedup(name), systemName: st.dedup(name), filename: file ? st.dedup(file) : 0 }));
    }
    const lk = `${fk}\0${line}`;
    let lid = locIds.get(lk);
    if (lid === undefined) {
      lid = locations.length + 1;
      locIds.set(lk, lid);
      locations.push(new Location({ id: lid, line: [{ functionId: fid, line }] }));
    }
    return lid;
  };
  const sample = stacks.map((s) => ({ locationId: s.frames.map(([n, f, l]) => loc(n, f, l)).reverse(), value: [s.value] }));
  const p = new Profile({
    sampleType: [new ValueType({ type: st.dedup(type[0]), unit: st.dedup(type[1]) })],
    sample,
    location: locations,
    function: functions,
    stringTable: st,
    periodType: new ValueType({ type: st.dedup(type[0]), unit: st.dedup(type[1]) }),
    period: 10_000_000,
  });
  return p.encode();
}
