/**
 * Correlate: "the profile of one trace / span, painted on the code". Show Profile of a Span or
 * Trace… asks for an id (or offers the label keys and values the loaded profile carries: span_id,
 * trace_id, span_name, endpoint …) and makes the session show only the matching samples — every
 * insight (gutter, inline, CodeLens, hover, hotspots, flame graph) follows the session. A status bar
 * item says a selection is active (`span 00f067aa…: 67 samples`); clicking it, or Show Whole
 * Profile, goes back. For a Pyroscope source the span query goes to the server (its merged profiles
 * carry no sample labels). Bad ids get a message; the last good view stays.
 */
import * as vscode from 'vscode';
import { EngineError, type LabelKeySummary, type LabelMatch, type SampleSelection } from '../../core/engine';
import { formatInteger, formatPercent, formatValue, literalIcons } from '../../core/format';
import type { SelectionInfo } from '../../shared/protocol';
import { matchForInput, normalizeSelection, selectionLabel, takenSamples } from '../../core/index/selectSamples';
import { Commands, ContextKeys, registerCommand, setContext } from '../contributions';
import { Disposable } from '../disposable';
import type { LoadedProfile, ProfileSession } from '../profileSession';
import { selectionTitle } from '../../shared/selectionText';
import { selectionAmount, selectionNames, summarizeSelection } from './selectionSummary';

/** What the backend controller gives Correlate for a Pyroscope source: the span's profile from the server. */
export interface SpanBackend {
  /** true when `profile` is the followed Pyroscope query's (so a span query can go to the server) */
  isPyroscope(profile: LoadedProfile): boolean;
  /** pprof bytes of the spans `spanIds` in the followed query's window (SelectMergeSpanProfile) */
  spanProfile(spanIds: string[], profile: LoadedProfile): Promise<Uint8Array>;
  /** pprof bytes of the followed query narrowed by series labels (span_name, endpoint, …) */
  labelProfile(labels: LabelMatch[], profile: LoadedProfile): Promise<Uint8Array>;
  /** the followed service's label names, or the values of `name` */
  followedLabels(name?: string): Promise<string[]>;
}

export type CorrelateResult = { ok: true; label: string; samples: number } | { ok: false; error: string; cancelled?: boolean };

/** Keys offered first in the quick pick (the OpenTelemetry / Pyroscope conventions). */
const PREFERRED_KEYS = ['span_id', 'trace_id', 'span_name', 'profile_id', 'endpoint', 'http.route', 'route'];

export class CorrelateController extends Disposable {
  private readonly item = this.register(vscode.window.createStatusBarItem('profileLens.selection', vscode.StatusBarAlignment.Left, 49));
  private backend: SpanBackend | undefined;
  /** label summary of the whole profile last asked for (engine handle + sample type) */
  private labelCache: { id: number; typeIndex: number; keys: Promise<LabelKeySummary[]> } | undefined;

  constructor(private readonly session: ProfileSession) {
    super();
    this.item.name = 'Profile Lens: selection';
    this.item.command = Commands.showWholeProfile;
    this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
    this.register(session.onDidChange(() => this.update()));
    this.register(registerCommand(vscode.commands, Commands.showSpanProfile, (arg) => this.show(arg)));
    this.register(registerCommand(vscode.commands, Commands.showWholeProfile, () => {
      this.session.showWhole();
    }));
    this.register(registerCommand(vscode.commands, Commands.testCorrelate, () => {
      const p = this.session.current;
      return {
        active: !!p?.selection,
        label: p?.selection?.label,
        fromServer: p?.selection?.fromServer ?? false,
        statusText: this.item.text && p?.selection ? this.item.text : undefined,
        statusTooltip: p?.selection && this.item.tooltip instanceof vscode.MarkdownString ? this.item.tooltip.value : undefined,
        profileId: p?.id,
        wholeId: p?.selection?.whole.id,
      };
    }));
    this.update();
  }

  /** The backend controller, for span queries on a Pyroscope source. */
  useBackend(backend: SpanBackend): void {
    this.backend = backend;
  }

  /** Text shown now (tests). */
  get statusText(): string | undefined {
    return this.session.current?.selection ? this.item.text : undefined;
  }

  private update(): void {
    const p = this.session.current;
    setContext(vscode.commands, ContextKeys.selectionActive, !!p?.selection);
    const sel = summarizeSelection(p);
    if (!p || !sel) {
      this.item.hide();
      return;
    }
    this.item.text = `$(filter) ${literalIcons(sel.label)}: ${formatInteger(sel.samples)} sample${sel.samples === 1 ? '' : 's'}`;
    this.item.tooltip = this.tooltip(sel);
    this.item.show();
    // the span names the selection's samples carry (read once per selection): the tooltip names them
    if (!sel.names) {
      void selectionNames(this.session.engine, p).then(() => {
        const now = summarizeSelection(this.session.current);
        if (this.session.current === p && now) this.item.tooltip = this.tooltip(now);
      });
    }
  }

