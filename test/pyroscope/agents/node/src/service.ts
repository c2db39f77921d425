// A small HTTP service profiled by @pyroscope/nodejs (wall + heap profiles pushed to a
// Pyroscope server). Bundled by esbuild with source maps (see harness.ts buildNodeAgent),
// so profiles name .js frames of the bundle, or the .ts sources when the SDK's
// SourceMapper is on. It drives a bounded load against itself on 127.0.0.1, flushes and exits.
// Settings come from environment variables (see readSettings). It prints
// "LISTENING <url>", "DONE requests=<n>" and "FLUSHED".
import * as http from 'node:http';
import * as path from 'node:path';
import Pyroscope from '@pyroscope/nodejs';
import { driveLoad, envNumber, handleWork } from './routes';

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
    requests: envNumber(env, 'AGENT_REQUESTS', 100000),
    durationMs: envNumber(env, 'AGENT_DURATION_MS', 25000),
    pauseMs: envNumber(env, 'AGENT_PAUSE_MS', 2),
    flushMs: envNumber(env, 'AGENT_FLUSH_MS', 2000),
    sourceMapper: env.AGENT_SOURCE_MAPPER !== '0',
    tags,
  };
}

function handle(req: http.IncomingMessage, res: http.ServerResponse): void {
  if (!handleWork(req, res, (labels, fn) => Pyroscope.wrapWithLabels(labels, fn))) {
    res.statusCode = 404;
    res.end('not found\n');
  }
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
  await finish(await driveLoad(base, s.requests, s.durationMs, s.pauseMs));
}

main().catch((err: unknown) => {
  console.error(`node agent: ${err instanceof Error ? err.stack : String(err)}`);
  process.exit(1);
});
