/**
 * Starts a real VS Code (code-server 4.139.1 on Node 24) on 127.0.0.1 with throwaway state, in its own
 * process group, and builds workbench URLs that load the extension in development mode (and, for the
 * extension test runner, the compiled test index). Flags and pitfalls: /work/shared/notes/vscode-e2e.md.
 */
import { execFile, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../support/freePort';
import { onCleanup, trackGroup } from './processes';
import { CODE_SERVER_ENTRY, NODE24, ROOT, ensureTools } from './tools';

export interface CodeServerOptions {
  /** folder opened by default when the URL has no `folder` */
  workspace?: string;
  /** extra environment for the server (it reaches the extension host) */
  env?: Record<string, string>;
  /** extra user settings (merged over the harness defaults) */
  settings?: Record<string, unknown>;
  /** .vsix files installed with --install-extension before the server starts */
  installVsix?: string[];
  /** honour `payload` (extensionDevelopmentPath, extensionTestsPath, openFile); default true */
  smokeTestDriver?: boolean;
  /** fixed port (default: a free one) */
  port?: number;
  /** keep the temp folder after stop (debugging) */
  keepState?: boolean;
}

export interface CodeServer {
  port: number;
  /** http://127.0.0.1:<port> */
  origin: string;
  pid: number;
  /** temp folder with user-data, extensions, XDG dirs and server.log */
  stateDir: string;
  extensionsDir: string;
  logFile: string;
  stop(): Promise<void>;
}

export const DEFAULT_SETTINGS: Record<string, unknown> = {
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'chat.disableAIFeatures': true,
  'git.enabled': false,
  'window.restoreWindows': 'none',
  'editor.minimap.enabled': false,
};

export { freePort };

function stateEnv(stateDir: string): Record<string, string> {
  return {
    XDG_CONFIG_HOME: path.join(stateDir, 'xdg/config'),
    XDG_DATA_HOME: path.join(stateDir, 'xdg/data'),
    XDG_CACHE_HOME: path.join(stateDir, 'xdg/cache'),
    XDG_RUNTIME_DIR: path.join(stateDir, 'xdg/runtime'),
    EXTENSIONS_GALLERY: '{"serviceUrl":""}',
  };
}

function baseArgs(stateDir: string): string[] {
  return [
    CODE_SERVER_ENTRY,
    '--auth', 'none',
    '--user-data-dir', path.join(stateDir, 'user-data'),
    '--extensions-dir', path.join(stateDir, 'extensions'),
    '--config', path.join(stateDir, 'config.yaml'),
    '--disable-telemetry', '--disable-update-check',
    // PL_WORKSPACE_TRUST=1: keep VS Code's workspace trust on (the workspace then opens in restricted mode)
    ...(process.env.PL_WORKSPACE_TRUST === '1' ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override', '--ignore-last-opened',
  ];
}

/** `code-server --install-extension <vsix>` with the same state dirs; returns its output. */
export async function installExtension(server: Pick<CodeServer, 'stateDir'>, vsix: string): Promise<string> {
  const { stdout, stderr } = await promisify(execFile)(NODE24, [...baseArgs(server.stateDir), '--install-extension', vsix], {
    env: { ...process.env, ...stateEnv(server.stateDir) },
    timeout: 120_000,
  });
  return stdout + stderr;
}

export async function startCodeServer(options: CodeServerOptions = {}): Promise<CodeServer> {
  ensureTools();
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'profile-lens-cs-'));
  const env = stateEnv(stateDir);
  for (const d of Object.values(env).filter((v) => v.startsWith(stateDir))) mkdirSync(d, { recursive: true });
  const userDir = path.join(stateDir, 'user-data/User');
  mkdirSync(userDir, { recursive: true });
  const trust = process.env.PL_WORKSPACE_TRUST === '1' ? { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never' } : {};
  writeFileSync(path.join(userDir, 'settings.json'), JSON.stringify({ ...DEFAULT_SETTINGS, ...trust, ...options.settings }, null, 2));
  writeFileSync(path.join(stateDir, 'config.yaml'), 'auth: none\ncert: false\n');
  const removeState = onCleanup(() => {
    if (!options.keepState) rmSync(stateDir, { recursive: true, force: true });
  });

  const partial = { stateDir };
  for (const vsix of options.installVsix ?? []) {
    const out = await installExtension(partial, vsix);
    if (!/was successfully installed/.test(out)) throw new Error(`--install-extension ${vsix} failed:\n${out}`);
  }

  const port = options.port ?? (await freePort());
  const args = [...baseArgs(stateDir), '--bind-addr', `127.0.0.1:${port}`];
  if (options.smokeTestDriver !== false) args.push('--vscode-option', 'enable-smoke-test-driver');
  if (options.workspace) args.push(options.workspace);
  const logFile = path.join(stateDir, 'server.log');
  const log = createWriteStream(logFile);
  const child = spawn(NODE24, args, {
    cwd: ROOT,
    detached: true, // setsid: own session + process group, stopped as a group
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env, ...options.env },
  });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  const stopGroup = trackGroup(child, 'code-server');
  let exited: number | null = null;
  child.on('exit', (code) => (exited = code ?? -1));

  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited !== null) throw new Error(`code-server exited (${exited}) before it was ready:\n${safeRead(logFile)}`);
    try {
      const res = await fetch(`${origin}/healthz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stopGroup();
      throw new Error(`code-server did not answer /healthz within 60 s:\n${safeRead(logFile)}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  return {
    port,
    origin,
    pid: child.pid!,
    stateDir,
    extensionsDir: path.join(stateDir, 'extensions'),
    logFile,
    stop: async () => {
      await stopGroup();
      log.end();
      removeState();
      if (!options.keepState) rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8').slice(-4000);
  } catch {
    return '(no log)';
  }
}

export interface WorkbenchUrlOptions {
  folder?: string;
  /** load this folder as an extension in development mode (default: the repo root) — false to skip */
  extensionDevelopmentPath?: string | false;
  /** a compiled CommonJS module exporting run(): VS Code's extension test runner */
  extensionTestsPath?: string;
  /** open this file once the workbench is up */
  openFile?: string;
}

/** The workbench URL; `payload` entries are honoured only with `--vscode-option enable-smoke-test-driver`. */
export function workbenchUrl(server: Pick<CodeServer, 'origin' | 'port'>, o: WorkbenchUrlOptions = {}): string {
  const remote = (p: string) => `vscode-remote://127.0.0.1:${server.port}${path.resolve(p)}`;
  const payload: [string, string][] = [];
  const dev = o.extensionDevelopmentPath === undefined ? ROOT : o.extensionDevelopmentPath;
  if (dev) payload.push(['extensionDevelopmentPath', remote(dev)]);
  if (o.extensionTestsPath) payload.push(['extensionTestsPath', remote(o.extensionTestsPath)]);
  if (o.openFile) payload.push(['openFile', remote(o.openFile)]);
  const q = new URLSearchParams();
  if (o.folder) q.set('folder', path.resolve(o.folder));
  if (payload.length) q.set('payload', JSON.stringify(payload));
  const qs = q.toString();
  return `${server.origin}/${qs ? `?${qs}` : ''}`;
}
