/**
 * Test helper: a RawProfile straight from a pprof file via pprof-format, independent of the
 * engine's decoder (so symbolization tests do not depend on it). `positions` says what the
 * profiler's Line.line means: 'function-start' (@datadog/pprof default and heap) or 'sampled'
 * (lineNumbers: true, Go). Packed `column<<32|line` values are unpacked.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { Profile } from 'pprof-format';
import { PositionKind, type RawProfile } from '../../../src/core/model';

export function rawFromPprof(file: string, positions: 'function-start' | 'sampled'): RawProfile {
  let bytes: Uint8Array = readFileSync(file);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  const p = Profile.decode(bytes);
  const strings = p.stringTable.strings.slice();
  const num = (v: number | bigint | undefined) => (typeof v === 'bigint' ? Number(BigInt.asIntN(64, v)) : v ?? 0);
  const fns = new Map(p.function.map((f) => [num(f.id), f]));
  const frameKey = new Map<string, number>();
  const fName: number[] = [], fFile: number[] = [], fLine: number[] = [], fCol: number[] = [], fStart: number[] = [], fKind: number[] = [];
  const locFrames = new Map<number, number[]>();
  for (const loc of p.location) {
    const ids: number[] = [];
    for (const ln of loc.line) {
      const f = fns.get(num(ln.functionId))!;
      let line = typeof ln.line === 'bigint' ? BigInt.asUintN(64, ln.line) : BigInt(ln.line ?? 0);
      let column = num(ln.column);
      if (line >= 1n << 32n) {
        column = Number(line >> 32n);
        line &= 0xffffffffn;
      }
      const l = Number(line);
      const kind = l <= 0 ? PositionKind.None : column > 0 ? PositionKind.Exact : positions === 'function-start' ? PositionKind.FunctionStart : PositionKind.Line;
      const start = positions === 'function-start' && l > 0 ? l : num(f.startLine);
      const key = `${num(f.name)},${num(f.filename)},${l},${column},${kind}`;
      let id = frameKey.get(key);
      if (id === undefined) {
        id = fName.length;
        frameKey.set(key, id);
        fName.push(num(f.name)); fFile.push(num(f.filename)); fLine.push(l); fCol.push(column); fStart.push(start); fKind.push(kind);
      }
      ids.push(id);
    }
    locFrames.set(num(loc.id), ids);
  }
  const parent = [-1], frame = [-1];
  const child = new Map<string, number>();
  const stack: number[] = [];
  const T = p.sampleType.length;
  const values: number[] = [];
  for (const s of p.sample) {
    let node = 0;
    const frames: number[] = [];
    for (const lid of s.locationId) frames.push(...locFrames.get(num(lid))!); // leaf first
    for (let i = frames.length - 1; i >= 0; i--) {
      const k = `${node},${frames[i]}`;
      let c = child.get(k);
      if (c === undefined) {
        c = parent.length;
        parent.push(node);
        frame.push(frames[i]);
        child.set(k, c);
      }
      node = c;
    }
    stack.push(node);
    for (let t = 0; t < T; t++) values.push(num(s.value[t]));
  }
  const n = stack.length;
  return {
    format: 'pprof',
    strings,
    sampleTypes: p.sampleType.map((t) => ({ type: strings[num(t.type)], unit: strings[num(t.unit)] })),
    defaultType: T - 1,
    period: num(p.period),
    timeNanos: num(p.timeNanos),
    durationNanos: num(p.durationNanos),
    frames: {
      count: fName.length, name: Int32Array.from(fName), file: Int32Array.from(fFile), line: Int32Array.from(fLine),
      column: Int32Array.from(fCol), startLine: Int32Array.from(fStart), kind: Uint8Array.from(fKind),
    },
    stacks: { count: parent.length, parent: Int32Array.from(parent), frame: Int32Array.from(frame) },
    samples: {
      count: n, stack: Int32Array.from(stack), values: Float64Array.from(values), labelOffsets: new Uint32Array(n + 1),
      labelKey: new Int32Array(0), labelStr: new Int32Array(0), labelNum: new Float64Array(0),
    },
  };
}
