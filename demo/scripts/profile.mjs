// Regenerates the demo's embedded profiles with a real profiler (@datadog/pprof) on the real bundle:
//   1. builds demo/workspace/dist/service.js (esbuild, minified, source map);
//   2. "deploys" the bundle without its map to /tmp/profile-lens-demo/srv/shop-api/dist/ (production
//      ships no maps; the profile's paths are the deployment's, resolved to the workspace by suffix);
//   3. runs it (demo/scripts/serve.mjs) under a bounded load, pulls
//      /debug/pprof/profile?seconds=N → profiles/cpu.pb.gz and /debug/pprof/heap → profiles/heap.pb.gz.
// `node demo/scripts/profile.mjs [--seconds 15] [--rps 25]`
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { WORKSPACE, buildService } from './buildService.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '../../package.json'));
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const seconds = Number(opt('seconds', 20));
const rps = Number(opt('rps', 30));
const DEPLOY = '/tmp/profile-lens-demo/srv/shop-api';

const freePort = () => new Promise((resolve) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address();
    s.close(() => resolve(port));
  });
});

const bundle = await buildService();
rmSync(DEPLOY, { recursive: true, force: true });
mkdirSync(path.join(DEPLOY, 'dist'), { recursive: true });
copyFileSync(bundle, path.join(DEPLOY, 'dist/service.js'));

const port = await freePort();
const child = spawn(process.execPath, [path.join(here, 'serve.mjs'), '--bundle', path.join(DEPLOY, 'dist/service.js'), '--port', String(port), '--load', '--rps', String(rps)], {
  cwd: DEPLOY, stdio: 'inherit', detached: true,
});
const stop = () => {
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    // already gone
  }
};
process.on('exit', stop);
process.on('SIGINT', () => process.exit(130));

const base = `http://127.0.0.1:${port}`;
for (let i = 0; ; i++) {
  try {
    if ((await fetch(`${base}/healthz`)).ok) break;
  } catch {
    // starting
  }
  if (i > 100) throw new Error('the demo service did not start');
  await new Promise((r) => setTimeout(r, 100));
}
await new Promise((r) => setTimeout(r, 2000)); // warm-up: JIT, catalogue, retained reports
const get = async (p) => {
  const res = await fetch(base + p);
  if (!res.ok) throw new Error(`${p}: HTTP ${res.status} ${await res.text()}`);
  return Buffer.from(await res.arrayBuffer());
};
console.log(`[profile] CPU profile: ${seconds} s under ~${rps} req/s`);
const cpu = await get(`/debug/pprof/profile?seconds=${seconds}`);
const heap = await get('/debug/pprof/heap');
stop();
// The deployment exists only while profiling: left on disk, the profile's absolute paths would
// resolve to it (outside the workspace, without the map) instead of to the workspace's dist/.
await new Promise((r) => setTimeout(r, 300));
rmSync(path.dirname(path.dirname(DEPLOY)), { recursive: true, force: true });

const out = path.join(WORKSPACE, 'profiles');
mkdirSync(out, { recursive: true });
writeFileSync(path.join(out, 'cpu.pb.gz'), cpu);
writeFileSync(path.join(out, 'heap.pb.gz'), heap);

// A short summary (pprof-format decodes; the extension's engine does the real work).
const { Profile } = require('pprof-format');
for (const [name, bytes] of [['cpu.pb.gz', cpu], ['heap.pb.gz', heap]]) {
  const p = Profile.decode(gunzipSync(bytes));
  const str = (i) => p.stringTable.strings[Number(i)];
  const types = p.sampleType.map((t) => `${str(t.type)}/${str(t.unit)}`).join(', ');
  const fnById = new Map(p.function.map((f) => [String(f.id), f]));
  const locById = new Map(p.location.map((l) => [String(l.id), l]));
  const self = new Map();
  const vi = p.sampleType.length - 1;
  let total = 0;
  for (const s of p.sample) {
    const v = Number(s.value[vi]);
    total += v;
    const leaf = locById.get(String(s.locationId[0]));
    const f = leaf && fnById.get(String(leaf.line[0]?.functionId));
    const key = f ? `${str(f.name)} ${path.basename(str(f.filename) || '?')}:${leaf.line[0].line}` : '?';
    self.set(key, (self.get(key) ?? 0) + v);
  }
  const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 6);
  console.log(`[profile] ${name}: ${bytes.length} bytes, ${p.sample.length} samples, types ${types}; top self (${str(p.sampleType[vi].type)}):`);
  for (const [k, v] of top) console.log(`    ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
}
console.log(`[profile] wrote ${path.relative(process.cwd(), out)}/cpu.pb.gz, heap.pb.gz`);
process.exit(0);
