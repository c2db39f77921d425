/**
 * Faults against servers of ours on 127.0.0.1 that misbehave on purpose: each gives one typed,
 * actionable BackendError (never a hang, never a token in the message).
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { BackendError, type BackendErrorCode } from '../../../src/core/backend/backendError';
import { httpRequest } from '../../../src/core/backend/httpRequest';
import { fetchPprofEndpoint, type PprofEndpointProgress } from '../../../src/core/backend/pprofEndpoint';
import { PyroscopeClient, type BackendConnection } from '../../../src/core/backend/pyroscopeClient';
import { closedPort, sendJson, sendProto, startLocalServer, type LocalServer } from './localServer';
import { buildPprof } from './pprofBuilder';

const HOUR = { kind: 'last', ms: 3_600_000 } as const;
const CPU = 'process_cpu:cpu:nanoseconds:cpu:nanoseconds';
const TOKEN = 'glc_SUPER_SECRET_TOKEN_1234';
const FAST_RETRY = { attempts: 3, baseDelayMs: 5, maxDelayMs: 50 };

let servers: LocalServer[] = [];
async function serve(handler: Parameters<typeof startLocalServer>[0], tls?: { key: string; cert: string }): Promise<LocalServer> {
  const s = await startLocalServer(handler, tls);
  servers.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

function client(url: string, connection: Partial<BackendConnection> = {}, extra: Record<string, unknown> = {}) {
  return new PyroscopeClient({
    connection: { name: 'prod', url, auth: 'basic', user: '123456', ...connection },
    token: TOKEN,
    retry: FAST_RETRY,
    timeoutMs: 3000,
    ...extra,
  });
}

async function expectError(p: Promise<unknown>, code: BackendErrorCode, pattern?: RegExp): Promise<BackendError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof BackendError, `expected BackendError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (pattern) assert.match(e.message, pattern);
    assert.ok(!e.message.includes(TOKEN), 'token leaked into message');
    assert.ok(!e.message.includes(Buffer.from(`123456:${TOKEN}`).toString('base64')), 'auth header leaked');
    return e;
  }
  assert.fail(`expected ${code}, got success`);
}

describe('backend faults: network', () => {
  it('connection refused → unreachable, naming the origin', async () => {
    const port = await closedPort();
    await expectError(client(`http://127.0.0.1:${port}`).labelNames([], HOUR), 'unreachable', new RegExp(`127\\.0\\.0\\.1:${port}.*connection refused`));
  });

  it('DNS failure → dns, naming the host', async () => {
    await expectError(client('http://profile-lens-does-not-exist.invalid:4040').labelNames([], HOUR), 'dns', /profile-lens-does-not-exist\.invalid/);
  });

  it('no answer before the deadline → timeout', async () => {
    const s = await serve(() => {
      /* never answers */
    });
    const t0 = Date.now();
    await expectError(client(s.url, {}, { timeoutMs: 300 }).labelNames([], HOUR), 'timeout', /did not answer within 0\.3 s/);
    assert.ok(Date.now() - t0 < 2000);
  });

  it('a server that stalls mid-response → stalled (the deadline alone would wait much longer)', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/proto', 'content-length': '1000' });
      res.write(Buffer.alloc(100));
    });
    const t0 = Date.now();
    await expectError(client(s.url, {}, { timeoutMs: 20_000, stallMs: 300 }).fetchProfile({ service: 'a', profileType: CPU, window: HOUR }), 'stalled', /stopped sending data/);
    assert.ok(Date.now() - t0 < 3000);
  });

  it('connection reset in the middle of the body → retried, then connection-reset', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"names":[');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    await expectError(client(s.url).labelNames([], HOUR), 'connection-reset');
    assert.equal(s.requests.length, 3, 'bounded retries');
  });

  it('https to a plain-HTTP port → tls, suggesting http://', async () => {
    const s = await serve((_req, res) => sendJson(res, 200, {}));
    await expectError(client(s.url.replace('http:', 'https:')).labelNames([], HOUR), 'tls', /http:\/\//);
  });

  it('untrusted (self-signed) certificate → tls', async function () {
    const dir = mkdtempSync(path.join(tmpdir(), 'pl-tls-'));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'k.pem'), '-out', path.join(dir, 'c.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
      const tls = { key: readFileSync(path.join(dir, 'k.pem'), 'utf8'), cert: readFileSync(path.join(dir, 'c.pem'), 'utf8') };
      const s = await serve((_req, res) => sendJson(res, 200, { names: ['ok'] }), tls);
      await expectError(client(s.url).labelNames([], HOUR), 'tls', /not trusted \(self-signed/);
      await expectError(client(s.url.replace('127.0.0.1', 'localhost'), {}, { ca: tls.cert }).labelNames([], HOUR), 'tls', /not valid for "localhost"/);
      // the same server with its CA trusted works: the failure was the certificate, nothing else
      assert.deepEqual(await client(s.url, {}, { ca: tls.cert }).labelNames([], HOUR), ['ok']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('cancellation aborts a request in flight', async () => {
    const s = await serve(() => {
      /* hangs */
    });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    await expectError(client(s.url, {}, { timeoutMs: 10_000 }).labelNames([], HOUR, { signal: ac.signal }), 'cancelled');
  });
});

describe('backend faults: HTTP status', () => {
  it('401 with basic auth names the user/stack id and the command to fix it', async () => {
    const s = await serve((_req, res) => sendJson(res, 401, { code: 'unauthenticated', message: 'invalid token' }));
    await expectError(client(s.url).labelNames([], HOUR), 'unauthorized', /"prod".*stack id "123456" or its token is wrong.*Set Backend Token/);
    assert.equal(s.requests.length, 1, '401 is not retried');
  });

  it('401 with bearer auth blames the bearer token; without auth asks to choose one', async () => {
    const s = await serve((_req, res) => sendJson(res, 401, {}));
    await expectError(client(s.url, { auth: 'bearer' }).labelNames([], HOUR), 'unauthorized', /bearer token is wrong or expired/);
    await expectError(client(s.url, { auth: 'none' }).labelNames([], HOUR), 'unauthorized', /requires authentication.*choose basic/);
  });

  it('403 says the credentials were accepted but lack permission (and names the tenant)', async () => {
    const s = await serve((_req, res) => sendJson(res, 403, { code: 'permission_denied', message: 'no access' }));
    await expectError(client(s.url, { tenant: 'team-a' }).labelNames([], HOUR), 'forbidden', /accepted the basic credentials.*profiles:read.*tenant "team-a"/);
  });

  it('404 everywhere → wrong base URL', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('404 page not found');
    });
    await expectError(client(`${s.url}/pyroscope`).labelNames([], HOUR), 'wrong-base-url', /base URL is wrong/);
  });

  it('404 for one method while ProfileTypes works → missing API (old server), not a wrong URL', async () => {
    const s = await serve((req, res) => {
      if (req.url.endsWith('/ProfileTypes')) sendJson(res, 200, { profileTypes: [] });
      else {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('404 page not found');
      }
    });
    await expectError(client(s.url).series([], ['service_name'], HOUR), 'missing-api', /no Series API/);
  });

  it('200 with an HTML page (a web UI, not the API) → wrong base URL', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><title>Grafana</title>');
    });
    await expectError(client(s.url).labelNames([], HOUR), 'wrong-base-url', /web page.*datasources\/proxy\/uid/);
  });

  it('429 is retried with backoff (Retry-After honoured) and then succeeds', async () => {
    const s = await serve((_req, res, i) => {
      if (i < 2) sendJson(res, 429, { code: 'resource_exhausted', message: 'slow down' }, { 'retry-after': '0' });
      else sendJson(res, 200, { names: ['a'] });
    });
    assert.deepEqual(await client(s.url).labelNames([], HOUR), ['a']);
    assert.equal(s.requests.length, 3);
  });

  it('429 that never stops → rate-limited after a bounded number of attempts', async () => {
    const s = await serve((_req, res) => sendJson(res, 429, { code: 'resource_exhausted', message: 'slow down' }));
    await expectError(client(s.url).labelNames([], HOUR), 'rate-limited', /HTTP 429.*3 attempts.*slow down/);
    assert.equal(s.requests.length, 3);
  });

  it('503 → retried, then server-error with the server message (control characters removed)', async () => {
    const s = await serve((_req, res) => sendJson(res, 503, { code: 'unavailable', message: 'ingester\u001b[31m down' }));
    const e = await expectError(client(s.url).labelNames([], HOUR), 'server-error', /HTTP 503.*ingester \[31m down/);
    assert.ok(!e.message.includes('\u001b'));
    assert.equal(s.requests.length, 3);
  });

  it('a POST redirected with 302 → redirect error naming the new address', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(302, { location: 'http://127.0.0.1:1/elsewhere' });
      res.end();
    });
    await expectError(client(s.url).labelNames([], HOUR), 'redirect', /set the base URL to that address/);
  });
});

