// Runs the bundled demo service with net/http/pprof-style endpoints from @datadog/pprof:
//   GET /debug/pprof/profile?seconds=N   CPU (wall) time profile, gzipped pprof (N ≤ 60, default 10)
//   GET /debug/pprof/heap                in-use heap profile (sampling heap profiler started at boot)
// and, with --load, a bounded local load (demo/scripts/load.mjs in a child process).
// `node demo/scripts/serve.mjs [--port 8080] [--bundle <service.js>] [--load] [--rps 10] [--duration <s>]`
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '../../package.json'));
const pprof = require('@datadog/pprof');

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const port = Number(opt('port', process.env.PORT ?? 8080));
const bundle = path.resolve(opt('bundle', path.join(here, '../workspace/dist/service.js')));
const heapIntervalBytes = Number(opt('heap-interval', 64 * 1024));
const lineNumbers = args.includes('--line-numbers');

pprof.heap.start(heapIntervalBytes, 64);
let profiling = false;

/** The pprof endpoints, registered as an extra route of the service. */
async function pprofRoute(req, res, url) {
  if (url.pathname === '/debug/pprof/profile') {
    const seconds = Math.min(Math.max(Number(url.searchParams.get('seconds') ?? 10), 1), 60);
    if (profiling) {
      res.writeHead(409, { 'content-type': 'text/plain' });
      res.end('a CPU profile is already being taken; try again when it ends\n');
      return true;
    }
    profiling = true;
    try {
      const profile = await pprof.time.profile({ durationMillis: seconds * 1000, intervalMicros: 1000, lineNumbers });
      const body = await pprof.encode(profile);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-disposition': 'attachment; filename="profile.pb.gz"' });
      res.end(body);
    } finally {
      profiling = false;
    }
    return true;
  }
  if (url.pathname === '/debug/pprof/heap') {
    const body = await pprof.encode(pprof.heap.profile());
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-disposition': 'attachment; filename="heap.pb.gz"' });
    res.end(body);
    return true;
  }
  if (url.pathname === '/debug/pprof/' || url.pathname === '/debug/pprof') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('profile?seconds=N  CPU (wall time) profile\nheap               in-use heap profile\n');
    return true;
  }
  return false;
}

const { startService } = require(bundle);
const server = await startService({ port, extraRoutes: [pprofRoute] });
const actual = server.address().port;
console.log(`shop-api (${path.relative(process.cwd(), bundle) || bundle}) on http://127.0.0.1:${actual}  pprof: /debug/pprof/profile?seconds=N, /debug/pprof/heap`);

let load;
if (args.includes('--load')) {
  load = spawn(process.execPath, [path.join(here, 'load.mjs'), '--target', `http://127.0.0.1:${actual}`, '--rps', opt('rps', '10'), ...(opt('duration') ? ['--duration', opt('duration')] : [])], { stdio: 'inherit' });
}
const stop = () => {
  load?.kill('SIGTERM');
  server.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
const duration = opt('duration');
if (duration) setTimeout(stop, Number(duration) * 1000 + 2000).unref();
