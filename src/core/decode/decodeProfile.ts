/**
 * Entry point of decoding: sniffs the format (gzip → pprof / JSON / text), caps inflation so a
 * gzip bomb is refused, and dispatches to the format's decoder. Never throws anything but EngineError.
 */
import type { TransformOptions } from 'node:stream';
import { createGunzip, gunzipSync, type ZlibOptions } from 'node:zlib';
import { EngineError } from '../engine';
import type { RawProfile } from '../model';
import { decodeCollapsed, looksCollapsed } from './decodeCollapsed';
import { decodePprofFast } from './decodePprofFast';
import { decodeCpuprofile, decodeHeapprofile, isCpuprofile, isHeapprofile } from './decodeV8';

export const DEFAULT_MAX_INFLATED_BYTES = 512 * 1024 * 1024;

export interface DecodeOptions {
  maxInflatedBytes?: number;
  sourceName?: string;
}

export function isGzip(b: Uint8Array): boolean {
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
}

/**
 * Output chunk size for gunzip: the inflated size the gzip trailer states (ISIZE, mod 2^32, last
 * member only) when it is plausible, so the output is one buffer: zlib's default 16 KB chunks cost
 * thousands of slices plus a final concatenating copy (~35 % of gunzip time on a 25 MB profile).
 * A lying trailer only costs more chunks; an implausible one (over the cap, or over 64× the input,
 * far beyond what profiles compress to) falls back to 1 MB chunks.
 */
export function gunzipChunkSize(bytes: Uint8Array, maxInflatedBytes: number): number {
  const isize = statedInflatedSize(bytes);
  if (isize > 0 && isize <= maxInflatedBytes && isize <= bytes.length * 64) return isize + 64;
  return 1 << 20;
}

/** The inflation cap's refusal (both gunzip paths): the cap as `512 MB` or, under 1 MB, `4 KB`. */
function inflatesTooMuch(what: string, maxInflatedBytes: number): EngineError {
  const cap = maxInflatedBytes >= 1048576 ? `${Math.round(maxInflatedBytes / 1048576)} MB` : `${Math.max(1, Math.round(maxInflatedBytes / 1024))} KB`;
  return new EngineError('too-large', `${what} inflates to more than ${cap}; refused (raise maxInflatedBytes to allow it).`);
}

/** The inflated size a gzip trailer states (ISIZE: mod 2^32, of the last member; untrusted). */
export function statedInflatedSize(bytes: Uint8Array): number {
  const n = bytes.length;
  return n >= 18 ? (bytes[n - 4] | (bytes[n - 3] << 8) | (bytes[n - 2] << 16) | (bytes[n - 1] << 24)) >>> 0 : 0;
}

export function gunzipCapped(bytes: Uint8Array, maxInflatedBytes: number, what = 'The profile'): Uint8Array {
  try {
    return gunzipSync(bytes, { maxOutputLength: maxInflatedBytes, chunkSize: gunzipChunkSize(bytes, maxInflatedBytes) });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (tooLarge(err) || passesCap(bytes, maxInflatedBytes)) {
      throw inflatesTooMuch(what, maxInflatedBytes);
    }
    throw new EngineError('bad-gzip', `${what} is not valid gzip (${err.message}).`);
  }
}

function tooLarge(err: NodeJS.ErrnoException): boolean {
  return err.code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError;
}

/**
 * Whether a gzip stream that failed inflates past the cap before it fails. zlib checks the cap only
 * when it needs another output chunk, so whether a stream that is both too big and cut short is
 * reported by its size or its truncation depends on the chunk size: both gunzip paths ask this, which
 * inflates again in small chunks (bad input only, bounded by the cap), and so agree.
 */
function passesCap(bytes: Uint8Array, maxInflatedBytes: number): boolean {
  try {
    gunzipSync(bytes, { maxOutputLength: maxInflatedBytes, chunkSize: Math.max(64, Math.min(16384, maxInflatedBytes >> 6)) });
    return false;
  } catch (e) {
    return tooLarge(e as NodeJS.ErrnoException);
  }
}

/**
 * gunzipCapped for the two-thread engine: inflates on a libuv pool thread in 2 MB chunks straight
 * into a SharedArrayBuffer sized from the gzip trailer (grown if the trailer lies), so there is no
 * second full-size copy (156 MB on a 60 MB profile) and this thread is free meanwhile: `progress`
 * is called with the bytes so far after each chunk (from a microtask, i.e. once the pool thread is
 * already inflating the next one). Same cap and typed errors as gunzipCapped.
 */