describe('backend faults: bad bodies', () => {
  it('garbage instead of JSON → malformed', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('\u0000\u0001garbage{');
    });
    await expectError(client(s.url).labelNames([], HOUR), 'malformed', /not valid JSON/);
  });

  it('garbage instead of protobuf → malformed', async () => {
    const s = await serve((_req, res) => sendProto(res, Buffer.from([0x2a, 0xff, 0xff, 0xff, 0x0f, 0x01])));
    await expectError(client(s.url).fetchProfile({ service: 'a', profileType: CPU, window: HOUR }), 'malformed');
  });

  it('oversized response announced by Content-Length → too-large before reading it, naming the setting', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(50 << 20) });
      res.write('{');
    });
    await expectError(client(s.url, {}, { maxResponseBytes: 1 << 20 }).labelNames([], HOUR), 'too-large', /1 MB.*profileLens\.backend\.maxResponseMB/);
  });

  it('oversized chunked response → too-large while streaming', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let n = 0;
      const pump = () => {
        while (n++ < 64 && res.write(chunk));
        if (n < 64) res.once('drain', pump);
        else res.end();
      };
      pump();
    });
    await expectError(client(s.url, {}, { maxResponseBytes: 256 * 1024 }).labelNames([], HOUR), 'too-large');
  });
});

