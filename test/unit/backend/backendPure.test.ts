import * as assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { BackendError, displayUrl, originOf } from '../../../src/core/backend/backendError';
import { retryDelay } from '../../../src/core/backend/httpRequest';
import { buildLabelSelector, escapeLabelValue, parseMatcher, parseProfileTypeId, profileTypeLabel } from '../../../src/core/backend/labelSelector';
import { pprofHasSamples, pprofOtherShare } from '../../../src/core/backend/pprofOtherShare';
import { pprofEndpointUrl } from '../../../src/core/backend/pprofEndpoint';
import { ProtoWriter, wireFields } from '../../../src/core/backend/protoWire';
import { extractPprof, normalizeBaseUrl } from '../../../src/core/backend/pyroscopeClient';
import { serviceRootMappings } from '../../../src/core/backend/serviceRootMappings';
import { formatAge, parseWindow, resolveWindow, windowKey, windowLabel } from '../../../src/core/backend/timeWindow';
import { buildPprof } from './pprofBuilder';

describe('backend: label selectors', () => {
  it('builds a service selector and escapes quotes, backslashes and newlines in values', () => {
    assert.equal(buildLabelSelector('api'), '{service_name="api"}');
    assert.equal(buildLabelSelector(undefined), '{}');
    assert.equal(
      buildLabelSelector('a"b\\c', [{ name: 'env', op: '!=', value: 'dev\n"x"' }, { name: 'pod', op: '=~', value: 'api-.*' }]),
      '{service_name="a\\"b\\\\c", env!="dev\\n\\"x\\"", pod=~"api-.*"}',
    );
    assert.equal(escapeLabelValue('"} or {x="'), '\\"} or {x=\\"');
  });

  it('quotes UTF-8 label names and does not duplicate the service matcher', () => {
    assert.equal(buildLabelSelector('s', [{ name: 'service.namespace', op: '=', value: 'x' }]), '{service_name="s", "service.namespace"="x"}');
    assert.equal(buildLabelSelector('s', [{ name: 'service_name', op: '=', value: 's' }]), '{service_name="s"}');
  });

  it('parses typed filters', () => {
    assert.deepEqual(parseMatcher('env != "prod"'), { name: 'env', op: '!=', value: 'prod' });
    assert.deepEqual(parseMatcher('pod=~api-.*'), { name: 'pod', op: '=~', value: 'api-.*' });
    assert.deepEqual(parseMatcher('"k8s.pod"="a\\"b"'), { name: 'k8s.pod', op: '=', value: 'a"b' });
    assert.equal(parseMatcher('no operator'), undefined);
  });

  it('parses profile type ids', () => {
    assert.deepEqual(parseProfileTypeId('process_cpu:cpu:nanoseconds:cpu:nanoseconds')?.sampleType, 'cpu');
    assert.equal(parseProfileTypeId('bogus'), undefined);
    assert.equal(profileTypeLabel('memory:alloc_space:bytes:space:bytes'), 'memory · alloc_space');
    assert.equal(profileTypeLabel('wall:wall:microseconds:wall:microseconds'), 'wall');
  });
});

describe('backend: time windows', () => {
  it('resolves rolling windows against the clock, in ms', () => {
    assert.deepEqual(resolveWindow({ kind: 'last', ms: 3_600_000 }, 10_000_000), { start: 6_400_000, end: 10_000_000 });
    assert.deepEqual(resolveWindow({ kind: 'range', start: 1, end: 2 }, 99), { start: 1, end: 2 });
  });
  it('parses and labels windows', () => {
    assert.deepEqual(parseWindow('last 6 h'), { kind: 'last', ms: 6 * 3_600_000 });
    assert.deepEqual(parseWindow('90s'), { kind: 'last', ms: 90_000 });
    assert.equal(parseWindow('tomorrow'), undefined);
    const r = parseWindow('2024-05-01T10:00Z/2024-05-01T11:00Z');
    assert.deepEqual(r, { kind: 'range', start: Date.parse('2024-05-01T10:00Z'), end: Date.parse('2024-05-01T11:00Z') });
    assert.equal(windowLabel({ kind: 'last', ms: 3_600_000 }), 'last 1 h');
    assert.equal(windowLabel({ kind: 'last', ms: 2 * 3_600_000 }), 'last 2 h');
    assert.notEqual(windowKey({ kind: 'last', ms: 1000 }), windowKey({ kind: 'last', ms: 2000 }));
    assert.equal(formatAge(12_400), '12 s ago');
    assert.equal(formatAge(125_000), '2 min ago');
  });
});

describe('backend: protobuf wire and pprof extraction', () => {
  it('encodes requests the way protoc does (int64 varints, strings, enum)', () => {
    const bytes = new ProtoWriter().string(1, 'process_cpu:cpu:nanoseconds:cpu:nanoseconds').string(2, '{}').int(3, 1_700_000_000_000).int(6, 4).finish();
    const fields = [...wireFields(bytes)];
    assert.deepEqual(fields.map((f) => f.field), [1, 2, 3, 6]);
    assert.equal(fields[2].value, 1_700_000_000_000);
    assert.equal(fields[3].value, 4);
    assert.equal(Buffer.from(bytes.subarray(fields[1].start, fields[1].end)).toString(), '{}');
  });

  it('throws a typed error on truncated protobuf', () => {
    const bytes = new ProtoWriter().string(1, 'abcdef').finish();
    assert.throws(() => [...wireFields(bytes.subarray(0, 4))], (e: unknown) => e instanceof BackendError && e.code === 'malformed');
  });

  it('extracts the pprof from SelectMergeStacktracesResponse.pprof.profile, and reports a flame-graph-only answer as absent', () => {
    const profile = buildPprof([{ frames: [['main', '/app/main.go', 10]], value: 5 }]);
    const inner = new ProtoWriter().bytes(1, profile).finish();
    const resp = new ProtoWriter().bytes(5, inner).finish();
    assert.deepEqual(Buffer.from(extractPprof(resp)!), Buffer.from(profile));
    const flame = new ProtoWriter().bytes(1, new ProtoWriter().string(1, 'total').finish()).finish();
    assert.equal(extractPprof(flame), undefined);
    assert.equal(extractPprof(new ProtoWriter().bytes(5, new Uint8Array(0)).finish())!.length, 0);
  });
});

