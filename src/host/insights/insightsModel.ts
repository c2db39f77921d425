/**
 * The editor's view of the loaded profile, shared by decorations, CodeLens, hovers and the hotspots
 * view: which document is which profile file, the per-file annotations (computed once per
 * profile × sample type × settings, then cached), where annotated lines are now after edits, and
 * whether a file changed on disk after the profile was taken.
 */
import * as vscode from 'vscode';
import { computeDiffFileInsights } from '../../core/compare/diffInsights';
import type { ProfileComparison } from '../../core/compare/compareProfiles';
import { computeFileInsights, resolveTypeNames, type FileInsights, type InsightOptions } from '../../core/insights/fileInsights';
import { thresholdFromPercent } from '../../core/insights/heat';
import { IndexView } from '../../core/insights/indexView';
import { LineMap } from '../../core/insights/lineShift';
import type { Line1, ResolvedFile } from '../../core/model';
import { ContextKeys, SOURCE_SCHEME, Settings, readConfig, setContext } from '../contributions';
import { Disposable } from '../disposable';
import { toLineEdit } from '../positions';
import type { LoadedProfile, ProfileSession } from '../profileSession';
import type { ComparisonSource } from '../compare/compareController';

export interface Display {
  gutter: boolean;
  inline: boolean;
  highlightHottest: boolean;
  codeLens: boolean;
  hover: boolean;
}

interface State {
  profile: LoadedProfile;
  view: IndexView;
  options: InsightOptions;
  /** document key (see docKey) → file id */
  files: Map<string, number>;
  insights: Map<number, FileInsights>;
  /** when the profile was taken, ms since epoch (files modified after it are stale); see takenAtOf */
  takenAt: Promise<number>;
  /** while comparing with a baseline (src/host/compare): annotations show changes instead of costs */
  comparison?: ProfileComparison;
}

/** URI of a profile file: on disk, or the read-only `profile-lens-source:` document for sourcesContent. */
export function uriOfFile(file: ResolvedFile): vscode.Uri {
  if (file.onDisk) return vscode.Uri.file(file.path);
  const key = file.path.replace(/^[a-z][a-z0-9+.-]*:\/+/i, (m) => m.replace(/:\/+$/, '') + '/');
  return vscode.Uri.from({ scheme: SOURCE_SCHEME, path: key.startsWith('/') ? key : `/${key}` });
}

/** Key under which a document is looked up (scheme + path; case as given). */
export function docKey(uri: vscode.Uri): string {
  return `${uri.scheme}:${uri.path}`;
}

export class InsightsModel extends Disposable {
  private readonly changeEmitter = this.register(new vscode.EventEmitter<void>());
  /** Profile, sample type, settings or visibility changed: everything re-reads. */
  readonly onDidChange = this.changeEmitter.event;
  private readonly moveEmitter = this.register(new vscode.EventEmitter<vscode.Uri>());
  /** Annotated lines of a document moved (edits): re-place its annotations. */
  readonly onDidMoveLines = this.moveEmitter.event;

  private state: State | undefined;
  /** bumps on every change; caches key on it */
  generation = 0;
  private visible = true;
  display: Display = readDisplay();
  private readonly lineMaps = new Map<string, LineMap>();
  private readonly edited = new Set<string>();
  private readonly stale = new Map<number, boolean>();