export function gunzipToShared(
  bytes: Uint8Array, maxInflatedBytes: number, what = 'The profile', progress?: (out: Uint8Array, length: number) => void,
): Promise<Uint8Array> {
  const stated = gunzipChunkSize(bytes, maxInflatedBytes);
  let out = new Uint8Array(new SharedArrayBuffer(stated === 1 << 20 ? Math.min(16 << 20, maxInflatedBytes) : stated));
  let len = 0;
  const pending: Buffer[] = [];
  let scheduled = false;
  let failed = false;
  return new Promise((resolve, reject) => {
    // a high-water mark above any chunk: else push() reports the stream full after each chunk and
    // zlib waits for the 'data' handlers (and `progress`) before inflating the next one
    // (zlib passes stream options on to its Transform; its typings only list zlib's own)
    const z = createGunzip({ chunkSize: 2 << 20, readableHighWaterMark: 1 << 30 } as ZlibOptions & TransformOptions);
    const fail = (e: EngineError): void => {
      if (failed) return;
      failed = true;
      z.destroy();
      reject(e);
    };
    const take = (): boolean => {
      for (const c of pending) {
        if (len + c.length > maxInflatedBytes) {
          fail(inflatesTooMuch(what, maxInflatedBytes));
          return false;
        }
        if (len + c.length > out.length) {
          const grown = new Uint8Array(new SharedArrayBuffer(Math.min(maxInflatedBytes, Math.max(out.length * 2, len + c.length))));
          grown.set(out.subarray(0, len));
          out = grown;
        }
        out.set(c, len);
        len += c.length;
      }
      pending.length = 0;
      return true;
    };
    z.on('data', (c: Buffer) => {
      if (failed) return;
      pending.push(c);
      if (scheduled) return;
      scheduled = true;
      queueMicrotask(() => {
        scheduled = false;
        if (failed || !take()) return;
        try {
          progress?.(out, len);
        } catch {
          // the consumer's business (it starts afresh at the end); inflating goes on
        }
      });
    });
    z.on('error', (e: Error) => fail(passesCap(bytes, maxInflatedBytes)
      ? inflatesTooMuch(what, maxInflatedBytes)
      : new EngineError('bad-gzip', `${what} is not valid gzip (${e.message}).`)));
    z.on('end', () => {
      if (failed || !take()) return;
      resolve(out.subarray(0, len));
    });
    z.end(bytes);
  });
}

/** Tags a pprof Profile message can start with (fields 1–15, their wire types). */
const PPROF_FIRST_BYTE = new Set([0x0a, 0x12, 0x1a, 0x22, 0x2a, 0x32, 0x3a, 0x40, 0x48, 0x50, 0x5a, 0x60, 0x6a, 0x70, 0x78]);

function firstNonSpace(b: Uint8Array): number {
  for (let i = 0; i < b.length && i < 4096; i++) {
    const c = b[i];
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0xef && c !== 0xbb && c !== 0xbf) return c;
  }
  return -1;
}

function looksText(b: Uint8Array): boolean {
  const n = Math.min(b.length, 512);
  for (let i = 0; i < n; i++) {
    const c = b[i];
    if (c < 0x09 || (c > 0x0d && c < 0x20)) return false;
  }
  return true;
}

export function decodeProfile(input: Uint8Array, options: DecodeOptions = {}): RawProfile {
  const r = inflateAndSniff(input, options);
  return r.raw ?? decodePprofFast(r.pprof!);
}

/**
 * gunzip (capped) and format sniffing: a decoded V8/collapsed profile, or the inflated bytes of a
 * pprof profile (for decodePprofFast, or the two-thread decoder of src/core/parallel).
 */
export function inflateAndSniff(input: Uint8Array, options: DecodeOptions = {}): { raw?: RawProfile; pprof?: Uint8Array } {
  const name = options.sourceName ? `"${options.sourceName}"` : 'The profile';
  let bytes = input;
  if (bytes.length === 0) throw new EngineError('empty-profile', `${name} is empty (0 bytes).`);
  if (isGzip(bytes)) {
    bytes = gunzipCapped(bytes, options.maxInflatedBytes ?? DEFAULT_MAX_INFLATED_BYTES, name);
    if (bytes.length === 0) throw new EngineError('empty-profile', `${name} is empty after gunzip.`);
  }
  const c = firstNonSpace(bytes);
  if (c === 0x7b /* { */ && looksText(bytes)) {
    let j: unknown;
    try {
      j = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
    } catch (e) {
      throw new EngineError('bad-json', `${name} looks like JSON but does not parse (${(e as Error).message}).`);
    }
    if (isCpuprofile(j)) return { raw: decodeCpuprofile(j as Record<string, unknown>) };
    if (isHeapprofile(j)) return { raw: decodeHeapprofile(j as Record<string, unknown>) };
    throw new EngineError('unknown-format', `${name} is JSON but neither a V8 .cpuprofile (nodes, samples) nor a .heapprofile (head).`);
  }
  if (looksText(bytes)) {
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
    if (looksCollapsed(text)) return { raw: decodeCollapsed(text) };
    if (!PPROF_FIRST_BYTE.has(bytes[0])) {
      throw new EngineError('unknown-format', `${name} is text but not collapsed stacks ("a;b;c 42"), a .cpuprofile or a .heapprofile.`);
    }
  }
  if (!PPROF_FIRST_BYTE.has(bytes[0])) {
    throw new EngineError('unknown-format', `${name} is not a pprof profile (gzipped or raw protobuf), a V8 .cpuprofile/.heapprofile or collapsed stacks.`);
  }
  return { pprof: bytes };
}
