// End-to-end scenario of the real components: build (or reuse) the Pyroscope server and the
// agents, start the server on 127.0.0.1, run the Go (pyroscope-go) and Node (@pyroscope/nodejs,
// esbuild bundle with source maps) agents under a bounded load, then check with plain HTTP
// (Connect JSON and binary pprof) that the server has the services, their profile types and
// non-empty profiles containing the deliberately slow functions. Also checks the net/http/pprof
// service's live endpoint.
//
//   test/pyroscope/scenario [--duration 25] [--keep | --keep-load S] [--no-node-source-mapper]
//
// --keep leaves the server running (prints its URL) until Ctrl-C; --keep-load S also runs the
// Go and Node agents again for S more seconds (bounded) so a client sees data change. Exit code 0 only when every
// check passed; the last line is "scenario: N passed, N failed".
import { Profile } from 'pprof-format';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  buildBinaries,
  querier,
  startGoAgent,
  startNodeAgent,
  startNodePprofService,
  startPprofService,
  startPyroscope,
  type Agent,
  type PyroscopeServer,
  repoRoot,
} from './harness';

interface Args {
  durationS: number;
  keep: boolean;
  keepLoadS: number;
  nodeSourceMapper: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { durationS: 25, keep: false, keepLoadS: 0, nodeSourceMapper: true };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--keep') {
      a.keep = true;
    } else if (argv[i] === '--keep-load') {
      a.keep = true;
      a.keepLoadS = Number(argv[++i]);
      if (!(a.keepLoadS > 0 && a.keepLoadS <= 3600)) {
        throw new Error('--keep-load must be 1..3600 seconds');
      }
    } else if (argv[i] === '--duration') {
      a.durationS = Number(argv[++i]);
    } else if (argv[i] === '--no-node-source-mapper') {
      a.nodeSourceMapper = false;
    } else {
      throw new Error(`unknown argument ${argv[i]}`);
    }
  }
  if (!(a.durationS > 0 && a.durationS <= 600)) {
    throw new Error('--duration must be 1..600 seconds');
  }
  return a;
}

let passed = 0;
let nodeSourceMapperOn = true;
let failed = 0;
function check(ok: boolean, what: string, detail = ''): boolean {
  if (ok) {
    passed++;
    console.log(`  ok   ${what}${detail ? ` — ${detail}` : ''}`);
  } else {
    failed++;
    console.log(`  FAIL ${what}${detail ? ` — ${detail}` : ''}`);
  }
  return ok;
}

interface JsonProfile {
  sampleType?: { type: string; unit: string }[];
  sample?: { locationId?: string[]; value?: string[] }[];
  location?: { id: string; line?: { functionId: string; line?: string }[] }[];
  function?: { id: string; name?: string; filename?: string }[];
  stringTable?: string[];
}

interface ProfileSummary {
  samples: number;
  total: number;
  functions: number;
  /** Total value of samples whose stack contains a function whose name includes `needle`. */
  valueWith(needle: string): number;
  fileNames(): string[];
  /** Lines of locations in functions whose name includes `needle`: "file:line". */
  linesOf(needle: string): string[];
}

function summarizeJson(p: JsonProfile): ProfileSummary {
  const str = (i: string | undefined): string => p.stringTable?.[Number(i ?? 0)] ?? '';
  const fnById = new Map((p.function ?? []).map((f) => [f.id, { name: str(f.name), file: str(f.filename) }]));
  const locById = new Map((p.location ?? []).map((l) => [l.id, l.line ?? []]));
  const samples = p.sample ?? [];
  const total = samples.reduce((s, x) => s + Number(x.value?.[0] ?? 0), 0);
  return {
    samples: samples.length,
    total,
    functions: fnById.size,
    valueWith: (needle) =>
      samples
        .filter((s) => (s.locationId ?? []).some((id) => (locById.get(id) ?? []).some((ln) => fnById.get(ln.functionId)?.name.includes(needle))))
        .reduce((sum, s) => sum + Number(s.value?.[0] ?? 0), 0),
    fileNames: () => [...new Set([...fnById.values()].map((f) => f.file))].sort(),
    linesOf: (needle) => {
      const out = new Set<string>();
      for (const lines of locById.values()) {
        for (const ln of lines) {
          const f = fnById.get(ln.functionId);
          if (f?.name.includes(needle)) {
            out.add(`${f.file}:${ln.line ?? '?'}`);
          }
        }
      }
      return [...out].sort();
    },
  };
}

