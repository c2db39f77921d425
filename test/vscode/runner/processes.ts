/**
 * Every process the harness starts is registered here and stopped by its PID (process group:
 * TERM, then KILL after a grace period) on normal exit, on failure, on Ctrl-C and on TERM.
 */
import type { ChildProcess } from 'node:child_process';

type Cleanup = () => Promise<void> | void;
const cleanups = new Set<Cleanup>();
let installed = false;

export function onCleanup(fn: Cleanup): () => void {
  installHandlers();
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

/** Runs every registered cleanup once (latest first). */
export async function cleanupAll(): Promise<void> {
  const fns = [...cleanups].reverse();
  cleanups.clear();
  for (const fn of fns) {
    try {
      await fn();
    } catch (e) {
      console.error('[harness] cleanup failed:', e);
    }
  }
}

function installHandlers(): void {
  if (installed) return;
  installed = true;
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      console.error(`[harness] ${sig}: stopping servers and browsers`);
      void cleanupAll().finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
    });
  }
  // Last resort on a synchronous exit: kill the groups without waiting.
  process.on('exit', () => {
    for (const pid of groups) killGroup(pid, 'SIGKILL');
  });
}

const groups = new Set<number>();

function killGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Tracks a child started with `detached: true` (its own session and process group, like setsid).
 * Returns a stop function: TERM to the group, KILL after `graceMs`.
 */
export function trackGroup(child: ChildProcess, name: string, graceMs = 4000): () => Promise<void> {
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${name}: no pid (spawn failed)`);
  groups.add(pid);
  const stop = async (): Promise<void> => {
    if (!groups.has(pid)) return;
    if (killGroup(pid, 'SIGTERM')) {
      const deadline = Date.now() + graceMs;
      while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      if (alive(pid)) {
        console.error(`[harness] ${name} (pgid ${pid}) ignored TERM; sending KILL`);
        killGroup(pid, 'SIGKILL');
      }
    }
    groups.delete(pid);
  };
  onCleanup(stop);
  return stop;
}
