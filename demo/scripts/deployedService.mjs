// The demo service (serve.mjs) run from a "deployment" copy of its bundle without the source map, as
// in production: the profiles it writes name the deployment's paths, which Profile Lens resolves to the
// workspace's dist/service.js by suffix. Shared by demo/scripts/profile.mjs (the demo's profiles) and
// test/fixtures/compare/gen/generate.mjs (the Compare fixtures).
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The value after `--name` in `args`, else `dflt`. */
export function option(args, name, dflt) {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * Copies `bundle` to `<deployDir>/dist/service.js`, starts serve.mjs on it (cwd = the deployment, a free
 * port on 127.0.0.1, `serveArgs` added) and waits until /healthz answers. `stop()` ends the service and
 * removes the deployment's root (two levels above `deployDir`, e.g. /tmp/profile-lens-demo): left on
 * disk, the profiles' absolute paths would resolve to it (outside the workspace, without the map)
 * instead of to the workspace's dist/. The service is also ended when this process exits or on Ctrl-C.
 */
export async function startDeployedService({ bundle, deployDir, serveArgs = [] }) {
  const root = path.dirname(path.dirname(deployDir));
  rmSync(deployDir, { recursive: true, force: true });
  mkdirSync(path.join(deployDir, 'dist'), { recursive: true });
  const deployed = path.join(deployDir, 'dist/service.js');
  copyFileSync(bundle, deployed);
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(here, 'serve.mjs'), '--bundle', deployed, '--port', String(port), ...serveArgs], {
    cwd: deployDir, stdio: 'inherit', detached: true,
  });
  const kill = () => {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  process.on('exit', kill);
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
  return {
    base,
    async stop() {
      kill();
      await new Promise((r) => setTimeout(r, 300));
      rmSync(root, { recursive: true, force: true });
    },
  };
}
