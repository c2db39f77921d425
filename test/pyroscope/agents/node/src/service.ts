// A small HTTP service profiled by @pyroscope/nodejs (wall + heap profiles pushed to a
// Pyroscope server). Bundled by esbuild with source maps (see harness.ts buildNodeAgent),
// so profiles name .js frames of the bundle, or the .ts sources when the SDK's
// SourceMapper is on. It drives a bounded load against itself on 127.0.0.1, flushes and exits.
// Settings come from environment variables (see readSettings). It prints
// "LISTENING <url>", "DONE requests=<n>" and "FLUSHED".
import * as http from 'node:http';
import * as path from 'node:path';
import Pyroscope from '@pyroscope/nodejs';
import { buildAllocReport, slowPrimeCount } from './hotPath';

interface Settings {
  server: string;
  app: string;
  requests: number;
  durationMs: number;
  pauseMs: number;
  flushMs: number;
  sourceMapper: boolean;
  tags: Record<string, string>;
}

function readSettings(env: NodeJS.ProcessEnv): Settings {
  const num = (name: string, def: number): number => {
    const v = Number(env[name]);
    return Number.isFinite(v) && v >= 0 ? v : def;
  };
  const tags: Record<string, string> = {};
  for (const kv of (env.AGENT_TAGS ?? 'env=test').split(',')) {
    const i = kv.indexOf('=');
    if (i > 0) {
      tags[kv.slice(0, i)] = kv.slice(i + 1);
    }
  }
  return {
    server: env.AGENT_SERVER ?? 'http://127.0.0.1:4040',
    app: env.AGENT_APP ?? 'profile-lens-node-demo',
    requests: num('AGENT_REQUESTS', 100000),
    durationMs: num('AGENT_DURATION_MS', 25000),
    pauseMs: num('AGENT_PAUSE_MS', 2),
    flushMs: num('AGENT_FLUSH_MS', 2000),
    sourceMapper: env.AGENT_SOURCE_MAPPER !== '0',
    tags,
  };
}

function handle(req: http.IncomingMessage, res: http.ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const param = (name: string, def: number): number => {
    const v = Number(url.searchParams.get(name));
    return Number.isInteger(v) && v > 0 && v <= 10_000_000 ? v : def;
  };
  if (url.pathname === '/slow') {
    const n = param('n', 40000);
    Pyroscope.wrapWithLabels({ endpoint: '/slow' }, () => {
      res.end(`primes below ${n}: ${slowPrimeCount(n)}\n`);
    });
  } else if (url.pathname === '/alloc') {
    const rows = param('rows', 2000);
    Pyroscope.wrapWithLabels({ endpoint: '/alloc' }, () => {
      res.end(`rows: ${buildAllocReport(rows)}\n`);
    });
  } else if (url.pathname === '/health') {
    res.end('ok\n');
  } else {
    res.statusCode = 404;
    res.end('not found\n');
  }
}

async function driveLoad(base: string, s: Settings): Promise<number> {
  const deadline = Date.now() + s.durationMs;
  let ok = 0;
  for (let i = 0; i < s.requests && Date.now() < deadline; i++) {
    const res = await fetch(base + (i % 2 === 0 ? '/slow' : '/alloc'), { signal: AbortSignal.timeout(10000) });
    await res.text();
    if (res.ok) {
      ok++;
    }
    if (s.pauseMs > 0) {
      await new Promise((r) => setTimeout(r, s.pauseMs));
    }
  }
  return ok;
}

async function main(): Promise<void> {
  const s = readSettings(process.env);
  const sourceMapper = s.sourceMapper ? await Pyroscope.SourceMapper.create([path.dirname(__filename)]) : undefined;
  Pyroscope.init({
    serverAddress: s.server,
    appName: s.app,
    tags: s.tags,
    flushIntervalMs: s.flushMs,
    wall: { samplingDurationMs: s.flushMs, collectCpuTime: true },
    heap: { samplingIntervalBytes: 64 * 1024 },
    sourceMapper,
  });
  Pyroscope.start();

  const server = http.createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  console.log(`LISTENING ${base}`);

  let stopping = false;
  const finish = async (n: number): Promise<void> => {
    if (stopping) {
      return;
    }
    stopping = true;
    console.log(`DONE requests=${n}`);
    server.close();
    await Pyroscope.stop(); // uploads what was collected since the last flush
    console.log('FLUSHED');
    process.exit(0);
  };
  process.on('SIGTERM', () => void finish(-1));
  process.on('SIGINT', () => void finish(-1));
  await finish(await driveLoad(base, s));
}

main().catch((err: unknown) => {
  console.error(`node agent: ${err instanceof Error ? err.stack : String(err)}`);
  process.exit(1);
});
