/**
 * pprof (already gunzipped) → RawProfile through the `pprof-format` package. This is the reference
 * decoder: `decodePprofFast` must agree with it on every fixture (differential test).
 */
import { Profile } from 'pprof-format';
import { EngineError } from '../engine';
import type { RawProfile } from '../model';
import { PprofAssembler, type PprofTables } from './pprofAssembler';

/** pprof-format returns numbers < 2^28 and BigInt above; negative int64 as unsigned 64-bit BigInt. */
export function toInt64(v: number | bigint | undefined): number {
  if (v === undefined) return 0;
  return typeof v === 'bigint' ? Number(BigInt.asIntN(64, v)) : v;
}

export function toUint64(v: number | bigint | undefined): number {
  if (v === undefined) return 0;
  return typeof v === 'bigint' ? Number(BigInt.asUintN(64, v)) : v;
}

export function decodePprof(bytes: Uint8Array): RawProfile {
  let p: Profile;
  try {
    p = Profile.decode(bytes);
  } catch (e) {
    throw new EngineError('corrupt-protobuf', `The pprof protobuf is corrupt or truncated (${(e as Error).message}).`);
  }
  const t: PprofTables = {
    strings: p.stringTable.strings,
    sampleTypes: p.sampleType.map((v) => ({ type: toUint64(v.type), unit: toUint64(v.unit) })),
    defaultSampleType: toUint64(p.defaultSampleType),
    periodType: p.periodType ? { type: toUint64(p.periodType.type), unit: toUint64(p.periodType.unit) } : undefined,
    period: toInt64(p.period),
    timeNanos: toInt64(p.timeNanos),
    durationNanos: toInt64(p.durationNanos),
    mappingCount: p.mapping.length,
    fnId: [], fnName: [], fnSystemName: [], fnFile: [], fnStart: [],
    locId: [], locLineStart: [], lineFn: [], lineLine: [], lineColumn: [],
  };
  for (const f of p.function) {
    t.fnId.push(toUint64(f.id));
    t.fnName.push(toUint64(f.name));
    t.fnSystemName.push(toUint64(f.systemName));
    t.fnFile.push(toUint64(f.filename));
    t.fnStart.push(toInt64(f.startLine));
  }
  for (const l of p.location) {
    t.locId.push(toUint64(l.id));
    t.locLineStart.push(t.lineFn.length);
    for (const ln of l.line) {
      t.lineFn.push(toUint64(ln.functionId));
      t.lineLine.push(toUint64(ln.line));
      t.lineColumn.push(toInt64(ln.column));
    }
  }
  t.locLineStart.push(t.lineFn.length);
  const T = t.sampleTypes.length;
  const asm = new PprofAssembler(t, p.sample.length);
  const b = asm.builder;
  const ids: number[] = [];
  for (let i = 0; i < p.sample.length; i++) {
    const s = p.sample[i];
    ids.length = 0;
    for (const id of s.locationId) ids.push(toUint64(id));
    b.sample(asm.stack(ids, 0, ids.length));
    if (s.value.length !== T) {
      throw new EngineError('corrupt-protobuf', `Sample ${i} has ${s.value.length} values but the profile declares ${T} sample types.`);
    }
    for (const v of s.value) b.value(toInt64(v));
    for (const l of s.label) {
      const str = toUint64(l.str);
      b.label(asm.stringRef(toUint64(l.key), 'A label key'), str ? asm.stringRef(str, 'A label value') : 0, toInt64(l.num));
    }
  }
  return asm.finish();
}