/** Protobuf encoding of querier.v1.SelectMergeProfileRequest (fields 1–4), for the binary path. */
function encodeSelectMergeProfileRequest(r: { profileTypeID: string; labelSelector: string; start: number; end: number }): Buffer {
  const parts: Buffer[] = [];
  const varint = (v: bigint): Buffer => {
    const out: number[] = [];
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v > 0n) {
        byte |= 0x80;
      }
      out.push(byte);
    } while (v > 0n);
    return Buffer.from(out);
  };
  const str = (field: number, value: string): void => {
    const b = Buffer.from(value, 'utf8');
    parts.push(varint(BigInt((field << 3) | 2)), varint(BigInt(b.length)), b);
  };
  const int = (field: number, value: number): void => {
    parts.push(varint(BigInt(field << 3)), varint(BigInt(value)));
  };
  str(1, r.profileTypeID);
  str(2, r.labelSelector);
  int(3, r.start);
  int(4, r.end);
  return Buffer.concat(parts);
}

async function selectMergeProto(
  url: string,
  body: { profileTypeID: string; labelSelector: string; start: number; end: number },
): Promise<{ profile: Profile; bytes: number }> {
  const res = await fetch(`${url}/querier.v1.QuerierService/SelectMergeProfile`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/proto' },
    body: encodeSelectMergeProfileRequest(body),
    signal: AbortSignal.timeout(30_000),
  });
  const buf = Buffer.from(await res.arrayBuffer());
  if (!res.ok) {
    throw new Error(`SelectMergeProfile (application/proto) → HTTP ${res.status}: ${buf.toString('utf8', 0, 300)}`);
  }
  return { profile: Profile.decode(buf), bytes: buf.length };
}

