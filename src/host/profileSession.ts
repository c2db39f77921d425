/**
 * The one place that holds "the profile currently shown". Every feature controller (insights,
 * hotspots, status bar, flame graph, backends) reads `current` and listens to `onDidChange`.
 * Loading runs in the engine worker; a failed load leaves the last good profile in place.
 */
import * as vscode from 'vscode';
import type { Engine, LoadOptions, PathMapping, SampleSelection } from '../core/engine';
import type { ProfileIndex } from '../core/model';
import type { WorkerEngine } from '../core/worker/workerEngine';
import { Commands } from './contributions';
import { LoadArbiter, type LoadTicket } from './loadArbiter';

export type ProfileSourceKind = 'file' | 'pyroscope' | 'pprof-url' | 'demo';

export interface ProfileSource {
  kind: ProfileSourceKind;
  /** short text for the status bar, e.g. "cpu.pb.gz" or "api · cpu · last 1h" */
  label: string;
  /** longer text for tooltips */
  detail?: string;
  service?: string;
  profileType?: string;
  window?: string;
  /** a file's URI, when loaded from a file */
  uri?: string;
  /** the profile may be truncated by the server: share of the total in "other" */
  truncatedShare?: number;
  /**
   * path mappings the source itself brings (e.g. Pyroscope's `service_root_path` label → the workspace
   * folder), added to the user's `profileLens.pathMappings` (the longest matching prefix wins)
   */
  pathMappings?: PathMapping[];
}

export interface LoadedProfile {
  /** engine handle */
  id: number;
  source: ProfileSource;
  index: ProfileIndex;
  /** the sample type shown (index into index.sampleTypes) */
  typeIndex: number;
  /** Date.now() when it was loaded */
  loadedAt: number;
  /**
   * Correlate: this is only the part of `selection.whole` whose samples carry the selected labels
   * (a span, a trace); `whole` stays loaded in the engine until the selection ends.
   */
  selection?: ActiveSelection;
}

export interface ActiveSelection {
  /** what was asked, e.g. span_id = [7f3a…] */
  selection: SampleSelection;
  /** short text, e.g. "span 7f3a…" */
  label: string;
  /** the whole profile the selection was made from (its own engine handle) */
  whole: LoadedProfile;
  /** from the server (e.g. a Pyroscope span query) rather than by the engine from `whole` */
  fromServer?: boolean;
}

/** A place in line taken before a load's bytes are read (see `reserve()`). Calling it: is it still the newest request? */
export interface Reservation {
  (): boolean;
  /** the request ends without a load (the read failed, or it was superseded); idempotent */
  release(): void;
}

export interface LoadRequest {
  /**
   * A load nobody asked for just now (a followed query's refresh): it never replaces a load the user
   * asked for, whether that one started earlier or finishes later.
   */
  background?: boolean;
  /** the place in line `reserve()` gave before the bytes were read */
  reservation?: Reservation;
}

/** The engine worker as the user should hear of it. */
export type EngineState =
  | { kind: 'ok' }
  /** the worker died; the profile shown is being loaded again into a new one */
  | { kind: 'restoring'; reason: string; label: string }
  /** it died again (or the restore failed): the editor keeps its annotations; the flame graph and comparisons need a new load */
  | { kind: 'lost'; reason: string; label: string; message: string };