describe('backend faults: redirects never carry credentials to another origin', () => {
  it('drops Authorization and X-Scope-OrgID on a cross-origin redirect, keeps them on a same-origin one', async () => {
    const other = await serve((_req, res) => sendJson(res, 200, {}));
    const first = await serve((req, res) => {
      if (req.url === '/same') {
        res.writeHead(307, { location: '/final' });
        res.end();
      } else if (req.url === '/final') sendJson(res, 200, {});
      else {
        res.writeHead(302, { location: `${other.url}/stolen` });
        res.end();
      }
    });
    const headers = { authorization: `Bearer ${TOKEN}`, 'x-scope-orgid': 't' };
    await httpRequest({ url: `${first.url}/go`, headers, timeoutMs: 2000, maxBytes: 1000 });
    assert.equal(other.requests.length, 1);
    assert.equal(other.requests[0].headers.authorization, undefined);
    assert.equal(other.requests[0].headers['x-scope-orgid'], undefined);
    await httpRequest({ url: `${first.url}/same`, headers, timeoutMs: 2000, maxBytes: 1000 });
    assert.equal(first.requests.at(-1)!.url, '/final');
    assert.equal(first.requests.at(-1)!.headers.authorization, `Bearer ${TOKEN}`);
  });

  it('a different port on the same host is another origin', async () => {
    const other = await serve((_req, res) => sendJson(res, 200, {}));
    const first = await serve((_req, res) => {
      res.writeHead(308, { location: `http://127.0.0.1:${other.port}/x` });
      res.end();
    });
    await httpRequest({ url: first.url, method: 'POST', body: '{}', headers: { authorization: 'Basic abc' }, timeoutMs: 2000, maxBytes: 1000 });
    assert.equal(other.requests[0].method, 'POST', '308 keeps the method');
    assert.equal(other.requests[0].headers.authorization, undefined);
  });

  it('redirect loops are bounded', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(302, { location: '/again' });
      res.end();
    });
    await expectError(httpRequest({ url: s.url, timeoutMs: 2000, maxBytes: 1000 }), 'redirect', /more than 5 times/);
  });
});

describe('backend faults: live pprof endpoints', () => {
  const profile = buildPprof([{ frames: [['main.main', '/app/main.go', 3]], value: 1 }]);

  it('collects a CPU profile with progress, then downloads it', async () => {
    const s = await serve((req, res) => {
      assert.equal(req.url, '/debug/pprof/profile?seconds=1');
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(profile.length) });
        res.end(Buffer.from(profile));
      }, 1100);
    });
    const progress: PprofEndpointProgress[] = [];
    const got = await fetchPprofEndpoint({ url: s.url, kind: 'profile', seconds: 1, onProgress: (p) => progress.push(p) });
    assert.deepEqual(Buffer.from(got.bytes), Buffer.from(profile));
    assert.ok(progress.some((p) => p.phase === 'collecting'));
    assert.equal(progress.at(-1)!.phase, 'downloading');
    assert.equal(got.kind, 'profile');
  });

  it('is cancellable while the service is still collecting', async () => {
    const s = await serve(() => {
      /* collecting for a long time */
    });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    await expectError(fetchPprofEndpoint({ url: s.url, kind: 'profile', seconds: 30, signal: ac.signal }), 'cancelled');
  });

  it('reports Go\'s "profiling already in use" 500 verbatim and does not start a second CPU profile', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Could not enable CPU profiling: cpu profiling already in use\n');
    });
    await expectError(fetchPprofEndpoint({ url: s.url, kind: 'profile', seconds: 1 }), 'server-error', /cpu profiling already in use/);
    assert.equal(s.requests.length, 1);
  });

  it('404 → the service does not expose the endpoint; HTML → not a pprof endpoint', async () => {
    const s = await serve((req, res) => {
      if (req.url.startsWith('/debug/pprof/heap')) {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html>index</html>');
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await expectError(fetchPprofEndpoint({ url: s.url, kind: 'allocs' }), 'not-found', /\/debug\/pprof\/allocs.*net\/http\/pprof/);
    await expectError(fetchPprofEndpoint({ url: s.url, kind: 'heap' }), 'malformed', /did not send a pprof profile/);
  });
});
