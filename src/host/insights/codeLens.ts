/**
 * CodeLens above each function with cost: `CPU 8.2% (self 1.1%) · alloc 12 MB`; click → the flame
 * graph focused on the function. Reads the cached per-file insights; no work per keystroke beyond
 * a lookup.
 */
import * as vscode from 'vscode';
import { literalIcons } from '../../core/format';
import { Commands } from '../contributions';
import { Disposable } from '../disposable';
import { lineRange } from '../positions';
import type { InsightsModel } from './insightsModel';

export class CostCodeLensProvider extends Disposable implements vscode.CodeLensProvider {
  private readonly changeEmitter = this.register(new vscode.EventEmitter<void>());
  readonly onDidChangeCodeLenses = this.changeEmitter.event;

  constructor(private readonly model: InsightsModel) {
    super();
    this.register(model.onDidChange(() => this.changeEmitter.fire()));
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const m = this.model;
    if (!m.profile || !m.annotationsVisible || !m.display.codeLens) return [];
    const file = m.fileOf(doc.uri);
    const insights = m.insightsFor(file);
    if (!insights) return [];
    const name = (fn: number) => m.view?.name(fn) ?? '';
    const out: vscode.CodeLens[] = [];
    for (const f of insights.functions) {
      const line = m.currentLine(doc.uri, file, f.line);
      if (line <= 0 || line > doc.lineCount) continue;
      out.push(
        new vscode.CodeLens(lineRange(line), {
          title: `$(flame) ${literalIcons(f.title)}`,
          tooltip: `Open the flame graph focused on ${name(f.fn)}`,
          command: Commands.showFlameGraph,
          arguments: [{ functionId: f.fn }],
        }),
      );
    }
    return out;
  }
}
