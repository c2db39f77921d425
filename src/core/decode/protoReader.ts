/** Protobuf wire-format reader over a byte array (varints as JS numbers), shared by the pprof passes. */
import { EngineError } from '../engine';

const TWO32 = 4294967296;

export class Reader {
  pos = 0;
  constructor(readonly buf: Uint8Array) {}

  /** int64 varint as a (signed) number. Reads past `end` are caught by `check`. */
  varint(): number {
    const buf = this.buf;
    let b = buf[this.pos++];
    if (b < 0x80) return b;
    let lo = b & 0x7f;
    b = buf[this.pos++];
    lo |= (b & 0x7f) << 7;
    if (b < 0x80) return lo;
    b = buf[this.pos++];
    lo |= (b & 0x7f) << 14;
    if (b < 0x80) return lo;
    b = buf[this.pos++];
    lo |= (b & 0x7f) << 21;
    if (b < 0x80) return lo;
    b = buf[this.pos++];
    lo |= (b & 0x0f) << 28;
    let hi = (b & 0x7f) >> 4;
    if (b < 0x80) return hi * TWO32 + (lo >>> 0);
    for (let shift = 3; shift < 32; shift += 7) {
      b = buf[this.pos++];
      hi |= (b & 0x7f) << shift;
      if (!(b >= 0x80)) break;
    }
    if (b >= 0x80) throw new EngineError('corrupt-protobuf', 'The pprof protobuf is corrupt: a varint is longer than 10 bytes.');
    return hi * TWO32 + (lo >>> 0);
  }

  /** Unsigned view of a uint64 field (ids, string indexes, Line.line with a packed column). */
  uvarint(): number {
    const v = this.varint();
    return v < 0 ? v + 2 ** 64 : v;
  }

  len(end: number): number {
    const n = this.varint();
    if (n < 0 || this.pos + n > end) throw truncated();
    return n;
  }

  skip(wireType: number, end: number): void {
    switch (wireType) {
      case 0:
        this.varint();
        break;
      case 1:
        this.pos += 8;
        break;
      case 2: {
        const n = this.len(end); // not `this.pos += this.len()`: pos would be read before len() moves it
        this.pos += n;
        break;
      }
      case 5:
        this.pos += 4;
        break;
      default:
        throw new EngineError('corrupt-protobuf', `The pprof protobuf is corrupt: unsupported wire type ${wireType} at byte ${this.pos}.`);
    }
    if (this.pos > end) throw truncated();
  }
}

export function truncated(): EngineError {
  return new EngineError('corrupt-protobuf', 'The pprof protobuf is truncated or corrupt (a field runs past the end of its message).');
}

/**
 * A pprof Label message in r.buf[r.pos .. end) into out: [key, str, num] (string ids unchecked).
 * One scratch array, no object per label.
 */
export function readLabel(r: Reader, end: number, out: Float64Array): void {
  let key = 0, str = 0, num = 0;
  while (r.pos < end) {
    const lt = r.varint();
    const lf = lt >>> 3;
    const lw = lt & 7;
    if (lf === 1 && lw === 0) key = r.uvarint();
    else if (lf === 2 && lw === 0) str = r.uvarint();
    else if (lf === 3 && lw === 0) num = r.varint();
    else r.skip(lw, end);
  }
  if (r.pos !== end) throw truncated();
  out[0] = key;
  out[1] = str;
  out[2] = num;
}
