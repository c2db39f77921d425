/**
 * Grafana Pyroscope / Grafana Cloud Profiles query client (Connect RPC over HTTP).
 * - Metadata calls (ProfileTypes, LabelNames, LabelValues, Series) use Connect JSON; int64s arrive
 *   as strings, times are ms since the epoch and both ends are always sent.
 * - Profiles are fetched as binary pprof (`application/proto`): SelectMergeStacktraces with
 *   PROFILE_FORMAT_PPROF where the server has it (v2.2+), else SelectMergeProfile. Which one works
 *   is detected once per client (= per connection) and remembered.
 * - Base URL: self-hosted (`http://host:4040`), Grafana Cloud (`https://profiles-prod-NNN.grafana.net`)
 *   or a Grafana data-source proxy (`https://grafana/api/datasources/proxy/uid/<uid>`).
 * Tokens are only ever put in the Authorization header of requests to the connection's own origin.
 */
import { BackendError, displayUrl, printable } from './backendError';
import { DEFAULT_RETRY, httpRequest, type HttpProgress, type HttpResponse, type RetryPolicy } from './httpRequest';
import { buildLabelSelector, type LabelMatcher } from './labelSelector';
import { pprofHasSamples, pprofOtherShare, type TruncationInfo } from './pprofOtherShare';
import { ProtoWriter, wireFields } from './protoWire';
import { parseFlameGraph, type FlameGraphData } from './spanFlameGraph';
import { resolveWindow, windowLabel, type TimeWindow } from './timeWindow';

export type AuthKind = 'none' | 'basic' | 'bearer';

/** A named connection as stored in settings (`profileLens.connections`): never holds a token. */
export interface BackendConnection {
  name: string;
  url: string;
  auth: AuthKind;
  /** basic auth user: the Grafana Cloud stack / instance id */
  user?: string;
  /** X-Scope-OrgID for multi-tenant servers */
  tenant?: string;
}

export interface PyroscopeClientOptions {
  connection: BackendConnection;
  /** the secret for basic/bearer auth (from SecretStorage); never logged */
  token?: string;
  timeoutMs?: number;
  stallMs?: number;
  maxResponseBytes?: number;
  retry?: RetryPolicy;
  /** extra trusted CA (private deployments, tests) */
  ca?: string | Buffer;
  /** Date.now replacement (tests) */
  now?: () => number;
}

export interface ProfileTypeInfo {
  id: string;
  name: string;
  sampleType: string;
  sampleUnit: string;
  periodType: string;
  periodUnit: string;
}

export interface ServiceInfo {
  name: string;
  /** profile type ids this service has in the window, sorted */
  profileTypes: string[];
  /** conventional labels when present (first value seen) */
  repository?: string;
  rootPath?: string;
  gitRef?: string;
}

export interface ProfileQuery {
  service: string;
  profileType: string;
  window: TimeWindow;
  filters?: LabelMatcher[];
  /** node limit asked of the server (0 = server default) */
  maxNodes?: number;
}

export type PprofMethod = 'SelectMergeStacktraces' | 'SelectMergeProfile';

export interface FetchedProfile {
  /** uncompressed pprof bytes, ready for Engine.load */
  bytes: Uint8Array;
  method: PprofMethod;
  start: number;
  end: number;
  labelSelector: string;
  truncation: TruncationInfo;
  /** human summary, e.g. "api · cpu · last 1 h" */
  label: string;
}

export interface CallOptions {
  signal?: AbortSignal;
  onProgress?: (p: HttpProgress) => void;
}

const SERVICE = 'querier.v1.QuerierService';
const PROFILE_FORMAT_PPROF = 4;
export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_RESPONSE_BYTES = 256 << 20;

export class PyroscopeClient {
  readonly baseUrl: string;
  private pprofVia: PprofMethod | undefined;
  private readonly now: () => number;

  constructor(private readonly options: PyroscopeClientOptions) {
    this.baseUrl = normalizeBaseUrl(options.connection.url);
    this.now = options.now ?? Date.now;
  }

  get connectionName(): string {
    return this.options.connection.name;
  }

  /** Which profile method this server answered with (after the first fetch). */
  get detectedMethod(): PprofMethod | undefined {
    return this.pprofVia;
  }

