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
  // Pass 1: top level only; message ranges kept flat (start, end, start, end, …).
  let strIndex = 0;
  const otherStrings: number[] = [];
  const functions: number[] = [];
  const locations: number[] = [];
  const samples: number[] = [];
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
      if (field === 2) samples.push(start, r.pos);
      else if (field === 6) {
        if (len === 5 && buf[start] === OTHER[0] && buf[start + 1] === OTHER[1] && buf[start + 2] === OTHER[2] && buf[start + 3] === OTHER[3] && buf[start + 4] === OTHER[4]) {
          otherStrings.push(strIndex);
        }
        strIndex++;
      } else if (field === 5) functions.push(start, r.pos);
      else if (field === 4) locations.push(start, r.pos);
      else if (field === 1) typeNames.push(firstVarint(new Reader(buf, start, r.pos), 1));
    } else {
      const v = r.skipValue(wire);
      if (field === 14 && wire === 0) defaultTypeName = v;
    }
  }
  if (otherStrings.length === 0) return notTruncated;
  // Pass 2: is there a file-less function named "other"?
  const otherFns = new Set<number>();
  for (let i = 0; i < functions.length; i += 2) {
    let id = 0;
    let name = 0;
    let file = 0;
    r.reset(functions[i], functions[i + 1]);
    while (r.pos < r.end) {
      const key = r.varint();
      const wire = key & 7;
      if (wire !== 0) {
        r.skipValue(wire);
        continue;
      }
      const v = r.varint();
      const field = Math.floor(key / 8);
      if (field === 1) id = v;
      else if (field === 2) name = v;
      else if (field === 4) file = v;
    }
    if (file === 0 && otherStrings.includes(name)) otherFns.add(id);
  }
  if (otherFns.size === 0) return notTruncated;
  // Pass 3 (a truncated answer, so bounded by the node limit): locations using it, then sum samples.
  const otherLocs = new Set<number>();
  const line = new Reader(buf);
  for (let i = 0; i < locations.length; i += 2) {
    let id = 0;
    let uses = false;
    r.reset(locations[i], locations[i + 1]);
    while (r.pos < r.end) {
      const key = r.varint();
      const field = Math.floor(key / 8);
      const wire = key & 7;
      if (field === 1 && wire === 0) id = r.varint();
      else if (field === 4 && wire === 2) {
        const len = r.varint();
        line.reset(r.pos, r.pos + len);
        if (otherFns.has(firstVarint(line, 1))) uses = true;
        r.skip(len);
      } else r.skipValue(wire);
    }
    if (uses) otherLocs.add(id);
  }
  let typeIndex = typeNames.length - 1;
  if (defaultTypeName > 0 && typeNames.includes(defaultTypeName)) typeIndex = typeNames.indexOf(defaultTypeName);
  let total = 0;
  let otherValue = 0;
  for (let i = 0; i < samples.length; i += 2) {
    r.reset(samples[i], samples[i + 1]);
    let hit = false;
    let value = 0;
    let valueIndex = 0;
    while (r.pos < r.end) {
      const key = r.varint();
      const field = Math.floor(key / 8);
      const wire = key & 7;
      if ((field !== 1 && field !== 2) || (wire !== 0 && wire !== 2)) {
        r.skipValue(wire);
        continue;
      }
      // packed (wire 2): values up to `end`; unpacked (wire 0): exactly one value
      const end = wire === 2 ? r.varint() + r.pos : r.pos + 1;
      if (end > r.end) throw malformed();
      while (r.pos < end) {
        const v = r.varint();
        if (field === 1) {
          if (otherLocs.has(v)) hit = true;
        } else if (valueIndex++ === typeIndex) value = v;
      }
    }
    total += value;
    if (hit) otherValue += value;
  }
  return { share: total > 0 ? otherValue / total : 0, otherValue, total, truncated: otherLocs.size > 0 };
}

/** First varint value of `field` in the reader's range (0 when absent). */
function firstVarint(r: Reader, field: number): number {
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

  reset(start: number, end: number): void {
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
