// Real components for the backend tests: a Grafana Pyroscope server built from source
// (test/pyroscope/server, version pinned in its go.mod) and real agents pushing to it.
// Everything listens on 127.0.0.1 only and is stopped by PID (TERM, then KILL).
// See test/pyroscope/README.md for the API, versions and timings.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from '../support/freePort';

export const repoRoot = path.resolve(__dirname, '..', '..');
export const pyroscopeDir = __dirname;
/** Where build.sh puts the binaries (git-ignored; CI points PYROSCOPE_CACHE at a per-machine folder). */
export const cacheDir = process.env.PYROSCOPE_CACHE ?? path.join(repoRoot, '.cache', 'pyroscope');
/** Where the Node agent's esbuild bundle goes: always inside this checkout (its map points at ../src). */
export const nodeAgentOutDir = path.join(repoRoot, '.cache', 'pyroscope', 'agent-node');

/** A started process; stop() is idempotent and resolves once the process has exited. */
export interface Running {
  url: string;
  pid: number;
  stop(): Promise<void>;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (128 when killed by a signal) once the process has exited. */
  exited: Promise<number | null>;
}

export interface PyroscopeServer extends Running {
  /** Server version from its go.mod pin, e.g. "v1.12.0". */
  version: string;
  /** Temporary folder holding the server's storage (removed by stop() unless keepData). */
  dataDir: string;
}

export interface Agent extends Running {
  /** The service_name label its profiles carry (Pyroscope agents only). */
  serviceName: string;
  /** Resolves when the agent's bounded load has ended and it exited; value = requests done. */
  done: Promise<number>;
}

export interface Binaries {
  server: string;
  pushAgent: string;
  pprofService: string;
  /** Per binary: built (with seconds) or reused. */
  log: string[];
}

/** The Pyroscope version pinned in test/pyroscope/server/go.mod. */
export function pinnedPyroscopeVersion(): string {
  const mod = fs.readFileSync(path.join(pyroscopeDir, 'server', 'go.mod'), 'utf8');
  const m = /github\.com\/grafana\/pyroscope (v[^\s]+)/.exec(mod);
  if (!m) {
    throw new Error('test/pyroscope/server/go.mod pins no github.com/grafana/pyroscope version');
  }
  return m[1];
}

/**
 * Builds (or reuses from the cache) the Pyroscope server and the Go agents with build.sh.
 * A cold build of the server takes many minutes; tests should allow for that or run
 * `test/pyroscope/build.sh` first.
 */
export async function buildBinaries(): Promise<Binaries> {
  const { code, out } = await runToEnd('bash', [path.join(pyroscopeDir, 'build.sh'), 'all'], 60 * 60_000);
  if (code !== 0) {
    throw new Error(`test/pyroscope/build.sh failed (exit ${code}):\n${out.slice(-4000)}`);
  }
  const found: Record<string, string> = {};
  const log: string[] = [];
  for (const line of out.split('\n')) {
    const m = /^(\S+) (\/\S+) (built|reused) (\d+)s$/.exec(line.trim());
    if (m) {
      found[m[1]] = m[2];
      log.push(`${m[1]} ${m[3]} ${m[4]}s`);
    }
  }
  const need = (name: string): string => {
    if (!found[name]) {
      throw new Error(`build.sh printed no path for ${name}:\n${out.slice(-2000)}`);
    }
    return found[name];
  };
  return { server: need('pyroscope-server'), pushAgent: need('go-push-agent'), pprofService: need('go-pprof-service'), log };
}

let cachedBinaries: Promise<Binaries> | undefined;
function binaries(): Promise<Binaries> {
  cachedBinaries ??= buildBinaries();
  return cachedBinaries;
}

export { freePort };

