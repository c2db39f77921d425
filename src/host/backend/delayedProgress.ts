/**
 * A progress notification with Cancel that only appears when an operation is still running after
 * `delayMs` (fast fetches do not flash a notification). Cancel calls `abort`.
 */
import * as vscode from 'vscode';

export interface ProgressHandle {
  report(message: string, fraction?: number): void;
  done(): void;
}

export function delayedProgress(title: string, abort: () => void, delayMs = 800): ProgressHandle {
  let finished = false;
  let resolveDone: () => void = () => undefined;
  const donePromise = new Promise<void>((r) => (resolveDone = r));
  let reporter: vscode.Progress<{ message?: string; increment?: number }> | undefined;
  let lastMessage: string | undefined;
  let lastFraction = 0;
  const timer = setTimeout(() => {
    if (finished) return;
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => {
      reporter = progress;
      if (lastMessage) progress.report({ message: lastMessage, increment: lastFraction * 100 });
      const sub = token.onCancellationRequested(() => abort());
      return donePromise.finally(() => sub.dispose());
    });
  }, delayMs);
  return {
    report(message, fraction) {
      lastMessage = message;
      let increment: number | undefined;
      if (fraction !== undefined && fraction > lastFraction) {
        increment = (fraction - lastFraction) * 100;
        lastFraction = fraction;
      }
      reporter?.report({ message, increment });
    },
    done() {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      resolveDone();
    },
  };
}
