/**
 * Live pprof endpoints of a running service (Go `net/http/pprof` conventions; Node services that
 * expose the same paths): `/debug/pprof/profile?seconds=N` (CPU, the server samples for N seconds
 * before answering), `/debug/pprof/heap`, `/debug/pprof/allocs`. Cancellable, with progress.
 */
import { BackendError, displayUrl, printable } from './backendError';
import { fmtBytes, httpRequest, type HttpProgress } from './httpRequest';

export type PprofKind = 'profile' | 'heap' | 'allocs' | 'goroutine' | 'block' | 'mutex';

export const PPROF_KINDS: readonly { kind: PprofKind; label: string; timed: boolean }[] = [
  { kind: 'profile', label: 'CPU (profile?seconds=N)', timed: true },
  { kind: 'heap', label: 'Heap (in-use and allocated)', timed: false },
  { kind: 'allocs', label: 'Allocations (allocs)', timed: false },
  { kind: 'goroutine', label: 'Goroutines', timed: false },
  { kind: 'block', label: 'Blocking', timed: false },
  { kind: 'mutex', label: 'Mutex contention', timed: false },
];

export interface PprofEndpointProgress {
  phase: 'collecting' | 'downloading';
  /** 0..1 when known */
  fraction?: number;
  message: string;
}

export interface PprofEndpointOptions {
  /** a service base (`http://host:6060`), its `/debug/pprof/` index, or a full endpoint URL */
  url: string;
  /** ignored when `url` already names an endpoint */
  kind?: PprofKind;
  /** CPU profile duration (default 10 s) */
  seconds?: number;
  signal?: AbortSignal;
  onProgress?: (p: PprofEndpointProgress) => void;
  maxBytes?: number;
  /** added to the collection time for the answer to arrive (default 30 s) */
  graceMs?: number;
  stallMs?: number;
}

export interface PprofEndpointResult {
  bytes: Uint8Array;
  url: string;
  kind: PprofKind | 'custom';
  seconds?: number;
  label: string;
}

/** Builds the endpoint URL. Accepts a base, the `/debug/pprof/` index, or an endpoint URL (kept as is). */
export function pprofEndpointUrl(input: string, kind: PprofKind = 'profile', seconds = 10): { url: string; kind: PprofKind | 'custom'; seconds?: number } {
  let u: URL;
  try {
    u = new URL(input.trim());
  } catch {
    throw new BackendError('bad-url', `"${printable(input.slice(0, 200))}" is not a valid URL; use e.g. http://localhost:6060 or http://localhost:6060/debug/pprof/heap.`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new BackendError('bad-url', `Only http:// and https:// URLs are supported (got ${u.protocol}).`);
  const m = /\/debug\/pprof\/([a-z]+)\/?$/.exec(u.pathname);
  if (m) {
    const named = m[1] as PprofKind;
    const known = PPROF_KINDS.some((k) => k.kind === named);
    const secs = u.searchParams.get('seconds');
    return { url: u.toString(), kind: known ? named : 'custom', seconds: secs ? Number(secs) : undefined };
  }
  if (/\/debug\/pprof\/?$/.test(u.pathname)) u.pathname = u.pathname.replace(/\/?$/, '/') + kind;
  else if (u.pathname === '/' || u.pathname === '') u.pathname = `/debug/pprof/${kind}`;
  else u.pathname = `${u.pathname.replace(/\/+$/, '')}/${kind}`;
  if (kind === 'profile') u.searchParams.set('seconds', String(seconds));
  return { url: u.toString(), kind, seconds: kind === 'profile' ? seconds : undefined };
}

export async function fetchPprofEndpoint(options: PprofEndpointOptions): Promise<PprofEndpointResult> {
  const target = pprofEndpointUrl(options.url, options.kind, options.seconds ?? 10);
  const collectMs = (target.seconds ?? 0) * 1000;
  const started = Date.now();
  let ticker: NodeJS.Timeout | undefined;
  let downloading = false;
  if (collectMs > 0 && options.onProgress) {
    const tick = () => {
      if (downloading) return;
      const elapsed = Date.now() - started;
      options.onProgress!({
        phase: 'collecting',
        fraction: Math.min(1, elapsed / collectMs),
        message: elapsed < collectMs ? `collecting CPU profile: ${Math.ceil((collectMs - elapsed) / 1000)} s left` : 'waiting for the service to send the profile',
      });
    };
    tick();
    ticker = setInterval(tick, 1000);
  }
  const onHttp = (p: HttpProgress) => {
    downloading = true;
    options.onProgress?.({
      phase: 'downloading',
      fraction: p.total ? p.received / p.total : undefined,
      message: `downloading ${fmtBytes(p.received)}${p.total ? ` of ${fmtBytes(p.total)}` : ''}`,
    });
  };
  try {
    const res = await httpRequest({
      url: target.url,
      method: 'GET',
      headers: { 'user-agent': 'profile-lens', accept: 'application/octet-stream' },
      timeoutMs: collectMs + (options.graceMs ?? 30_000),
      stallMs: options.stallMs,
      maxBytes: options.maxBytes ?? 256 << 20,
      // a CPU profile must not be started twice behind the user's back
      retry: { attempts: target.kind === 'profile' ? 1 : 2, baseDelayMs: 500, maxDelayMs: 2000 },
      signal: options.signal,
      onProgress: onHttp,
      what: 'The pprof endpoint',
      capSetting: 'profileLens.backend.maxResponseMB',
    });
    const where = displayUrl(target.url);
    const type = String(res.headers['content-type'] ?? '').split(';')[0].trim();
    const text = () => printable(res.body.subarray(0, 300).toString('utf8')).trim();
    if (res.status === 404) {
      throw new BackendError('not-found', `${where} does not exist (HTTP 404): the service does not expose ${target.kind === 'custom' ? 'this endpoint' : `/debug/pprof/${target.kind}`} (Go: import _ "net/http/pprof"; check host, port and path).`, 404);
    }
    if (res.status === 401 || res.status === 403) {
      throw new BackendError(res.status === 401 ? 'unauthorized' : 'forbidden', `${where} refused access (HTTP ${res.status}); pprof endpoints are usually on an internal port without auth — check you are using that port.`, res.status);
    }
    if (res.status >= 400) {
      // Go answers e.g. 500 "Could not enable CPU profiling: cpu profiling already in use"
      throw new BackendError(res.status >= 500 ? 'server-error' : 'bad-request', `${where} failed with HTTP ${res.status}${text() ? `: ${text()}` : ''}.`, res.status, res.status >= 500);
    }
    const body = new Uint8Array(res.body.buffer, res.body.byteOffset, res.body.byteLength);
    if (body.length === 0) throw new BackendError('malformed', `${where} sent an empty answer instead of a profile.`);
    const gz = body[0] === 0x1f && body[1] === 0x8b;
    // protobuf Profile starts with a field key: sample_type (0x0a) or another small field
    const proto = !gz && body[0] !== 0x3c && body[0] !== 0x7b && (body[0] & 7) <= 5 && body[0] >= 0x08;
    if (!gz && !proto || type === 'text/html') {
      throw new BackendError('malformed', `${where} did not send a pprof profile (got ${type || 'unknown content'}${text() ? ` starting "${text().slice(0, 60)}"` : ''}); is this a /debug/pprof/ endpoint?`, res.status);
    }
    return {
      bytes: body,
      url: target.url,
      kind: target.kind,
      seconds: target.seconds,
      label: `${new URL(target.url).host} · ${target.kind === 'profile' ? `cpu ${target.seconds ?? ''} s` : target.kind}`,
    };
  } finally {
    clearInterval(ticker);
  }
}
