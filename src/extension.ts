/**
 * Extension entry point. Activation stays cheap: controllers register their commands, views and
 * providers here; the engine worker starts only when the first profile is loaded.
 * One controller per feature (see src/host/README.md); each owns its disposables.
 */
import type * as vscode from 'vscode';

/** What activate() returns: read by the VS Code suites (activation time, target ≤ 50 ms). */
export interface ProfileLensApi {
  readonly activationMs: number;
}

export async function activate(context: vscode.ExtensionContext): Promise<ProfileLensApi> {
  const started = Date.now();
  const host = await import('./host/activate');
  host.activateHost(context, started);
  return {
    get activationMs() {
      return host.activationMs;
    },
  };
}

export function deactivate(): void {
  // Controllers are disposed through context.subscriptions.
}
