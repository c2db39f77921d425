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
import type { BackendQuery } from '../backend/backendController';
import { formatMatcher } from '../../core/backend/labelSelector';
import { windowLabel } from '../../core/backend/timeWindow';

export interface Baseline {
  /** engine handle (FlameTreeOptions.baseId) */
  id: number;
  index: ProfileIndex;
  source: ProfileSource;
  /** window lengths when known better than the profiles say (Pyroscope queries) */
  durationNanos?: number;
  currentDurationNanos?: number;
}

/** What Compare needs of the backend controller (src/host/backend): the followed query and one-off fetches. */
export interface CompareBackend {
  readonly followed: { query: BackendQuery; start: number; end: number } | undefined;
  fetchOnce(q: BackendQuery, title: string): Promise<{ bytes: Uint8Array; source: ProfileSource; start: number; end: number }>;
  labelsOf(q: BackendQuery, name?: string): Promise<string[]>;
}

const HOUR = 3_600_000;
/** Shifts offered by Compare with Earlier Window (0 = the window just before). */
export const EARLIER_SHIFTS: readonly { label: string; detail: string; shiftMs: number }[] = [
  { label: 'Previous window', detail: 'the same length, just before the current one', shiftMs: 0 },
  { label: '24 hours earlier', detail: 'the same window, one day before', shiftMs: 24 * HOUR },
  { label: '7 days earlier', detail: 'the same window, one week before', shiftMs: 7 * 24 * HOUR },
];

