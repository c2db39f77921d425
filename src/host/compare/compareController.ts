/**
 * Compare: a baseline profile held beside the current one ("what changed after the deploy").
 * The baseline is loaded into the session's engine (so the flame graph can build a diff tree with
 * `baseId`); the comparison itself (core/compare) is computed from the two indexes on demand, once per
 * (current index, sample type, threshold), and read by the editor insights through `ComparisonSource`.
 * Clearing the comparison, or the current profile, releases the baseline.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { compareProfiles, type ProfileComparison } from '../../core/compare/compareProfiles';
import type { ProfileIndex } from '../../core/model';
import { Commands, ContextKeys, registerCommand, setContext } from '../contributions';
import { Disposable } from '../disposable';
import { loadErrorMessage } from '../insights/profileCommands';
import { readLoadOptions } from '../loadOptions';
import type { LoadedProfile, ProfileSession, ProfileSource } from '../profileSession';

export interface Baseline {
  /** engine handle (FlameTreeOptions.baseId) */
  id: number;
  index: ProfileIndex;
  source: ProfileSource;
  /** window length when known better than the profile says (Pyroscope queries) */
  durationNanos?: number;
}

/** What the insights read while comparing. */
export interface ComparisonSource {
  readonly baseline: Baseline | undefined;
  /** the comparison of `profile` (as shown: its sample type) with the baseline; undefined when not comparing or not comparable */
  comparisonFor(profile: LoadedProfile, minDeltaShare: number): ProfileComparison | undefined;
  /** fires when a comparison starts or ends */
  readonly onDidChange: vscode.Event<void>;
}

const PROFILE_FILTERS = {
  'Profiles (pprof, V8, collapsed)': ['gz', 'pb', 'pprof', 'prof', 'cpuprofile', 'heapprofile', 'json', 'txt', 'folded', 'collapsed'],
  'All files': ['*'],
};

export class CompareController extends Disposable implements ComparisonSource {
  private readonly changeEmitter = this.register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.changeEmitter.event;
  private current: Baseline | undefined;
  private memo: { index: ProfileIndex; typeIndex: number; min: number; baseId: number; result: ProfileComparison | undefined } | undefined;
  /** last "not comparable" message shown, so a refresh does not repeat it */
  private warned = '';
  private loadSeq = 0;
  private readonly item = this.register(vscode.window.createStatusBarItem('profileLens.compare', vscode.StatusBarAlignment.Left, 48));

  constructor(private readonly session: ProfileSession) {
    super();
    this.register(session.onDidChange((p) => {
      if (!p && this.current) this.clear();
    }));
    this.register(registerCommand(vscode.commands, Commands.compareWithFile, (uri) => this.compareWithFile(uri)));
    this.register(registerCommand(vscode.commands, Commands.clearComparison, () => this.clear()));
    this.register(registerCommand(vscode.commands, Commands.testCompare, () => this.testState()));
    this.register({ dispose: () => this.release() });
    this.item.name = 'Profile Lens: Compare';
    this.item.command = Commands.clearComparison;
    setContext(vscode.commands, ContextKeys.comparing, false);
  }

  /** Status bar: `$(diff) vs baseline.pb.gz` while comparing; click clears. */
  private render(): void {
    const b = this.current;
    if (!b) {
      this.item.hide();
      return;
    }
    this.item.text = `$(diff) vs ${b.source.label}`;
    this.item.tooltip = `Profile Lens: annotations and the flame graph show changes against ${b.source.detail ?? b.source.label}. Click to clear the comparison.`;
    this.item.show();
  }

  get baseline(): Baseline | undefined {
    return this.current;
  }

  comparisonFor(profile: LoadedProfile, minDeltaShare: number): ProfileComparison | undefined {
    const b = this.current;
    if (!b) return undefined;
    const m = this.memo;
    if (m && m.index === profile.index && m.typeIndex === profile.typeIndex && m.min === minDeltaShare && m.baseId === b.id) return m.result;
    let result: ProfileComparison | undefined;
    try {
      result = compareProfiles(b.index, profile.index, { typeIndex: profile.typeIndex, minDeltaShare, baseDurationNanos: b.durationNanos });
    } catch (e) {
      const msg = `Profile Lens: cannot compare ${profile.source.label} with the baseline ${b.source.label}: ${e instanceof Error ? e.message : String(e)}`;
      if (msg !== this.warned) void vscode.window.showWarningMessage(msg);
      this.warned = msg;
    }
    this.memo = { index: profile.index, typeIndex: profile.typeIndex, min: minDeltaShare, baseId: b.id, result };
    return result;
  }

