// Regenerates the demo's embedded profiles with a real profiler (@datadog/pprof) on the real bundle:
//   1. builds demo/workspace/dist/service.js (esbuild, minified, source map);
//   2. "deploys" the bundle without its map to /tmp/profile-lens-demo/srv/shop-api/dist/ (production
//      ships no maps; the profile's paths are the deployment's, resolved to the workspace by suffix);
//   3. runs it (demo/scripts/serve.mjs) under a bounded load, pulls
//      /debug/pprof/profile?seconds=N → profiles/cpu.pb.gz and /debug/pprof/heap → profiles/heap.pb.gz.
// `node demo/scripts/profile.mjs [--seconds 15] [--rps 25] [--out <dir>]` (default out: demo/workspace/profiles)
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { WORKSPACE, buildService } from './buildService.mjs';
import { option, startDeployedService } from './deployedService.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '../../package.json'));
const args = process.argv.slice(2);
const seconds = Number(option(args, 'seconds', 20));
const rps = Number(option(args, 'rps', 30));
const out = path.resolve(option(args, 'out', path.join(WORKSPACE, 'profiles')));

const bundle = await buildService();
const service = await startDeployedService({ bundle, deployDir: '/tmp/profile-lens-demo/srv/shop-api', serveArgs: ['--load', '--rps', String(rps)] });
const base = service.base;
await new Promise((r) => setTimeout(r, 2000)); // warm-up: JIT, catalogue, retained reports
const get = async (p) => {
  const res = await fetch(base + p);
  if (!res.ok) throw new Error(`${p}: HTTP ${res.status} ${await res.text()}`);
  return Buffer.from(await res.arrayBuffer());
};
console.log(`[profile] CPU profile: ${seconds} s under ~${rps} req/s`);
const cpu = await get(`/debug/pprof/profile?seconds=${seconds}`);
const heap = await get('/debug/pprof/heap');
// The deployment exists only while profiling (see deployedService.mjs)
await service.stop();

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
