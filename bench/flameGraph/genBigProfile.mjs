// A large REAL profile for the flame graph bench: @datadog/pprof's time profiler (V8's sampling CPU
// profiler) records a generated workload whose 2,400 functions in 40 files call each other in random
// order 20–140 deep, so nearly every sample is a new stack. Written to .cache/bench/flame/big.pb.gz
// (reused when present). `node bench/flameGraph/genBigProfile.mjs [seconds]`
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const dir = path.join(root, '.cache/bench/flame');
export const BIG_PROFILE = path.join(dir, 'big.pb.gz');

const FILES = 40;
const PER_FILE = 60;

function writeWorkload() {
  const wdir = path.join(dir, 'workload');
  mkdirSync(wdir, { recursive: true });
  for (let f = 0; f < FILES; f++) {
    const lines = ["'use strict';", 'let table;', 'exports.bind = (t) => { table = t; };', 'let s = ' + (f * 7919 + 1) + ';', 'function next() { s = (s * 1103515245 + 12345) & 0x7fffffff; return s; }'];
    for (let i = 0; i < PER_FILE; i++) {
      const name = `m${f}_fn${i}`;
      lines.push(`function ${name}(d) {`, `  let x = ${i};`, `  for (let k = 0; k < ${20 + ((i * 13) % 40)}; k++) x = (x * 31 + k) | 0;`,
        `  if (d > 0) x ^= table[next() % table.length](d - 1);`, '  return x;', '}', `exports.${name} = ${name};`);
    }
    writeFileSync(path.join(wdir, `mod${f}.js`), lines.join('\n') + '\n');
  }
  return wdir;
}

export async function generateBigProfile(seconds = 12) {
  if (existsSync(BIG_PROFILE)) return BIG_PROFILE;
  mkdirSync(dir, { recursive: true });
  const require = createRequire(path.join(root, 'package.json'));
  const pprof = require('@datadog/pprof');
  const wdir = writeWorkload();
  const mods = [];
  for (let f = 0; f < FILES; f++) mods.push(require(path.join(wdir, `mod${f}.js`)));
  const table = mods.flatMap((m) => Object.values(m).filter((v) => typeof v === 'function' && v.name.startsWith('m')));
  for (const m of mods) m.bind(table);
  let seed = 12345;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
  pprof.time.start({ intervalMicros: 100, durationMillis: seconds * 1000 + 5000, lineNumbers: false });
  const end = Date.now() + seconds * 1000;
  let sink = 0;
  while (Date.now() < end) for (let k = 0; k < 50; k++) sink ^= table[rnd() % table.length](20 + (rnd() % 121));
  const profile = pprof.time.stop();
  const bytes = await pprof.encode(profile);
  writeFileSync(BIG_PROFILE, bytes);
  console.log(`wrote ${BIG_PROFILE}: ${(bytes.length / 1e6).toFixed(1)} MB, ${profile.sample.length} samples (sink ${sink & 1})`);
  return BIG_PROFILE;
}

if (import.meta.url === `file://${process.argv[1]}`) await generateBigProfile(Number(process.argv[2] ?? 12));
