/**
 * End to end against the REAL Grafana Pyroscope server (built from source by test/pyroscope, version
 * pinned there) fed by REAL agents: a Go service using grafana/pyroscope-go and a Node service using
 * @pyroscope/nodejs (esbuild bundle with source maps). Our client lists services and types, pulls
 * pprof, and the engine decodes it: the agents' deliberately slow functions must come out with their
 * files and lines — for Node, the .ts lines. Also the live net/http/pprof endpoints of a Go service.
 *
 *   npm run test:e2e:backend        (first run builds the server: many minutes; then cached)
 */
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { BackendError } from '../../../src/core/backend/backendError';
import { fetchPprofEndpoint } from '../../../src/core/backend/pprofEndpoint';
import { PyroscopeClient, type FetchedProfile, type ServiceInfo } from '../../../src/core/backend/pyroscopeClient';
import { RefreshScheduler } from '../../../src/core/backend/refreshScheduler';
import type { TimeWindow } from '../../../src/core/backend/timeWindow';
import type { ProfileIndex } from '../../../src/core/model';
import { createInProcessEngine } from '../../../src/core/inProcessEngine';
import { repoRoot, startGoAgent, startNodeAgent, startPprofService, startPyroscope, type Agent, type PyroscopeServer } from '../../pyroscope/harness';

const HOUR: TimeWindow = { kind: 'last', ms: 3_600_000 };
const GO_APP = 'profile-lens-go-demo';
const NODE_APP = 'profile-lens-node-demo';
const GO_WORK = path.join(repoRoot, 'test/pyroscope/agents/go/work/work.go');
const NODE_HOT = path.join(repoRoot, 'test/pyroscope/agents/node/src/hotPath.ts');

let server: PyroscopeServer;
let client: PyroscopeClient;
let services: ServiceInfo[] = [];
const timings: string[] = [];

/** 1-based line numbers of the lines of `file` that contain `needle`. */
function linesOf(file: string, needle: string): number[] {
  return readFileSync(file, 'utf8').split('\n').flatMap((l, i) => (l.includes(needle) ? [i + 1] : []));
}

/** self value per line of one file (default sample type). */
function selfByLine(index: ProfileIndex, file: string): Map<number, number> {
  const T = index.sampleTypes.length;
  const out = new Map<number, number>();
  const f = index.files.findIndex((x) => x.path === file);
  if (f < 0) return out;
  for (let r = 0; r < index.lines.count; r++) {
    if (index.lines.file[r] !== f) continue;
    out.set(index.lines.line[r], (out.get(index.lines.line[r]) ?? 0) + index.lines.self[r * T + index.defaultType]);
  }
  return out;
}

function functionNames(index: ProfileIndex): { name: string; file: string; self: number; total: number }[] {
  const T = index.sampleTypes.length;
  return Array.from({ length: index.functions.count }, (_, f) => ({
    name: index.strings[index.functions.name[f]],
    file: index.functions.file[f] >= 0 ? index.files[index.functions.file[f]].path : '',
    self: index.functions.self[f * T + index.defaultType],
    total: index.functions.total[f * T + index.defaultType],
  }));
}

async function decode(p: FetchedProfile): Promise<ProfileIndex> {
  const engine = createInProcessEngine();
  try {
    return (await engine.load(p.bytes, { roots: [repoRoot], pathMappings: [], sourceName: p.label })).index;
  } finally {
    await engine.dispose();
  }
}

function typeOf(service: string, pattern: RegExp): string {
  const s = services.find((x) => x.name === service);
  const t = s?.profileTypes.find((x) => pattern.test(x));
  assert.ok(t, `${service} has no profile type matching ${pattern}: ${s?.profileTypes.join(', ')}`);
  return t;
}