/** The flags that run the server single-binary, loopback-only, with storage under dataDir. */
export function pyroscopeArgs(dataDir: string, ports: { http: number; grpc: number; memberlist: number }): string[] {
  const lo = '127.0.0.1';
  return [
    '-target=all',
    `-server.http-listen-address=${lo}`,
    `-server.http-listen-port=${ports.http}`,
    `-server.grpc-listen-address=${lo}`,
    `-server.grpc-listen-port=${ports.grpc}`,
    // Gossip and every ring bound to / advertised on loopback (auto-detection would pick eth0).
    `-memberlist.bind-addr=${lo}`,
    `-memberlist.bind-port=${ports.memberlist}`,
    `-memberlist.advertise-addr=${lo}`,
    `-memberlist.advertise-port=${ports.memberlist}`,
    `-memberlist.join=${lo}:${ports.memberlist}`,
    `-ingester.lifecycler.addr=${lo}`,
    `-distributor.ring.instance-addr=${lo}`,
    `-compactor.ring.instance-addr=${lo}`,
    `-overrides-exporter.ring.instance-addr=${lo}`,
    `-query-scheduler.ring.instance-addr=${lo}`,
    `-query-frontend.instance-addr=${lo}`,
    `-store-gateway.sharding-ring.instance-addr=${lo}`,
    // Ready as soon as the ingester is (default waits 15 s more for ring propagation).
    '-ingester.min-ready-duration=0s',
    // Storage in the temp folder.
    '-storage.backend=filesystem',
    `-storage.filesystem.dir=${path.join(dataDir, 'shared')}`,
    `-pyroscopedb.data-path=${path.join(dataDir, 'data')}`,
    `-compactor.data-dir=${path.join(dataDir, 'compactor')}`,
    `-blocks-storage.bucket-store.sync-dir=${path.join(dataDir, 'sync')}`,
    // No calls home, no self-profiling, no trace export.
    '-usage-stats.enabled=false',
    '-self-profiling.disable-push=true',
    '-tracing.enabled=false',
  ];
}

export interface StartPyroscopeOptions {
  /** Server binary; default: built/reused with build.sh. */
  binary?: string;
  /** HTTP port; default: a free one. */
  port?: number;
  readyTimeoutMs?: number;
  /** Keep the temp storage folder after stop(). */
  keepData?: boolean;
  extraArgs?: string[];
}

