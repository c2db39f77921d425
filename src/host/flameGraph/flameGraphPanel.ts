/**
 * The flame graph panel controller: `profileLens.showFlameGraph [{ functionId?, baseId? }]`.
 * One panel at a time. The page says `ready`, then gets the tree of the current profile from the
 * engine; it asks for new trees when its options change, opens sources, saves exports. Moving the
 * editor cursor into a function highlights that function's frames. While a Correlate selection is
 * shown (one span's or trace's samples) the panel's title and the page's header say so, with a way back.
 */
import * as vscode from 'vscode';
import type { FlameTreeOptions } from '../../core/engine';
import type { LoadedProfile, ProfileSession } from '../profileSession';
import type { ComparisonSource } from '../compare/compareController';
import type { FromWebview, ToWebview, TreeOptions } from '../../shared/protocol';
import { Commands, Settings, readConfig, registerCommand } from '../contributions';
import { docKey, uriOfFile } from '../insights/insightsModel';
import { selectionTitle } from '../../shared/selectionText';
import { selectionNames, summarizeSelection } from '../correlate/selectionSummary';
import { Disposable, DisposableStore } from '../disposable';
import { lineStart, toLine1 } from '../positions';
import { flameGraphHtml, makeNonce } from './flameGraphHtml';
import { NODE_BUDGET_DEFAULT, clampNodeBudget, sanitizeOptions, toWireTree } from './wireTree';

/** Default of the most nodes sent to the page (setting `profileLens.flameGraph.nodeBudget`); the engine folds the negligible tail into "other" nodes. */
export const NODE_BUDGET = NODE_BUDGET_DEFAULT;

/** The node budget the user set (`profileLens.flameGraph.nodeBudget`), within its bounds. */
export function readNodeBudget(): number {
  return clampNodeBudget(readConfig(vscode.workspace.getConfiguration(), Settings.flameGraphNodeBudget));
}
const VIEW_TYPE = 'profileLens.flameGraph';
const TITLE = 'Flame Graph';

/** The panel's title: "Flame Graph", or "Flame Graph — span 00f067aa…" while a selection is shown. */
export function flameGraphTitle(p: LoadedProfile | undefined): string {
  return p?.selection ? `${TITLE} — ${p.selection.label}` : TITLE;
}

export interface ShowFlameGraphArgs {
  /** ProfileIndex.functions id: open the sandwich view of this function */
  functionId?: number;
  /** engine handle of a loaded baseline: show a diff flame graph (current vs baseline) */
  baseId?: number;
}

export function registerFlameGraph(context: vscode.ExtensionContext, session: ProfileSession, compare?: ComparisonSource): void {
  context.subscriptions.push(new FlameGraphController(context.extensionUri, session, compare));
}

