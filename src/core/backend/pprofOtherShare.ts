/**
 * How much of a server-merged pprof fell into Pyroscope's truncation node. When a query hits the
 * server's node limit, Pyroscope replaces the cut subtrees by a function named "other" with no file;
 * its weight is what the view cannot attribute to lines. A wire-level scan (no full decode) so the
 * host can say "truncated: 23 % in other" before the engine finishes indexing.
 */
import { gunzipSync } from 'node:zlib';
import { BackendError } from './backendError';
import { readPackedVarints, wireFields } from './protoWire';

export interface TruncationInfo {
  /** share of the default sample type's total in "other" (0..1) */
  share: number;
  otherValue: number;
  total: number;
  truncated: boolean;
  /** number of samples in the profile (0 = nothing in the window) */
  samples: number;
}

export function pprofOtherShare(input: Uint8Array, maxInflatedBytes = 512 << 20): TruncationInfo {
  let buf = input;
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = gunzipSync(buf, { maxOutputLength: maxInflatedBytes });
    } catch {
      throw new BackendError('malformed', 'The profile is gzip data that does not inflate (corrupt or over the size cap).');
    }
  }
  const strings: string[] = [];
  const functions: { id: number; name: number; file: number }[] = [];
  const locations: { id: number; fns: number[] }[] = [];
  const samples: { start: number; end: number }[] = [];
  let sampleTypes = 0;
  let defaultSampleType = 0;
  let defaultTypeName = -1;
  const typeNames: number[] = [];
  const dec = new TextDecoder();
  for (const f of wireFields(buf)) {
    if (f.field === 6 && f.wire === 2) strings.push(dec.decode(buf.subarray(f.start, f.end)));
    else if (f.field === 1 && f.wire === 2) {
      sampleTypes++;
      let type = 0;
      for (const g of wireFields(buf, f.start, f.end)) if (g.field === 1 && g.wire === 0) type = g.value!;
      typeNames.push(type);
    } else if (f.field === 2 && f.wire === 2) samples.push({ start: f.start!, end: f.end! });
    else if (f.field === 5 && f.wire === 2) {
      const fn = { id: 0, name: 0, file: 0 };
      for (const g of wireFields(buf, f.start, f.end)) {
        if (g.wire !== 0) continue;
        if (g.field === 1) fn.id = g.value!;
        else if (g.field === 2) fn.name = g.value!;
        else if (g.field === 4) fn.file = g.value!;
      }
      functions.push(fn);
    } else if (f.field === 4 && f.wire === 2) {
      const loc = { id: 0, fns: [] as number[] };
      for (const g of wireFields(buf, f.start, f.end)) {
        if (g.field === 1 && g.wire === 0) loc.id = g.value!;
        else if (g.field === 4 && g.wire === 2) {
          for (const h of wireFields(buf, g.start, g.end)) if (h.field === 1 && h.wire === 0) loc.fns.push(h.value!);
        }
      }
      locations.push(loc);
    } else if (f.field === 14 && f.wire === 0) defaultTypeName = f.value!;
  }
  if (sampleTypes === 0) return { share: 0, otherValue: 0, total: 0, truncated: false, samples: samples.length };
  defaultSampleType = sampleTypes - 1;
  if (defaultTypeName > 0) {
    const i = typeNames.indexOf(defaultTypeName);
    if (i >= 0) defaultSampleType = i;
  }
  const otherFns = new Set(functions.filter((fn) => strings[fn.name] === 'other' && fn.file === 0).map((fn) => fn.id));
  const otherLocs = new Set(locations.filter((l) => l.fns.some((id) => otherFns.has(id))).map((l) => l.id));
  let total = 0;
  let otherValue = 0;
  const locIds: number[] = [];
  const values: number[] = [];
  for (const s of samples) {
    locIds.length = 0;
    values.length = 0;
    for (const g of wireFields(buf, s.start, s.end)) {
      if (g.field === 1) readPackedVarints(buf, g, locIds);
      else if (g.field === 2) readPackedVarints(buf, g, values);
    }
    const v = values[defaultSampleType] ?? 0;
    total += v;
    if (otherLocs.size > 0 && locIds.some((id) => otherLocs.has(id))) otherValue += v;
  }
  return { share: total > 0 ? otherValue / total : 0, otherValue, total, truncated: otherLocs.size > 0, samples: samples.length };
}
