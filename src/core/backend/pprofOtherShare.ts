/**
 * How much of a server-merged pprof fell into Pyroscope's truncation node. When a query hits the
 * server's node limit, Pyroscope replaces the cut subtrees by a function named "other" with no file;
 * its weight is what the view cannot attribute to lines.
 *
 * This runs on the extension host before the profile goes to the engine worker, so it must stay far
 * below the host's 50 ms budget even for big profiles: a native byte search for the string-table
 * entry "other" decides; only when it is there (a truncated answer, hence a small one) is the wire
 * format walked and are samples summed. `pprofHasSamples` stops at the first sample.
 */
import { gunzipSync } from 'node:zlib';
import { BackendError } from './backendError';

export interface TruncationInfo {
  /** share of the default sample type's total in "other" (0..1) */
  share: number;
  otherValue: number;
  /** total of the default sample type; computed only when an "other" string exists (else NaN) */
  total: number;
  truncated: boolean;
}

const OTHER = [0x6f, 0x74, 0x68, 0x65, 0x72]; // "other"
/** string_table entry "other": field 6, wire type 2, length 5 */
const OTHER_ENTRY = Buffer.from([0x32, 0x05, ...OTHER]);

function inflate(input: Uint8Array, maxInflatedBytes: number): Uint8Array {
  if (input.length >= 2 && input[0] === 0x1f && input[1] === 0x8b) {
    try {
      return gunzipSync(input, { maxOutputLength: maxInflatedBytes });
    } catch {
      throw new BackendError('malformed', 'The profile is gzip data that does not inflate (corrupt or over the size cap).');
    }
  }
  return input;
}

/** True when the profile has at least one sample (stops at the first one). */
export function pprofHasSamples(input: Uint8Array, maxInflatedBytes = 512 << 20): boolean {
  const buf = inflate(input, maxInflatedBytes);
  const r = new Reader(buf);
  while (r.pos < r.end) {
    const key = r.varint();
    const wire = key & 7;
    if (Math.floor(key / 8) === 2 && wire === 2) return true;
    r.skipValue(wire);
  }
  return false;
}

