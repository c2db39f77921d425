/** Every pprof file (.pb.gz, .pprof, .pb) under a fixtures folder, recursively. */
import { readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';

export function pprofFixtures(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir)) {
    const p = path.join(dir, e);
    if (statSync(p).isDirectory()) pprofFixtures(p, out);
    else if (/\.(pb\.gz|pprof|pb)$/.test(e)) out.push(p);
  }
  return out;
}
