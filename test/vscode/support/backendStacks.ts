/**
 * The real backends the backend suites talk to, started from inside the extension host:
 * test/e2e/backend/liveStack.ts (a Pyroscope server fed by the @pyroscope/nodejs agent; `--pprof` adds a
 * Go net/http/pprof service) and pprofStack.ts (the Go service alone). Plus what those suites share:
 * the agent's wall profile type, the user's checkout of the agent's sources, and "opening a file stops
 * following".
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { PyroscopeClient } from '../../../src/core/backend/pyroscopeClient';
import { REPO_ROOT, waitFor, workspaceRoot } from './extension';
import { backendState, openProfile, type BackendState } from './testState';

/** Sources of the Node agent the live stack runs (the paths its profiles name). */
export const AGENT_SRC = path.join(REPO_ROOT, 'test/pyroscope/agents/node/src');
export const AGENT_SERVICE = 'profile-lens-node-demo';

export interface Stack<T> {
  /** what the stack printed after `READY ` (JSON) */
  ready: T;
  /** Date.now() when it was ready */
  readyAt: number;
  /** SIGTERM, then waits for it to exit (it stops what it started) */
  stop(): Promise<void>;
}

/**
 * Starts `test/e2e/backend/<script>` with `args` under the repository's Node (on PATH, not the extension
 * host's runtime: the agents load native addons) and waits for its `READY {json}` line; fails with the
 * end of its output when it exits first or `timeoutMs` passes.
 */
export async function startStack<T>(script: 'liveStack.ts' | 'pprofStack.ts', args: string[], what: string, timeoutMs: number): Promise<Stack<T>> {
  const tsx = path.join(REPO_ROOT, 'node_modules/tsx/dist/cli.mjs');
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE;
  const child = spawn('node', [tsx, path.join(REPO_ROOT, 'test/e2e/backend', script), ...args], { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'], env });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };
  try {
    const ready = await waitFor(what, () => {
      if (child.exitCode !== null) throw new Error(`${script} exited ${child.exitCode}:\n${out.slice(-3000)}`);
      return /READY (\{.*\})/.exec(out)?.[1];
    }, timeoutMs, 250);
    return { ready: JSON.parse(ready) as T, readyAt: Date.now(), stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** The wall-time profile type (`wall:wall:…`) the Node agent pushes to the server at `url`. */
export async function agentWallType(url: string): Promise<string> {
  const services = await new PyroscopeClient({ connection: { name: 'probe', url, auth: 'none' } }).services({ kind: 'last', ms: 3_600_000 });
  const wall = services.find((s) => s.name === AGENT_SERVICE)?.profileTypes.find((t) => t.startsWith('wall:wall:')) ?? '';
  assert.ok(wall, JSON.stringify(services));
  return wall;
}

/**
 * The user's checkout of the service: the agent's sources copied into the workspace, mapped
 * (`profileLens.pathMappings`, workspace settings) from the paths the agent reports. Returns the copy.
 */
export async function checkOutAgentSources(): Promise<string> {
  const copy = path.join(workspaceRoot(), 'pyroscope-agent');
  cpSync(AGENT_SRC, copy, { recursive: true });
  await vscode.workspace.getConfiguration().update('profileLens.pathMappings', [{ from: AGENT_SRC, to: copy }], vscode.ConfigurationTarget.Workspace);
  return copy;
}

/**
 * Opens `file` (Open Profile File) while a query is followed: following stops within `detachMs`, and
 * no fetch happens in the `quietMs` after. Returns the backend state once detached.
 */
export async function openFileStopsFollowing(file: string, detachMs: number, quietMs: number): Promise<BackendState> {
  const r = await openProfile(file);
  assert.equal(r.ok, true, r.error);
  const s = await waitFor('detached', async () => {
    const b = await backendState();
    return b.following ? undefined : b;
  }, detachMs, 100);
  const count = s.fetchCount;
  await new Promise((r2) => setTimeout(r2, quietMs));
  assert.equal((await backendState()).fetchCount, count, 'no more fetches once detached');
  return s;
}