export class ProfileSession implements vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<LoadedProfile | undefined>();
  private listeners = 0;
  /** Fires after a profile is loaded, replaced, cleared, or its sample type changes. */
  readonly onDidChange: vscode.Event<LoadedProfile | undefined> = (listener, thisArgs, disposables) => {
    const inner = this.changeEmitter.event(listener, thisArgs);
    this.listeners++;
    let done = false;
    const d = {
      dispose: () => {
        if (done) return;
        done = true;
        this.listeners--;
        inner.dispose();
      },
    };
    if (Array.isArray(disposables)) disposables.push(d);
    return d;
  };
  private loaded: LoadedProfile | undefined;
  private engineInstance: Engine | undefined;
  /** which load's result is shown: the newest, and the user's over a background one (loadArbiter.ts) */
  private readonly arbiter = new LoadArbiter<ProfileSource>();
  private readonly reservations = new WeakMap<Reservation, LoadTicket<ProfileSource>>();
  private readonly engineStateEmitter = new vscode.EventEmitter<EngineState>();
  /** Fires when the engine worker died and what is shown is restored, or could not be. */
  readonly onDidChangeEngineState: vscode.Event<EngineState> = this.engineStateEmitter.event;
  private engineStatus: EngineState = { kind: 'ok' };
  /** the profile shown when the engine worker died (its engine id died with the worker) */
  private staleProfile: LoadedProfile | undefined;
  private crashReason = '';
  private crashes = 0;
  /** a restore succeeded since the last other load: the next crash is not retried */
  private restoreUsed = false;
  private restoring = false;
  private crashSubscription: { dispose(): void } | undefined;
  private disposed = false;
  /** bytes and source of the current profile, so a settings change (path mappings) can re-load it */
  private lastInput: { bytes: Uint8Array; source: ProfileSource } | undefined;

  constructor(
    private readonly createEngine: () => Engine,
    private readonly loadOptions: () => Promise<LoadOptions>,
  ) {}

  /** Live `onDidChange` subscriptions (the VS Code suite checks they do not grow). */
  get listenerCount(): number {
    return this.listeners;
  }

  get current(): LoadedProfile | undefined {
    return this.loaded;
  }

  /**
   * The source of the newest load still running, from the moment its bytes are asked for (a file being
   * read counts; undefined when none): a background refresh checks it so it never supersedes a profile
   * the user just asked for.
   */
  get loadingSource(): ProfileSource | undefined {
    return this.arbiter.pendingSource;
  }

  /** The engine starts on first use, not at activation. */
  get engine(): Engine {
    if (!this.engineInstance) {
      const engine = this.createEngine();
      this.engineInstance = engine;
      // the worker engine says when its worker died: what is shown is then loaded again (restoreIfIdle)
      this.crashSubscription = (engine as Partial<WorkerEngine>).onCrash?.((reason) => this.onEngineCrash(reason));
    }
    return this.engineInstance;
  }

  /** How many times the engine worker died: ids loaded before a crash are gone (Compare restores its baseline). */
  get engineCrashes(): number {
    return this.crashes;
  }

  /** The engine worker's state (restoring after a crash, or lost after a second one). */
  get engineState(): EngineState {
    return this.engineStatus;
  }

  /** Sequence number of the newest request (load, reserve, clear): a result is shown only while it is unchanged. */
  private get loadSeq(): number {
    return this.arbiter.latest;
  }

  /**
   * Decodes and indexes `bytes` in the worker and makes it current. Throws (EngineError) on bad input;
   * then the previous profile stays current. A newer load supersedes an older one still running, and a
   * `background` one never supersedes one the user asked for (it returns undefined: dropped).
   */
  async load(bytes: Uint8Array, source: ProfileSource, request: LoadRequest = {}): Promise<LoadedProfile | undefined> {
    return this.loadAs(bytes, source, request, false);
  }

  private async loadAs(bytes: Uint8Array, source: ProfileSource, request: LoadRequest, restore: boolean): Promise<LoadedProfile | undefined> {
    const reserved = request.reservation ? this.reservations.get(request.reservation) : undefined;
    if (request.reservation && (!reserved || !this.arbiter.isLatest(reserved))) return undefined;
    const ticket = reserved ?? this.arbiter.begin(request.background ? 'background' : 'explicit', source);
    if (!ticket) return undefined; // the user's own load is pending: it wins
    try {
      const loaded = await this.loadNow(bytes, source, ticket.seq);
      if (loaded) {
        if (!restore) this.restoreUsed = false;
        this.staleProfile = undefined;
        this.setEngineState({ kind: 'ok' });
      }
      return loaded;
    } finally {
      this.arbiter.end(ticket);
      this.afterLoadSettled();
    }
  }

  private async loadNow(bytes: Uint8Array, source: ProfileSource, seq: number): Promise<LoadedProfile | undefined> {
    const options = await this.loadOptions();
    const pathMappings = source.pathMappings?.length ? [...options.pathMappings, ...source.pathMappings] : options.pathMappings;
    // The worker engine transfers (detaches) the buffer it gets: give it a copy with its own ArrayBuffer
    // (a Node Buffer's slice() is a view, often into a shared pool), keep `bytes` for reload().
    const result = await this.engine.load(new Uint8Array(bytes), { ...options, pathMappings, sourceName: source.label });
    if (seq !== this.loadSeq) {
      void this.engine.release(result.id);
      return undefined;
    }
    const previous = this.loaded;
    const keepType = previous && result.index.sampleTypes[previous.typeIndex]?.type === previous.index.sampleTypes[previous.typeIndex]?.type;
    this.loaded = {
      id: result.id,
      source,
      index: result.index,
      typeIndex: keepType ? previous!.typeIndex : result.index.defaultType,
      loadedAt: Date.now(),
    };
    this.lastInput = { bytes, source };
    if (previous) this.releaseShown(previous);
    this.changeEmitter.fire(this.loaded);
    return this.loaded;
  }

  /** Releases a profile that stops being shown, and the whole profile behind it when it was a selection. */
  private releaseShown(p: LoadedProfile): void {
    void this.engine.release(p.id);
    if (p.selection) void this.engine.release(p.selection.whole.id);
  }

  /**
   * Correlate: shows only the samples of the whole profile that carry `selection`'s labels (replacing
   * any earlier selection of the same profile). Throws (EngineError 'no-match', …) and keeps the view
   * when nothing matches. Undefined when nothing is loaded or a newer load came first.
   */
  async select(selection: SampleSelection, label: string): Promise<LoadedProfile | undefined> {
    const shown = this.loaded;
    if (!shown) return undefined;
    const whole = shown.selection?.whole ?? shown;
    const seq = this.loadSeq;
    const result = await this.engine.select(whole.id, selection);
    if (seq !== this.loadSeq || this.loaded !== shown) {
      void this.engine.release(result.id);
      return undefined;
    }
    return this.showSelection({ id: result.id, index: result.index }, { selection, label, whole: { ...whole, typeIndex: shown.typeIndex } });
  }

  /**
   * Correlate with a profile a server computed for the selection (e.g. Pyroscope's span profile):
   * loads `bytes` beside the whole profile, which stays for "back to the whole profile".
   */
  async loadSelection(bytes: Uint8Array, selection: SampleSelection, label: string): Promise<LoadedProfile | undefined> {
    const shown = this.loaded;
    if (!shown) return undefined;
    const whole = shown.selection?.whole ?? shown;
    const seq = this.loadSeq;
    const options = await this.loadOptions();
    const pathMappings = whole.source.pathMappings?.length ? [...options.pathMappings, ...whole.source.pathMappings] : options.pathMappings;
    const result = await this.engine.load(new Uint8Array(bytes), { ...options, pathMappings, sourceName: `${whole.source.label} · ${label}` });
    if (seq !== this.loadSeq || this.loaded !== shown) {
      void this.engine.release(result.id);
      return undefined;
    }
    return this.showSelection({ id: result.id, index: result.index }, { selection, label, whole: { ...whole, typeIndex: shown.typeIndex }, fromServer: true });
  }

  private showSelection(result: { id: number; index: ProfileIndex }, active: ActiveSelection): LoadedProfile {
    const previous = this.loaded!;
    const type = previous.index.sampleTypes[previous.typeIndex]?.type;
    const typeIndex = result.index.sampleTypes.findIndex((t) => t.type === type);
    this.loaded = {
      id: result.id,
      source: active.whole.source,
      index: result.index,
      typeIndex: typeIndex >= 0 ? typeIndex : result.index.defaultType,
      loadedAt: active.whole.loadedAt,
      selection: active,
    };
    // an earlier selection goes; the whole profile stays
    if (previous.selection) void this.engine.release(previous.id);
    this.changeEmitter.fire(this.loaded);
    return this.loaded;
  }

  /** Ends a selection: the whole profile is shown again (same sample type). No-op without one. */
  showWhole(): LoadedProfile | undefined {
    const shown = this.loaded;
    if (!shown?.selection) return shown;
    const whole = shown.selection.whole;
    const typeIndex = whole.index.sampleTypes.findIndex((t) => t.type === shown.index.sampleTypes[shown.typeIndex]?.type);
    this.loaded = { ...whole, typeIndex: typeIndex >= 0 ? typeIndex : whole.typeIndex };
    void this.engine.release(shown.id);
    this.changeEmitter.fire(this.loaded);
    return this.loaded;
  }

  /**
   * For a load that must first fetch its bytes (read a file, download): take a place in line now.
   * The returned check says whether this request is still the latest one asked for (no load, clear or
   * newer reservation since); when it is not, drop the bytes instead of loading them, so that rapid
   * requests end on the last one asked for, whatever order their reads finish in.
   */
  reserve(source?: ProfileSource): Reservation {
    // an explicit request: background refreshes wait behind it (are dropped) until it ends
    const ticket = this.arbiter.begin('explicit', source)!;
    const check = (() => this.arbiter.isLatest(ticket)) as Reservation;
    check.release = () => {
      this.arbiter.end(ticket);
      this.afterLoadSettled();
    };
    this.reservations.set(check, ticket);
    return check;
  }

  private setEngineState(state: EngineState): void {
    if (state.kind === 'ok' && this.engineStatus.kind === 'ok') return;
    this.engineStatus = state;
    this.engineStateEmitter.fire(state);
  }

  /** The engine worker died: every id it held is gone, the profile shown among them. */
  private onEngineCrash(reason: string): void {
    this.crashes++;
    const shown = this.loaded;
    if (this.disposed || !shown) return;
    this.crashReason = reason;
    // during a restore its own load fails with worker-crashed and says so
    if (this.restoring) return;
    // the worker died under a load the user asked for (e.g. a profile over the heap cap): that load
    // fails; what was shown is restored again even if it was restored before
    if (this.arbiter.explicitPending) this.restoreUsed = false;
    this.staleProfile = shown;
    // the calls the crash rejected settle first (a load in flight ends and reports its own failure)
    setTimeout(() => this.restoreIfIdle(), 0);
  }

  private afterLoadSettled(): void {
    if (this.staleProfile && this.loaded === this.staleProfile && !this.arbiter.busy) setTimeout(() => this.restoreIfIdle(), 0);
  }

  /**
   * After a crash, loads the profile shown again into the new worker, once: when nothing else is
   * loading (a load the user started decides what is shown instead), and not again when the worker
   * dies during the restore or soon after it (then it says so and the editor keeps its annotations).
   */
  private restoreIfIdle(): void {
    const shown = this.loaded;
    if (this.disposed || this.restoring || !shown || shown !== this.staleProfile || this.arbiter.busy || this.engineStatus.kind === 'lost') return;
    const label = shown.selection ? `${shown.source.label} · ${shown.selection.label}` : shown.source.label;
    const input = this.lastInput;
    if (this.restoreUsed || !input || input.source !== shown.source) {
      this.engineLost(this.crashReason, label, this.restoreUsed ? 'stopped again after it was restarted' : 'stopped');
      return;
    }
    this.restoring = true;
    this.setEngineState({ kind: 'restoring', reason: this.crashReason, label });
    void (async () => {
      try {
        const loaded = await this.loadAs(input.bytes, input.source, { background: true }, true);
        if (!loaded) return; // a newer load came first: it decides what is shown
        this.restoreUsed = true;
        // an engine selection (a span) is made again; a server's one cannot be
        const selection = shown.selection;
        if (selection && !selection.fromServer) await this.select(selection.selection, selection.label).catch(() => undefined);
      } catch (e) {
        // worker-crashed: the reason onEngineCrash heard (e.g. out of memory) says more than the generic message
        const reason = (e as { code?: string }).code === 'worker-crashed' ? this.crashReason : e instanceof Error ? e.message : String(e);
        if (this.loaded === shown) this.engineLost(reason, label, 'stopped again while it was restored');
      } finally {
        this.restoring = false;
      }
    })();
  }

  private engineLost(reason: string, label: string, what: string): void {
    const message = `Profile Lens: the profile engine ${what} (${reason.replace(/[.\s]+$/, '')}). The editor keeps the annotations of ${label}; the flame graph and comparisons need the profile loaded again (Open Profile File…, or Refresh Now for a followed query).`;
    this.setEngineState({ kind: 'lost', reason, label, message });
    void vscode.window.showErrorMessage(message, 'Open Profile File…').then((pick) => {
      if (pick) void vscode.commands.executeCommand(Commands.openProfile);
    });
  }

  /** Loads the current profile again (e.g. after the path mappings changed). No-op when none. */
  async reload(): Promise<LoadedProfile | undefined> {
    if (!this.loaded || !this.lastInput) return undefined;
    const selection = this.loaded.selection;
    const loaded = await this.load(this.lastInput.bytes, this.lastInput.source);
    // an engine selection is made again on the reloaded profile (a server's one cannot be)
    if (loaded && selection && !selection.fromServer) {
      try {
        return (await this.select(selection.selection, selection.label)) ?? this.loaded;
      } catch {
        return this.loaded;
      }
    }
    return loaded;
  }

  selectType(typeIndex: number): void {
    if (!this.loaded || typeIndex < 0 || typeIndex >= this.loaded.index.sampleTypes.length) return;
    this.loaded = { ...this.loaded, typeIndex };
    this.changeEmitter.fire(this.loaded);
  }

  clear(): void {
    this.arbiter.invalidate();
    const previous = this.loaded;
    this.loaded = undefined;
    this.lastInput = undefined;
    if (previous) this.releaseShown(previous);
    this.changeEmitter.fire(undefined);
  }

  dispose(): void {
    this.disposed = true;
    this.crashSubscription?.dispose();
    this.engineStateEmitter.dispose();
    this.changeEmitter.dispose();
    void this.engineInstance?.dispose();
    this.engineInstance = undefined;
  }
}