  async profileTypes(window: TimeWindow, call: CallOptions = {}): Promise<ProfileTypeInfo[]> {
    const range = resolveWindow(window, this.now());
    const res = await this.json<{ profileTypes?: Record<string, unknown>[] }>('ProfileTypes', { start: String(range.start), end: String(range.end) }, call);
    return list<Record<string, unknown>>(res.profileTypes, 'ProfileTypes').filter(isObject).map((t) => ({
      id: str(t.ID ?? t.id),
      name: str(t.name),
      sampleType: str(t.sampleType),
      sampleUnit: str(t.sampleUnit),
      periodType: str(t.periodType),
      periodUnit: str(t.periodUnit),
    })).filter((t) => t.id !== '');
  }

  async labelNames(matchers: string[], window: TimeWindow, call: CallOptions = {}): Promise<string[]> {
    const range = resolveWindow(window, this.now());
    const res = await this.json<{ names?: unknown[] }>('LabelNames', { matchers, start: String(range.start), end: String(range.end) }, call);
    return list(res.names, 'LabelNames').map(str);
  }

  async labelValues(name: string, matchers: string[], window: TimeWindow, call: CallOptions = {}): Promise<string[]> {
    const range = resolveWindow(window, this.now());
    const res = await this.json<{ names?: unknown[] }>('LabelValues', { name, matchers, start: String(range.start), end: String(range.end) }, call);
    return list(res.names, 'LabelValues').map(str);
  }

  async series(matchers: string[], labelNames: string[], window: TimeWindow, call: CallOptions = {}): Promise<Record<string, string>[]> {
    const range = resolveWindow(window, this.now());
    const res = await this.json<{ labelsSet?: { labels?: { name?: unknown; value?: unknown }[] }[] }>(
      'Series',
      { matchers, labelNames, start: String(range.start), end: String(range.end) },
      call,
    );
    return list<{ labels?: unknown }>(res.labelsSet, 'Series')
      .filter(isObject)
      .map((set) => Object.fromEntries(list<{ name?: unknown; value?: unknown }>(set.labels, 'Series').filter(isObject).map((l) => [str(l.name), str(l.value)])));
  }

