/**
 * Builds and runs test/pyroscope/agents/go-span (OpenTelemetry spans labelled by otel-profiling-go,
 * pushed by pyroscope-go) against a Pyroscope server, and waits until the server answers its spans.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { PyroscopeClient } from '../../../src/core/backend/pyroscopeClient';
import { repoRoot } from '../../pyroscope/harness';

export const SPAN_APP = 'profile-lens-span-demo';
export const SPAN_CPU_TYPE = 'process_cpu:cpu:nanoseconds:cpu:nanoseconds';
export const SPAN_AGENT_DIR = path.join(repoRoot, 'test/pyroscope/agents/go-span');

export interface AgentSpan {
  name: 'checkout' | 'search';
  spanId: string;
  traceId: string;
}

/** Runs the agent to its end (6 requests of 500 ms CPU each by default); returns the spans it made. */
export async function runSpanAgent(serverUrl: string, opts: { requests?: number; spanMs?: number } = {}): Promise<AgentSpan[]> {
  const bin = path.join(repoRoot, '.cache/pyroscope/span-agent');
  mkdirSync(path.dirname(bin), { recursive: true });
  // as test/pyroscope/build.sh: modules as this machine's proxy gives them, no cgo
  const env = { ...process.env, GOFLAGS: `${process.env.GOFLAGS ? `${process.env.GOFLAGS} ` : ''}-mod=mod`, CGO_ENABLED: '0' };
  const build = spawnSync('go', ['build', '-trimpath', '-o', bin, '.'], { cwd: SPAN_AGENT_DIR, encoding: 'utf8', env });
  if (build.status !== 0) throw new Error(`go build of the span agent failed (${build.error?.message ?? `exit ${build.status}`}):\n${build.stderr}`);
  const agent = spawn(bin, [`-server=${serverUrl}`, `-app=${SPAN_APP}`, `-requests=${opts.requests ?? 6}`, `-span=${opts.spanMs ?? 500}ms`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  agent.stdout.on('data', (d: Buffer) => (out += d.toString()));
  agent.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => agent.on('exit', resolve));
  if (code !== 0 || !/FLUSHED/.test(out)) throw new Error(`span agent failed (exit ${code}):\n${out}`);
  const spans = [...out.matchAll(/^SPAN (checkout|search) ([0-9a-f]{16}) ([0-9a-f]{32})$/gm)].map((m) => ({ name: m[1] as AgentSpan['name'], spanId: m[2], traceId: m[3] }));
  // the last upload is in once the last span's profile is answered
  const client = new PyroscopeClient({ connection: { name: 'probe', url: serverUrl, auth: 'none' } });
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ok = await client.fetchSpanProfile({ service: SPAN_APP, profileType: SPAN_CPU_TYPE, window: { kind: 'last', ms: 3_600_000 } }, [spans[spans.length - 1].spanId]).then(() => true, () => false);
    if (ok) return spans;
    if (Date.now() > deadline) throw new Error(`span ${spans[spans.length - 1].spanId} not queryable after 60 s`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}