describe('backend e2e: real Pyroscope server + real agents', function () {
  before(async function () {
    this.timeout(60 * 60_000); // a cold server build takes many minutes; then it is cached
    let t = Date.now();
    server = await startPyroscope();
    timings.push(`server ${server.version} ready in ${Date.now() - t} ms`);
    client = new PyroscopeClient({ connection: { name: 'e2e', url: server.url, auth: 'none' }, timeoutMs: 30_000 });
    t = Date.now();
    const agents: Agent[] = [
      await startGoAgent({ serverUrl: server.url, durationMs: 15_000 }),
      await startNodeAgent({ serverUrl: server.url, durationMs: 15_000 }),
    ];
    try {
      await Promise.all(agents.map((a) => a.done));
    } finally {
      await Promise.all(agents.map((a) => a.stop()));
    }
    timings.push(`agents pushed for ${Date.now() - t} ms`);
    // The ingester makes pushed data queryable within a moment; wait for both services, bounded.
    t = Date.now();
    for (let i = 0; i < 60; i++) {
      services = await client.services(HOUR);
      if ([GO_APP, NODE_APP].every((n) => services.some((s) => s.name === n))) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    timings.push(`services visible after ${Date.now() - t} ms`);
  });

  after(async () => {
    await server?.stop();
    console.log(`      timings: ${timings.join('; ')}`);
  });

  it('lists both services with the profile types their agents push (discovered, not hard-coded)', () => {
    const go = services.find((s) => s.name === GO_APP);
    const node = services.find((s) => s.name === NODE_APP);
    assert.ok(go && node, `services: ${services.map((s) => s.name).join(', ')}`);
    assert.ok(go.profileTypes.some((t) => t.startsWith('process_cpu:cpu:')), go.profileTypes.join());
    assert.ok(go.profileTypes.some((t) => t.startsWith('memory:alloc_space:')), go.profileTypes.join());
    assert.ok(node.profileTypes.some((t) => t.startsWith('wall:')), node.profileTypes.join());
  });

  it('lists profile types, label names and values', async () => {
    const types = await client.profileTypes(HOUR);
    assert.ok(types.some((t) => t.id === typeOf(GO_APP, /^process_cpu:cpu:/) && t.sampleType === 'cpu' && t.sampleUnit === 'nanoseconds'));
    const names = await client.labelNames(['{service_name="profile-lens-go-demo"}'], HOUR);
    assert.ok(names.includes('env') && names.includes('service_name'), names.join());
    assert.deepEqual(await client.labelValues('env', ['{service_name="profile-lens-go-demo"}'], HOUR), ['test']);
  });

  it('Go agent: pulls CPU pprof and the engine finds work.isPrime/SlowPrimeCount on their work.go lines', async () => {
    const t = Date.now();
    const p = await client.fetchProfile({ service: GO_APP, profileType: typeOf(GO_APP, /^process_cpu:cpu:/), window: HOUR });
    timings.push(`go cpu fetch ${Date.now() - t} ms, ${p.bytes.length} B via ${p.method}`);
    assert.ok(['SelectMergeStacktraces', 'SelectMergeProfile'].includes(p.method));
    assert.equal(client.detectedMethod, p.method, 'detected once, remembered');
    assert.equal(p.truncation.truncated, false);
    const index = await decode(p);
    const fns = functionNames(index);
    const isPrime = fns.find((f) => f.name.endsWith('work.isPrime'));
    const slow = fns.find((f) => f.name.endsWith('work.SlowPrimeCount'));
    assert.ok(isPrime && slow, 'slow functions present');
    assert.equal(isPrime.file, GO_WORK);
    assert.ok(slow.total >= isPrime.self && isPrime.self > 0);
    // the hottest line of work.go is inside isPrime's loop
    const byLine = [...selfByLine(index, GO_WORK).entries()].sort((a, b) => b[1] - a[1]);
    const loop = [...linesOf(GO_WORK, 'for d := 2; d*d <= v; d++'), ...linesOf(GO_WORK, 'if v%d == 0')];
    assert.ok(loop.length === 2);
    assert.ok(loop.includes(byLine[0][0]), `hottest work.go line ${byLine[0][0]}, isPrime loop lines ${loop}`);
  });

  it('Node agent: pulls wall pprof and the slow function lands on hotPath.ts lines (through source maps)', async () => {
    const p = await client.fetchProfile({ service: NODE_APP, profileType: typeOf(NODE_APP, /^wall:wall:/), window: HOUR });
    const index = await decode(p);
    const hot = index.files.find((f) => f.path === NODE_HOT);
    assert.ok(hot, `hotPath.ts resolved; files: ${index.files.map((f) => f.path).slice(0, 20).join(', ')}`);
    const byLine = selfByLine(index, NODE_HOT);
    const start = linesOf(NODE_HOT, 'export function slowPrimeCount')[0];
    const end = linesOf(NODE_HOT, 'const retained')[0];
    // @pyroscope/nodejs (wall) reports each frame at its function's start line: the .ts declaration
    // line of slowPrimeCount (isPrime is inlined into it by V8), mapped from the bundle or the agent.
    const inSlow = [...byLine.entries()].filter(([l, v]) => l >= start && l < end && v > 0);
    assert.ok(inSlow.length > 0, `self samples on slowPrimeCount/isPrime lines ${start}..${end}: ${JSON.stringify([...byLine])}`);
    assert.ok((byLine.get(start) ?? 0) > 0, `slowPrimeCount declared on hotPath.ts:${start}`);
    // and nothing lands on lines of the .ts file that are not code of a function (e.g. comments)
    const text = readFileSync(NODE_HOT, 'utf8').split('\n');
    for (const l of byLine.keys()) assert.ok(!/^\s*(\/\/|\/\*|\*)/.test(text[l - 1] ?? ''), `line ${l} is a comment`);
    assert.ok(functionNames(index).some((f) => /slowPrimeCount/.test(f.name) && f.file === NODE_HOT && f.total > 0));
  });

  it('label filters narrow the query; an unmatched filter is a clear no-data error', async () => {
    const type = typeOf(GO_APP, /^process_cpu:cpu:/);
    const all = await decode(await client.fetchProfile({ service: GO_APP, profileType: type, window: HOUR }));
    const test = await decode(await client.fetchProfile({ service: GO_APP, profileType: type, window: HOUR, filters: [{ name: 'env', op: '=', value: 'test' }] }));
    assert.equal(test.totals[test.defaultType], all.totals[all.defaultType], 'every sample has env=test');
    const slow = await decode(await client.fetchProfile({ service: GO_APP, profileType: type, window: HOUR, filters: [{ name: 'endpoint', op: '=~', value: '.*slow.*' }] }));
    assert.ok(slow.totals[slow.defaultType] < all.totals[all.defaultType], 'endpoint filter narrows');
    assert.ok(functionNames(slow).some((f) => f.name.endsWith('work.isPrime')));
    await assert.rejects(
      client.fetchProfile({ service: GO_APP, profileType: type, window: HOUR, filters: [{ name: 'env', op: '=', value: 'prod"} or {x="' }] }),
      (e: unknown) => e instanceof BackendError && e.code === 'no-data' && /env="prod\\"} or \{x=\\""/.test(e.message),
    );
  });

  it('truncation: with a small node limit the server merges the tail into "other" and we say how much', async () => {
    const type = typeOf(GO_APP, /^process_cpu:cpu:/);
    const full = await decode(await client.fetchProfile({ service: GO_APP, profileType: type, window: HOUR }));
    const cut = await client.fetchProfile({ service: GO_APP, profileType: type, window: HOUR, maxNodes: 16 });
    assert.equal(cut.truncation.truncated, true);
    assert.ok(cut.truncation.share > 0 && cut.truncation.share <= 1, String(cut.truncation.share));
    assert.equal(cut.truncation.total, full.totals[full.defaultType], 'truncation keeps the total');
    const index = await decode(cut);
    const other = functionNames(index).find((f) => f.name === 'other' && f.file === '');
    assert.ok(other);
    assert.ok(Math.abs(other.total / index.totals[index.defaultType] - cut.truncation.share) < 1e-9, 'our share = the engine\'s "other" share');
  });

  it('bad input reaches the real server and comes back as one clear error', async () => {
    await assert.rejects(
      new PyroscopeClient({ connection: { name: 'e2e', url: `${server.url}/wrong/prefix`, auth: 'none' } }).labelNames([], HOUR),
      (e: unknown) => e instanceof BackendError && e.code === 'wrong-base-url',
    );
    await assert.rejects(
      client.fetchProfile({ service: GO_APP, profileType: 'not-a-type', window: HOUR }),
      (e: unknown) => e instanceof BackendError && (e.code === 'bad-request' || e.code === 'no-data') && !/undefined/.test(e.message),
    );
  });

  it('through a Grafana-style data-source proxy (path prefix + bearer token) and with basic auth, like Grafana Cloud', async () => {
    // A reverse proxy of ours in front of the real server, the way Grafana's
    // /api/datasources/proxy/uid/<uid>/ forwards to Pyroscope: it checks the credential, strips
    // the prefix and forwards everything else.
    const prefix = '/api/datasources/proxy/uid/pyro-uid';
    const seen: (string | undefined)[] = [];
    const target = new URL(server.url);
    const proxy = http.createServer((req, res) => {
      seen.push(req.headers.authorization);
      const ok = req.headers.authorization === 'Bearer glsa_e2e' || req.headers.authorization === `Basic ${Buffer.from('1234:glc_e2e').toString('base64')}`;
      if (!ok) {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end('{"message":"Unauthorized"}');
        return;
      }
      if (!req.url?.startsWith(prefix)) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not found');
        return;
      }
      const headers = { ...req.headers, host: target.host };
      delete headers.authorization; // the proxy talks to Pyroscope with its own identity
      const up = http.request({ host: target.hostname, port: target.port, path: req.url.slice(prefix.length), method: req.method, headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      up.on('error', () => res.destroy());
      req.pipe(up);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}${prefix}`;
    try {
      const bearer = new PyroscopeClient({ connection: { name: 'grafana', url: base, auth: 'bearer' }, token: 'glsa_e2e' });
      assert.ok((await bearer.services(HOUR)).some((s) => s.name === GO_APP));
      const p = await bearer.fetchProfile({ service: GO_APP, profileType: typeOf(GO_APP, /^process_cpu:cpu:/), window: HOUR });
      assert.ok(functionNames(await decode(p)).some((f) => f.name.endsWith('work.isPrime')));
      const basic = new PyroscopeClient({ connection: { name: 'cloud', url: base, auth: 'basic', user: '1234' }, token: 'glc_e2e' });
      assert.ok((await basic.labelNames([], HOUR)).includes('service_name'));
      const wrong = new PyroscopeClient({ connection: { name: 'grafana', url: base, auth: 'bearer' }, token: 'tok_WRONG_123' });
      await assert.rejects(wrong.labelNames([], HOUR), (e: unknown) => e instanceof BackendError && e.code === 'unauthorized' && /bearer token is wrong or expired/.test(e.message) && !e.message.includes('tok_WRONG_123'));
      assert.ok(seen.every((a) => a === undefined || a.startsWith('Bearer ') || a.startsWith('Basic ')));
    } finally {
      await new Promise<void>((r) => proxy.close(() => r()));
    }
  });

  it('continuous refresh against the real server: refetches on the interval, a newer fetch cancels the older', async () => {
    const type = typeOf(GO_APP, /^process_cpu:cpu:/);
    const fetched: number[] = [];
    const aborted: boolean[] = [];
    const scheduler = new RefreshScheduler<{ service: string }, FetchedProfile>({
      fetch: async (q, signal) => {
        const r = await client.fetchProfile({ service: q.service, profileType: type, window: HOUR }, { signal }).catch((e) => {
          aborted.push(signal.aborted);
          throw e;
        });
        fetched.push(Date.now());
        return r;
      },
      key: (q) => q.service,
      intervalMs: 1000,
    });
    const results: FetchedProfile[] = [];
    scheduler.onEvent((e) => {
      if (e.type === 'result') results.push(e.result);
    });
    try {
      scheduler.select({ service: GO_APP });
      scheduler.refreshNow(); // supersedes the first fetch
      await new Promise((r) => setTimeout(r, 3500));
      assert.ok(results.length >= 2, `results: ${results.length}`);
      assert.ok(aborted.every((a) => a), 'only superseded fetches failed');
      assert.ok(results.every((r) => r.bytes.length > 0 && !r.truncation.truncated));
    } finally {
      scheduler.dispose();
    }
  });
});

describe('backend e2e: live pprof endpoints of a real Go service', function () {
  let svc: Agent;
  before(async function () {
    this.timeout(10 * 60_000);
    svc = await startPprofService({ durationMs: 60_000 });
  });
  after(async () => {
    await svc?.stop();
  });

  it('collects a CPU profile over /debug/pprof/profile?seconds=2 with progress; SlowPrimeCount on work.go', async () => {
    const phases = new Set<string>();
    const r = await fetchPprofEndpoint({ url: svc.url, kind: 'profile', seconds: 2, onProgress: (p) => phases.add(p.phase) });
    assert.ok(phases.has('collecting'));
    const engine = createInProcessEngine();
    try {
      const { index } = await engine.load(r.bytes, { roots: [repoRoot], pathMappings: [] });
      const fns = functionNames(index);
      assert.ok(fns.some((f) => f.name.endsWith('work.SlowPrimeCount') && f.file === GO_WORK && f.total > 0), fns.slice(0, 10).map((f) => f.name).join());
    } finally {
      await engine.dispose();
    }
  });

  it('fetches /heap and /allocs', async () => {
    for (const kind of ['heap', 'allocs'] as const) {
      const r = await fetchPprofEndpoint({ url: `${svc.url}/debug/pprof/`, kind });
      const engine = createInProcessEngine();
      try {
        const { index } = await engine.load(r.bytes, { roots: [repoRoot], pathMappings: [] });
        assert.ok(index.sampleTypes.some((t) => t.type === 'alloc_space'), kind);
      } finally {
        await engine.dispose();
      }
    }
  });

  it('cancelling a CPU collection returns at once', async () => {
    const ac = new AbortController();
    const t = Date.now();
    setTimeout(() => ac.abort(), 200);
    await assert.rejects(fetchPprofEndpoint({ url: svc.url, kind: 'profile', seconds: 30, signal: ac.signal }), (e: unknown) => e instanceof BackendError && e.code === 'cancelled');
    assert.ok(Date.now() - t < 2000);
  });
});
