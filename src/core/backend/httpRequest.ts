/**
 * One HTTP exchange with everything a backend call needs and `fetch` does not give us:
 * - a whole-attempt deadline and a stall detector (no byte for `stallMs` after the headers),
 * - a response size cap enforced while streaming (and from Content-Length up front),
 * - cancellation through an AbortSignal,
 * - bounded retries with backoff for 429 / 5xx / connection resets (Retry-After honoured, capped),
 * - redirects followed by hand, dropping credentials when the origin changes.
 * Non-2xx answers are returned (after retries), not thrown: callers know what a 404 means for them.
 * Network failures become BackendError with one actionable message.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { BackendError, displayUrl, originOf } from './backendError';

export interface RetryPolicy {
  /** total attempts including the first (1 = no retry) */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface HttpProgress {
  received: number;
  /** from Content-Length when the server sent it */
  total?: number;
  attempt: number;
}

export interface HttpRequestOptions {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: Uint8Array | string;
  /** deadline for one attempt: connect + headers + body (ms) */
  timeoutMs: number;
  /** longest silence allowed between body bytes once the headers arrived (ms); default min(timeoutMs, 15 s) */
  stallMs?: number;
  /** response body cap in bytes */
  maxBytes: number;
  signal?: AbortSignal;
  maxRedirects?: number;
  retry?: RetryPolicy;
  onProgress?: (p: HttpProgress) => void;
  /** who we talk to, for messages: e.g. "Pyroscope" or "the pprof endpoint" */
  what?: string;
  /** setting that holds the cap, named in the too-large message */
  capSetting?: string;
  /** extra TLS trust (tests, private CAs) */
  ca?: string | Buffer;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** the URL that finally answered (after redirects) */
  url: string;
  attempts: number;
}

/** Headers that carry credentials: never sent to another origin. */
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization', 'x-scope-orgid'];
const RETRY_STATUS = new Set([429, 500, 502, 503, 504]);
export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 500, maxDelayMs: 8000 };

export async function httpRequest(options: HttpRequestOptions): Promise<HttpResponse> {
  const retry = options.retry ?? DEFAULT_RETRY;
  let last: HttpResponse | undefined;
  for (let attempt = 1; ; attempt++) {
    throwIfAborted(options.signal);
    let delay: number;
    try {
      last = await withRedirects(options, attempt);
      if (!RETRY_STATUS.has(last.status) || attempt >= retry.attempts) return last;
      delay = retryDelay(retry, attempt, last.headers['retry-after']);
    } catch (e) {
      if (!(e instanceof BackendError) || e.code !== 'connection-reset' || attempt >= retry.attempts) throw e;
      delay = retryDelay(retry, attempt, undefined);
    }
    await sleep(delay, options.signal);
  }
}

/** Exponential backoff with a little jitter; Retry-After (seconds or date) wins but is capped. */
export function retryDelay(policy: RetryPolicy, attempt: number, retryAfter: string | string[] | undefined, now = Date.now()): number {
  const header = Array.isArray(retryAfter) ? retryAfter[0] : retryAfter;
  if (header) {
    const secs = Number(header);
    const ms = Number.isFinite(secs) ? secs * 1000 : Date.parse(header) - now;
    if (Number.isFinite(ms) && ms >= 0) return Math.min(ms, policy.maxDelayMs);
  }
  const base = policy.baseDelayMs * 2 ** (attempt - 1);
  return Math.min(policy.maxDelayMs, base + Math.floor(Math.random() * policy.baseDelayMs * 0.2));
}

