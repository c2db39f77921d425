/**
 * Host-side cost of what the backend client does to a pulled profile before handing it to the engine
 * worker (the host's budget is 50 ms): `pprofHasSamples` (no-data check) and `pprofOtherShare`
 * (truncation share), on the bench's synthetic 1/10/60 MB pprof files (`npm run bench` makes them in
 * .cache/bench) — median of 5 runs, plus a server-truncated profile of 65 536 nodes.
 *
 *   npx tsx test/e2e/backend/scanBench.ts
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { pprofHasSamples, pprofOtherShare } from '../../../src/core/backend/pprofOtherShare';
import { buildPprof, type StackSpec } from '../../unit/backend/pprofBuilder';

function median(run: () => void): number {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = process.hrtime.bigint();
    run();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return times.sort((a, b) => a - b)[2];
}

const rows: string[] = ['| profile | bytes | hasSamples | otherShare |', '|---|---|---|---|'];
for (const size of ['1mb', '10mb', '60mb']) {
  const file = path.join(__dirname, '../../../.cache/bench', `bench-${size}.pb.gz`);
  if (!existsSync(file)) {
    rows.push(`| ${size} | (run npm run bench first) | | |`);
    continue;
  }
  const raw = gunzipSync(readFileSync(file));
  rows.push(`| synthetic ${size} gz | ${raw.length} | ${median(() => pprofHasSamples(raw)).toFixed(2)} ms | ${median(() => pprofOtherShare(raw)).toFixed(2)} ms |`);
}
// a server-truncated answer: 65 536 leaf stacks, 10 % of the weight in "other"
const stacks: StackSpec[] = [];
for (let i = 0; i < 65_536; i++) stacks.push({ frames: [['main', '/app/main.go', 1], [`f${i % 4096}`, `/app/f${i % 512}.go`, 1 + (i % 300)]], value: 9 });
stacks.push({ frames: [['main', '/app/main.go', 1], ['other', '', 0]], value: 65_536 });
const truncated = buildPprof(stacks);
rows.push(`| truncated (65 536 stacks + other) | ${truncated.length} | ${median(() => pprofHasSamples(truncated)).toFixed(2)} ms | ${median(() => pprofOtherShare(truncated)).toFixed(2)} ms (share ${pprofOtherShare(truncated).share.toFixed(3)}) |`);
console.log(rows.join('\n'));
