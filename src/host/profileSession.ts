/**
 * The one place that holds "the profile currently shown". Every feature controller (insights,
 * hotspots, status bar, flame graph, backends) reads `current` and listens to `onDidChange`.
 * Loading runs in the engine worker; a failed load leaves the last good profile in place.
 */
import * as vscode from 'vscode';
import type { Engine, LoadOptions, PathMapping, SampleSelection } from '../core/engine';
import type { ProfileIndex } from '../core/model';

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
  private loadSeq = 0;
  private pendingSource: ProfileSource | undefined;
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
   * The source of the newest load still running (undefined when none): a background refresh checks it
   * so it never supersedes a profile the user just asked for.
   */
  get loadingSource(): ProfileSource | undefined {
    return this.pendingSource;
  }

  /** The engine starts on first use, not at activation. */
  get engine(): Engine {
    this.engineInstance ??= this.createEngine();
    return this.engineInstance;
  }

  /**
   * Decodes and indexes `bytes` in the worker and makes it current. Throws (EngineError) on bad input;
   * then the previous profile stays current. A newer load supersedes an older one still running.
   */
  async load(bytes: Uint8Array, source: ProfileSource): Promise<LoadedProfile | undefined> {
    const seq = ++this.loadSeq;
    this.pendingSource = source;
    try {
      return await this.loadNow(bytes, source, seq);
    } finally {
      if (seq === this.loadSeq) this.pendingSource = undefined;
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
  reserve(): () => boolean {
    const seq = ++this.loadSeq;
    return () => seq === this.loadSeq;
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
    this.loadSeq++;
    this.pendingSource = undefined;
    const previous = this.loaded;
    this.loaded = undefined;
    this.lastInput = undefined;
    if (previous) this.releaseShown(previous);
    this.changeEmitter.fire(undefined);
  }

  dispose(): void {
    this.changeEmitter.dispose();
    void this.engineInstance?.dispose();
    this.engineInstance = undefined;
  }
}