  private tooltip(sel: SelectionInfo): vscode.MarkdownString {
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown('**Profile Lens: showing a selection**\n\n');
    md.appendText(`${selectionTitle(sel)}: only the samples with ${sel.condition}\n`);
    md.appendText(`${sel.fromServer ? 'Span profile from the server' : 'Selected from'} ${sel.wholeLabel}\n`);
    md.appendText(`${selectionAmount(sel)}\n`);
    md.appendText('Every percentage shown is a share of this selection.\n');
    md.appendMarkdown('\n$(close) Click to show the whole profile again.');
    return md;
  }

  /** The command: `arg` is `key=value`, a bare id, or a selection; without it, pickers ask. */
  private async show(arg?: string | SampleSelection): Promise<CorrelateResult> {
    const p = this.session.current;
    if (!p) {
      const error = 'Profile Lens: load a profile first (Open Profile File…, Connect to Pyroscope…); then pick a span or trace of it.';
      void vscode.window.showInformationMessage(error);
      return { ok: false, error };
    }
    let selection: SampleSelection | undefined;
    if (typeof arg === 'string') {
      const m = matchForInput(arg);
      if (!m) return this.fail(`"${arg}" is not a span id, a trace id or key=value.`);
      selection = { labels: [m] };
    } else if (arg && typeof arg === 'object' && Array.isArray(arg.labels)) {
      const labels = arg.labels.filter((m) => m && typeof m.key === 'string' && Array.isArray(m.values)).map((m) => ({ key: m.key, values: m.values.map(String) }));
      selection = { labels };
    } else {
      selection = await this.ask(p);
      if (!selection) return { ok: false, error: 'cancelled', cancelled: true };
    }
    selection = normalizeSelection(selection);
    const label = selectionLabel(selection);
    try {
      const whole = p.selection?.whole ?? p;
      const shown = this.backend?.isPyroscope(whole)
        ? await this.fromServer(whole, selection, label)
        : await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Profile Lens: selecting ${label}` }, () => this.session.select(selection, label));
      if (!shown) return { ok: false, error: 'superseded: another profile was loaded meanwhile' };
      return { ok: true, label, samples: takenSamples(shown.index) };
    } catch (e) {
      const msg = (e instanceof Error ? e.message : String(e)).replace(/[.\s]+$/, '');
      const code = e instanceof EngineError || (e instanceof Error && e.name === 'EngineError') ? ` [${(e as EngineError).code}]` : '';
      return this.fail(`${msg}${code}.`);
    }
  }

  private fail(message: string): CorrelateResult {
    const kept = this.session.current ? ' The current view is kept.' : '';
    const error = `Profile Lens: ${message}${kept}`;
    void vscode.window.showErrorMessage(error);
    return { ok: false, error };
  }

  private async fromServer(whole: LoadedProfile, selection: SampleSelection, label: string): Promise<LoadedProfile | undefined> {
    // span ids: the server's span query (function names only); other labels: the followed query
    // narrowed by them (the server keeps labels such as span_name as series labels; line-level)
    const span = selection.labels.find((m) => m.key === 'span_id');
    const other = selection.labels.filter((m) => m.key !== 'span_id');
    if (span && other.length) {
      throw new Error(`On Pyroscope a span_id cannot be combined with other labels (${other.map((m) => m.key).join(', ')}): its span query takes span ids only; select the span alone, or the labels alone`);
    }
    const bytes = span ? await this.backend!.spanProfile(span.values, whole) : await this.backend!.labelProfile(other, whole);
    return this.session.loadSelection(bytes, selection, label);
  }

  /** Quick pick: type an id, or pick a label key, then one of its values. */
  private async ask(p: LoadedProfile): Promise<SampleSelection | undefined> {
    const whole = p.selection?.whole ?? p;
    let keys: LabelKeySummary[] = [];
    if (!this.backend?.isPyroscope(whole)) {
      // one pass over every sample's labels in the worker (~2 s on a 60 MB profile): kept per profile
      if (this.labelCache?.id !== whole.id || this.labelCache.typeIndex !== p.typeIndex) {
        this.labelCache = { id: whole.id, typeIndex: p.typeIndex, keys: this.session.engine.labels(whole.id, { maxValues: 200, typeIndex: p.typeIndex }) };
      }
      const pending = this.labelCache.keys;
      try {
        keys = [...(await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Profile Lens: reading the profile\'s labels' }, () => pending))];
      } catch {
        this.labelCache = undefined;
        keys = [];
      }
    }
    const rank = (k: string) => (PREFERRED_KEYS.includes(k) ? PREFERRED_KEYS.indexOf(k) : PREFERRED_KEYS.length);
    keys.sort((a, b) => rank(a.key) - rank(b.key));
    type Item = vscode.QuickPickItem & { key?: LabelKeySummary; serverKey?: string; enter?: boolean; whole?: boolean };
    const items: Item[] = [
      { label: '$(edit) Enter a span or trace id…', detail: 'a span_id (16 hex digits), a trace_id (32), or key=value', enter: true },
    ];
    if (p.selection) items.push({ label: '$(close) Show the whole profile', description: `now: ${p.selection.label}`, whole: true });
    if (keys.length) items.push({ label: 'labels in this profile', kind: vscode.QuickPickItemKind.Separator });
    // sample counts as the profiler took them (a `samples`/`count` type when the profile has one)
    const countType = whole.index.sampleTypes.findIndex((t) => t.unit === 'count' && (t.type === 'samples' || t.type === 'sample'));
    const taken = (records: number, weight?: number[]) => (countType >= 0 && weight ? weight[countType] : records);
    const st0 = whole.index.sampleTypes[p.typeIndex];
    const total0 = whole.index.totals[p.typeIndex] ?? 0;
    const shareOf = (weight?: number[]) => (st0 && weight && total0 > 0 ? ` · ${formatValue(weight[p.typeIndex] ?? 0, st0.unit)} (${formatPercent((weight[p.typeIndex] ?? 0) / total0)})` : '');
    for (const k of keys) {
      const n = taken(k.samples, k.weight);
      items.push({ label: `$(tag) ${k.key}`, description: `${formatInteger(k.distinct)} value${k.distinct === 1 ? '' : 's'} · ${formatInteger(n)} sample${n === 1 ? '' : 's'}${shareOf(k.weight)}`, key: k });
    }
    if (!keys.length && !this.backend?.isPyroscope(whole)) {
      items.push({ label: 'This profile carries no sample labels', description: 'span ids come from instrumentation such as grafana/otel-profiling-go', kind: vscode.QuickPickItemKind.Separator });
    }
    const fromServer = this.backend?.isPyroscope(whole) ? this.backend : undefined;
    if (fromServer) {
      // Pyroscope: span ids go to its span query; the service's series labels (span_name, …) narrow the query
      const names = await fromServer.followedLabels().catch(() => [] as string[]);
      const ranked = names.filter((n) => !n.startsWith('__') && n !== 'service_name').sort((a, b) => rank(a) - rank(b));
      if (ranked.length) items.push({ label: 'labels of this service in Pyroscope', kind: vscode.QuickPickItemKind.Separator });
      for (const n of ranked) items.push({ label: `$(tag) ${n}`, description: 'series label in Pyroscope', serverKey: n });
    }
    const pick = await vscode.window.showQuickPick(items, { title: 'Profile Lens: show the profile of a span or trace', placeHolder: 'Enter an id, or pick a label' });
    if (!pick) return undefined;
    if (pick.whole) {
      this.session.showWhole();
      return undefined;
    }
    if (pick.serverKey && fromServer) {
      const name = pick.serverKey;
      const values = await fromServer.followedLabels(name).catch(() => [] as string[]);
      const v = await vscode.window.showQuickPick(values, { title: `Profile Lens: ${name}`, placeHolder: `values of ${name} in Pyroscope` });
      return v === undefined ? undefined : { labels: [{ key: name, values: [v] }] };
    }
    if (pick.enter || !pick.key) {
      const text = await vscode.window.showInputBox({
        title: 'Profile Lens: span or trace id',
        prompt: 'A span_id (16 hex digits) or trace_id (32 hex digits), or key=value (e.g. span_name=POST /checkout); several values with |',
        validateInput: (v) => (matchForInput(v) ? undefined : 'Enter an id, or key=value.'),
      });
      const m = text === undefined ? undefined : matchForInput(text);
      return m ? { labels: [m] } : undefined;
    }
    const key = pick.key;
    const values = await vscode.window.showQuickPick(
      key.top.map((v) => {
        const n = taken(v.samples, v.weight);
        return { label: v.value, description: `${formatInteger(n)} sample${n === 1 ? '' : 's'}${shareOf(v.weight)}`, value: v.value };
      }),
      { title: `Profile Lens: ${key.key}`, placeHolder: key.distinct > key.top.length ? `the ${key.top.length} heaviest of ${formatInteger(key.distinct)} values` : 'values', matchOnDescription: true },
    );
    if (!values) return undefined;
    return { labels: [{ key: key.key, values: [values.value] }] };
  }
}