  /** "Compare with Profile File…": baseline = a file, current = the loaded profile. */
  async compareWithFile(uri?: unknown): Promise<boolean> {
    if (!this.session.current) {
      void vscode.window.showWarningMessage('Profile Lens: load a profile first (Open Profile File… or Pyroscope); it is compared with the file you pick.');
      return false;
    }
    let target = uri instanceof vscode.Uri ? uri : typeof uri === 'string' ? vscode.Uri.file(uri) : undefined;
    if (!target) {
      const picked = await vscode.window.showOpenDialog({
        canSelectMany: false,
        openLabel: 'Use as Baseline',
        title: `Baseline to compare ${this.session.current.source.label} with (e.g. a profile from before the deploy)`,
        filters: PROFILE_FILTERS,
        defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
      });
      target = picked?.[0];
    }
    if (!target) return false;
    const name = path.basename(target.path);
    try {
      const bytes = await vscode.workspace.fs.readFile(target);
      const source: ProfileSource = { kind: 'file', label: name, detail: target.scheme === 'file' ? target.fsPath : target.toString(), uri: target.toString() };
      return await this.setBaseline(bytes, source);
    } catch (e) {
      void vscode.window.showErrorMessage(loadErrorMessage(name, e, false).replace(/\s*$/, '') + (this.current ? ' The previous comparison is kept.' : ''));
      return false;
    }
  }

  /**
   * Loads `bytes` as the baseline (in the session's engine, with the same load options as the
   * current profile) and starts comparing. Throws EngineError on bad input; the previous baseline stays.
   */
  async setBaseline(bytes: Uint8Array, source: ProfileSource, durationNanos?: number): Promise<boolean> {
    const seq = ++this.loadSeq;
    const options = await readLoadOptions();
    const pathMappings = source.pathMappings?.length ? [...options.pathMappings, ...source.pathMappings] : options.pathMappings;
    const engine = this.session.engine;
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: `Profile Lens: loading the baseline ${source.label}` },
      () => engine.load(new Uint8Array(bytes), { ...options, pathMappings, sourceName: source.label }),
    );
    if (seq !== this.loadSeq || !this.session.current) {
      void engine.release(result.id);
      return false;
    }
    this.release();
    this.current = { id: result.id, index: result.index, source, durationNanos };
    this.memo = undefined;
    this.warned = '';
    setContext(vscode.commands, ContextKeys.comparing, true);
    this.render();
    this.changeEmitter.fire();
    // probe comparability now, so an incompatible baseline says so right away
    const p = this.session.current;
    if (p) this.comparisonFor(p, 0.01);
    return true;
  }

  clear(): void {
    this.loadSeq++;
    if (!this.current) return;
    this.release();
    setContext(vscode.commands, ContextKeys.comparing, false);
    this.render();
    this.changeEmitter.fire();
  }

  private release(): void {
    const b = this.current;
    this.current = undefined;
    this.memo = undefined;
    if (b) void this.session.engine.release(b.id).catch(() => undefined);
  }

  /** test accessor: the comparison, and the diff tree the flame graph would get (same engine, `baseId`) */
  private async testState(): Promise<unknown> {
    const b = this.current;
    const p = this.session.current;
    const cmp = p ? this.comparisonFor(p, 0.01) : undefined;
    let diffTree: { nodes: number; hasBase: boolean; functions: { name: string; total: number; baseTotal: number }[] } | undefined;
    if (b && p) {
      const tree = await this.session.engine.flameTree(p.id, { typeIndex: p.typeIndex, mergeBy: 'function', nodeBudget: 5000, baseId: b.id });
      const byName = new Map<string, { name: string; total: number; baseTotal: number }>();
      for (let i = 1; i < tree.count; i++) {
        const name = tree.strings[tree.name[i]];
        const e = byName.get(name) ?? { name, total: 0, baseTotal: 0 };
        e.total += tree.self[i];
        e.baseTotal += tree.baseSelf?.[i] ?? 0;
        byName.set(name, e);
      }
      diffTree = { nodes: tree.count, hasBase: !!tree.baseTotal, functions: [...byName.values()] };
    }
    return {
      diffTree,
      comparing: !!b,
      baselineId: b?.id,
      baselineLabel: b?.source.label,
      scale: cmp?.scale,
      scaleReason: cmp?.scaleReason,
      functions: cmp?.functions.filter((f) => f.fn >= 0 && f.total.significant).map((f) => ({ name: f.name, change: f.total.change, selfChange: f.self.change })),
    };
  }
}
