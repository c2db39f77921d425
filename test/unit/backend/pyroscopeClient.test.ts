/**
 * The Pyroscope client against servers of ours on 127.0.0.1: what it sends (paths, headers, JSON with
 * int64 strings and ms times, binary protobuf), feature detection of the pprof method, and how each
 * answer becomes data or one typed error.
 */
import * as assert from 'node:assert/strict';
import { BackendError } from '../../../src/core/backend/backendError';
import { ProtoWriter, wireFields } from '../../../src/core/backend/protoWire';
import { PyroscopeClient, type BackendConnection } from '../../../src/core/backend/pyroscopeClient';
import { sendJson, sendProto, startLocalServer, type LocalServer, type RecordedRequest } from './localServer';
import { buildPprof } from './pprofBuilder';

const HOUR = { kind: 'last', ms: 3_600_000 } as const;
const NOW = 1_750_000_000_000;
const CPU = 'process_cpu:cpu:nanoseconds:cpu:nanoseconds';
const FAST_RETRY = { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 };

function client(server: LocalServer, connection: Partial<BackendConnection> = {}, token?: string, extra: Record<string, unknown> = {}) {
  return new PyroscopeClient({
    connection: { name: 'test', url: server.url, auth: 'none', ...connection },
    token,
    now: () => NOW,
    retry: FAST_RETRY,
    timeoutMs: 5000,
    ...extra,
  });
}

function protoFields(req: RecordedRequest): Map<number, number | string> {
  const m = new Map<number, number | string>();
  for (const f of wireFields(req.body)) m.set(f.field, f.wire === 0 ? f.value! : req.body.subarray(f.start, f.end).toString());
  return m;
}

function pprofResponse(profile: Uint8Array): Uint8Array {
  return new ProtoWriter().bytes(5, new ProtoWriter().bytes(1, profile).finish()).finish();
}

const slow = buildPprof([
  { frames: [['main.main', '/app/main.go', 10], ['main.slow', '/app/main.go', 42]], value: 900 },
  { frames: [['main.main', '/app/main.go', 10], ['other', '', 0]], value: 100 },
]);