async function withRedirects(options: HttpRequestOptions, attempt: number): Promise<HttpResponse> {
  const startOrigin = originOf(options.url);
  let url = options.url;
  let method = options.method ?? 'GET';
  let body = options.body;
  let headers = { ...(options.headers ?? {}) };
  const max = options.maxRedirects ?? 5;
  for (let hop = 0; ; hop++) {
    const res = await once(options, url, method, headers, body, attempt);
    const location = res.headers.location;
    if (![301, 302, 303, 307, 308].includes(res.status) || !location) return res;
    if (hop >= max) {
      throw new BackendError('redirect', `${what(options)} redirected more than ${max} times (last to ${displayUrl(location)}); check the URL.`, res.status);
    }
    let next: URL;
    try {
      next = new URL(location, url);
    } catch {
      throw new BackendError('redirect', `${what(options)} redirected to an invalid location; check the URL.`, res.status);
    }
    if (next.protocol !== 'http:' && next.protocol !== 'https:') {
      throw new BackendError('redirect', `${what(options)} redirected to a non-HTTP location (${next.protocol}); check the URL.`, res.status);
    }
    if (method === 'POST' && res.status !== 307 && res.status !== 308) {
      throw new BackendError(
        'redirect',
        `${what(options)} redirected the API call to ${displayUrl(next)} (HTTP ${res.status}); set the base URL to that address.`,
        res.status,
      );
    }
    if (res.status === 303) {
      method = 'GET';
      body = undefined;
    }
    if (originOf(next) !== startOrigin) {
      // Never forward credentials to an origin the user did not enter them for.
      headers = Object.fromEntries(Object.entries(headers).filter(([k]) => !CREDENTIAL_HEADERS.includes(k.toLowerCase())));
    }
    url = next.toString();
  }
}

function what(options: HttpRequestOptions): string {
  return options.what ?? 'The server';
}

function once(
  options: HttpRequestOptions,
  url: string,
  method: string,
  headers: Record<string, string>,
  body: Uint8Array | string | undefined,
  attempt: number,
): Promise<HttpResponse> {
  return new Promise<HttpResponse>((resolve, reject) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      reject(new BackendError('bad-url', `"${url.slice(0, 200)}" is not a valid URL; use e.g. http://localhost:4040.`));
      return;
    }
    if (target.protocol !== 'http:' && target.protocol !== 'https:') {
      reject(new BackendError('bad-url', `Only http:// and https:// URLs are supported (got ${target.protocol}).`));
      return;
    }
    const where = `${what(options)} at ${displayUrl(target)}`;
    const lib = target.protocol === 'https:' ? https : http;
    const payload = body === undefined ? undefined : typeof body === 'string' ? Buffer.from(body) : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    const reqHeaders: Record<string, string> = { ...headers };
    if (payload) reqHeaders['content-length'] = String(payload.length);
    let settled = false;
    let stallTimer: NodeJS.Timeout | undefined;
    const finish = (err: BackendError | undefined, res?: HttpResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      clearTimeout(stallTimer);
      options.signal?.removeEventListener('abort', onAbort);
      if (err) {
        req.destroy();
        reject(err);
      } else resolve(res!);
    };
    const deadline = setTimeout(
      () => finish(new BackendError('timeout', `${where} did not answer within ${fmtSec(options.timeoutMs)}; the server may be overloaded or the window too large (raise the request timeout or shorten the time window).`)),
      options.timeoutMs,
    );
    const onAbort = () => finish(new BackendError('cancelled', 'Cancelled.'));
    if (options.signal?.aborted) {
      clearTimeout(deadline);
      reject(new BackendError('cancelled', 'Cancelled.'));
      return;
    }
    options.signal?.addEventListener('abort', onAbort);

    const req = lib.request(
      {
        protocol: target.protocol,
        hostname: target.hostname.replace(/^\[|\]$/g, ''),
        port: target.port || undefined,
        path: `${target.pathname}${target.search}`,
        method,
        headers: reqHeaders,
        ca: options.ca,
        // keep-alive off: every request is independent and sockets never outlive us
        agent: false,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        const lengthHeader = Number(res.headers['content-length']);
        const total = Number.isFinite(lengthHeader) && res.headers['content-length'] !== undefined ? lengthHeader : undefined;
        if (total !== undefined && total > options.maxBytes) {
          finish(tooLarge(options, where, total));
          return;
        }
        const stallMs = options.stallMs ?? Math.min(options.timeoutMs, 15000);
        const armStall = () => {
          clearTimeout(stallTimer);
          stallTimer = setTimeout(
            () => finish(new BackendError('stalled', `${where} stopped sending data for ${fmtSec(stallMs)} in the middle of the response; try again, or check the server and any proxy in between.`)),
            stallMs,
          );
        };
        armStall();
        const chunks: Buffer[] = [];
        let received = 0;
        res.on('data', (chunk: Buffer) => {
          if (settled) return;
          received += chunk.length;
          if (received > options.maxBytes) {
            finish(tooLarge(options, where, received));
            return;
          }
          chunks.push(chunk);
          armStall();
          options.onProgress?.({ received, total, attempt });
        });
        res.on('end', () => {
          if (total !== undefined && received < total) {
            finish(new BackendError('connection-reset', `${where} closed the connection after ${received} of ${total} bytes; try again.`, status, true));
            return;
          }
          finish(undefined, { status, headers: res.headers, body: Buffer.concat(chunks, received), url, attempts: attempt });
        });
        res.on('aborted', () => finish(new BackendError('connection-reset', `${where} closed the connection in the middle of the response; try again.`, status, true)));
        res.on('error', (e) => finish(networkError(e, where, target)));
      },
    );
    req.on('error', (e) => finish(networkError(e, where, target)));
    if (payload) req.end(payload);
    else req.end();
  });
}

