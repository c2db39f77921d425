// HTTP routes and the bounded self-load shared by the Node test services.
import type * as http from 'node:http';
import { buildAllocReport, slowPrimeCount } from './hotPath';

/** Runs a handler's work with the endpoint name, e.g. to attach profiling labels. */
export type Wrap = (labels: Record<string, string>, fn: () => void) => void;

const noWrap: Wrap = (_labels, fn) => fn();

/** /slow → slowPrimeCount, /alloc → buildAllocReport, /health; returns false for other paths. */
export function handleWork(req: http.IncomingMessage, res: http.ServerResponse, wrap: Wrap = noWrap): boolean {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const param = (name: string, def: number): number => {
    const v = Number(url.searchParams.get(name));
    return Number.isInteger(v) && v > 0 && v <= 10_000_000 ? v : def;
  };
  if (url.pathname === '/slow') {
    const n = param('n', 40000);
    wrap({ endpoint: '/slow' }, () => {
      res.end(`primes below ${n}: ${slowPrimeCount(n)}\n`);
    });
  } else if (url.pathname === '/alloc') {
    const rows = param('rows', 2000);
    wrap({ endpoint: '/alloc' }, () => {
      res.end(`rows: ${buildAllocReport(rows)}\n`);
    });
  } else if (url.pathname === '/health') {
    res.end('ok\n');
  } else {
    return false;
  }
  return true;
}

/** Sends at most `requests` requests to base (alternating /slow and /alloc) until the deadline. */
export async function driveLoad(base: string, requests: number, durationMs: number, pauseMs: number): Promise<number> {
  const deadline = Date.now() + durationMs;
  let ok = 0;
  for (let i = 0; i < requests && Date.now() < deadline; i++) {
    const res = await fetch(base + (i % 2 === 0 ? '/slow' : '/alloc'), { signal: AbortSignal.timeout(10000) });
    await res.text();
    if (res.ok) {
      ok++;
    }
    if (pauseMs > 0) {
      await new Promise((r) => setTimeout(r, pauseMs));
    }
  }
  return ok;
}

/** A non-negative number from the environment, or the default. */
export function envNumber(env: NodeJS.ProcessEnv, name: string, def: number): number {
  const v = Number(env[name]);
  return env[name] !== undefined && Number.isFinite(v) && v >= 0 ? v : def;
}
