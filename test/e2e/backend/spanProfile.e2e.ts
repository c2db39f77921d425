/**
 * Correlate against the REAL Grafana Pyroscope server (v1.12.0, built by test/pyroscope) fed by a REAL
 * instrumented Go service: OpenTelemetry spans whose CPU samples grafana/otel-profiling-go labels with
 * span_id / span_name, pushed by grafana/pyroscope-go (test/pyroscope/agents/go-span). Our client's
 * SelectMergeSpanProfile call must return each span's own code (checkout → priceCart, search →
 * searchIndex), OR several spans, refuse an unknown span with a clear no-data error, and the flame
 * graph → pprof conversion must put the span's cost on the functions' files and start lines taken
 * from the merged profile. Also pins why the editor asks the server: the merged pprof carries no
 * sample labels, so Engine.select cannot find the span in it.
 *
 *   npx mocha --config test/e2e/backend/.mocharc.json test/e2e/backend/spanProfile.e2e.ts
 */
import * as assert from 'node:assert/strict';
import { BackendError } from '../../../src/core/backend/backendError';
import { PyroscopeClient, type ProfileQuery } from '../../../src/core/backend/pyroscopeClient';
import { flameGraphStacks, flameGraphToPprof } from '../../../src/core/backend/spanFlameGraph';
import { EngineError } from '../../../src/core/engine';
import { createInProcessEngine } from '../../../src/core/inProcessEngine';
import { startPyroscope, type PyroscopeServer } from '../../pyroscope/harness';
import { SPAN_APP as APP, SPAN_CPU_TYPE as CPU, runSpanAgent, type AgentSpan as Span } from './spanAgent';

let server: PyroscopeServer;
let client: PyroscopeClient;
let spans: Span[] = [];
let query: ProfileQuery;

/** Function names of a span flame graph's stacks with their summed self value. */
function selfByFunction(stacks: { frames: string[]; value: number }[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of stacks) out.set(s.frames[s.frames.length - 1], (out.get(s.frames[s.frames.length - 1]) ?? 0) + s.value);
  return out;
}
const hasFn = (stacks: { frames: string[] }[], name: string) => stacks.some((s) => s.frames.includes(name));

describe('Pyroscope span profiles (real server, otel-profiling-go + pyroscope-go agent)', function () {
  this.timeout(300_000);

  before(async () => {
    server = await startPyroscope();
    spans = await runSpanAgent(server.url);
    assert.equal(spans.length, 6);
    client = new PyroscopeClient({ connection: { name: 'local', url: server.url, auth: 'none' } });
    const now = Date.now();
    query = { service: APP, profileType: CPU, window: { kind: 'range', start: now - 10 * 60_000, end: now + 60_000 } };
  });

  after(async () => {
    await server?.stop();
  });

  it('a checkout span: its own hot code (priceCart), none of the search spans\' (searchIndex)', async () => {
    const checkout = spans.filter((s) => s.name === 'checkout');
    for (const s of checkout) {
      const r = await client.fetchSpanProfile(query, [s.spanId]);
      const stacks = flameGraphStacks(r.flamegraph);
      assert.ok(hasFn(stacks, 'main.priceCart'), `${s.spanId}: ${JSON.stringify([...selfByFunction(stacks)])}`);
      assert.ok(!hasFn(stacks, 'main.searchIndex'), `${s.spanId} has no search code`);
      // ~500 ms of CPU per span at 100 Hz: tens of samples, all of it in this span
      assert.ok(r.flamegraph.total >= 100_000_000 && r.flamegraph.total <= 1_500_000_000, String(r.flamegraph.total));
      assert.equal(stacks.reduce((a, x) => a + x.value, 0), r.flamegraph.total, 'self values add up to the total');
    }
  });

  it('a search span: searchIndex, not priceCart; two spans at once add up', async () => {
    const search = spans.filter((s) => s.name === 'search');
    const one = await client.fetchSpanProfile(query, [search[0].spanId]);
    const two = await client.fetchSpanProfile(query, [search[0].spanId, search[1].spanId]);
    assert.ok(hasFn(flameGraphStacks(one.flamegraph), 'main.searchIndex'));
    assert.ok(!hasFn(flameGraphStacks(one.flamegraph), 'main.priceCart'));
    const other = await client.fetchSpanProfile(query, [search[1].spanId]);
    assert.equal(two.flamegraph.total, one.flamegraph.total + other.flamegraph.total);
  });

  it('an unknown span id: no-data error naming the span and the service', async () => {
    const e = await client.fetchSpanProfile(query, ['0123456789abcdef']).then(() => undefined, (x: unknown) => x);
    assert.ok(e instanceof BackendError && e.code === 'no-data', String(e));
    assert.match(e.message, /no cpu samples of span 0123456789abcdef for service "profile-lens-span-demo"/);
  });

  it('the span profile, placed by the merged profile, loads with files and function start lines', async () => {
    const merged = await client.fetchProfile(query);
    const engine = createInProcessEngine();
    try {
      const whole = await engine.load(merged.bytes, { roots: [], pathMappings: [] });
      const W = whole.index;
      // the merged pprof has no sample labels: the span cannot be selected locally
      const e = await engine.select(whole.id, { labels: [{ key: 'span_id', values: [spans[0].spanId] }] }).then(() => undefined, (x: unknown) => x);
      assert.ok(e instanceof EngineError && e.code === 'no-match' && /no sample labels/.test(e.message), String(e));
      const places = new Map<string, { file: string; line: number }>();
      for (let f = 0; f < W.functions.count; f++) {
        const file = W.functions.profileFile?.[f] ? W.strings[W.functions.profileFile[f]] : W.functions.file[f] >= 0 ? W.files[W.functions.file[f]].profilePath : '';
        if (file) places.set(W.strings[W.functions.name[f]], { file, line: W.functions.startLine[f] });
      }
      const price = places.get('main.priceCart');
      assert.ok(price && price.file.endsWith('agent-go-span/main.go') && price.line > 0, JSON.stringify(price));
      const r = await client.fetchSpanProfile(query, [spans[0].spanId]);
      const bytes = flameGraphToPprof(r.flamegraph, { sampleType: { type: 'cpu', unit: 'nanoseconds' }, place: (n) => places.get(n) });
      const span = await engine.load(bytes, { roots: [], pathMappings: [] });
      const S = span.index;
      assert.equal(S.totals[0], r.flamegraph.total);
      const fn = Array.from({ length: S.functions.count }, (_, f) => f).find((f) => S.strings[S.functions.name[f]] === 'main.priceCart')!;
      assert.ok(fn !== undefined);
      assert.equal(S.functions.startLine[fn], price.line);
      const row = Array.from({ length: S.lines.count }, (_, i) => i).find((i) => S.lines.fn?.[i] === fn && S.lines.line[i] === price.line);
      assert.ok(row !== undefined, 'the cost sits on priceCart\'s start line');
      assert.ok(S.functions.self[fn] > 0.5 * S.totals[0], 'priceCart is most of the checkout span');
    } finally {
      await engine.dispose();
    }
  });
});
