/**
 * Read-only documents for sources that exist only as source-map `sourcesContent`
 * (ResolvedFile.onDisk === false): scheme `profile-lens-source:`. They get the same annotations.
 */
import * as vscode from 'vscode';
import { SOURCE_SCHEME } from '../contributions';
import { Disposable } from '../disposable';
import type { InsightsModel } from './insightsModel';

export class SourceContentProvider extends Disposable implements vscode.TextDocumentContentProvider {
  private readonly changeEmitter = this.register(new vscode.EventEmitter<vscode.Uri>());
  readonly onDidChange = this.changeEmitter.event;

  constructor(private readonly model: InsightsModel) {
    super();
    this.register(vscode.workspace.registerTextDocumentContentProvider(SOURCE_SCHEME, this));
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const file = this.model.fileOf(uri);
    const f = file >= 0 ? this.model.profile?.index.files[file] : undefined;
    if (f?.content !== undefined) return f.content;
    return '// Profile Lens: this source came from a source map of a profile that is no longer loaded.\n';
  }
}
