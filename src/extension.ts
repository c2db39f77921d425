/**
 * Extension entry point. Activation stays cheap: controllers register their commands, views and
 * providers here; the engine worker starts only when the first profile is loaded.
 * One controller per feature (see src/host/README.md); each owns its disposables.
 */
import type * as vscode from 'vscode';

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const started = Date.now();
  const { activateHost } = await import('./host/activate');
  activateHost(context, started);
}

export function deactivate(): void {
  // Controllers are disposed through context.subscriptions.
}