/** The baseline window: the followed range moved back by `shiftMs` (0: by its own length). */
export function shiftedRange(start: number, end: number, shiftMs: number): { start: number; end: number } {
  const by = shiftMs > 0 ? shiftMs : end - start;
  return { start: start - by, end: end - by };
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
  private backend: CompareBackend | undefined;
  /** what the baseline was made from, to load it again after the engine worker died (its id died with it) */
  private input: { bytes: Uint8Array; source: ProfileSource; durationNanos?: number; currentDurationNanos?: number; crashes: number } | undefined;
  private readonly item = this.register(vscode.window.createStatusBarItem('profileLens.compare', vscode.StatusBarAlignment.Left, 48));

  constructor(private readonly session: ProfileSession) {
    super();
    this.register(session.onDidChange((p) => {
      if (!p && this.current) this.clear();
      // the engine worker died since the baseline was loaded, and the session has a profile again
      else if (p && this.current && this.input && this.input.crashes !== session.engineCrashes) void this.restoreBaseline();
    }));
    this.register(registerCommand(vscode.commands, Commands.compareWithFile, (uri) => this.compareWithFile(uri)));
    this.register(registerCommand(vscode.commands, Commands.compareEarlierWindow, (shift) => this.compareWithEarlierWindow(shift)));
    this.register(registerCommand(vscode.commands, Commands.compareLabelValues, (label, baseline, current) => this.compareLabelValues(label, baseline, current)));
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

  /** The backend controller, for the Pyroscope comparisons (set at activation). */
  useBackend(backend: CompareBackend): void {
    this.backend = backend;
  }

  /**
   * "Compare with Earlier Window…": the followed Pyroscope query over an earlier range of the same
   * length (previous window, 24 h or 7 d earlier) becomes the baseline. `shiftMs` skips the pick.
   */
  async compareWithEarlierWindow(shiftMs?: unknown): Promise<boolean> {
    const f = this.followedOrExplain();
    if (!f) return false;
    let shift = typeof shiftMs === 'number' && shiftMs >= 0 ? shiftMs : undefined;
    if (shift === undefined) {
      const pick = await vscode.window.showQuickPick(EARLIER_SHIFTS.map((x) => ({ ...x, description: describeRange(shiftedRange(f.start, f.end, x.shiftMs)) })), {
        title: `Compare ${f.query.service} (${windowLabel(f.query.window)}) with…`,
      });
      if (!pick) return false;
      shift = pick.shiftMs;
    }
    const range = shiftedRange(f.start, f.end, shift);
    const q: BackendQuery = { ...f.query, window: { kind: 'range', start: range.start, end: range.end } };
    const lengthNanos = (f.end - f.start) * 1e6;
    return this.fetchBaseline(q, `Profile Lens: fetching the baseline ${describeRange(range)}`, lengthNanos, lengthNanos);
  }

  /**
   * "Compare Label Values…": two values of one label (e.g. service_git_ref, version) of the followed
   * query: A becomes the baseline, B the current profile (a snapshot; following stops).
   */
  async compareLabelValues(label?: unknown, baselineValue?: unknown, currentValue?: unknown): Promise<boolean> {
    const f = this.followedOrExplain();
    const backend = this.backend;
    if (!f || !backend) return false;
    try {
      let name = typeof label === 'string' && label ? label : undefined;
      if (!name) {
        const names = await backend.labelsOf(f.query);
        if (names.length === 0) {
          void vscode.window.showWarningMessage(`Profile Lens: ${f.query.service} has no labels to compare in ${windowLabel(f.query.window)}.`);
          return false;
        }
        // deployments first: git refs and versions are what "after the deploy" is about
        const rank = (n: string) => (/git_ref|commit|version|release|deploy/i.test(n) ? 0 : 1);
        const pick = await vscode.window.showQuickPick(names.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b)).map((n) => ({ label: n })), { title: 'Compare values of label' });
        if (!pick) return false;
        name = pick.label;
      }
      let a = typeof baselineValue === 'string' ? baselineValue : undefined;
      let b = typeof currentValue === 'string' ? currentValue : undefined;
      if (a === undefined || b === undefined) {
        const values = await backend.labelsOf(f.query, name);
        if (values.length < 2) {
          void vscode.window.showWarningMessage(`Profile Lens: label ${name} has ${values.length === 0 ? 'no values' : 'only one value'} in ${windowLabel(f.query.window)}; nothing to compare.`);
          return false;
        }
        a ??= (await vscode.window.showQuickPick(values, { title: `${name}: baseline (before)` })) ?? undefined;
        if (a === undefined) return false;
        b ??= (await vscode.window.showQuickPick(values.filter((v) => v !== a), { title: `${name}: compare with (after)` })) ?? undefined;
        if (b === undefined) return false;
      }
      const base = { ...f.query, filters: [...f.query.filters.filter((m) => m.name !== name), { name, op: '=' as const, value: a }] };
      const cur = { ...f.query, filters: [...f.query.filters.filter((m) => m.name !== name), { name, op: '=' as const, value: b }] };
      const fa = await backend.fetchOnce(base, `Profile Lens: fetching ${name}=${a}`);
      const fb = await backend.fetchOnce(cur, `Profile Lens: fetching ${name}=${b}`);
      await this.session.load(fb.bytes, fb.source);
      return await this.setBaseline(fa.bytes, fa.source, (fa.end - fa.start) * 1e6, (fb.end - fb.start) * 1e6);
    } catch (e) {
      void vscode.window.showErrorMessage(`Profile Lens: could not compare label values: ${e instanceof Error ? e.message : String(e)}`);
      return false;
    }
  }

  /**
   * A span/trace selection is shown: a comparison would set the selection's few samples against a
   * whole baseline (or the followed query's whole window) and read as a huge change, so it is
   * refused with what to do instead.
   */
  private selectionExplained(): boolean {
    const sel = this.session.current?.selection;
    if (!sel) return false;
    void vscode.window.showWarningMessage(`Profile Lens: ${sel.label} is shown, only its samples. Comparing it with a whole profile would show its missing samples as changes: run Profile Lens: Show Whole Profile first, then compare.`);
    return true;
  }

  private followedOrExplain(): { query: BackendQuery; start: number; end: number } | undefined {
    if (this.selectionExplained()) return undefined;
    const f = this.backend?.followed;
    if (!f) {
      void vscode.window.showWarningMessage('Profile Lens: this compares a Pyroscope query with itself elsewhere; connect to Pyroscope first (Profile Lens: Connect to Pyroscope…). For files use Compare with Profile File….');
    }
    return f;
  }

  private async fetchBaseline(q: BackendQuery, title: string, durationNanos: number, currentDurationNanos: number): Promise<boolean> {
    try {
      const r = await this.backend!.fetchOnce(q, title);
      return await this.setBaseline(r.bytes, { ...r.source, label: `${q.service} · ${[...q.filters.map(formatMatcher), describeRange(q.window.kind === 'range' ? q.window : { start: r.start, end: r.end })].join(' · ')}` }, durationNanos, currentDurationNanos);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      const empty = /empty|no samples|no data/i.test(msg) ? ' The service may not have sent profiles then.' : '';
      void vscode.window.showErrorMessage(`Profile Lens: could not load the baseline: ${msg}${empty}${this.current ? ' The previous comparison is kept.' : ''}`);
      return false;
    }
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
      // the current window's length holds only while the current profile is the one compared at the start
      const currentDurationNanos = b.currentDurationNanos && profile.source.kind === 'pyroscope' ? b.currentDurationNanos : undefined;
      result = compareProfiles(b.index, profile.index, { typeIndex: profile.typeIndex, minDeltaShare, baseDurationNanos: b.durationNanos, currentDurationNanos });
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
    if (this.selectionExplained()) return false;
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
  async setBaseline(bytes: Uint8Array, source: ProfileSource, durationNanos?: number, currentDurationNanos?: number): Promise<boolean> {
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
    this.current = { id: result.id, index: result.index, source, durationNanos, currentDurationNanos };
    this.input = { bytes, source, durationNanos, currentDurationNanos, crashes: this.session.engineCrashes };
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

  /** Loads the baseline again into the restarted engine; the comparison stays meanwhile (it needs only the indexes). */
  private async restoreBaseline(): Promise<void> {
    const input = this.input;
    if (!input) return;
    input.crashes = this.session.engineCrashes; // once per crash
    try {
      await this.setBaseline(input.bytes, input.source, input.durationNanos, input.currentDurationNanos);
    } catch (e) {
      void vscode.window.showWarningMessage(`Profile Lens: the baseline ${input.source.label} could not be loaded again after the profile engine restarted: ${e instanceof Error ? e.message : String(e)}. The diff flame graph needs it: compare again.`);
    }
  }

  private release(): void {
    const b = this.current;
    this.current = undefined;
    this.input = undefined;
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
    // functions with any cost in the baseline (of the shown type, by name): what "new" must mean
    let baselineFunctions: string[] | undefined;
    if (b && p) {
      const F = b.index.functions;
      const T = b.index.sampleTypes.length;
      const bt = b.index.sampleTypes.findIndex((t) => t.type === p.index.sampleTypes[p.typeIndex]?.type);
      baselineFunctions = [];
      if (bt >= 0) for (let f = 0; f < F.count; f++) if (F.total[f * T + bt] > 0) baselineFunctions.push(b.index.strings[F.name[f]]);
    }
    return {
      diffTree,
      baselineFunctions,
      comparing: !!b,
      baselineId: b?.id,
      baselineLabel: b?.source.label,
      scale: cmp?.scale,
      scaleReason: cmp?.scaleReason,
      functions: cmp?.functions.filter((f) => f.total.significant || f.self.significant).map((f) => ({ name: f.name, change: f.total.change, selfChange: f.self.change, current: f.fn >= 0 })),
    };
  }
}

/** `2026-11-25 10:00 → 11:00 UTC` */
function describeRange(r: { start: number; end: number }): string {
  const a = new Date(r.start).toISOString();
  const b = new Date(r.end).toISOString();
  const day = a.slice(0, 10) === b.slice(0, 10);
  return `${a.slice(0, 10)} ${a.slice(11, 16)} → ${day ? '' : `${b.slice(0, 10)} `}${b.slice(11, 16)} UTC`;
}
