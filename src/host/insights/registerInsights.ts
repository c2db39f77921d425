/**
 * Wires the editor insights: model, decorations, CodeLens, hover, hotspots view, status bar,
 * sourcesContent documents, commands, and the test-only accessors (hidden from the palette).
 */
import * as vscode from 'vscode';
import { Commands, SOURCE_SCHEME, Settings, Views, readConfig, registerCommand } from '../contributions';
import { liveDisposables } from '../disposable';
import type { ProfileSession } from '../profileSession';
import type { ComparisonSource } from '../compare/compareController';
import { CostCodeLensProvider } from './codeLens';
import { DecorationController, decorationTypesCreated } from './decorations';
import { CostHoverProvider } from './hover';
import { HotspotsView } from './hotspotsView';
import { InsightsModel } from './insightsModel';
import { openProfileFile, registerProfileCommands } from './profileCommands';
import { SourceContentProvider } from './sourceContent';
import { ProfileStatusBar } from './statusBar';

const SELECTOR: vscode.DocumentSelector = [{ scheme: 'file' }, { scheme: SOURCE_SCHEME }, { scheme: 'vscode-remote' }];

export function registerInsights(context: vscode.ExtensionContext, session: ProfileSession, compare?: ComparisonSource): void {
  const model = new InsightsModel(session, compare);
  const decorations = new DecorationController(model);
  const lenses = new CostCodeLensProvider(model);
  const hover = new CostHoverProvider(model);
  const hotspots = new HotspotsView(model);
  const status = new ProfileStatusBar(model);
  context.subscriptions.push(
    model,
    decorations,
    lenses,
    hover,
    hotspots,
    status,
    new SourceContentProvider(model),
    vscode.languages.registerCodeLensProvider(SELECTOR, lenses),
    vscode.languages.registerHoverProvider(SELECTOR, hover),
    vscode.window.createTreeView(Views.hotspots, { treeDataProvider: hotspots, showCollapseAll: true }),
    ...registerProfileCommands(session, model),
    registerCommand(vscode.commands, Commands.testDecorations, (uri) => {
      const target = uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri;
      if (!target) return undefined;
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === target.toString());
      const lenses2 = doc ? lenses.provideCodeLenses(doc).map((l) => ({ line: l.range.start.line + 1, title: l.command?.title, arguments: l.command?.arguments })) : [];
      return {
        decorations: decorations.appliedTo(target),
        codeLenses: lenses2,
        hovers: doc ? Object.fromEntries(Array.from({ length: doc.lineCount }, (_, i) => [i + 1, hover.markdownAt(doc, new vscode.Position(i, 0))]).filter(([, v]) => v)) : {},
        fileId: model.fileOf(target),
        stale: model.fileOf(target) >= 0 ? model.isStale(model.fileOf(target)) : false,
      };
    }),
    registerCommand(vscode.commands, Commands.testStats, () => ({
      sessionListeners: session.listenerCount,
      liveDisposables: liveDisposables(),
      decorationTypesCreated,
      loaded: !!session.current,
      profileId: session.current?.id,
      engine: session.engineState,
      engineCrashes: session.engineCrashes,
      typeIndex: session.current?.typeIndex,
      annotationsVisible: model.annotationsVisible,
      statusText: status.text,
      hotspots: hotspots.tree,
    })),
  );
  void loadDefaultProfile(session);
  context.subscriptions.push(
    vscode.workspace.onDidChangeWorkspaceFolders(() => void loadDefaultProfile(session)),
  );
}

/** `profileLens.defaultProfile` (workspace-relative) loads when the workspace opens; nothing if unset. */
async function loadDefaultProfile(session: ProfileSession): Promise<void> {
  if (session.current) return;
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    const rel = readConfig(vscode.workspace.getConfiguration(undefined, folder.uri), Settings.defaultProfile).trim();
    if (!rel) continue;
    const uri = /^[a-z][a-z0-9+.-]*:/i.test(rel) || rel.startsWith('/') ? vscode.Uri.file(rel) : vscode.Uri.joinPath(folder.uri, rel);
    await openProfileFile(session, uri);
    return;
  }
}
