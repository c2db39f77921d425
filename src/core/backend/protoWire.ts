/**
 * The few bytes of protobuf wire format the backend needs: encode flat request messages
 * (strings, int64, enums) and pull a length-delimited field out of a response without decoding
 * the rest. Decoding whole profiles is the engine's job.
 */
import { BackendError } from './backendError';

export class ProtoWriter {
  private readonly parts: number[] = [];

  string(field: number, value: string | undefined): this {
    if (value === undefined || value === '') return this;
    return this.bytes(field, Buffer.from(value, 'utf8'));
  }

  bytes(field: number, value: Uint8Array): this {
    this.key(field, 2);
    this.varint(BigInt(value.length));
    for (const b of value) this.parts.push(b);
    return this;
  }

  /** int64 / enum / uint; negative values use 10-byte two's complement like protoc */
  int(field: number, value: number | bigint | undefined, emitZero = false): this {
    if (value === undefined || (!emitZero && Number(value) === 0)) return this;
    this.key(field, 0);
    let v = BigInt(value);
    if (v < 0n) v += 1n << 64n;
    this.varint(v);
    return this;
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.parts);
  }

  private key(field: number, wire: number): void {
    this.varint(BigInt((field << 3) | wire));
  }

  private varint(v: bigint): void {
    while (v >= 0x80n) {
      this.parts.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.parts.push(Number(v));
  }
}

export interface WireField {
  field: number;
  wire: number;
  /** varint value (wire 0) */
  value?: number;
  /** start/end of a length-delimited payload (wire 2) */
  start?: number;
  end?: number;
}

/** Iterates the top-level fields of a message. Throws BackendError('malformed') on truncated input. */
export function* wireFields(buf: Uint8Array, start = 0, end = buf.length): Generator<WireField> {
  let pos = start;
  const varint = (): number => {
    let result = 0;
    let shift = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= end) throw malformed();
      const b = buf[pos++];
      result += (b & 0x7f) * shift;
      if (b < 0x80) return result;
      shift *= 128;
    }
    throw malformed();
  };
  while (pos < end) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key & 7;
    if (field === 0) throw malformed();
    switch (wire) {
      case 0:
        yield { field, wire, value: varint() };
        break;
      case 1:
        pos += 8;
        if (pos > end) throw malformed();
        yield { field, wire };
        break;
      case 2: {
        const len = varint();
        const s = pos;
        pos += len;
        if (pos > end) throw malformed();
        yield { field, wire, start: s, end: pos };
        break;
      }
      case 5:
        pos += 4;
        if (pos > end) throw malformed();
        yield { field, wire };
        break;
      default:
        throw malformed();
    }
  }
}

/** Packed or unpacked repeated varints of one field occurrence. */
export function readPackedVarints(buf: Uint8Array, f: WireField, out: number[]): void {
  if (f.wire === 0) {
    out.push(f.value!);
    return;
  }
  let pos = f.start!;
  while (pos < f.end!) {
    let result = 0;
    let shift = 1;
    for (;;) {
      if (pos >= f.end!) throw malformed();
      const b = buf[pos++];
      result += (b & 0x7f) * shift;
      if (b < 0x80) break;
      shift *= 128;
    }
    out.push(result);
  }
}

function malformed(): BackendError {
  return new BackendError('malformed', 'The server sent a truncated or corrupt protobuf message.');
}