async function verify(server: PyroscopeServer, t0: number, goApp: string, nodeApp: string, nodeRawApp: string): Promise<void> {
  const start = t0 - 5 * 60_000;
  const end = Date.now() + 60_000;
  const url = server.url;

  console.log(`\n== ProfileTypes`);
  const types = await querier<{ profileTypes?: { ID: string }[] }>(url, 'ProfileTypes', { start, end });
  const typeIds = (types.profileTypes ?? []).map((t) => t.ID).sort();
  for (const id of typeIds) {
    console.log(`  ${id}`);
  }
  check(typeIds.length > 0, 'server lists profile types', `${typeIds.length} types`);

  console.log(`\n== Series (service_name × __profile_type__)`);
  const series = await querier<{ labelsSet?: { labels: { name: string; value: string }[] }[] }>(url, 'Series', {
    matchers: [],
    labelNames: ['service_name', '__profile_type__'],
    start,
    end,
  });
  const byService = new Map<string, string[]>();
  for (const ls of series.labelsSet ?? []) {
    const svc = ls.labels.find((l) => l.name === 'service_name')?.value ?? '?';
    const pt = ls.labels.find((l) => l.name === '__profile_type__')?.value ?? '?';
    byService.set(svc, [...(byService.get(svc) ?? []), pt].sort());
  }
  for (const [svc, pts] of [...byService].sort()) {
    console.log(`  ${svc}: ${pts.join(', ')}`);
  }
  const goTypes = byService.get(goApp) ?? [];
  const nodeTypes = byService.get(nodeApp) ?? [];
  const nodeRawTypes = byService.get(nodeRawApp) ?? [];
  check(goTypes.length > 0, `service ${goApp} present`, goTypes.join(', '));
  check(nodeTypes.length > 0, `service ${nodeApp} present`, nodeTypes.join(', '));
  check(nodeRawTypes.length > 0, `service ${nodeRawApp} present`, nodeRawTypes.join(', '));

  const labelNames = await querier<{ names?: string[] }>(url, 'LabelNames', { matchers: [`{service_name="${goApp}"}`], start, end });
  console.log(`\n== LabelNames for ${goApp}: ${(labelNames.names ?? []).join(', ')}`);
  check((labelNames.names ?? []).includes('endpoint'), 'dynamic label "endpoint" (pyroscope.TagWrapper) is stored');

  const merge = async (app: string, typeId: string): Promise<ProfileSummary> => {
    const p = await querier<JsonProfile>(url, 'SelectMergeProfile', { profileTypeID: typeId, labelSelector: `{service_name="${app}"}`, start, end });
    return summarizeJson(p);
  };

  console.log(`\n== SelectMergeProfile (JSON) per service and type`);
  for (const [app, pts] of [
    [goApp, goTypes],
    [nodeApp, nodeTypes],
    [nodeRawApp, nodeRawTypes],
  ] as const) {
    for (const typeId of pts) {
      const s = await merge(app, typeId);
      console.log(`  ${app} ${typeId}: samples=${s.samples} total=${s.total} functions=${s.functions}`);
    }
  }

  const goCpuType = goTypes.find((t) => t.startsWith('process_cpu:cpu:'));
  if (check(goCpuType !== undefined, 'Go CPU profile type present', goCpuType)) {
    const s = await merge(goApp, goCpuType!);
    const slow = s.valueWith('work.SlowPrimeCount');
    check(s.samples > 0 && slow > 0, 'Go CPU profile contains work.SlowPrimeCount', `${((100 * slow) / Math.max(1, s.total)).toFixed(1)}% of ${s.total} ns`);
    console.log(`    lines: ${s.linesOf('work.isPrime').concat(s.linesOf('work.SlowPrimeCount')).join(' ')}`);
  }
  const goAllocType = goTypes.find((t) => t.startsWith('memory:alloc_space:'));
  if (check(goAllocType !== undefined, 'Go alloc_space profile type present', goAllocType)) {
    const s = await merge(goApp, goAllocType!);
    const alloc = s.valueWith('work.BuildAllocReport');
    check(alloc > 0, 'Go alloc_space profile contains work.BuildAllocReport', `${((100 * alloc) / Math.max(1, s.total)).toFixed(1)}% of ${s.total} bytes`);
  }
  for (const [app, pts, mapped] of [
    [nodeApp, nodeTypes, true],
    [nodeRawApp, nodeRawTypes, false],
  ] as const) {
    const wallType = pts.find((t) => t.startsWith('wall:wall:'));
    if (!check(wallType !== undefined, `${app}: wall profile type present`, wallType)) {
      continue;
    }
    const s = await merge(app, wallType!);
    const slow = s.valueWith('slowPrimeCount');
    check(slow > 0, `${app}: wall profile contains slowPrimeCount`, `${((100 * slow) / Math.max(1, s.total)).toFixed(1)}% of ${s.total}`);
    const files = s.fileNames();
    const ts = files.filter((f) => f.endsWith('.ts'));
    const js = files.filter((f) => /agent-node\/service\.js$/.test(f));
    console.log(`    files: ${files.length} (${ts.length} .ts, ${js.length} bundle .js)`);
    for (const f of [...ts, ...js]) {
      console.log(`      ${f}`);
    }
    console.log(`    slowPrimeCount locations: ${s.linesOf('slowPrimeCount').join(' ')}`);
    if (mapped && nodeSourceMapperOn) {
      check(ts.some((f) => f.endsWith('hotPath.ts')), `${app}: frames arrive source-mapped to hotPath.ts`);
    } else if (!mapped) {
      check(js.length > 0, `${app}: frames name the esbuild bundle service.js (map: service.js.map)`);
    }
  }

  console.log(`\n== SelectMergeProfile (binary pprof, Content-Type application/proto)`);
  if (goCpuType) {
    const { profile, bytes } = await selectMergeProto(url, { profileTypeID: goCpuType, labelSelector: `{service_name="${goApp}"}`, start, end });
    const names = new Set(profile.function.map((f) => String(profile.stringTable.strings[Number(f.name)])));
    check(profile.sample.length > 0 && [...names].some((n) => n.includes('work.SlowPrimeCount')), 'binary pprof decodes (pprof-format) and contains work.SlowPrimeCount', `${bytes} bytes, ${profile.sample.length} samples`);
  }

  console.log(`\n== SelectMergeStacktraces with format PROFILE_FORMAT_PPROF (v2.2+ servers)`);
  if (goCpuType) {
    const res = await fetch(`${url}/querier.v1.QuerierService/SelectMergeStacktraces`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ profileTypeID: goCpuType, labelSelector: `{service_name="${goApp}"}`, start, end, format: 'PROFILE_FORMAT_PPROF' }),
    });
    const text = await res.text();
    let kind = `HTTP ${res.status}`;
    if (res.ok) {
      const body = JSON.parse(text) as Record<string, unknown>;
      kind += `, response fields: ${Object.keys(body).join(', ') || '(none)'}`;
    } else {
      kind += `: ${text.slice(0, 200)}`;
    }
    console.log(`  ${kind}`);
    console.log(`  → per-line data on this server: ${/pprof/.test(kind) && res.ok ? 'SelectMergeStacktraces(PPROF)' : 'SelectMergeProfile only'}`);
  }
}

