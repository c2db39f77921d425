import * as vscode from 'vscode';
import { createWorkerEngine, type WorkerEngine } from '../core/worker/workerEngine';
import { registerBackend } from './backend/backendController';
import { CompareController } from './compare/compareController';
import { Commands, registerCommand } from './contributions';
import { CorrelateController } from './correlate/correlateController';
import { registerFlameGraph } from './flameGraph/flameGraphPanel';
import { registerInsights } from './insights/registerInsights';
import { readLoadOptions } from './loadOptions';
import { ProfileSession } from './profileSession';

/** Wires every feature controller. Each `register…` returns nothing and pushes into context.subscriptions. */
export function activateHost(context: vscode.ExtensionContext): void {
  // The one session every feature reads; the engine worker starts on the first load.
  const session = new ProfileSession(() => createWorkerEngine(context.asAbsolutePath('dist/engineWorker.js')), readLoadOptions);
  context.subscriptions.push(session);
  // Feature controllers are registered here (insights, flame graph, backends, …).
  // Compare: a baseline beside the current profile; the insights and the flame graph show changes
  const compare = new CompareController(session);
  context.subscriptions.push(compare);
  registerInsights(context, session, compare);
  const backend = registerBackend(context, session);
  compare.useBackend(backend);
  // Correlate: the profile of one span / trace (a selection of the session's profile, or a server span query)
  const correlate = new CorrelateController(session);
  context.subscriptions.push(correlate);
  correlate.useBackend(backend);
  registerFlameGraph(context, session, compare);
  // test hook: the worker dies as in a crash; the next request starts a new one (test/vscode/suite/hostile.test.ts)
  context.subscriptions.push(
    registerCommand(vscode.commands, Commands.testCrashEngine, async (options?: unknown) => {
      // { alsoNextLoads: n }: the worker also dies during the next n loads (the restore after the crash);
      // { now: false }: only then
      const o = (options ?? {}) as { alsoNextLoads?: unknown; now?: unknown };
      await (session.engine as Partial<WorkerEngine>).crashForTest?.({ alsoNextLoads: typeof o.alsoNextLoads === 'number' ? o.alsoNextLoads : 0, now: o.now !== false });
    }),
  );
}
