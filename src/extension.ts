/**
 * Extension entry point. Activation stays cheap: controllers register their commands, views and
 * providers here; the engine worker starts only when the first profile is loaded.
 * One controller per feature (see src/host/README.md); each owns its disposables.
 */
import type * as vscode from 'vscode';

/** What activate() returns: read by the VS Code suites (activation cost, target ≤ 50 ms of CPU). */
export interface ProfileLensApi {
  /** wall time of activate() (module evaluation + wiring); grows with machine load */
  readonly activationMs: number;
  /**
   * CPU time the extension-host thread spent in activate() (process.threadCpuUsage, Node ≥ 23.9; else
   * process.cpuUsage, which also counts the host's other threads). Activation is synchronous after the
   * module import, so this is its own cost, not the time other processes held the core.
   */
  readonly activationCpuMs: number;
  /** which counter activationCpuMs came from */
  readonly activationCpuClock: 'thread' | 'process';
}

type CpuUsage = () => { user: number; system: number };
const threadCpu = (process as { threadCpuUsage?: CpuUsage }).threadCpuUsage;
const cpuClock: ProfileLensApi['activationCpuClock'] = threadCpu ? 'thread' : 'process';
const cpuNowMs = (): number => {
  const u = threadCpu ? threadCpu.call(process) : process.cpuUsage();
  return (u.user + u.system) / 1000;
};

export async function activate(context: vscode.ExtensionContext): Promise<ProfileLensApi> {
  const started = performance.now();
  const cpuStarted = cpuNowMs();
  // Evaluates the host modules (one bundle; esbuild defers their top-level code to this import).
  const host = await import('./host/activate');
  host.activateHost(context);
  const activationMs = Math.round((performance.now() - started) * 10) / 10;
  const activationCpuMs = Math.round((cpuNowMs() - cpuStarted) * 10) / 10;
  return { activationMs, activationCpuMs, activationCpuClock: cpuClock };
}

export function deactivate(): void {
  // Controllers are disposed through context.subscriptions.
}