let servers: LocalServer[] = [];
async function serve(handler: Parameters<typeof startLocalServer>[0]): Promise<LocalServer> {
  const s = await startLocalServer(handler);
  servers.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

describe('backend: Pyroscope client requests', () => {
  it('lists profile types, label names/values and services over Connect JSON with ms times as int64 strings', async () => {
    const s = await serve((req, res) => {
      const m = req.url.split('/').pop();
      if (m === 'ProfileTypes') sendJson(res, 200, { profileTypes: [{ ID: CPU, name: 'process_cpu', sampleType: 'cpu', sampleUnit: 'nanoseconds', periodType: 'cpu', periodUnit: 'nanoseconds' }] });
      else if (m === 'LabelNames') sendJson(res, 200, { names: ['service_name', 'env'] });
      else if (m === 'LabelValues') sendJson(res, 200, { names: ['dev', 'prod'] });
      else if (m === 'Series') {
        sendJson(res, 200, {
          labelsSet: [
            { labels: [{ name: 'service_name', value: 'api' }, { name: '__profile_type__', value: CPU }, { name: 'service_root_path', value: '/src' }] },
            { labels: [{ name: 'service_name', value: 'api' }, { name: '__profile_type__', value: 'memory:alloc_space:bytes:space:bytes' }] },
            { labels: [{ name: 'service_name', value: 'web' }, { name: '__profile_type__', value: 'wall:wall:microseconds:wall:microseconds' }] },
          ],
        });
      } else sendJson(res, 404, {});
    });
    const c = client(s, { tenant: 'team-a' });
    assert.deepEqual((await c.profileTypes(HOUR)).map((t) => t.id), [CPU]);
    assert.deepEqual(await c.labelNames(['{service_name="api"}'], HOUR), ['service_name', 'env']);
    assert.deepEqual(await c.labelValues('env', [], HOUR), ['dev', 'prod']);
    const services = await c.services(HOUR);
    assert.deepEqual(services.map((x) => [x.name, x.profileTypes]), [
      ['api', ['memory:alloc_space:bytes:space:bytes', CPU]],
      ['web', ['wall:wall:microseconds:wall:microseconds']],
    ]);
    assert.equal(services[0].rootPath, '/src');

    const [pt, ln, lv, se] = s.requests;
    assert.equal(pt.url, '/querier.v1.QuerierService/ProfileTypes');
    assert.equal(pt.method, 'POST');
    assert.equal(pt.headers['content-type'], 'application/json');
    assert.equal(pt.headers['connect-protocol-version'], '1');
    assert.equal(pt.headers['x-scope-orgid'], 'team-a');
    assert.equal(pt.headers.authorization, undefined);
    assert.deepEqual(JSON.parse(pt.body.toString()), { start: String(NOW - 3_600_000), end: String(NOW) });
    assert.deepEqual(JSON.parse(ln.body.toString()).matchers, ['{service_name="api"}']);
    assert.equal(JSON.parse(lv.body.toString()).name, 'env');
    assert.deepEqual(JSON.parse(se.body.toString()).labelNames.slice(0, 2), ['service_name', '__profile_type__']);
  });

  it('sends basic auth as base64(user:token) and bearer as Bearer, and nothing without a token', async () => {
    const s = await serve((_req, res) => sendJson(res, 200, { names: [] }));
    await client(s, { auth: 'basic', user: '123456' }, 'glc_secret').labelNames([], HOUR);
    await client(s, { auth: 'bearer' }, 'glsa_secret').labelNames([], HOUR);
    assert.equal(s.requests[0].headers.authorization, `Basic ${Buffer.from('123456:glc_secret').toString('base64')}`);
    assert.equal(s.requests[1].headers.authorization, 'Bearer glsa_secret');
    await assert.rejects(client(s, { auth: 'bearer' }).labelNames([], HOUR), (e: unknown) => e instanceof BackendError && e.code === 'unauthorized' && /Set Backend Token/.test(e.message));
    assert.equal(s.requests.length, 2, 'no request without the token');
  });

  it('fetches pprof with SelectMergeStacktraces(PROFILE_FORMAT_PPROF) as binary protobuf, once detected never probes again', async () => {
    const s = await serve((req, res) => {
      if (req.url.endsWith('/SelectMergeStacktraces')) sendProto(res, pprofResponse(slow));
      else sendJson(res, 404, {});
    });
    const c = client(s);
    const q = { service: 'api"x', profileType: CPU, window: HOUR, filters: [{ name: 'env', op: '=' as const, value: 'prod' }], maxNodes: 16384 };
    const got = await c.fetchProfile(q);
    assert.equal(got.method, 'SelectMergeStacktraces');
    assert.deepEqual(Buffer.from(got.bytes), Buffer.from(slow));
    assert.equal(got.truncation.truncated, true);
    assert.equal(got.truncation.share, 0.1);
    const req = s.requests[0];
    assert.equal(req.headers['content-type'], 'application/proto');
    const f = protoFields(req);
    assert.equal(f.get(1), CPU);
    assert.equal(f.get(2), '{service_name="api\\"x", env="prod"}');
    assert.equal(f.get(3), NOW - 3_600_000);
    assert.equal(f.get(4), NOW);
    assert.equal(f.get(5), 16384);
    assert.equal(f.get(6), 4, 'format = PROFILE_FORMAT_PPROF');
    await c.fetchProfile(q);
    assert.deepEqual(s.requests.map((r) => r.url.split('/').pop()), ['SelectMergeStacktraces', 'SelectMergeStacktraces']);
  });

  it('falls back to SelectMergeProfile when the server ignores the pprof format (answers a flame graph), and remembers it', async () => {
    const s = await serve((req, res) => {
      if (req.url.endsWith('/SelectMergeStacktraces')) sendProto(res, new ProtoWriter().bytes(1, new ProtoWriter().string(1, 'total').finish()).finish());
      else if (req.url.endsWith('/SelectMergeProfile')) sendProto(res, slow);
      else sendJson(res, 404, {});
    });
    const c = client(s);
    const q = { service: 'api', profileType: CPU, window: HOUR };
    const got = await c.fetchProfile(q);
    assert.equal(got.method, 'SelectMergeProfile');
    assert.equal(c.detectedMethod, 'SelectMergeProfile');
    assert.deepEqual(Buffer.from(got.bytes), Buffer.from(slow));
    const f = protoFields(s.requests[1]);
    assert.equal(f.get(6), undefined, 'SelectMergeProfile has no format field');
    await c.fetchProfile(q);
    assert.deepEqual(s.requests.map((r) => r.url.split('/').pop()), ['SelectMergeStacktraces', 'SelectMergeProfile', 'SelectMergeProfile']);
  });

  it('falls back when the server rejects the format (invalid_argument)', async () => {
    const s = await serve((req, res) => {
      if (req.url.endsWith('/SelectMergeStacktraces')) sendJson(res, 400, { code: 'invalid_argument', message: 'unknown format' });
      else sendProto(res, slow);
    });
    const got = await client(s).fetchProfile({ service: 'api', profileType: CPU, window: HOUR });
    assert.equal(got.method, 'SelectMergeProfile');
  });

  it('an empty window is a clear no-data error, not an empty view', async () => {
    const empty = buildPprof([]);
    const s = await serve((_req, res) => sendProto(res, pprofResponse(empty)));
    await assert.rejects(client(s).fetchProfile({ service: 'api', profileType: CPU, window: HOUR }), (e: unknown) =>
      e instanceof BackendError && e.code === 'no-data' && /no cpu samples for service "api" in the last 1 h/.test(e.message));
  });
});