describe('backend: truncation share', () => {
  it('measures the weight Pyroscope put in "other"', () => {
    const p = buildPprof([
      { frames: [['main', '/app/main.go', 1], ['slow', '/app/main.go', 20]], value: 60 },
      { frames: [['main', '/app/main.go', 1], ['other', '', 0]], value: 30 },
      { frames: [['main', '/app/main.go', 1]], value: 10 },
    ]);
    const t = pprofOtherShare(p);
    assert.equal(t.truncated, true);
    assert.equal(t.total, 100);
    assert.equal(t.otherValue, 30);
    assert.equal(t.share, 0.3);
    assert.equal(pprofHasSamples(p), true);
    assert.equal(pprofHasSamples(buildPprof([])), false);
    assert.equal(pprofOtherShare(gzipSync(p)).share, 0.3);
  });
  it('a function called "other" with a file is user code, not truncation', () => {
    const t = pprofOtherShare(buildPprof([{ frames: [['other', '/app/x.go', 3]], value: 1 }]));
    assert.equal(t.truncated, false);
    assert.equal(t.share, 0);
  });
});

describe('backend: URLs and origins', () => {
  it('normalises base URLs and rejects credentials in them', () => {
    assert.equal(normalizeBaseUrl('http://localhost:4040/'), 'http://localhost:4040');
    assert.equal(normalizeBaseUrl(' https://g.example/api/datasources/proxy/uid/abc/ '), 'https://g.example/api/datasources/proxy/uid/abc');
    assert.throws(() => normalizeBaseUrl('ftp://x'), /http:\/\/ or https:\/\//);
    assert.throws(() => normalizeBaseUrl('http://u:secret@host'), (e: unknown) => e instanceof BackendError && !e.message.includes('secret'));
    assert.throws(() => normalizeBaseUrl('not a url'), (e: unknown) => e instanceof BackendError && e.code === 'bad-url');
  });
  it('binds origins with explicit default ports, and display URLs drop userinfo and query', () => {
    assert.equal(originOf('https://a.example/x'), 'https://a.example:443');
    assert.equal(originOf('http://a.example:4040/x'), 'http://a.example:4040');
    assert.equal(displayUrl('https://u:p@a.example/x?token=1'), 'https://a.example/x');
  });
  it('builds pprof endpoint URLs from a base, the index, or an endpoint', () => {
    assert.deepEqual(pprofEndpointUrl('http://127.0.0.1:6060', 'profile', 5), { url: 'http://127.0.0.1:6060/debug/pprof/profile?seconds=5', kind: 'profile', seconds: 5 });
    assert.equal(pprofEndpointUrl('http://h:1/debug/pprof/', 'heap').url, 'http://h:1/debug/pprof/heap');
    assert.deepEqual(pprofEndpointUrl('http://h:1/debug/pprof/allocs', 'profile'), { url: 'http://h:1/debug/pprof/allocs', kind: 'allocs', seconds: undefined });
    assert.equal(pprofEndpointUrl('http://h:1/debug/pprof/profile?seconds=3').seconds, 3);
  });
  it('backs off exponentially, honours Retry-After, and caps both', () => {
    const policy = { attempts: 5, baseDelayMs: 100, maxDelayMs: 1000 };
    assert.ok(retryDelay(policy, 1, undefined) >= 100 && retryDelay(policy, 1, undefined) < 130);
    assert.ok(retryDelay(policy, 3, undefined) >= 400);
    assert.equal(retryDelay(policy, 9, undefined), 1000);
    assert.equal(retryDelay(policy, 1, '0.25'), 250);
    assert.equal(retryDelay(policy, 1, '3600'), 1000);
  });
});

describe('backend: service_root_path / service_repository → path mapping', () => {
  it('maps the build-time repository root onto the workspace folder of the same repository', () => {
    assert.deepEqual(serviceRootMappings({ rootPath: '/app/' }, ['/home/me/api']), [{ from: '/app', to: '/home/me/api' }]);
    assert.deepEqual(
      serviceRootMappings({ rootPath: '/home/runner/work/api/api', repository: 'https://github.com/acme/api.git' }, ['/w/web', '/w/api']),
      [{ from: '/home/runner/work/api/api', to: '/w/api' }],
    );
    assert.deepEqual(serviceRootMappings({ rootPath: '/' }, ['/w']), []);
    assert.deepEqual(serviceRootMappings({ rootPath: 'relative/x' }, ['/w']), []);
    assert.deepEqual(serviceRootMappings({ repository: 'x' }, ['/w']), []);
    assert.deepEqual(serviceRootMappings({ rootPath: '/app' }, []), []);
  });
});