export function pprofOtherShare(input: Uint8Array, maxInflatedBytes = 512 << 20): TruncationInfo {
  const buf = inflate(input, maxInflatedBytes);
  const notTruncated = { share: 0, otherValue: 0, total: NaN, truncated: false };
  if (Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).indexOf(OTHER_ENTRY) < 0) return notTruncated;
  const r = new Reader(buf);
  // Pass 1: top level only.
  let strIndex = 0;
  const otherStrings: number[] = [];
  const functions: [number, number][] = [];
  const locations: [number, number][] = [];
  const sampleRanges: number[] = [];
  const typeNames: number[] = [];
  let defaultTypeName = 0;
  while (r.pos < r.end) {
    const key = r.varint();
    const field = Math.floor(key / 8);
    const wire = key & 7;
    if (wire === 2) {
      const len = r.varint();
      const start = r.pos;
      r.skip(len);
      if (field === 2) sampleRanges.push(start, r.pos);
      else if (field === 6) {
        if (len === 5 && buf[start] === OTHER[0] && buf[start + 1] === OTHER[1] && buf[start + 2] === OTHER[2] && buf[start + 3] === OTHER[3] && buf[start + 4] === OTHER[4]) {
          otherStrings.push(strIndex);
        }
        strIndex++;
      } else if (field === 5) functions.push([start, r.pos]);
      else if (field === 4) locations.push([start, r.pos]);
      else if (field === 1) typeNames.push(firstVarint(buf, start, r.pos, 1));
    } else {
      const v = r.skipValue(wire);
      if (field === 14 && wire === 0) defaultTypeName = v;
    }
  }
  if (otherStrings.length === 0) return notTruncated;
  // Pass 2: is there a file-less function named "other"?
  const otherFns = new Set<number>();
  for (const [s, e] of functions) {
    let id = 0;
    let name = 0;
    let file = 0;
    const f = new Reader(buf, s, e);
    while (f.pos < f.end) {
      const key = f.varint();
      const wire = key & 7;
      if (wire !== 0) {
        f.skipValue(wire);
        continue;
      }
      const v = f.varint();
      const field = Math.floor(key / 8);
      if (field === 1) id = v;
      else if (field === 2) name = v;
      else if (field === 4) file = v;
    }
    if (file === 0 && otherStrings.includes(name)) otherFns.add(id);
  }
  if (otherFns.size === 0) return notTruncated;
  // Pass 3 (truncated, so small): locations using it, then sum samples.
  const otherLocs = new Set<number>();
  for (const [s, e] of locations) {
    let id = 0;
    let uses = false;
    const l = new Reader(buf, s, e);
    while (l.pos < l.end) {
      const key = l.varint();
      const field = Math.floor(key / 8);
      const wire = key & 7;
      if (field === 1 && wire === 0) id = l.varint();
      else if (field === 4 && wire === 2) {
        const len = l.varint();
        if (otherFns.has(firstVarint(buf, l.pos, l.pos + len, 1))) uses = true;
        l.skip(len);
      } else l.skipValue(wire);
    }
    if (uses) otherLocs.add(id);
  }
  let typeIndex = typeNames.length - 1;
  if (defaultTypeName > 0 && typeNames.includes(defaultTypeName)) typeIndex = typeNames.indexOf(defaultTypeName);
  let total = 0;
  let otherValue = 0;
  const locIds: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < sampleRanges.length; i += 2) {
    locIds.length = 0;
    values.length = 0;
    const s = new Reader(buf, sampleRanges[i], sampleRanges[i + 1]);
    while (s.pos < s.end) {
      const key = s.varint();
      const field = Math.floor(key / 8);
      const wire = key & 7;
      const out = field === 1 ? locIds : field === 2 ? values : undefined;
      if (!out) s.skipValue(wire);
      else if (wire === 0) out.push(s.varint());
      else if (wire === 2) {
        const len = s.varint();
        const end = s.pos + len;
        if (end > s.end) throw malformed();
        while (s.pos < end) out.push(s.varint());
      } else s.skipValue(wire);
    }
    const v = values[typeIndex] ?? 0;
    total += v;
    if (locIds.some((id) => otherLocs.has(id))) otherValue += v;
  }
  return { share: total > 0 ? otherValue / total : 0, otherValue, total, truncated: otherLocs.size > 0 };
}

/** First varint value of `field` in a message range (0 when absent). */
function firstVarint(buf: Uint8Array, start: number, end: number, field: number): number {
  const r = new Reader(buf, start, end);
  while (r.pos < r.end) {
    const key = r.varint();
    const wire = key & 7;
    if (Math.floor(key / 8) === field && wire === 0) return r.varint();
    r.skipValue(wire);
  }
  return 0;
}

class Reader {
  pos: number;
  end: number;
  constructor(
    private readonly buf: Uint8Array,
    start = 0,
    end = buf.length,
  ) {
    this.pos = start;
    this.end = end;
  }

  varint(): number {
    const buf = this.buf;
    let b = buf[this.pos++];
    if (b < 0x80 && this.pos <= this.end) return b;
    let result = b & 0x7f;
    let mul = 128;
    for (let i = 1; i < 10; i++) {
      if (this.pos >= this.end) throw malformed();
      b = buf[this.pos++];
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 128;
    }
    throw malformed();
  }

  skip(n: number): void {
    this.pos += n;
    if (this.pos > this.end) throw malformed();
  }

  /** Skips a value of `wire` type; returns it when it is a varint. */
  skipValue(wire: number): number {
    if (wire === 0) return this.varint();
    if (wire === 1) this.skip(8);
    else if (wire === 2) this.skip(this.varint());
    else if (wire === 5) this.skip(4);
    else throw malformed();
    return 0;
  }
}

function malformed(): BackendError {
  return new BackendError('malformed', 'The server sent a truncated or corrupt protobuf message.');
}
