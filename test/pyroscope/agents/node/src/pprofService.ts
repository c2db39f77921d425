// A small HTTP service exposing pprof endpoints the way Go's net/http/pprof names them, profiled
// with @datadog/pprof: /debug/pprof/profile?seconds=N (V8 time profile, gzipped pprof) and
// /debug/pprof/heap (sampled heap). It drives a bounded background load against itself on
// 127.0.0.1 (so profiles contain slowPrimeCount in hotPath.ts) and exits after PPROF_DURATION_MS.
// Bundled by esbuild with a source map; frames name the bundle unless PPROF_SOURCE_MAPPER=1.
// Prints "LISTENING <url>" and "DONE requests=<n>".
import * as http from 'node:http';
import * as path from 'node:path';
import { encode, heap, SourceMapper, time } from '@datadog/pprof';
import { driveLoad, envNumber, handleWork } from './routes';

async function main(): Promise<void> {
  const env = process.env;
  const durationMs = envNumber(env, 'PPROF_DURATION_MS', 60000);
  const requests = envNumber(env, 'PPROF_REQUESTS', 1000000);
  const pauseMs = envNumber(env, 'PPROF_PAUSE_MS', 5);
  const load = env.PPROF_NO_LOAD !== '1';
  const sourceMapper = env.PPROF_SOURCE_MAPPER === '1' ? await SourceMapper.create([path.dirname(__filename)]) : undefined;
  heap.start(64 * 1024, 64);
  let cpuBusy = false;

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const send = (buf: Buffer): void => {
      res.setHeader('Content-Type', 'application/octet-stream');
      res.setHeader('Content-Disposition', 'attachment; filename="profile"');
      res.end(buf);
    };
    const fail = (status: number, message: string): void => {
      res.statusCode = status;
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end(`${message}\n`);
    };
    if (url.pathname === '/debug/pprof/profile') {
      const seconds = Number(url.searchParams.get('seconds') ?? '30');
      if (!(Number.isFinite(seconds) && seconds > 0 && seconds <= 300)) {
        return fail(400, 'bad seconds');
      }
      if (cpuBusy) {
        return fail(500, 'Could not enable CPU profiling: cpu profiling already in use');
      }
      cpuBusy = true;
      time
        .profile({ durationMillis: seconds * 1000, lineNumbers: true, sourceMapper })
        .then((p) => encode(p))
        .then(send, (err: unknown) => fail(500, `profiling failed: ${String(err)}`))
        .finally(() => {
          cpuBusy = false;
        });
    } else if (url.pathname === '/debug/pprof/heap' || url.pathname === '/debug/pprof/allocs') {
      encode(heap.profile(undefined, sourceMapper)).then(send, (err: unknown) => fail(500, `profiling failed: ${String(err)}`));
    } else if (url.pathname === '/debug/pprof/' || url.pathname === '/debug/pprof') {
      res.end('profile\nheap\nallocs\n');
    } else if (!handleWork(req, res)) {
      fail(404, 'not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  console.log(`LISTENING ${base}`);

  const deadline = Date.now() + durationMs;
  const finish = (n: number): void => {
    console.log(`DONE requests=${n}`);
    server.close();
    server.closeAllConnections();
    process.exit(0);
  };
  process.on('SIGTERM', () => finish(-1));
  process.on('SIGINT', () => finish(-1));
  const n = load ? await driveLoad(base, requests, durationMs, pauseMs) : 0;
  setTimeout(() => finish(n), Math.max(0, deadline - Date.now()));
}

main().catch((err: unknown) => {
  console.error(`node pprof service: ${err instanceof Error ? err.stack : String(err)}`);
  process.exit(1);
});
