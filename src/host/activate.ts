import * as vscode from 'vscode';
import { createWorkerEngine } from '../core/worker/workerEngine';
import { registerBackend } from './backend/backendController';
import { registerFlameGraph } from './flameGraph/flameGraphPanel';
import { registerInsights } from './insights/registerInsights';
import { readLoadOptions } from './loadOptions';
import { ProfileSession } from './profileSession';

/** Wires every feature controller. Each `register…` returns nothing and pushes into context.subscriptions. */
export function activateHost(context: vscode.ExtensionContext, started: number): void {
  // The one session every feature reads; the engine worker starts on the first load.
  const session = new ProfileSession(() => createWorkerEngine(context.asAbsolutePath('dist/engineWorker.js')), readLoadOptions);
  context.subscriptions.push(session);
  // Feature controllers are registered here (insights, flame graph, backends, …).
  registerInsights(context, session);
  registerBackend(context, session);
  registerFlameGraph(context, session);
  activationMs = Date.now() - started;
  void context;
}

/** Measured by the VS Code suite (target ≤ 50 ms). */
export let activationMs = -1;