/** Starts the real Pyroscope server on 127.0.0.1 and waits until GET /ready answers 200. */
export async function startPyroscope(opts: StartPyroscopeOptions = {}): Promise<PyroscopeServer> {
  const binary = opts.binary ?? (await binaries()).server;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pyroscope-test-'));
  for (const sub of ['shared', 'data', 'compactor', 'sync']) {
    fs.mkdirSync(path.join(dataDir, sub));
  }
  const ports = { http: opts.port ?? (await freePort()), grpc: await freePort(), memberlist: await freePort() };
  const url = `http://127.0.0.1:${ports.http}`;
  const proc = launch(binary, [...pyroscopeArgs(dataDir, ports), ...(opts.extraArgs ?? [])], { cwd: dataDir });
  const stopProc = proc.stop;
  const stop = async (): Promise<void> => {
    await stopProc();
    if (!opts.keepData) {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  };
  try {
    await waitFor(
      async () => {
        if (proc.exited()) {
          throw new Error(`pyroscope server exited early (code ${proc.exitCode()}):\n${logTail(proc.output())}`);
        }
        const res = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
        return res?.status === 200;
      },
      opts.readyTimeoutMs ?? 120_000,
      () => `pyroscope server not ready at ${url}/ready:\n${logTail(proc.output())}`,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, pid: proc.pid, version: pinnedPyroscopeVersion(), dataDir, stop, output: proc.output, exited: proc.exitPromise };
}

/** The last lines of a server log without the harmless duplicate-proto warnings printed at start. */
function logTail(out: string): string {
  return out
    .split('\n')
    .filter((l) => !l.includes('proto: duplicate proto type registered'))
    .join('\n')
    .slice(-3000);
}

export interface AgentOptions {
  /** Pyroscope server base URL, e.g. server.url. */
  serverUrl: string;
  /** service_name; defaults: profile-lens-go-demo / profile-lens-node-demo. */
  app?: string;
  /** Upper bound on load requests. */
  requests?: number;
  /** Upper bound on load duration (ms); default 25 s. */
  durationMs?: number;
  /** Upload (flush) interval in ms; default 2000. */
  uploadMs?: number;
  /** Static tags (labels) on all profiles; default {env: 'test'}. */
  tags?: Record<string, string>;
}

/**
 * Starts the Go service using github.com/grafana/pyroscope-go (CPU, alloc and inuse profiles):
 * it drives a bounded load against itself (/slow → work.SlowPrimeCount, /alloc →
 * work.BuildAllocReport, label `endpoint`), flushes and exits; `done` resolves then.
 */
export async function startGoAgent(opts: AgentOptions): Promise<Agent> {
  const app = opts.app ?? 'profile-lens-go-demo';
  const args = [
    `-server=${opts.serverUrl}`,
    `-app=${app}`,
    `-requests=${opts.requests ?? 100000}`,
    `-duration=${opts.durationMs ?? 25000}ms`,
    `-upload-rate=${opts.uploadMs ?? 2000}ms`,
    `-tags=${tagString(opts.tags)}`,
  ];
  return startAgent((await binaries()).pushAgent, args, {}, app);
}

export interface NodeAgentOptions extends AgentOptions {
  /** Use @pyroscope/nodejs's SourceMapper (frames arrive as .ts); default true. */
  sourceMapper?: boolean;
}

export interface NodeAgentBundle {
  /** The esbuild bundle of service.ts (with a sibling .map). */
  bundle: string;
  map: string;
  /** The esbuild bundle of pprofService.ts (with a sibling .map). */
  pprofBundle: string;
  /** Folder of the .ts sources the map points to. */
  sourceDir: string;
}

/** Bundles agents/node/src/{service,pprofService}.ts with esbuild, with source maps. */
export async function buildNodeAgent(outDir = nodeAgentOutDir): Promise<NodeAgentBundle> {
  const esbuild = await import('esbuild');
  const sourceDir = path.join(pyroscopeDir, 'agents', 'node', 'src');
  // Several test processes may share this checkout: build into a sibling temp folder (same
  // depth, so the maps' relative source paths stay right) and rename each file into place.
  const tmp = `${outDir}.tmp-${process.pid}-${Date.now()}`;
  try {
    await esbuild.build({
      entryPoints: [path.join(sourceDir, 'service.ts'), path.join(sourceDir, 'pprofService.ts')],
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      sourcemap: true,
      outdir: tmp,
      // Native addons: loaded from node_modules at run time.
      external: ['@pyroscope/nodejs', '@datadog/pprof'],
      logLevel: 'error',
    });
    fs.mkdirSync(outDir, { recursive: true });
    for (const f of fs.readdirSync(tmp)) {
      fs.renameSync(path.join(tmp, f), path.join(outDir, f));
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const bundle = path.join(outDir, 'service.js');
  return { bundle, map: `${bundle}.map`, pprofBundle: path.join(outDir, 'pprofService.js'), sourceDir };
}

/**
 * Starts the Node service using @pyroscope/nodejs (wall + heap profiles), bundled by esbuild
 * with source maps: bounded load (/slow → slowPrimeCount, /alloc → buildAllocReport in
 * agents/node/src/hotPath.ts), then flush and exit.
 */
export async function startNodeAgent(opts: NodeAgentOptions): Promise<Agent> {
  const app = opts.app ?? 'profile-lens-node-demo';
  const { bundle } = await buildNodeAgent();
  const env = {
    AGENT_SERVER: opts.serverUrl,
    AGENT_APP: app,
    AGENT_REQUESTS: String(opts.requests ?? 100000),
    AGENT_DURATION_MS: String(opts.durationMs ?? 25000),
    AGENT_FLUSH_MS: String(opts.uploadMs ?? 2000),
    AGENT_SOURCE_MAPPER: opts.sourceMapper === false ? '0' : '1',
    AGENT_TAGS: tagString(opts.tags),
  };
  return startAgent(process.execPath, ['--enable-source-maps', bundle], env, app);
}

export interface PprofServiceOptions {
  /** How long it serves (and drives load); default 60 s. */
  durationMs?: number;
  requests?: number;
  /** Drive background load (default true) so CPU profiles contain work.SlowPrimeCount. */
  load?: boolean;
}

/** Starts the Go service exposing net/http/pprof (/debug/pprof/profile?seconds=N, /heap, /allocs). */
export async function startPprofService(opts: PprofServiceOptions = {}): Promise<Agent> {
  const args = [`-duration=${opts.durationMs ?? 60000}ms`, `-requests=${opts.requests ?? 1000000}`];
  if (opts.load === false) {
    args.push('-no-load');
  }
  return startAgent((await binaries()).pprofService, args, {}, '');
}

export interface NodePprofServiceOptions extends PprofServiceOptions {
  /** Map frames to the .ts sources inside the service (@datadog/pprof SourceMapper); default false. */
  sourceMapper?: boolean;
}

/**
 * Starts the Node service exposing /debug/pprof/profile?seconds=N (V8 time profile, per line) and
 * /debug/pprof/heap via @datadog/pprof, bundled by esbuild with a source map, with background load.
 */
export async function startNodePprofService(opts: NodePprofServiceOptions = {}): Promise<Agent> {
  const { pprofBundle } = await buildNodeAgent();
  const env: Record<string, string> = {
    PPROF_DURATION_MS: String(opts.durationMs ?? 60000),
    PPROF_REQUESTS: String(opts.requests ?? 1000000),
    PPROF_NO_LOAD: opts.load === false ? '1' : '0',
    PPROF_SOURCE_MAPPER: opts.sourceMapper ? '1' : '0',
  };
  return startAgent(process.execPath, [pprofBundle], env, '');
}

function tagString(tags: Record<string, string> | undefined): string {
  return Object.entries(tags ?? { env: 'test' })
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

async function startAgent(cmd: string, args: string[], env: Record<string, string>, serviceName: string): Promise<Agent> {
  const proc = launch(cmd, args, { env: { ...process.env, ...env } });
  let url = '';
  try {
    await waitFor(
      async () => {
        const m = /LISTENING (http:\/\/127\.0\.0\.1:\d+)/.exec(proc.output());
        if (m) {
          url = m[1];
          return true;
        }
        if (proc.exited()) {
          throw new Error(`${path.basename(cmd)} exited early (code ${proc.exitCode()}):\n${proc.output().slice(-3000)}`);
        }
        return false;
      },
      30_000,
      () => `${path.basename(cmd)} did not start listening:\n${proc.output().slice(-3000)}`,
    );
  } catch (err) {
    await proc.stop();
    throw err;
  }
  const done = proc.exitPromise.then((code) => {
    const m = /DONE requests=(-?\d+)/.exec(proc.output());
    if (code !== 0 || !m) {
      throw new Error(`${path.basename(cmd)} ended with code ${code}:\n${proc.output().slice(-3000)}`);
    }
    return Number(m[1]);
  });
  done.catch(() => undefined); // callers that only stop() need not handle it
  return { url, pid: proc.pid, serviceName, done, stop: proc.stop, output: proc.output, exited: proc.exitPromise };
}

interface Launched {
  pid: number;
  output(): string;
  exited(): boolean;
  exitCode(): number | null;
  exitPromise: Promise<number | null>;
  stop(): Promise<void>;
}

const live = new Set<Launched>();
let exitHookInstalled = false;

/** Spawns a process; stop() sends SIGTERM, then SIGKILL after 10 s. Killed on our exit too. */
function launch(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv }): Launched {
  const child: ChildProcess = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) {
    throw new Error(`could not start ${cmd}`);
  }
  let out = '';
  const cap = 2_000_000;
  const append = (b: Buffer): void => {
    out += b.toString('utf8');
    if (out.length > cap) {
      out = out.slice(-cap / 2);
    }
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  let code: number | null = null;
  let exited = false;
  const exitPromise = new Promise<number | null>((resolve) => {
    child.on('exit', (c, sig) => {
      exited = true;
      code = c ?? (sig ? 128 : null);
      resolve(code);
    });
  });
  const self: Launched = {
    pid: child.pid,
    output: () => out,
    exited: () => exited,
    exitCode: () => code,
    exitPromise,
    stop: async () => {
      if (!exited) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => {
          if (!exited) {
            child.kill('SIGKILL');
          }
        }, 10_000);
        await exitPromise;
        clearTimeout(timer);
      }
      live.delete(self);
    },
  };
  live.add(self);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const l of live) {
        if (!l.exited()) {
          try {
            process.kill(l.pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
      }
    });
  }
  return self;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, message: () => string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) {
      return;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(message());
}

async function runToEnd(cmd: string, args: string[], timeoutMs: number): Promise<{ code: number | null; out: string }> {
  const proc = launch(cmd, args, {});
  const timer = setTimeout(() => void proc.stop(), timeoutMs);
  const code = await proc.exitPromise;
  clearTimeout(timer);
  await proc.stop();
  return { code, out: proc.output() };
}

// ---- Query helpers (plain HTTP, Connect JSON): what the scenario uses to verify the server.

/** POST {url}/querier.v1.QuerierService/{method} with a JSON body; throws on non-2xx. */
export async function querier<T = any>(url: string, method: string, body: unknown): Promise<T> {
  const res = await fetch(`${url}/querier.v1.QuerierService/${method}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  if (!res.ok) {
    throw new Error(`${method} → HTTP ${res.status}: ${text.slice(0, 500)}`);
  }
  return JSON.parse(text) as T;
}
