/**
 * Typed failure of any backend call (Pyroscope, Grafana Cloud, live pprof endpoints).
 * `code` is stable for tests and UI; `message` is one actionable sentence for people.
 * Messages never contain tokens or Authorization headers.
 */
export type BackendErrorCode =
  | 'bad-url'
  | 'dns'
  | 'unreachable'
  | 'connection-reset'
  | 'timeout'
  | 'stalled'
  | 'tls'
  | 'unauthorized'
  | 'forbidden'
  | 'wrong-base-url'
  | 'missing-api'
  | 'not-found'
  | 'rate-limited'
  | 'server-error'
  | 'bad-request'
  | 'malformed'
  | 'too-large'
  | 'redirect'
  | 'cancelled'
  | 'no-data';

export class BackendError extends Error {
  constructor(
    readonly code: BackendErrorCode,
    message: string,
    /** HTTP status when the server answered */
    readonly status?: number,
    /** true when trying again later may succeed (429, 5xx, resets) */
    readonly retryable = false,
  ) {
    super(message);
    this.name = 'BackendError';
  }
}

export function isBackendError(e: unknown, code?: BackendErrorCode): e is BackendError {
  return e instanceof BackendError && (code === undefined || e.code === code);
}

/** scheme://host:port of a URL, with the default port made explicit (the unit a token is bound to). */
export function originOf(url: string | URL): string {
  const u = typeof url === 'string' ? new URL(url) : url;
  const port = u.port || (u.protocol === 'https:' ? '443' : u.protocol === 'http:' ? '80' : '');
  return `${u.protocol}//${u.hostname}${port ? `:${port}` : ''}`;
}

/** A URL for messages: origin + path, never userinfo or query (which can carry secrets). */
export function displayUrl(url: string | URL): string {
  try {
    const u = typeof url === 'string' ? new URL(url) : url;
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

/** Server text for messages: no control characters. */
export function printable(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ');
}