  /** Services and the profile types each has, for the pickers. */
  async services(window: TimeWindow, call: CallOptions = {}): Promise<ServiceInfo[]> {
    const sets = await this.series([], ['service_name', '__profile_type__', 'service_repository', 'service_root_path', 'service_git_ref'], window, call);
    const byName = new Map<string, ServiceInfo & { types: Set<string> }>();
    for (const s of sets) {
      const name = s.service_name;
      if (!name) continue;
      let info = byName.get(name);
      if (!info) {
        info = { name, profileTypes: [], types: new Set() };
        byName.set(name, info);
      }
      if (s.__profile_type__) info.types.add(s.__profile_type__);
      info.repository ??= s.service_repository || undefined;
      info.rootPath ??= s.service_root_path || undefined;
      info.gitRef ??= s.service_git_ref || undefined;
    }
    return [...byName.values()]
      .map(({ types, ...info }) => ({ ...info, profileTypes: [...types].sort() }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /**
   * The merged profile of `query` as pprof. Tries SelectMergeStacktraces(PROFILE_FORMAT_PPROF) once per
   * connection; servers that ignore the format (answer with a flame graph) or reject it get
   * SelectMergeProfile from then on.
   */
  async fetchProfile(query: ProfileQuery, call: CallOptions = {}): Promise<FetchedProfile> {
    const range = resolveWindow(query.window, this.now());
    const labelSelector = buildLabelSelector(query.service, query.filters);
    const base = new ProtoWriter()
      .string(1, query.profileType)
      .string(2, labelSelector)
      .int(3, range.start)
      .int(4, range.end);
    if (query.maxNodes && query.maxNodes > 0) base.int(5, query.maxNodes);
    const common = base.finish();
    let bytes: Uint8Array | undefined;
    let method: PprofMethod = this.pprofVia ?? 'SelectMergeStacktraces';
    if (method === 'SelectMergeStacktraces') {
      const body = concat(common, new ProtoWriter().int(6, PROFILE_FORMAT_PPROF).finish());
      try {
        const res = await this.proto('SelectMergeStacktraces', body, call);
        bytes = extractPprof(res);
        if (bytes) this.pprofVia = 'SelectMergeStacktraces';
      } catch (e) {
        // A server without the method or the format: fall back. Everything else is a real failure.
        if (!(e instanceof BackendError) || !['missing-api', 'bad-request'].includes(e.code)) throw e;
      }
      if (!bytes) method = 'SelectMergeProfile';
    }
    if (!bytes) {
      const res = await this.proto('SelectMergeProfile', common, call);
      bytes = res;
      this.pprofVia = 'SelectMergeProfile';
      method = 'SelectMergeProfile';
    }
    const label = `${query.service} · ${shortType(query.profileType)} · ${windowLabel(query.window)}`;
    if (!pprofHasSamples(bytes)) {
      throw new BackendError(
        'no-data',
        `Pyroscope has no ${shortType(query.profileType)} samples for service "${query.service}" in the ${windowLabel(query.window)}${query.filters?.length ? ` with filter ${labelSelector}` : ''}; pick a longer window, another profile type, or check that the agent is pushing.`,
      );
    }
    const truncation = pprofOtherShare(bytes);
    return { bytes, method, start: range.start, end: range.end, labelSelector, truncation, label };
  }

  /**
   * The merged profile of the spans `spanIds` (samples labelled span_id by e.g. grafana/otel-profiling-go)
   * in the query's window: SelectMergeSpanProfile (v1.2+). The server answers a flame graph (function
   * names only; see spanFlameGraph.ts to paint it). Throws BackendError('no-data') when no sample of the
   * spans is stored there.
   */
  async fetchSpanProfile(query: ProfileQuery, spanIds: string[], call: CallOptions = {}): Promise<{ flamegraph: FlameGraphData; start: number; end: number; labelSelector: string }> {
    const range = resolveWindow(query.window, this.now());
    const labelSelector = buildLabelSelector(query.service, query.filters);
    const request: Record<string, unknown> = { profileTypeID: query.profileType, labelSelector, spanSelector: spanIds, start: String(range.start), end: String(range.end) };
    if (query.maxNodes && query.maxNodes > 0) request.maxNodes = String(query.maxNodes);
    const res = await this.json<{ flamegraph?: unknown }>('SelectMergeSpanProfile', request, call);
    const flamegraph = parseFlameGraph(res.flamegraph ?? {});
    if (flamegraph.total <= 0 || flamegraph.levels.length < 2) {
      throw new BackendError(
        'no-data',
        `Pyroscope has no ${shortType(query.profileType)} samples of span ${spanIds.join(', ')} for service "${query.service}" in the ${windowLabel(query.window)}; check the id (16 hex digits, the span's span_id), that the span ran long enough to be sampled (~10 ms per CPU sample), and that the window covers it.`,
      );
    }
    return { flamegraph, start: range.start, end: range.end, labelSelector };
  }

  // ---- transport -------------------------------------------------------------------------------

  private headers(contentType: string): Record<string, string> {
    const c = this.options.connection;
    const h: Record<string, string> = {
      'content-type': contentType,
      accept: contentType,
      'connect-protocol-version': '1',
      'connect-timeout-ms': String(this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      'user-agent': 'profile-lens',
    };
    if (c.tenant) h['x-scope-orgid'] = c.tenant;
    if (c.auth === 'basic' || c.auth === 'bearer') {
      if (!this.options.token) {
        throw new BackendError(
          'unauthorized',
          `Connection "${c.name}" uses ${c.auth} auth but has no token stored for ${displayUrl(this.baseUrl)}; set it with "Profile Lens: Set Backend Token…".`,
        );
      }
      h.authorization = c.auth === 'basic'
        ? `Basic ${Buffer.from(`${c.user ?? ''}:${this.options.token}`).toString('base64')}`
        : `Bearer ${this.options.token}`;
    }
    return h;
  }

  private async send(method: string, contentType: string, body: Uint8Array | string, call: CallOptions): Promise<HttpResponse> {
    return httpRequest({
      url: `${this.baseUrl}/${SERVICE}/${method}`,
      method: 'POST',
      headers: this.headers(contentType),
      body,
      timeoutMs: this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      stallMs: this.options.stallMs,
      maxBytes: this.options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
      retry: this.options.retry ?? DEFAULT_RETRY,
      signal: call.signal,
      onProgress: call.onProgress,
      what: 'Pyroscope',
      capSetting: 'profileLens.backend.maxResponseMB',
      ca: this.options.ca,
    });
  }

  private async json<T>(method: string, request: unknown, call: CallOptions): Promise<T> {
    return this.scrubbed(() => this.jsonUnscrubbed<T>(method, request, call));
  }

  private async proto(method: string, body: Uint8Array, call: CallOptions): Promise<Uint8Array> {
    return this.scrubbed(() => this.protoUnscrubbed(method, body, call));
  }

  /**
   * Messages quote server answers (a body excerpt, the server's error text): a server or proxy that
   * echoes the request's credentials back must not get the token into an error, a log or a popup.
   */
  private async scrubbed<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (e) {
      const token = this.options.token;
      if (!token || !(e instanceof BackendError)) throw e;
      const secrets = [token, Buffer.from(`${this.options.connection.user ?? ''}:${token}`).toString('base64')];
      let message = e.message;
      // whole, or cut by an excerpt's length limit (a prefix of 6+ characters)
      for (const s of secrets) for (let k = s.length; k >= Math.min(6, s.length); k--) message = message.split(s.slice(0, k)).join('[token]');
      if (message === e.message) throw e;
      throw new BackendError(e.code, message, e.status, e.retryable);
    }
  }

  private async jsonUnscrubbed<T>(method: string, request: unknown, call: CallOptions): Promise<T> {
    const res = await this.send(method, 'application/json', JSON.stringify(request), call);
    await this.check(res, method, call);
    const text = res.body.toString('utf8');
    try {
      const value = JSON.parse(text) as unknown;
      if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
      return value as T;
    } catch {
      throw new BackendError('malformed', `Pyroscope's ${method} answer is not valid JSON (${res.body.length} bytes starting "${printable(text.slice(0, 40))}"); check the base URL points at the Pyroscope API.`, res.status);
    }
  }

  private async protoUnscrubbed(method: string, body: Uint8Array, call: CallOptions): Promise<Uint8Array> {
    const res = await this.send(method, 'application/proto', body, call);
    await this.check(res, method, call);
    const type = contentType(res);
    if (type && type !== 'application/proto' && type !== 'application/x-protobuf' && type !== 'application/octet-stream') {
      throw new BackendError('malformed', `Pyroscope's ${method} answered with ${type} instead of protobuf; check the base URL points at the Pyroscope API (not a web UI).`, res.status);
    }
    return new Uint8Array(res.body.buffer, res.body.byteOffset, res.body.byteLength);
  }

  /** Maps a non-2xx (or a 2xx web page) to one actionable BackendError. */
  private async check(res: HttpResponse, method: string, call: CallOptions): Promise<void> {
    const c = this.options.connection;
    const where = `Pyroscope at ${displayUrl(this.baseUrl)}`;
    const type = contentType(res);
    if (res.status >= 200 && res.status < 300) {
      if (type === 'text/html') {
        throw new BackendError(
          'wrong-base-url',
          `${displayUrl(this.baseUrl)} answered ${method} with a web page, not the Pyroscope API: the base URL probably points at a UI. Use the server root (e.g. http://host:4040) or, through Grafana, https://<grafana>/api/datasources/proxy/uid/<datasource uid>.`,
          res.status,
        );
      }
      return;
    }
    const err = connectError(res);
    const detail = err.message ? `: ${err.message}` : '';
    switch (res.status) {
      case 401: {
        const which = c.auth === 'none'
          ? 'the server requires authentication but connection uses none; choose basic (Grafana Cloud: stack id + access-policy token) or bearer (Grafana service-account token)'
          : c.auth === 'basic'
            ? `the user / stack id "${c.user ?? ''}" or its token is wrong`
            : 'the bearer token is wrong or expired';
        throw new BackendError('unauthorized', `${where} rejected the credentials of connection "${c.name}" (HTTP 401): ${which}. Fix it with "Profile Lens: Set Backend Token…"${c.auth === 'none' ? ' after changing the auth kind' : ''}.`, 401);
      }
      case 403:
        throw new BackendError(
          'forbidden',
          `${where} accepted the ${c.auth === 'none' ? 'request' : `${c.auth} credentials`} of connection "${c.name}" but denied ${method} (HTTP 403)${detail}: the token needs the profiles:read scope${c.tenant ? `, and tenant "${c.tenant}" must be allowed` : ''}.`,
          403,
        );
      case 404:
        if (err.code === 'not_found' && err.message) {
          throw new BackendError('not-found', `${where}: ${err.message}.`, 404);
        }
        throw await this.classify404(method, call);
      case 501:
        throw new BackendError('missing-api', `${where} does not implement ${method} (HTTP 501)${detail}; this server version is too old for it.`, 501);
      case 429:
        throw new BackendError('rate-limited', `${where} is rate-limiting requests (HTTP 429, still after ${res.attempts} attempts)${detail}; wait a minute, or raise the auto-refresh interval.`, 429, true);
      case 400:
      case 422:
        if (err.code === 'unimplemented') throw new BackendError('missing-api', `${where} does not support this ${method} request${detail}.`, res.status);
        throw new BackendError('bad-request', `${where} rejected the ${method} request (HTTP ${res.status})${detail}.`, res.status);
    }
    if (res.status >= 500) {
      throw new BackendError('server-error', `${where} failed with HTTP ${res.status} on ${method} (after ${res.attempts} attempts)${detail}; the server or a proxy in front of it has a problem — try again later.`, res.status, true);
    }
    throw new BackendError('server-error', `${where} answered ${method} with unexpected HTTP ${res.status}${detail}.`, res.status);
  }

  /** 404: a wrong base URL (nothing Pyroscope there) or a server without this method? Ask a method every version has. */
  private async classify404(method: string, call: CallOptions): Promise<BackendError> {
    const where = displayUrl(this.baseUrl);
    if (method !== 'ProfileTypes') {
      try {
        const now = this.now();
        const res = await this.send('ProfileTypes', 'application/json', JSON.stringify({ start: String(now - 60_000), end: String(now) }), call);
        if (res.status >= 200 && res.status < 300 && contentType(res) !== 'text/html') {
          return new BackendError('missing-api', `The Pyroscope server at ${where} has no ${method} API (HTTP 404); it is older than this feature needs — upgrade it, or this command cannot be used with it.`, 404);
        }
      } catch (e) {
        if (e instanceof BackendError && e.code === 'cancelled') return e;
      }
    }
    return new BackendError(
      'wrong-base-url',
      `Nothing answers the Pyroscope API at ${where} (HTTP 404 for ${SERVICE}/${method}); the base URL is wrong. Use the server root (e.g. http://host:4040), https://profiles-prod-NNN.grafana.net for Grafana Cloud, or https://<grafana>/api/datasources/proxy/uid/<uid>.`,
      404,
    );
  }
}

/** Validates and normalises a base URL: http(s), no query/fragment, no trailing slash. */
export function normalizeBaseUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    throw new BackendError('bad-url', `"${printable(url.slice(0, 200))}" is not a valid URL; use e.g. http://localhost:4040 or https://profiles-prod-001.grafana.net.`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new BackendError('bad-url', `Pyroscope URLs must start with http:// or https:// (got ${u.protocol}).`);
  }
  if (u.username || u.password) {
    throw new BackendError('bad-url', 'Do not put credentials in the URL; store the token with "Profile Lens: Set Backend Token…".');
  }
  return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
}

/** google.v1.Profile inside SelectMergeStacktracesResponse.pprof (field 5 → field 1), or undefined when absent. */
export function extractPprof(response: Uint8Array): Uint8Array | undefined {
  let found: Uint8Array | undefined;
  for (const f of wireFields(response)) {
    if (f.field === 5 && f.wire === 2) {
      found = new Uint8Array(0);
      for (const g of wireFields(response, f.start, f.end)) {
        if (g.field === 1 && g.wire === 2) found = response.subarray(g.start, g.end);
      }
    }
  }
  return found;
}

function connectError(res: HttpResponse): { code?: string; message?: string } {
  if (res.body.length === 0 || res.body.length > 64 * 1024) return {};
  const text = res.body.toString('utf8');
  try {
    const v = JSON.parse(text) as { code?: unknown; message?: unknown };
    return { code: typeof v.code === 'string' ? v.code : undefined, message: typeof v.message === 'string' ? printable(v.message).slice(0, 300) : undefined };
  } catch {
    const type = contentType(res);
    return type === 'text/plain' ? { message: printable(text.trim()).slice(0, 200) } : {};
  }
}

function contentType(res: HttpResponse): string {
  return String(res.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

/** A repeated field: absent → [], anything but an array → malformed. */
function list<T = unknown>(v: unknown, method: string): T[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new BackendError('malformed', `Pyroscope's ${method} answer has an unexpected shape (a list is ${typeof v}); check the base URL points at the Pyroscope API.`);
  return v as T[];
}

function isObject<T>(v: T): v is T & object {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function shortType(id: string): string {
  const p = id.split(':');
  return p.length === 5 ? (p[0] === 'process_cpu' || p[0] === p[1] ? p[1] : `${p[0]}:${p[1]}`) : id;
}