  constructor(
    private readonly session: ProfileSession,
    /** Compare (optional): a baseline turns the annotations into changes */
    private readonly compare?: ComparisonSource,
  ) {
    super();
    this.register(session.onDidChange(() => this.rebuild()));
    if (compare) this.register(compare.onDidChange(() => this.rebuild()));
    this.register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration('profileLens')) return;
        if (e.affectsConfiguration(Settings.pathMappings)) void this.session.reload().catch(() => undefined);
        this.display = readDisplay();
        this.rebuild();
      }),
    );
    this.register(vscode.workspace.onDidChangeTextDocument((e) => this.onEdit(e)));
    this.register(vscode.workspace.onDidSaveTextDocument((d) => this.onSave(d)));
    this.register(
      vscode.workspace.onDidCloseTextDocument((d) => {
        // Re-opened from disk later: positions start from the profile again (the hover says if stale).
        const key = docKey(d.uri);
        this.lineMaps.delete(key);
        this.edited.delete(key);
      }),
    );
    setContext(vscode.commands, ContextKeys.annotationsVisible, true);
    this.rebuild();
  }

  get profile(): LoadedProfile | undefined {
    return this.state?.profile;
  }

  get view(): IndexView | undefined {
    return this.state?.view;
  }

  get options(): InsightOptions | undefined {
    return this.state?.options;
  }

  /** the comparison shown (undefined when not comparing) */
  get comparison(): ProfileComparison | undefined {
    return this.state?.comparison;
  }

  /** label of the baseline being compared with */
  get baselineLabel(): string | undefined {
    return this.state?.comparison ? this.compare?.baseline?.source.label : undefined;
  }

  get annotationsVisible(): boolean {
    return this.visible;
  }

  setVisible(visible: boolean): void {
    if (visible === this.visible) return;
    this.visible = visible;
    setContext(vscode.commands, ContextKeys.annotationsVisible, visible);
    this.generation++;
    this.changeEmitter.fire();
  }

  /** File id of a document in the loaded profile, -1 when it has no cost. */
  fileOf(uri: vscode.Uri): number {
    return this.state?.files.get(docKey(uri)) ?? -1;
  }

  uriOf(file: number): vscode.Uri | undefined {
    const f = this.state?.profile.index.files[file];
    return f ? uriOfFile(f) : undefined;
  }

  /** Annotations of a file (computed on first use per profile/type/settings). */
  insightsFor(file: number): FileInsights | undefined {
    const s = this.state;
    if (!s || file < 0 || file >= s.profile.index.files.length) return undefined;
    let fi = s.insights.get(file);
    if (!fi) {
      fi = s.comparison ? computeDiffFileInsights(s.view, file, s.options, s.comparison) : computeFileInsights(s.view, file, s.options);
      s.insights.set(file, fi);
      void this.checkStale(file);
    }
    return fi;
  }

  /** Where the annotated lines of a document are now (created on first use, follows edits). */
  lineMapFor(uri: vscode.Uri, file: number): LineMap | undefined {
    const key = docKey(uri);
    let map = this.lineMaps.get(key);
    if (!map) {
      const s = this.state;
      if (!s) return undefined;
      const [start, end] = s.view.lineRows(file);
      const lines: number[] = [];
      for (let r = start; r < end; r++) lines.push(s.profile.index.lines.line[r]);
      for (const fn of s.view.functionsOf(file)) lines.push(s.profile.index.functions.startLine[fn]);
      map = new LineMap(lines);
      this.lineMaps.set(key, map);
      const doc = vscode.workspace.textDocuments.find((d) => docKey(d.uri) === key);
      if (doc) map.setText(1, doc.lineCount, (l) => doc.lineAt(l - 1).text);
    }
    return map;
  }

  /** Current line of a profile line in a document (0 when its content was deleted). */
  currentLine(uri: vscode.Uri, file: number, line: Line1): Line1 {
    const map = this.lineMaps.get(docKey(uri));
    if (!map) return line;
    const now = map.currentOf(line);
    return now || (map.original.includes(line) ? 0 : line);
  }

  /** Profile line shown at a document's current line (0: none known). */
  originalLine(uri: vscode.Uri, file: number, current: Line1): Line1 {
    const map = this.lineMapFor(uri, file);
    return map ? map.originalAt(current) : current;
  }

  /** The document has unsaved edits that moved (or may have moved) its annotations. */
  isEdited(uri: vscode.Uri): boolean {
    const key = docKey(uri);
    if (!this.edited.has(key)) return false;
    return vscode.workspace.textDocuments.some((d) => docKey(d.uri) === key && d.isDirty);
  }

  /** The file on disk changed after the profile was taken (known once its annotations were computed). */
  isStale(file: number): boolean {
    return this.stale.get(file) === true;
  }

  private async checkStale(file: number): Promise<void> {
    const s = this.state;
    const f = s?.profile.index.files[file];
    if (!s || !f?.onDisk) return;
    try {
      const stat = await vscode.workspace.fs.stat(vscode.Uri.file(f.path));
      const takenAt = await s.takenAt;
      if (this.state === s) this.stale.set(file, stat.mtime > takenAt);
    } catch {
      // gone from disk: leave as is
    }
  }

  private onSave(doc: vscode.TextDocument): void {
    const file = this.fileOf(doc.uri);
    if (file >= 0) this.stale.set(file, true);
    this.edited.delete(docKey(doc.uri));
  }

  private onEdit(e: vscode.TextDocumentChangeEvent): void {
    if (e.contentChanges.length === 0) return;
    const key = docKey(e.document.uri);
    const map = this.lineMaps.get(key);
    if (!map) return;
    const doc = e.document;
    const moved = map.apply(e.contentChanges.map(toLineEdit));
    // Keep the text of annotated lines current (it lets lines inside a replaced block be found again):
    // typing touches one line per change; anything that moved lines refreshes them all (O(annotated lines)).
    const text = (l: number) => (l >= 1 && l <= doc.lineCount ? doc.lineAt(l - 1).text : undefined);
    const multiLine = e.contentChanges.some((c) => c.range.start.line !== c.range.end.line || /[\r\n]/.test(c.text));
    if (moved || multiLine) map.setText(1, doc.lineCount, text);
    else for (const c of e.contentChanges) map.setText(c.range.start.line + 1, c.range.start.line + 1, text);
    // (isDirty may not be updated yet when this event arrives: isEdited() checks it when asked)
    this.edited.add(key);
    if (moved) this.moveEmitter.fire(e.document.uri);
  }

  private rebuild(): void {
    const profile = this.session.current;
    this.generation++;
    if (profile?.index !== this.state?.profile.index) {
      // Positions and staleness belong to one index; a sample type or settings change keeps them.
      this.lineMaps.clear();
      this.edited.clear();
      this.stale.clear();
    }
    if (!profile) {
      this.state = undefined;
      setContext(vscode.commands, ContextKeys.loaded, false);
      setContext(vscode.commands, ContextKeys.multipleSampleTypes, false);
      setContext(vscode.commands, ContextKeys.hasUnresolved, false);
      this.changeEmitter.fire();
      return;
    }
    const index = profile.index;
    const config = vscode.workspace.getConfiguration();
    const view = this.state?.view.index === index ? this.state.view : new IndexView(index);
    const files = new Map<string, number>();
    index.files.forEach((f, i) => files.set(docKey(uriOfFile(f)), i));
    const options: InsightOptions = {
      typeIndex: profile.typeIndex,
      extraTypes: resolveTypeNames(index.sampleTypes, readConfig(config, Settings.sampleTypes)),
      threshold: thresholdFromPercent(readConfig(config, Settings.threshold)),
      lineCost: readConfig(config, Settings.lineCost) === 'self' ? 'self' : 'total',
    };
    const takenAt = this.state?.profile.index === index ? this.state.takenAt : takenAtOf(profile);
    const comparison = this.compare?.comparisonFor(profile, Math.max(options.threshold, 0.005));
    this.state = { profile, view, options, files, insights: new Map(), takenAt, comparison };
    setContext(vscode.commands, ContextKeys.loaded, true);
    setContext(vscode.commands, ContextKeys.multipleSampleTypes, index.sampleTypes.length > 1);
    setContext(vscode.commands, ContextKeys.hasUnresolved, index.unresolved.length > 0);
    this.changeEmitter.fire();
  }
}

/** Leeway for files written together with the profile (a checkout or copy sets them all "now"). */
const SAME_TIME_MS = 120_000;

/**
 * When the profile was taken, for staleness: a profile file's own modification time (written when it
 * was taken; a fresh checkout gives sources and profile the same time, hence the leeway), else the
 * time it was fetched/loaded (backends fetch the latest window). The profile's internal timestamp is
 * not used: sources checked out after a week-old profile would all read as stale.
 */
async function takenAtOf(profile: LoadedProfile): Promise<number> {
  const uri = profile.source.kind === 'file' || profile.source.kind === 'demo' ? profile.source.uri : undefined;
  if (uri) {
    try {
      const stat = await vscode.workspace.fs.stat(vscode.Uri.parse(uri));
      return stat.mtime + SAME_TIME_MS;
    } catch {
      // fall through
    }
  }
  return profile.loadedAt;
}

function readDisplay(): Display {
  const c = vscode.workspace.getConfiguration();
  return {
    gutter: readConfig(c, Settings.gutter),
    inline: readConfig(c, Settings.inline),
    highlightHottest: readConfig(c, Settings.highlightHottest),
    codeLens: readConfig(c, Settings.codeLens),
    hover: readConfig(c, Settings.hover),
  };
}