export class FlameGraphController extends Disposable {
  private panel: vscode.WebviewPanel | undefined;
  /** what belongs to the open panel (cleared when it closes) */
  private readonly panelStore = new DisposableStore();
  private pageReady = false;
  private options: TreeOptions | undefined;
  private baseId: number | undefined;
  private pendingFocus: number | undefined;
  private requestSeq = 0;
  private profileKey = '';
  private lastHighlight = '';
  private cursorTimer: ReturnType<typeof setTimeout> | undefined;
  /** per file id: functions sorted by start line, for cursor → function */
  private functionsByFile: Map<number, { start: number; fn: number }[]> | undefined;
  private fileIdsByKey: Map<string, number> | undefined;
  /** the last tree sent, reused while profile and options are the same */
  private lastTree: { key: string; message: ToWebview } | undefined;
  /** for tests: the last draw the page reported */
  lastDraw: { ms: number; rects: number; selection?: string } | undefined;
  /** for tests: what the last tree sent held, and the last status message posted */
  private lastSent: { profileId: number; nodes: number; merged: { nodes: number; weight: number }; budget: number; at: number } | undefined;
  private lastStatus: { kind: string; message: string } | undefined;
  private lastDrawAt = 0;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly session: ProfileSession,
    /** Compare (optional): while a baseline is loaded the panel shows the diff tree */
    private readonly compare?: ComparisonSource,
  ) {
    super();
    if (compare) this.register(compare.onDidChange(() => { if (this.panel && this.pageReady) void this.sendTree(); }));
    this.register(this.panelStore);
    this.register(registerCommand(vscode.commands, Commands.showFlameGraph, (args) => this.show(args)));
    this.register(session.onDidChange((p) => this.onProfileChanged(p)));
    // the engine worker died: the session loads the profile again (a new id: onProfileChanged asks for
    // the tree again), or says it could not
    this.register(session.onDidChangeEngineState(() => {
      const status = this.engineStatus();
      if (status && this.panel && this.pageReady) this.post(status);
    }));
    this.register(vscode.window.onDidChangeTextEditorSelection((e) => this.onCursor(e.textEditor)));
    this.register(vscode.window.onDidChangeActiveTextEditor((e) => e && this.onCursor(e)));
    // a new node budget rebuilds the open graph (the cached tree was built with the old one)
    this.register(vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration(Settings.flameGraphNodeBudget)) return;
      this.lastTree = undefined;
      if (this.panel && this.pageReady) void this.sendTree();
    }));
    this.register(registerCommand(vscode.commands, Commands.testFlameGraph, () => ({
      open: !!this.panel,
      ready: this.pageReady,
      lastSent: this.lastSent,
      lastStatus: this.lastStatus,
      lastDraw: this.lastDraw,
      title: this.panel?.title,
      selection: this.lastTree?.message.type === 'tree' ? this.lastTree.message.selection : undefined,
      drawnAt: this.lastDrawAt,
      currentId: this.session.current?.id,
    })));
  }

  override dispose(): void {
    clearTimeout(this.cursorTimer);
    this.panel?.dispose();
    super.dispose();
  }

  async show(args?: unknown): Promise<void> {
    const a = (args && typeof args === 'object' ? args : {}) as ShowFlameGraphArgs;
    // a baseline turns diff colours on; the plain command (palette, menus: no argument) turns them off
    const baseId = typeof a.baseId === 'number' ? a.baseId : args === undefined ? undefined : this.baseId;
    const baseChanged = baseId !== this.baseId;
    this.baseId = baseId;
    const current = this.session.current;
    if (typeof a.functionId === 'number' && current && a.functionId >= 0 && a.functionId < current.index.functions.count) {
      this.pendingFocus = a.functionId;
    }
    if (this.panel) {
      this.panel.reveal(undefined, false);
      if (this.pageReady && baseChanged) await this.sendTree();
      if (this.pageReady) await this.flushFocus();
      return;
    }
    this.openPanel();
  }

  private openPanel(): void {
    const roots = [vscode.Uri.joinPath(this.extensionUri, 'dist'), vscode.Uri.joinPath(this.extensionUri, 'media')];
    const panel = vscode.window.createWebviewPanel(VIEW_TYPE, flameGraphTitle(this.session.current), { viewColumn: vscode.ViewColumn.Active, preserveFocus: false }, {
      enableScripts: true,
      localResourceRoots: roots,
      retainContextWhenHidden: false,
      enableFindWidget: false,
    });
    this.panel = panel;
    this.pageReady = false;
    const webview = panel.webview;
    webview.html = flameGraphHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview', 'flameGraph.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'flameGraph.css')).toString(),
      nonce: makeNonce(),
    });
    this.panelStore.add(webview.onDidReceiveMessage((m: FromWebview) => void this.onMessage(m)));
    // hidden panels lose their page (no retainContextWhenHidden); the page restores its own state
    // with getState and says `ready` again when shown
    this.panelStore.add(panel.onDidChangeViewState(() => { if (!panel.visible) this.pageReady = false; }));
    this.panelStore.add(panel.onDidDispose(() => {
      this.panel = undefined;
      this.pageReady = false;
      this.lastTree = undefined;
      this.panelStore.clear();
    }));
  }

  /** What the page shows while the engine is restored after a crash, or after it could not be. */
  private engineStatus(): ToWebview | undefined {
    const state = this.session.engineState;
    if (state.kind === 'restoring') return { type: 'status', kind: 'loading', message: `The profile engine restarted (${state.reason}); loading ${state.label} again…` };
    if (state.kind === 'lost') return { type: 'status', kind: 'error', message: state.message.replace(/^Profile Lens: t/, 'T') };
    return undefined;
  }

  private post(m: ToWebview): void {
    if (m.type === 'status') this.lastStatus = { kind: m.kind, message: m.message };
    void this.panel?.webview.postMessage(m);
  }

  private async onMessage(m: FromWebview): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.pageReady = true;
        this.lastHighlight = '';
        await this.sendTree();
        await this.flushFocus();
        if (vscode.window.activeTextEditor) this.onCursor(vscode.window.activeTextEditor, true);
        break;
      case 'setOptions':
        this.options = sanitizeOptions(m.options, this.session.current);
        await this.sendTree();
        break;
      case 'openSource':
        await this.openSource(m.file, m.line);
        break;
      case 'export':
        await this.saveExport(m.format, m.data, m.suggestedName);
        break;
      case 'pageError':
        console.error('[profile-lens] flame graph page:', m.message);
        break;
      case 'showWholeProfile':
        await vscode.commands.executeCommand(Commands.showWholeProfile);
        break;
      case 'drawn':
        this.lastDraw = { ms: m.ms, rects: m.rects, selection: m.selection };
        this.lastDrawAt = Date.now();
        break;
    }
  }

  private onProfileChanged(p: LoadedProfile | undefined): void {
    this.functionsByFile = undefined;
    this.fileIdsByKey = undefined;
    this.lastTree = undefined;
    if (p && this.options && this.options.typeIndex !== p.typeIndex) this.options = { ...this.options, typeIndex: p.typeIndex };
    if (!p) this.baseId = undefined;
    if (this.panel) this.panel.title = flameGraphTitle(p);
    if (this.panel && this.pageReady) void this.sendTree();
  }

  private async sendTree(): Promise<void> {
    const current = this.session.current;
    if (!current) {
      this.post({ type: 'status', kind: 'empty', message: 'No profile loaded. Run "Profile Lens: Open Profile File…" or connect to Pyroscope.' });
      return;
    }
    const options = this.options ?? { mergeBy: 'function', inverted: false, typeIndex: current.typeIndex };
    this.options = options;
    const seq = ++this.requestSeq;
    const nodeBudget = readNodeBudget();
    const request: FlameTreeOptions = { typeIndex: options.typeIndex, mergeBy: options.mergeBy, inverted: options.inverted, nodeBudget };
    const baseId = this.baseId ?? this.compare?.baseline?.id;
    if (baseId !== undefined) request.baseId = baseId;
    // a page shown again (hidden panels lose their page) gets the same tree without asking the engine
    const cacheKey = `${current.id}:${current.loadedAt}:${baseId ?? ''}:${options.typeIndex}:${options.mergeBy}:${options.inverted}:${nodeBudget}`;
    if (this.lastTree?.key === cacheKey) {
      this.post(this.lastTree.message);
      return;
    }
    this.post({ type: 'status', kind: 'loading', message: 'Building the call tree…' });
    try {
      // a selection's span names are read once (from its own samples) beside the tree
      const [tree, names] = await Promise.all([this.session.engine.flameTree(current.id, request), selectionNames(this.session.engine, current)]);
      if (seq !== this.requestSeq || this.session.current !== current || !this.panel) return;
      const files = current.index.files;
      const wire = toWireTree(tree, (path) => {
        const f = files.find((x) => x.path === path);
        return f && !f.onDisk ? f.profilePath || path : vscode.workspace.asRelativePath(path, false);
      });
      this.profileKey = `${current.id}:${baseId ?? ''}`;
      const selection = summarizeSelection(current, options.typeIndex, names);
      const label = baseId !== undefined
        ? `${current.source.label} vs ${this.compare?.baseline?.id === baseId ? this.compare.baseline.source.label : 'baseline'}`
        : selection ? `${current.source.label} · ${selectionTitle(selection)}` : current.source.label;
      const message: ToWebview = { type: 'tree', tree: wire, options, sampleTypes: current.index.sampleTypes, label, profileKey: this.profileKey };
      if (selection) message.selection = selection;
      this.lastTree = { key: cacheKey, message };
      this.lastSent = { profileId: current.id, nodes: wire.count, merged: { ...tree.merged }, budget: nodeBudget, at: Date.now() };
      this.post(message);
    } catch (e) {
      if (seq !== this.requestSeq) return;
      // the engine died under this request: the session's restore brings a new tree, or its message
      const engine = this.engineStatus();
      if (engine) {
        this.post(engine);
        return;
      }
      if (this.baseId !== undefined && e instanceof Error && (e as { code?: string }).code === 'unknown-profile') {
        // the baseline was released (e.g. its diff closed): show the profile on its own
        this.baseId = undefined;
        await this.sendTree();
        return;
      }
      // the page keeps its last good tree and shows the message
      this.post({ type: 'status', kind: 'error', message: `Could not build the flame graph: ${e instanceof Error ? e.message : String(e)}` });
    }
  }

  private async flushFocus(): Promise<void> {
    const fn = this.pendingFocus;
    const current = this.session.current;
    if (fn === undefined || !current) return;
    this.pendingFocus = undefined;
    const f = current.index.functions;
    this.post({ type: 'focusFunction', name: current.index.strings[f.name[fn]], file: f.file[fn] });
  }

  /** Opens a frame's source: on disk, or (sourcesContent only) read-only through the source scheme. */
  private async openSource(fileId: number, line: number): Promise<void> {
    const current = this.session.current;
    const file = current?.index.files[fileId];
    if (!current || !file) return;
    try {
      let doc: vscode.TextDocument;
      if (file.onDisk) doc = await vscode.workspace.openTextDocument(uriOfFile(file));
      else {
        try {
          // the read-only `profile-lens-source:` document of the editor insights
          doc = await vscode.workspace.openTextDocument(uriOfFile(file));
        } catch {
          // no provider for the scheme: an untitled copy of the source text
          doc = await vscode.workspace.openTextDocument({ content: file.content ?? '', language: languageOf(file.path) });
        }
      }
      const target = line > 0 ? line : this.functionStart(fileId) ?? 1;
      const pos = lineStart(target);
      const column = this.sourceColumn();
      await vscode.window.showTextDocument(doc, { viewColumn: column, selection: new vscode.Range(pos, pos), preserveFocus: false, preview: true });
    } catch (e) {
      void vscode.window.showErrorMessage(`Profile Lens: could not open ${file.path}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private functionStart(fileId: number): number | undefined {
    const list = this.functionList().get(fileId);
    return list?.[0]?.start;
  }

  /** A column other than the panel's: an editor already visible there, else beside the panel. */
  private sourceColumn(): vscode.ViewColumn {
    const mine = this.panel?.viewColumn;
    const other = vscode.window.visibleTextEditors.find((e) => e.viewColumn !== undefined && e.viewColumn !== mine);
    return other?.viewColumn ?? vscode.ViewColumn.Beside;
  }

  /** document key (as the editor insights compute it) → file id of the current profile */
  private fileIds(): Map<string, number> {
    if (this.fileIdsByKey) return this.fileIdsByKey;
    const map = new Map<string, number>();
    this.session.current?.index.files.forEach((f, i) => map.set(docKey(uriOfFile(f)), i));
    this.fileIdsByKey = map;
    return map;
  }

  private functionList(): Map<number, { start: number; fn: number }[]> {
    if (this.functionsByFile) return this.functionsByFile;
    const map = new Map<number, { start: number; fn: number }[]>();
    const f = this.session.current?.index.functions;
    if (f) {
      for (let i = 0; i < f.count; i++) {
        if (f.file[i] < 0 || f.startLine[i] <= 0) continue;
        let list = map.get(f.file[i]);
        if (!list) map.set(f.file[i], (list = []));
        list.push({ start: f.startLine[i], fn: i });
      }
      for (const list of map.values()) list.sort((a, b) => a.start - b.start);
    }
    this.functionsByFile = map;
    return map;
  }

  /** The editor cursor moved: highlight the frames of the function it is in (debounced). */
  private onCursor(editor: vscode.TextEditor, now = false): void {
    if (!this.panel?.visible || !this.pageReady) return;
    clearTimeout(this.cursorTimer);
    const run = () => {
      const current = this.session.current;
      if (!current) return;
      const fileId = this.fileIds().get(docKey(editor.document.uri)) ?? -1;
      let msg: ToWebview = { type: 'highlight' };
      if (fileId >= 0) {
        const line = toLine1(editor.selection.active);
        const list = this.functionList().get(fileId) ?? [];
        let best: { start: number; fn: number } | undefined;
        for (const item of list) { if (item.start <= line) best = item; else break; }
        if (best) msg = { type: 'highlight', name: current.index.strings[current.index.functions.name[best.fn]], file: fileId };
      }
      const key = JSON.stringify(msg);
      if (key === this.lastHighlight) return;
      this.lastHighlight = key;
      this.post(msg);
    };
    if (now) run();
    else this.cursorTimer = setTimeout(run, 150);
  }

  private async saveExport(format: 'svg' | 'png', data: string, suggestedName: string): Promise<void> {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const safe = suggestedName.replace(/[^A-Za-z0-9._-]+/g, '_') || `flamegraph.${format}`;
    const target = await vscode.window.showSaveDialog({
      defaultUri: folder ? vscode.Uri.joinPath(folder, safe) : undefined,
      filters: format === 'svg' ? { 'SVG image': ['svg'] } : { 'PNG image': ['png'] },
      saveLabel: 'Export',
    });
    if (!target) return;
    let bytes: Uint8Array;
    if (format === 'svg') bytes = new TextEncoder().encode(data);
    else {
      const m = /^data:image\/png;base64,([A-Za-z0-9+/=]+)$/.exec(data);
      if (!m) { void vscode.window.showErrorMessage('Profile Lens: the PNG export was empty.'); return; }
      bytes = Buffer.from(m[1], 'base64');
    }
    await vscode.workspace.fs.writeFile(target, bytes);
    void vscode.window.showInformationMessage(`Profile Lens: flame graph saved to ${vscode.workspace.asRelativePath(target)}`);
  }
}

function languageOf(path: string): string {
  const ext = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
  return ({ ts: 'typescript', tsx: 'typescriptreact', js: 'javascript', mjs: 'javascript', cjs: 'javascript', jsx: 'javascriptreact', go: 'go', py: 'python' } as Record<string, string>)[ext] ?? 'plaintext';
}