async function verifyPprofService(): Promise<void> {
  console.log(`\n== Go net/http/pprof service (live endpoint)`);
  const svc = await startPprofService({ durationMs: 20_000 });
  try {
    const res = await fetch(`${svc.url}/debug/pprof/profile?seconds=3`, { signal: AbortSignal.timeout(20_000) });
    const buf = Buffer.from(await res.arrayBuffer());
    const p = Profile.decode(buf[0] === 0x1f ? gunzipSync(buf) : buf);
    const names = p.function.map((f) => String(p.stringTable.strings[Number(f.name)]));
    check(res.ok && p.sample.length > 0 && names.some((n) => n.includes('work.SlowPrimeCount') || n.includes('work.isPrime')), `${svc.url}/debug/pprof/profile?seconds=3 has work.SlowPrimeCount`, `${buf.length} bytes, ${p.sample.length} samples`);
    const heap = await fetch(`${svc.url}/debug/pprof/allocs`);
    const hb = Buffer.from(await heap.arrayBuffer());
    const hp = Profile.decode(hb[0] === 0x1f ? gunzipSync(hb) : hb);
    check(heap.ok && hp.sample.length > 0, '/debug/pprof/allocs decodes', `${hp.sample.length} samples`);
  } finally {
    await svc.stop();
  }

  console.log(`\n== Node pprof endpoints (@datadog/pprof, esbuild bundle)`);
  const nsvc = await startNodePprofService({ durationMs: 20_000 });
  try {
    const res = await fetch(`${nsvc.url}/debug/pprof/profile?seconds=3`, { signal: AbortSignal.timeout(20_000) });
    const buf = Buffer.from(await res.arrayBuffer());
    const p = Profile.decode(buf[0] === 0x1f ? gunzipSync(buf) : buf);
    const S = p.stringTable.strings;
    const fns = p.function.filter((f) => String(S[Number(f.name)]).includes('slowPrimeCount'));
    const where = fns.map((f) => `${String(S[Number(f.filename)])}`);
    const lines = new Set<string>();
    for (const loc of p.location) {
      for (const ln of loc.line) {
        const f = p.function.find((x) => x.id === ln.functionId);
        if (f && String(S[Number(f.name)]).includes('slowPrimeCount')) {
          lines.add(`${path.basename(String(S[Number(f.filename)]))}:${ln.line}`);
        }
      }
    }
    check(res.ok && p.sample.length > 0 && fns.length > 0, `${nsvc.url}/debug/pprof/profile?seconds=3 has slowPrimeCount`, `${buf.length} bytes, ${p.sample.length} samples, in ${[...new Set(where)].join(', ')} lines ${[...lines].join(' ')}`);
    const heap = await fetch(`${nsvc.url}/debug/pprof/heap`);
    const hb = Buffer.from(await heap.arrayBuffer());
    const hp = Profile.decode(hb[0] === 0x1f ? gunzipSync(hb) : hb);
    check(heap.ok && hp.sample.length > 0, 'Node /debug/pprof/heap decodes', `${hp.sample.length} samples`);
  } finally {
    await nsvc.stop();
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  nodeSourceMapperOn = args.nodeSourceMapper;
  const t0 = Date.now();
  console.log('== build (test/pyroscope/build.sh)');
  const bins = await buildBinaries();
  for (const l of bins.log) {
    console.log(`  ${l}`);
  }
  let server: PyroscopeServer | undefined;
  const agents: Agent[] = [];
  const tags = { env: 'test', region: 'local' };
  const cleanup = async (): Promise<void> => {
    await Promise.all(agents.map((a) => a.stop()));
    if (server) {
      const log = path.join(repoRoot, '.cache', 'pyroscope', 'scenario-server.log');
      fs.mkdirSync(path.dirname(log), { recursive: true });
      fs.writeFileSync(log, server.output());
      console.log(`  server log: ${log}`);
      await server.stop();
    }
  };
  process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));
  process.on('SIGTERM', () => void cleanup().then(() => process.exit(143)));
  try {
    const ts = Date.now();
    server = await startPyroscope();
    console.log(`\n== Pyroscope ${server.version} ready at ${server.url} in ${((Date.now() - ts) / 1000).toFixed(1)} s (pid ${server.pid}, data ${server.dataDir})`);
    const go = await startGoAgent({ serverUrl: server.url, durationMs: args.durationS * 1000, tags });
    agents.push(go);
    // Two Node agents: one maps frames with the SDK's SourceMapper (.ts arrives), one does not
    // (frames name the esbuild bundle; the client maps them with service.js.map).
    const node = await startNodeAgent({ serverUrl: server.url, durationMs: args.durationS * 1000, sourceMapper: args.nodeSourceMapper, tags });
    agents.push(node);
    const nodeRaw = await startNodeAgent({ serverUrl: server.url, app: 'profile-lens-node-demo-raw', durationMs: args.durationS * 1000, sourceMapper: false, tags });
    agents.push(nodeRaw);
    console.log(`  go agent ${go.serviceName} at ${go.url}`);
    console.log(`  node agent ${node.serviceName} at ${node.url} (SDK source mapper ${args.nodeSourceMapper ? 'on' : 'off'})`);
    console.log(`  node agent ${nodeRaw.serviceName} at ${nodeRaw.url} (SDK source mapper off)`);
    console.log(`  bounded load for up to ${args.durationS} s ...`);
    const [goN, nodeN, rawN] = await Promise.all([go.done, node.done, nodeRaw.done]);
    console.log(`  load done: go ${goN} requests, node ${nodeN}, node-raw ${rawN}`);
    check(goN > 0 && nodeN > 0 && rawN > 0, 'agents served their bounded load and exited cleanly');

    await verify(server, t0, go.serviceName, node.serviceName, nodeRaw.serviceName);
    await verifyPprofService();

    if (args.keep) {
      if (args.keepLoadS > 0) {
        const ms = args.keepLoadS * 1000;
        agents.push(await startGoAgent({ serverUrl: server.url, durationMs: ms, tags }));
        agents.push(await startNodeAgent({ serverUrl: server.url, durationMs: ms, sourceMapper: args.nodeSourceMapper, tags }));
        agents.push(await startNodeAgent({ serverUrl: server.url, app: 'profile-lens-node-demo-raw', durationMs: ms, sourceMapper: false, tags }));
        console.log(`\nagents load the server again for ${args.keepLoadS} s`);
      }
      console.log(`\nPyroscope is running at ${server.url} (pid ${server.pid}); Ctrl-C to stop.`);
      console.log(`scenario: ${passed} passed, ${failed} failed`);
      const code = await server.exited;
      check(false, 'server kept running', `it exited with code ${code}:\n${server.output().slice(-2000)}`);
    }
  } catch (err) {
    check(false, 'scenario ran to the end', err instanceof Error ? err.message : String(err));
  } finally {
    if (!args.keep || failed > 0) {
      await cleanup();
    }
  }
  console.log(`\ntotal ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  console.log(`scenario: ${passed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
}

void main();