function tooLarge(options: HttpRequestOptions, where: string, bytes: number): BackendError {
  const setting = options.capSetting ? ` (setting ${options.capSetting})` : '';
  return new BackendError(
    'too-large',
    `${where} sent more than ${fmtBytes(options.maxBytes)}${bytes > options.maxBytes ? ` (${fmtBytes(bytes)}+)` : ''}, over the response size cap${setting}; narrow the query (shorter window, label filters) or raise the cap.`,
  );
}

function networkError(e: unknown, where: string, target: URL): BackendError {
  const err = e as NodeJS.ErrnoException & { code?: string; reason?: string };
  const code = err.code ?? '';
  const host = target.hostname;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME' || code === 'EAI_FAIL') {
    return new BackendError('dns', `Cannot resolve host "${host}" (DNS lookup failed: ${code}); check the host name in the URL and your network/VPN.`);
  }
  if (code === 'ECONNREFUSED') {
    return new BackendError('unreachable', `Nothing is listening at ${originOf(target)} (connection refused); is the server running and is the port right?`);
  }
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EADDRNOTAVAIL') {
    return new BackendError('unreachable', `${originOf(target)} is unreachable (${code}); check the host, your network, VPN or firewall.`);
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || /socket hang up/i.test(err.message ?? '')) {
    return new BackendError('connection-reset', `${where} closed the connection unexpectedly (${code || 'socket hang up'}); try again.`, undefined, true);
  }
  if (
    /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|EPROTO|ERR_SSL/i.test(code) ||
    /wrong version number|certificate|handshake/i.test(err.message ?? '')
  ) {
    const text = `${code} ${err.message}`;
    const hint = /wrong version number|EPROTO|packet length too long/i.test(text)
      ? 'the port may speak plain HTTP: try http:// instead of https://'
      : /ALTNAME|Hostname\/IP does not match/i.test(text)
        ? `the certificate is not valid for "${host}"; use the host name the certificate was issued for`
        : /EXPIRED|NOT_YET_VALID/i.test(text)
          ? 'the server certificate is expired or not yet valid'
          : 'the server certificate is not trusted (self-signed or from an unknown CA); install its CA in the system trust store';
    return new BackendError('tls', `TLS handshake with ${originOf(target)} failed (${code || 'TLS error'}): ${hint}.`);
  }
  return new BackendError('unreachable', `${where} could not be reached (${code || (err.message ?? 'network error').slice(0, 120)}).`);
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new BackendError('cancelled', 'Cancelled.');
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(new BackendError('cancelled', 'Cancelled.'));
      return;
    }
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new BackendError('cancelled', 'Cancelled.'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function fmtSec(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

export function fmtBytes(n: number): string {
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(n % (1 << 20) === 0 ? 0 : 1)} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} kB`;
  return `${n} B`;
}
