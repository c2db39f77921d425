/**
 * Follows a Pyroscope / Grafana Cloud query in the editor: connections and tokens, the pickers,
 * continuous refresh (RefreshScheduler from core), a status bar item ("updated 12 s ago"), and the
 * hand-off of every pulled profile to the shared ProfileSession (so every insight works the same).
 * A failed refresh keeps the last good profile; a profile loaded from elsewhere (a file, a pprof URL)
 * stops the following until the user asks again.
 */
import * as vscode from 'vscode';
import { BackendError, displayUrl, isBackendError, originOf } from '../../core/backend/backendError';
import { buildLabelSelector, formatMatcher, parseMatcher, profileTypeLabel, type LabelMatcher } from '../../core/backend/labelSelector';
import { fetchPprofEndpoint, pprofEndpointUrl, PPROF_KINDS, type PprofEndpointResult, type PprofKind } from '../../core/backend/pprofEndpoint';
import { normalizeBaseUrl, PyroscopeClient, type BackendConnection, type FetchedProfile, type ServiceInfo } from '../../core/backend/pyroscopeClient';
import { RefreshScheduler, type SchedulerEvent } from '../../core/backend/refreshScheduler';
import { serviceRootMappings } from '../../core/backend/serviceRootMappings';
import { flameGraphToPprof } from '../../core/backend/spanFlameGraph';
import { formatAge, parseWindow, PRESET_WINDOWS, windowKey, windowLabel, type TimeWindow } from '../../core/backend/timeWindow';
import { Commands, ContextKeys, Settings, registerCommand, setContext } from '../contributions';
import { Disposable } from '../disposable';
import type { LoadedProfile, ProfileSession, ProfileSource } from '../profileSession';
import { readBackendSettings, readConnections, saveConnection } from './connectionSettings';
import { delayedProgress, type ProgressHandle } from './delayedProgress';
import { TokenStore } from './tokenStore';

export interface BackendQuery {
  /** absent (or 'pyroscope') for a Pyroscope query */
  kind?: 'pyroscope';
  connection: string;
  service: string;
  profileType: string;
  window: TimeWindow;
  filters: LabelMatcher[];
}

/** A live pprof endpoint (net/http/pprof conventions) followed like a Pyroscope query. */
export interface PprofUrlQuery {
  kind: 'pprof-url';
  /** the endpoint URL (canonical, from pprofEndpointUrl) */
  url: string;
  pprofKind: PprofKind | 'custom';
  /** CPU collection time; the next fetch starts only after this one ended */
  seconds?: number;
}

/** What the one RefreshScheduler follows: a Pyroscope query or a live pprof URL. */
export type FollowedQuery = BackendQuery | PprofUrlQuery;
type FollowedResult = FetchedProfile | PprofEndpointResult;

const isPprofUrl = (q: FollowedQuery | undefined): q is PprofUrlQuery => q?.kind === 'pprof-url';
const isFetched = (r: FollowedResult | undefined): r is FetchedProfile => !!r && 'method' in r;

interface SavedState {
  connection?: string;
  service?: string;
  profileType?: string;
  window?: TimeWindow;
  filters?: LabelMatcher[];
  paused?: boolean;
  /** following a query (restored at activation) */
  active?: boolean;
  lastPprofUrl?: string;
}

const STATE_KEY = 'profileLens.backend';
const DEFAULT_WINDOW: TimeWindow = { kind: 'last', ms: 3_600_000 };

/** Returns the controller so Compare (src/host/compare) can fetch baselines of the followed query. */
export function registerBackend(context: vscode.ExtensionContext, session: ProfileSession): BackendController {
  const controller = new BackendController(context, session);
  context.subscriptions.push(controller);
  return controller;
}

export class BackendController extends Disposable {
  private readonly tokens: TokenStore;
  private readonly scheduler: RefreshScheduler<FollowedQuery, FollowedResult>;
  private readonly item = this.register(vscode.window.createStatusBarItem('profileLens.backend', vscode.StatusBarAlignment.Left, 49));
  private readonly clients = new Map<string, { signature: string; client: PyroscopeClient }>();
  private readonly services = new Map<string, ServiceInfo[]>();
  private state: SavedState;
  /** the source object of the profile we last handed to the session */
  private ourSource: ProfileSource | undefined;
  private ourResult: FollowedResult | undefined;
  /** the next fetch was asked for by the user: report its failure with a notification */
  private interactive = false;
  private readonly notified = new Set<string>();
  private ticker: NodeJS.Timeout | undefined;
  private loadError: string | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly session: ProfileSession,
  ) {
    super();
    this.tokens = new TokenStore(context.secrets, context.globalState);
    this.state = sanitizeState(context.workspaceState.get<unknown>(STATE_KEY));
    const settings = readBackendSettings();
    this.scheduler = new RefreshScheduler<FollowedQuery, FollowedResult>({
      fetch: (q, signal) => (isPprofUrl(q) ? this.fetchPprof(q, signal) : this.fetch(q, signal)),
      key: queryKey,
      // a live endpoint always has a newer profile; a Pyroscope query only for a rolling window
      rolling: (q) => isPprofUrl(q) || q.window.kind === 'last',
      intervalMs: settings.refreshIntervalMs,
      cacheSize: 6,
      // profiles can be large: cached bytes beyond this are dropped oldest first (the shown one stays)
      sizeOf: (r) => r.bytes.byteLength,
      maxCacheBytes: 256 << 20,
    });
    this.register({ dispose: () => this.scheduler.dispose() });
    this.register(this.scheduler.onEvent((e) => void this.onSchedulerEvent(e)));
    this.scheduler.setPaused(!!this.state.paused);
    this.scheduler.setFocused(vscode.window.state.focused);
    this.register(vscode.window.onDidChangeWindowState((s) => this.scheduler.setFocused(s.focused)));
    this.register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('profileLens.backend')) this.scheduler.setIntervalMs(readBackendSettings().refreshIntervalMs);
        if (e.affectsConfiguration(Settings.connections) || e.affectsConfiguration('profileLens.backend')) this.clients.clear();
        if (e.affectsConfiguration(Settings.followUrl)) this.followUrlSetting();
        if (e.affectsConfiguration(Settings.connections)) {
          // a connection may point elsewhere now: nothing cached for it may be shown as current
          this.scheduler.clearCache();
          this.services.clear();
        }
      }),
    );
    this.register(
      session.onDidChange((p) => {
        // Someone else put a profile on screen (a file, a URL, Clear): stop following.
        if (this.scheduler.current && (!p || p.source !== this.ourSource)) this.detach();
      }),
    );
    this.item.name = 'Profile Lens: Pyroscope';
    this.item.command = Commands.backendActions;
    this.register({ dispose: () => clearInterval(this.ticker) });
    this.registerCommands();
    setContext(vscode.commands, ContextKeys.autoRefreshPaused, !!this.state.paused);
    this.render();
    // Resume following the workspace's last query (its own saved choice), without prompts.
    const q = this.savedQuery();
    // (A connection that is gone from the settings is not an error worth a popup at startup.)
    if (this.state.active && q && vscode.workspace.isTrusted && readConnections().some((c) => c.name === q.connection)) this.follow(q, false);
    // profileLens.followUrl (a restricted setting: it makes requests) follows a live pprof endpoint
    this.followUrlSetting();
  }

  /** Follows `profileLens.followUrl` when set (trusted workspaces only), without prompts. */
  private followUrlSetting(): void {
    if (!vscode.workspace.isTrusted) return;
    const url = (vscode.workspace.getConfiguration().get<string>(Settings.followUrl) ?? '').trim();
    if (!url) return;
    let q: PprofUrlQuery;
    try {
      q = pprofUrlQuery(url, 'profile', 10);
    } catch (e) {
      void vscode.window.showErrorMessage(`Profile Lens: profileLens.followUrl: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    const cur = this.scheduler.current;
    if (isPprofUrl(cur) && queryKey(cur) === queryKey(q)) return;
    this.followUrl(q, false);
  }

  // ---- commands --------------------------------------------------------------------------------

  private registerCommands(): void {
    const c = vscode.commands;
    this.register(registerCommand(c, Commands.connectPyroscope, (...args: unknown[]) => this.connect(args[0])));
    this.register(registerCommand(c, Commands.setBackendToken, () => this.setToken()));
    this.register(registerCommand(c, Commands.selectService, () => this.pickAndFollow('service')));
    this.register(registerCommand(c, Commands.selectProfileType, () => this.pickAndFollow('type')));
    this.register(registerCommand(c, Commands.selectTimeWindow, () => this.pickAndFollow('window')));
    this.register(registerCommand(c, Commands.editLabelFilters, () => this.editFilters()));
    this.register(registerCommand(c, Commands.fetchProfileFromUrl, (...args: unknown[]) => this.fetchFromUrl(args[0])));
    this.register(registerCommand(c, Commands.refreshNow, () => this.refreshNow()));
    this.register(registerCommand(c, Commands.pauseAutoRefresh, () => this.setPaused(true)));
    this.register(registerCommand(c, Commands.resumeAutoRefresh, () => this.setPaused(false)));
    this.register(registerCommand(c, Commands.backendActions, () => this.actions()));
    this.register(registerCommand(c, Commands.testBackend, () => this.testState()));
  }

  private testState(): unknown {
    const st = this.scheduler.status();
    const err = st.lastError;
    const r = this.ourResult;
    return {
      following: !!this.scheduler.current,
      query: this.scheduler.current,
      fetching: st.fetching,
      paused: st.paused,
      focused: st.focused,
      lastUpdated: st.lastUpdated,
      fetchCount: this.scheduler.fetchCount,
      lastError: err ? { code: isBackendError(err) ? err.code : 'other', message: err instanceof Error ? err.message : String(err) } : undefined,
      loadError: this.loadError,
      statusText: this.item.text,
      method: isFetched(r) ? r.method : undefined,
      truncation: isFetched(r) ? r.truncation : undefined,
      source: this.session.current?.source === this.ourSource ? this.ourSource : undefined,
      /** total of the shown sample type of the pulled profile on screen */
      total: this.session.current && this.session.current.source === this.ourSource ? this.session.current.index.totals[this.session.current.typeIndex] : undefined,
    };
  }

  private async actions(): Promise<void> {
    const paused = !!this.state.paused;
    const live = isPprofUrl(this.scheduler.current);
    const items: (vscode.QuickPickItem & { cmd: string })[] = [
      { label: '$(refresh) Refresh Now', cmd: Commands.refreshNow },
      paused ? { label: '$(debug-continue) Resume Auto-Refresh', cmd: Commands.resumeAutoRefresh } : { label: '$(debug-pause) Pause Auto-Refresh', cmd: Commands.pauseAutoRefresh },
      ...(live ? [{ label: '$(cloud-download) Fetch Profile from URL…', cmd: Commands.fetchProfileFromUrl }] : []),
      { label: '$(server) Select Service…', cmd: Commands.selectService },
      { label: '$(symbol-enum) Select Profile Type…', cmd: Commands.selectProfileType },
      { label: '$(history) Select Time Window…', cmd: Commands.selectTimeWindow },
      { label: '$(filter) Edit Label Filters…', cmd: Commands.editLabelFilters },
      { label: '$(plug) Connect to Pyroscope…', cmd: Commands.connectPyroscope },
      { label: '$(key) Set Backend Token…', cmd: Commands.setBackendToken },
    ];
    const pick = await vscode.window.showQuickPick(items, { title: live ? 'Profile Lens: live pprof endpoint' : 'Profile Lens: Pyroscope' });
    if (pick) await vscode.commands.executeCommand(pick.cmd);
  }

  /**
   * The walkthrough: connection (or a new one: URL → auth → token) → service → profile type → window.
   * `args` (optional, validated) skips steps: { connection, service?, profileType?, window? }.
   */
  private async connect(args: unknown): Promise<void> {
    const a = args && typeof args === 'object' ? (args as Record<string, unknown>) : {};
    let conn: BackendConnection | undefined;
    if (typeof a.connection === 'string') {
      conn = readConnections().find((x) => x.name === a.connection);
      if (!conn) {
        void vscode.window.showErrorMessage(`Profile Lens: no connection named "${a.connection}" in profileLens.connections.`);
        return;
      }
    } else conn = await this.pickConnection();
    if (!conn) return;
    const token = await this.tokenFor(conn, true);
    if (token === null) return;
    const window = (typeof a.window === 'string' ? parseWindow(a.window) : undefined) ?? this.state.window ?? DEFAULT_WINDOW;
    let service = typeof a.service === 'string' ? a.service : undefined;
    let profileType = typeof a.profileType === 'string' ? a.profileType : undefined;
    const sameConnection = this.state.connection === conn.name;
    this.state = { ...this.state, connection: conn.name, window, filters: sameConnection ? this.state.filters : [] };
    if (!service) {
      service = await this.pickService(conn, window);
      if (!service) return;
    }
    if (!profileType) {
      profileType = await this.pickType(conn, service, window);
      if (!profileType) return;
    }
    let w = window;
    if (typeof a.window !== 'string') {
      const picked = await this.pickWindow();
      if (!picked) return;
      w = picked;
    }
    this.follow({ connection: conn.name, service, profileType, window: w, filters: this.state.filters ?? [] }, true);
  }

  private async pickConnection(): Promise<BackendConnection | undefined> {
    const existing = readConnections();
    if (existing.length) {
      const items: (vscode.QuickPickItem & { conn?: BackendConnection })[] = [
        ...existing.map((conn) => ({ label: noIcons(conn.name), description: noIcons(displaySafe(conn.url)), detail: noIcons(authLabel(conn)), conn })),
        { label: '$(add) New connection…' },
      ];
      const pick = await vscode.window.showQuickPick(items, { title: 'Connect to Pyroscope (1/5): connection', placeHolder: 'Pick a connection or add one' });
      if (!pick) return undefined;
      if (pick.conn) return pick.conn;
    }
    return this.newConnection(existing);
  }

  private async newConnection(existing: BackendConnection[]): Promise<BackendConnection | undefined> {
    const title = 'Connect to Pyroscope (1/5): new connection';
    const url = await vscode.window.showInputBox({
      title,
      prompt: 'Base URL of the Pyroscope API: self-hosted http://host:4040, Grafana Cloud https://profiles-prod-NNN.grafana.net, or https://<grafana>/api/datasources/proxy/uid/<uid>',
      value: 'http://localhost:4040',
      ignoreFocusOut: true,
      validateInput: (v) => {
        try {
          normalizeBaseUrl(v);
          return undefined;
        } catch (e) {
          return e instanceof Error ? e.message : String(e);
        }
      },
    });
    if (!url) return undefined;
    const base = normalizeBaseUrl(url);
    const cloud = /\.grafana\.net$/i.test(new URL(base).hostname);
    const authPick = await vscode.window.showQuickPick(
      [
        { label: 'None', description: 'self-hosted, no authentication', auth: 'none' as const },
        { label: 'Basic', description: 'Grafana Cloud: stack / instance id + access-policy token', auth: 'basic' as const },
        { label: 'Bearer', description: 'Grafana service-account token (data-source proxy)', auth: 'bearer' as const },
      ].sort((x, y) => (cloud ? Number(y.auth === 'basic') - Number(x.auth === 'basic') : 0)),
      { title: 'Connect to Pyroscope: authentication', ignoreFocusOut: true },
    );
    if (!authPick) return undefined;
    let user: string | undefined;
    if (authPick.auth === 'basic') {
      user = await vscode.window.showInputBox({ title: 'Connect to Pyroscope: user', prompt: 'Basic auth user (Grafana Cloud: the numeric stack / instance id of Profiles)', ignoreFocusOut: true, validateInput: (v) => (v.trim() ? undefined : 'required') });
      if (!user) return undefined;
    }
    const tenant = await vscode.window.showInputBox({ title: 'Connect to Pyroscope: tenant (optional)', prompt: 'Tenant id for a multi-tenant server (sent as X-Scope-OrgID); leave empty otherwise', ignoreFocusOut: true });
    if (tenant === undefined) return undefined;
    const host = new URL(base).hostname;
    let name = host.replace(/[^a-zA-Z0-9.-]/g, '') || 'pyroscope';
    for (let i = 2; existing.some((c) => c.name === name); i++) name = `${host}-${i}`;
    const chosen = await vscode.window.showInputBox({ title: 'Connect to Pyroscope: connection name', value: name, ignoreFocusOut: true, validateInput: (v) => (!v.trim() ? 'required' : existing.some((c) => c.name === v.trim()) ? 'a connection with this name exists' : undefined) });
    if (!chosen) return undefined;
    const conn: BackendConnection = { name: chosen.trim(), url: base, auth: authPick.auth, user: user?.trim(), tenant: tenant.trim() || undefined };
    await saveConnection(conn);
    if (conn.auth !== 'none') {
      const token = await this.askToken(conn);
      if (!token) return undefined;
    }
    return conn;
  }

  private async askToken(conn: BackendConnection): Promise<string | undefined> {
    const token = await vscode.window.showInputBox({
      title: `Token for "${conn.name}" (${originOf(conn.url)})`,
      prompt: conn.auth === 'basic' ? 'Grafana Cloud access-policy token (scope profiles:read). Stored in VS Code SecretStorage, only ever sent to this origin.' : 'Bearer token (Grafana service account). Stored in VS Code SecretStorage, only ever sent to this origin.',
      password: true,
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() ? undefined : 'required'),
    });
    if (!token) return undefined;
    await this.tokens.store(conn, token.trim());
    this.clients.delete(conn.name);
    return token.trim();
  }

  private async setToken(): Promise<void> {
    const conns = readConnections().filter((c) => c.auth !== 'none');
    if (!conns.length) {
      const go = await vscode.window.showInformationMessage('Profile Lens: no connection uses basic or bearer auth; add one with "Connect to Pyroscope…".', 'Connect to Pyroscope…');
      if (go) await vscode.commands.executeCommand(Commands.connectPyroscope);
      return;
    }
    const conn = conns.length === 1 ? conns[0] : (await vscode.window.showQuickPick(conns.map((c) => ({ label: noIcons(c.name), description: noIcons(displaySafe(c.url)), c })), { title: 'Set Backend Token: connection' }))?.c;
    if (!conn) return;
    if (await this.askToken(conn)) {
      void vscode.window.showInformationMessage(`Profile Lens: token stored for "${conn.name}" (${originOf(conn.url)}).`);
      if (this.pyroscopeCurrent()?.connection === conn.name) this.refreshNow();
    }
  }

  /**
   * The token for a connection at its current origin. `null` = the user cancelled; `undefined` = none
   * needed / none stored (the client then explains). Asks before sending a token to a new origin.
   */
  private async tokenFor(conn: BackendConnection, interactive: boolean): Promise<string | undefined | null> {
    if (conn.auth === 'none') return undefined;
    const found = await this.tokens.lookup(conn);
    if (found.kind === 'found') return found.token;
    if (found.kind === 'other-origin') {
      const to = originOf(conn.url);
      const question = `The URL of connection "${conn.name}" changed to ${to}, but its token was entered for ${found.origins.join(', ')}. Send that token to ${to}?`;
      if (!interactive) {
        this.offerOnce(`origin:${conn.name}:${to}`, () => this.askMoveToken(conn, found.origins[0], question, false));
        throw new BackendError('unauthorized', `Not sending the token of "${conn.name}" to its new URL ${to} without your confirmation (it was entered for ${found.origins.join(', ')}).`);
      }
      const token = await this.askMoveToken(conn, found.origins[0], question, true);
      return token ?? null;
    }
    if (!interactive) return undefined;
    return (await this.askToken(conn)) ?? null;
  }

  private async askMoveToken(conn: BackendConnection, from: string, question: string, modal: boolean): Promise<string | undefined> {
    const send = `Send Token to ${originOf(conn.url)}`;
    const fresh = 'Enter a New Token…';
    const pick = await vscode.window.showWarningMessage(question, { modal }, send, fresh);
    let token: string | undefined;
    if (pick === send) token = await this.tokens.moveTo(conn, from);
    else if (pick === fresh) token = await this.askToken(conn);
    if (token && !modal && this.pyroscopeCurrent()?.connection === conn.name) this.refreshNow();
    return token;
  }

  private offerOnce(key: string, fn: () => unknown): void {
    if (this.notified.has(key)) return;
    this.notified.add(key);
    void fn();
  }

  private async clientFor(conn: BackendConnection, interactive: boolean): Promise<PyroscopeClient> {
    const settings = readBackendSettings();
    const token = await this.tokenFor(conn, interactive);
    if (token === null) throw new BackendError('cancelled', 'Cancelled.');
    const signature = JSON.stringify([conn, settings.timeoutMs, settings.maxResponseBytes, token ? hashish(token) : '']);
    const cached = this.clients.get(conn.name);
    if (cached && cached.signature === signature) return cached.client;
    const client = new PyroscopeClient({ connection: conn, token, timeoutMs: settings.timeoutMs, maxResponseBytes: settings.maxResponseBytes });
    this.clients.set(conn.name, { signature, client });
    return client;
  }

  private connection(name: string | undefined): BackendConnection {
    const conn = readConnections().find((c) => c.name === name);
    if (!conn) throw new BackendError('bad-url', `Connection "${name ?? ''}" is not in the settings (profileLens.connections) any more; run "Profile Lens: Connect to Pyroscope…".`);
    return conn;
  }

  private async withProgressOf<T>(title: string, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const ac = new AbortController();
    const progress = delayedProgress(title, () => ac.abort(), 300);
    try {
      return await run(ac.signal);
    } finally {
      progress.done();
    }
  }

  private async pickService(conn: BackendConnection, window: TimeWindow): Promise<string | undefined> {
    let services: ServiceInfo[];
    try {
      const client = await this.clientFor(conn, true);
      services = await this.withProgressOf(`Profile Lens: listing services on "${conn.name}"…`, (signal) => client.services(window, { signal }));
    } catch (e) {
      this.showError(e, conn);
      return undefined;
    }
    this.services.set(conn.name, services);
    if (!services.length) {
      void vscode.window.showWarningMessage(`Profile Lens: "${conn.name}" answered, but has no services with profiles in the ${windowLabel(window)}. Is an agent pushing to it?`);
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(
      services.map((s) => ({
        label: noIcons(s.name),
        name: s.name,
        description: `${s.profileTypes.length} profile type${s.profileTypes.length === 1 ? '' : 's'}`,
        detail: noIcons([s.repository, s.rootPath && `root ${s.rootPath}`, s.gitRef && `ref ${s.gitRef}`].filter(Boolean).join(' · ')) || undefined,
        picked: s.name === this.state.service,
      })),
      { title: `Connect to Pyroscope (2/5): service on "${conn.name}"`, matchOnDescription: true, matchOnDetail: true },
    );
    return pick?.name;
  }

  private async pickType(conn: BackendConnection, service: string, window: TimeWindow): Promise<string | undefined> {
    let types = this.services.get(conn.name)?.find((s) => s.name === service)?.profileTypes;
    if (!types) {
      try {
        const client = await this.clientFor(conn, true);
        const all = await this.withProgressOf('Profile Lens: listing profile types…', (signal) => client.services(window, { signal }));
        this.services.set(conn.name, all);
        types = all.find((s) => s.name === service)?.profileTypes ?? [];
      } catch (e) {
        this.showError(e, conn);
        return undefined;
      }
    }
    if (!types.length) {
      void vscode.window.showWarningMessage(`Profile Lens: service "${service}" has no profiles in the ${windowLabel(window)}.`);
      return undefined;
    }
    if (types.length === 1) return types[0];
    const preferred = this.state.profileType && types.includes(this.state.profileType) ? this.state.profileType : types.find((t) => /^process_cpu:|:cpu:/.test(t));
    const items = types.map((t) => ({ label: noIcons(profileTypeLabel(t)), description: noIcons(t), id: t }));
    items.sort((x, y) => Number(y.id === preferred) - Number(x.id === preferred));
    const pick = await vscode.window.showQuickPick(items, { title: `Connect to Pyroscope (3/5): profile type of "${service}"`, matchOnDescription: true });
    return pick?.id;
  }

  private async pickWindow(): Promise<TimeWindow | undefined> {
    const current = this.state.window ? windowKey(this.state.window) : undefined;
    const items: (vscode.QuickPickItem & { window?: TimeWindow })[] = [
      ...PRESET_WINDOWS.map((p) => ({ label: p.label, description: windowKey(p.window) === current ? 'current' : undefined, window: p.window })),
      { label: 'Custom…', description: 'e.g. 30m, 2h, 3d, or 2024-05-01T10:00Z/2024-05-01T11:00Z' },
    ];
    const pick = await vscode.window.showQuickPick(items, { title: 'Connect to Pyroscope (4/5): time window (rolling windows refresh automatically)' });
    if (!pick) return undefined;
    if (pick.window) return pick.window;
    const text = await vscode.window.showInputBox({
      title: 'Custom time window',
      prompt: 'A rolling length (30m, 2h, 3d) or a fixed range start/end in ISO time',
      validateInput: (v) => (parseWindow(v) ? undefined : 'use e.g. 45m, 12h, 2d or 2024-05-01T10:00Z/2024-05-01T11:00Z'),
    });
    return text ? parseWindow(text) : undefined;
  }

  private async pickAndFollow(what: 'service' | 'type' | 'window'): Promise<void> {
    const q = this.pyroscopeCurrent() ?? this.savedQuery();
    if (!q) {
      await this.connect(undefined);
      return;
    }
    let conn: BackendConnection;
    try {
      conn = this.connection(q.connection);
    } catch (e) {
      this.showError(e);
      return;
    }
    if (what === 'service') {
      const service = await this.pickService(conn, q.window);
      if (!service) return;
      const types = this.services.get(conn.name)?.find((s) => s.name === service)?.profileTypes ?? [];
      const profileType = types.includes(q.profileType) ? q.profileType : await this.pickType(conn, service, q.window);
      if (!profileType) return;
      this.follow({ ...q, service, profileType, filters: service === q.service ? q.filters : [] }, true);
    } else if (what === 'type') {
      const profileType = await this.pickType(conn, q.service, q.window);
      if (profileType) this.follow({ ...q, profileType }, true);
    } else {
      const window = await this.pickWindow();
      if (window) this.follow({ ...q, window }, true);
    }
  }

  private async editFilters(): Promise<void> {
    const q = this.pyroscopeCurrent() ?? this.savedQuery();
    if (!q) {
      await this.connect(undefined);
      return;
    }
    const items: (vscode.QuickPickItem & { action: 'add' | 'clear' | 'remove'; index?: number })[] = [
      { label: '$(add) Add a filter…', action: 'add' },
      ...q.filters.map((f, index) => ({ label: `$(close) ${noIcons(formatMatcher(f))}`, description: 'remove', action: 'remove' as const, index })),
    ];
    if (q.filters.length) items.push({ label: '$(clear-all) Clear all filters', action: 'clear' });
    const pick = await vscode.window.showQuickPick(items, { title: `Label filters for "${q.service}"` });
    if (!pick) return;
    if (pick.action === 'clear') return this.follow({ ...q, filters: [] }, true);
    if (pick.action === 'remove') return this.follow({ ...q, filters: q.filters.filter((_, i) => i !== pick.index) }, true);
    let conn: BackendConnection;
    let client: PyroscopeClient;
    try {
      conn = this.connection(q.connection);
      client = await this.clientFor(conn, true);
    } catch (e) {
      this.showError(e);
      return;
    }
    const selector = buildLabelSelector(q.service);
    let names: string[] = [];
    try {
      names = (await this.withProgressOf('Profile Lens: listing labels…', (signal) => client.labelNames([selector], q.window, { signal })))
        .filter((n) => !n.startsWith('__') && n !== 'service_name');
    } catch (e) {
      this.showError(e, conn);
      return;
    }
    const typed = '$(edit) Type a matcher (name=value, name!=value, name=~regex, name!~regex)…';
    const namePick = await vscode.window.showQuickPick([...names.map((n) => ({ label: noIcons(n), name: n })), { label: typed, name: typed }], { title: 'Filter on label' });
    if (!namePick) return;
    const name = namePick.name;
    let matcher: LabelMatcher | undefined;
    if (name === typed) {
      const text = await vscode.window.showInputBox({ title: 'Label matcher', prompt: 'e.g. env="prod", pod=~"api-.*"', validateInput: (v) => (parseMatcher(v) ? undefined : 'use name=value, name!=value, name=~regex or name!~regex') });
      matcher = text ? parseMatcher(text) : undefined;
    } else {
      let values: string[] = [];
      try {
        values = await this.withProgressOf('Profile Lens: listing values…', (signal) => client.labelValues(name, [selector], q.window, { signal }));
      } catch (e) {
        this.showError(e, conn);
        return;
      }
      const value = await vscode.window.showQuickPick(values.map((v) => ({ label: noIcons(v), value: v })), { title: `${noIcons(name)} =` });
      if (value !== undefined) matcher = { name, op: '=', value: value.value };
    }
    if (matcher) this.follow({ ...q, filters: [...q.filters.filter((f) => f.name !== matcher!.name), matcher] }, true);
  }

  private refreshNow(): void {
    if (this.scheduler.current) {
      this.interactive = true;
      this.scheduler.refreshNow();
      return;
    }
    const q = this.savedQuery();
    if (!q) {
      void vscode.commands.executeCommand(Commands.connectPyroscope);
      return;
    }
    this.follow(q, true);
  }

  private setPaused(paused: boolean): void {
    this.saveState({ paused });
    this.scheduler.setPaused(paused);
    setContext(vscode.commands, ContextKeys.autoRefreshPaused, paused);
    this.render();
  }

  // ---- following a query -----------------------------------------------------------------------

  /** The followed query when it is a Pyroscope one. */
  private pyroscopeCurrent(): BackendQuery | undefined {
    const q = this.scheduler.current;
    return q && !isPprofUrl(q) ? q : undefined;
  }

  /**
   * Follows a live pprof endpoint: fetched now, then again every refresh interval after the previous
   * fetch ended (a CPU profile's collection time counts; never two at once). Resolves when the first
   * fetch settled (shown, failed, or superseded).
   */
  private followUrl(q: PprofUrlQuery, interactive: boolean): Promise<void> {
    this.interactive = interactive;
    this.loadError = undefined;
    // a Pyroscope query is not resumed at the next start while a URL is followed
    this.saveState({ lastPprofUrl: q.url, active: false });
    setContext(vscode.commands, ContextKeys.backendActive, true);
    this.startTicker();
    const key = queryKey(q);
    const settled = new Promise<void>((resolve) => {
      const sub = this.scheduler.onEvent((e) => {
        const gone = this.scheduler.current === undefined || queryKey(this.scheduler.current) !== key;
        if (gone || ((e.type === 'result' || e.type === 'error') && e.key === key)) {
          sub.dispose();
          // the result is handed to the session asynchronously: wait for that load too
          void this.lastHandOff.then(() => resolve());
        }
      });
    });
    this.scheduler.select(q);
    this.render();
    return settled;
  }

  /** The latest hand-off of a result to the session (fetchFromUrl awaits it). */
  private lastHandOff: Promise<void> = Promise.resolve();

  private follow(q: BackendQuery, interactive: boolean): void {
    this.interactive = interactive;
    this.loadError = undefined;
    this.saveState({ connection: q.connection, service: q.service, profileType: q.profileType, window: q.window, filters: q.filters, active: true });
    setContext(vscode.commands, ContextKeys.backendActive, true);
    this.startTicker();
    this.scheduler.select(q);
    this.render();
  }

  private detach(): void {
    this.scheduler.clear();
    this.ourSource = undefined;
    this.ourResult = undefined;
    this.saveState({ active: false });
    setContext(vscode.commands, ContextKeys.backendActive, false);
    clearInterval(this.ticker);
    this.ticker = undefined;
    this.render();
  }

  private async fetch(q: BackendQuery, signal: AbortSignal): Promise<FetchedProfile> {
    const interactive = this.interactive;
    const conn = this.connection(q.connection);
    const client = await this.clientFor(conn, interactive);
    const settings = readBackendSettings();
    const inner = new AbortController();
    const onAbort = () => inner.abort();
    signal.addEventListener('abort', onAbort);
    const progress = delayedProgress(`Profile Lens: fetching ${q.service} · ${profileTypeLabel(q.profileType)} · ${windowLabel(q.window)} from "${conn.name}"`, () => inner.abort(), interactive ? 500 : 3000);
    try {
      if (!this.services.has(conn.name)) {
        // the service's labels (service_root_path, service_repository) help mapping paths; best effort
        this.services.set(conn.name, await client.services(q.window, { signal: inner.signal }).catch((e: unknown) => {
          if (isBackendError(e, 'cancelled')) throw e;
          return [];
        }));
      }
      return await client.fetchProfile({ ...q, maxNodes: settings.maxNodes }, {
        signal: inner.signal,
        onProgress: (p) => progress.report(`${(p.received / (1 << 20)).toFixed(1)} MB${p.total ? ` of ${(p.total / (1 << 20)).toFixed(1)} MB` : ''}`, p.total ? p.received / p.total : undefined),
      });
    } finally {
      signal.removeEventListener('abort', onAbort);
      progress.done();
    }
  }

  private onSchedulerEvent(e: SchedulerEvent<FollowedQuery, FollowedResult>): Promise<void> {
    const done = this.handle(e);
    if (e.type === 'result') this.lastHandOff = done;
    return done;
  }

  private async fetchPprof(q: PprofUrlQuery, signal: AbortSignal): Promise<PprofEndpointResult> {
    const interactive = this.interactive;
    const settings = readBackendSettings();
    const inner = new AbortController();
    const onAbort = () => inner.abort();
    signal.addEventListener('abort', onAbort);
    // background refreshes of a CPU profile take its collection time: the status bar says so, a
    // notification only appears for the first (interactive) fetch
    const progress: ProgressHandle = interactive ? delayedProgress(`Profile Lens: ${displaySafe(q.url)}`, () => inner.abort(), 500) : { report: () => undefined, done: () => undefined };
    try {
      return await fetchPprofEndpoint({
        url: q.url,
        kind: q.pprofKind === 'custom' ? undefined : q.pprofKind,
        seconds: q.seconds,
        signal: inner.signal,
        maxBytes: settings.maxResponseBytes,
        graceMs: settings.timeoutMs,
        onProgress: (p) => progress.report(p.message, p.fraction),
      });
    } finally {
      signal.removeEventListener('abort', onAbort);
      progress.done();
    }
  }

  private async handle(e: SchedulerEvent<FollowedQuery, FollowedResult>): Promise<void> {
    if (e.type === 'state') {
      this.render();
      return;
    }
    if (e.type === 'error') {
      const interactive = this.interactive;
      this.interactive = false;
      if (isBackendError(e.error, 'cancelled')) {
        this.render();
        return;
      }
      let conn: BackendConnection | undefined;
      try {
        conn = isPprofUrl(e.query) ? undefined : this.connection(e.query.connection);
      } catch {
        conn = undefined;
      }
      // Background failures: the status bar says it; a notification once per kind of failure.
      const code = isBackendError(e.error) ? e.error.code : 'other';
      if (interactive || !e.lastGood) this.showError(e.error, conn);
      else this.offerOnce(`${e.key}:${code}`, () => this.showError(e.error, conn));
      this.render();
      return;
    }
    const asked = this.interactive;
    this.interactive = false;
    const r = e.result;
    // Correlate: a background refresh does not replace the span / trace selection on screen (Refresh Now does)
    if (!asked && this.session.current?.selection && this.session.current.source === this.ourSource) {
      this.render();
      return;
    }
    const pending = this.session.loadingSource;
    if (pending && pending !== this.ourSource) {
      // the user is loading something else right now (a file, a URL): that wins, stop following
      this.detach();
      return;
    }
    if (this.ourResult === r && this.session.current?.source === this.ourSource) {
      this.render();
      return;
    }
    const source = this.sourceOf(e.query, r);
    const previousSource = this.ourSource;
    const previousResult = this.ourResult;
    this.ourSource = source;
    this.ourResult = r;
    try {
      // a refresh nobody asked for just now never replaces a profile the user asked for (ProfileSession.load)
      const loaded = await this.session.load(r.bytes, source, { background: !asked });
      if (!loaded) {
        // dropped or superseded: a newer load decides what is shown; what we showed is unchanged
        if (this.ourSource === source) {
          this.ourSource = previousSource;
          this.ourResult = previousResult;
        }
        return;
      }
      this.loadError = undefined;
      this.notified.delete(`${e.key}:other`);
      if (isFetched(r) && r.truncation.truncated && r.truncation.share >= 0.05) {
        this.offerOnce(`truncated:${e.key}`, () =>
          vscode.window.showInformationMessage(
            `Profile Lens: Pyroscope truncated this profile: ${(r.truncation.share * 100).toFixed(1)}% of the total is in "other" (not attributed to lines). Raise profileLens.backend.maxNodes or narrow the query.`,
          ),
        );
      }
    } catch (err) {
      // the engine refused the bytes: the previous profile stays on screen
      this.ourSource = previousSource;
      this.ourResult = previousResult;
      this.loadError = err instanceof Error ? err.message : String(err);
      void vscode.window.showErrorMessage(`Profile Lens: the profile from ${isPprofUrl(e.query) ? displaySafe(e.query.url) : 'Pyroscope'} could not be loaded: ${this.loadError}`);
    }
    this.render();
  }

  private sourceOf(q: FollowedQuery, r: FollowedResult): ProfileSource {
    if (isPprofUrl(q) || !isFetched(r)) {
      const label = 'label' in r ? r.label : 'pprof';
      return { kind: 'pprof-url', label, detail: isPprofUrl(q) ? displaySafe(q.url) : undefined, uri: undefined };
    }
    let conn: BackendConnection | undefined;
    try {
      conn = this.connection(q.connection);
    } catch {
      conn = undefined;
    }
    return {
      kind: 'pyroscope',
      label: conn?.name ?? 'Pyroscope',
      detail: `Pyroscope "${conn?.name ?? q.connection}" at ${conn ? displaySafe(conn.url) : '?'} — ${r.labelSelector} ${q.profileType}, ${windowLabel(q.window)} (via ${r.method})`,
      service: q.service,
      profileType: q.profileType,
      window: windowLabel(q.window),
      truncatedShare: r.truncation.truncated ? r.truncation.share : undefined,
      pathMappings: serviceRootMappings(
        this.services.get(q.connection)?.find((s) => s.name === q.service),
        (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath),
      ),
    };
  }

  // ---- Compare (src/host/compare): baselines of the followed query ----------------------------------

  /** The query whose profile is on screen now, with the time range it covered; undefined when none. */
  get followed(): { query: BackendQuery; start: number; end: number } | undefined {
    const q = this.scheduler.current;
    const r = this.ourResult;
    if (!q || isPprofUrl(q) || !isFetched(r) || this.session.current?.source !== this.ourSource) return undefined;
    return { query: q, start: r.start, end: r.end };
  }

  /** Fetches `q` once (not followed), with progress; errors are BackendErrors with their usual messages. */
  async fetchOnce(q: BackendQuery, title: string): Promise<{ bytes: Uint8Array; source: ProfileSource; start: number; end: number }> {
    const conn = this.connection(q.connection);
    const r = await this.withProgressOf(title, (signal) => this.fetch(q, signal));
    const source: ProfileSource = {
      kind: 'pyroscope',
      label: `${q.service} · ${[...q.filters.map(formatMatcher), windowLabel(q.window)].join(' · ')}`,
      detail: `Pyroscope "${conn.name}" at ${displaySafe(conn.url)} — ${r.labelSelector} ${q.profileType}, ${windowLabel(q.window)} (via ${r.method})`,
      service: q.service,
      profileType: q.profileType,
      window: windowLabel(q.window),
      truncatedShare: r.truncation.truncated ? r.truncation.share : undefined,
      pathMappings: this.ourSource?.pathMappings,
    };
    return { bytes: r.bytes, source, start: r.start, end: r.end };
  }

  // ---- Correlate (src/host/correlate): span profiles of the followed query ------------------------

  /** true when `profile` is what the followed Pyroscope query loaded (its span queries go to the server). */
  isPyroscope(profile: LoadedProfile): boolean {
    const q = this.scheduler.current;
    return !!q && !isPprofUrl(q) && !!this.ourSource && profile.source === this.ourSource;
  }

  /**
   * The spans' profile (SelectMergeSpanProfile over the range the shown profile covers) as pprof, its
   * frames placed at the function start lines the merged profile gives (the server's span profile has
   * function names only).
   */
  async spanProfile(spanIds: string[], profile: LoadedProfile): Promise<Uint8Array> {
    const q = this.scheduler.current;
    const r = this.ourResult;
    if (!q || isPprofUrl(q) || !isFetched(r)) throw new BackendError('no-data', 'No Pyroscope query is followed any more; connect again.');
    const client = await this.clientFor(this.connection(q.connection), true);
    const settings = readBackendSettings();
    const window: TimeWindow = { kind: 'range', start: r.start, end: r.end };
    const span = await this.withProgressOf(`Profile Lens: fetching the profile of span ${spanIds.join(', ')}`, (signal) =>
      client.fetchSpanProfile({ service: q.service, profileType: q.profileType, window, filters: q.filters, maxNodes: settings.maxNodes }, spanIds, { signal }));
    const index = profile.index;
    const places = new Map<string, { file: string; line: number }>();
    const F = index.functions;
    for (let f = 0; f < F.count; f++) {
      const name = index.strings[F.name[f]];
      if (places.has(name)) continue;
      const file = F.file[f] >= 0 ? index.files[F.file[f]].profilePath : F.profileFile?.[f] ? index.strings[F.profileFile[f]] : '';
      if (file) places.set(name, { file, line: F.startLine[f] });
    }
    const parts = q.profileType.split(':');
    const sampleType = parts.length === 5 ? { type: parts[1], unit: parts[2] } : profile.index.sampleTypes[profile.typeIndex];
    return flameGraphToPprof(span.flamegraph, { sampleType, place: (name) => places.get(name), timeNanos: r.start * 1e6, durationNanos: (r.end - r.start) * 1e6 });
  }

  /**
   * The followed query narrowed by sample labels the server keeps as series labels (e.g. span_name,
   * endpoint; AND over keys, a regex alternation over one key's values), over the range the shown
   * profile covers, as pprof (line-level). A key the service does not have is refused naming the ones it has.
   */
  async labelProfile(labels: { key: string; values: string[] }[], profile: LoadedProfile): Promise<Uint8Array> {
    void profile;
    const q = this.scheduler.current;
    const r = this.ourResult;
    if (!q || isPprofUrl(q) || !isFetched(r)) throw new BackendError('no-data', 'No Pyroscope query is followed any more; connect again.');
    const client = await this.clientFor(this.connection(q.connection), true);
    const window: TimeWindow = { kind: 'range', start: r.start, end: r.end };
    const names = await this.withProgressOf('Profile Lens: listing labels…', (signal) => client.labelNames([buildLabelSelector(q.service)], window, { signal }));
    const missing = labels.filter((m) => !names.includes(m.key));
    if (missing.length) {
      const have = names.filter((n) => !n.startsWith('__') && n !== 'service_name');
      throw new BackendError('no-data', `Pyroscope has no label ${missing.map((m) => m.key).join(', ')} for service "${q.service}" in this window (its labels: ${have.join(', ') || 'none'}); select a span by its span_id, or by one of these labels.`);
    }
    const regex = (v: string) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const filters: LabelMatcher[] = [
      ...q.filters,
      ...labels.map((m): LabelMatcher => (m.values.length === 1 ? { name: m.key, op: '=', value: m.values[0] } : { name: m.key, op: '=~', value: m.values.map(regex).join('|') })),
    ];
    const settings = readBackendSettings();
    const what = labels.map((m) => `${m.key}=${m.values.join('|')}`).join(', ');
    const res = await this.withProgressOf(`Profile Lens: fetching ${q.service} with ${what}`, (signal) =>
      client.fetchProfile({ service: q.service, profileType: q.profileType, window, filters, maxNodes: settings.maxNodes }, { signal }));
    return res.bytes;
  }

  /** Label names of the followed query's service, or the values of `name` (Correlate's picker). */
  async followedLabels(name?: string): Promise<string[]> {
    const q = this.scheduler.current;
    if (!q || isPprofUrl(q)) return [];
    return this.labelsOf(q, name);
  }

  /** Label names of the query's service (without `name`), or the values of label `name`, in its window. */
  async labelsOf(q: BackendQuery, name?: string): Promise<string[]> {
    const client = await this.clientFor(this.connection(q.connection), true);
    const selector = buildLabelSelector(q.service);
    if (name !== undefined) return this.withProgressOf('Profile Lens: listing values…', (signal) => client.labelValues(name, [selector], q.window, { signal }));
    const names = await this.withProgressOf('Profile Lens: listing labels…', (signal) => client.labelNames([selector], q.window, { signal }));
    return names.filter((n) => !n.startsWith('__') && n !== 'service_name');
  }

  private showError(e: unknown, conn?: BackendConnection): void {
    if (isBackendError(e, 'cancelled')) return;
    const message = e instanceof Error ? e.message : String(e);
    const actions: string[] = [];
    const code = isBackendError(e) ? e.code : undefined;
    if (code === 'unauthorized' || code === 'forbidden') actions.push('Set Backend Token…');
    if (code === 'wrong-base-url' || code === 'dns' || code === 'unreachable' || code === 'tls' || code === 'bad-url' || code === 'redirect') actions.push('Open Settings');
    if (code === 'no-data') actions.push('Select Time Window…');
    if (code === 'too-large' || code === 'timeout') actions.push('Open Settings');
    void vscode.window.showErrorMessage(`Profile Lens: ${message}`, ...new Set(actions)).then((pick) => {
      if (pick === 'Set Backend Token…') void vscode.commands.executeCommand(Commands.setBackendToken);
      else if (pick === 'Select Time Window…') void vscode.commands.executeCommand(Commands.selectTimeWindow);
      else if (pick === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', code === 'too-large' || code === 'timeout' ? 'profileLens.backend' : Settings.connections);
    });
    void conn;
  }

  // ---- live pprof endpoints --------------------------------------------------------------------

  private async fetchFromUrl(args: unknown): Promise<void> {
    const a = args && typeof args === 'object' ? (args as Record<string, unknown>) : {};
    let url = typeof a.url === 'string' ? a.url : undefined;
    if (!url) {
      url = await vscode.window.showInputBox({
        title: 'Fetch Profile from URL',
        prompt: 'A service with pprof endpoints (http://host:6060), its /debug/pprof/ index, or a full endpoint URL',
        value: this.state.lastPprofUrl ?? 'http://localhost:6060',
        ignoreFocusOut: true,
        validateInput: (v) => {
          try {
            const u = new URL(v);
            return u.protocol === 'http:' || u.protocol === 'https:' ? undefined : 'http:// or https:// only';
          } catch {
            return 'not a URL';
          }
        },
      });
    }
    if (!url) return;
    const named = /\/debug\/pprof\/[a-z]+\/?(\?|$)/.test(url);
    let kind: PprofKind = typeof a.kind === 'string' && PPROF_KINDS.some((k) => k.kind === a.kind) ? (a.kind as PprofKind) : 'profile';
    let seconds = typeof a.seconds === 'number' && a.seconds > 0 && a.seconds <= 3600 ? a.seconds : 10;
    if (!named && typeof a.kind !== 'string') {
      const pick = await vscode.window.showQuickPick(PPROF_KINDS.map((k) => ({ label: k.label, pprofKind: k.kind })), { title: 'Which profile?' });
      if (!pick) return;
      kind = pick.pprofKind;
    }
    if (!named && kind === 'profile' && typeof a.seconds !== 'number') {
      const pick = await vscode.window.showQuickPick(['5', '10', '30', '60'].map((s) => ({ label: `${s} s`, s: Number(s) })), { title: 'CPU profile duration' });
      if (!pick) return;
      seconds = pick.s;
    }
    let q: PprofUrlQuery;
    try {
      q = pprofUrlQuery(url, kind, seconds);
    } catch (e) {
      void vscode.window.showErrorMessage(`Profile Lens: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    // The URL becomes the followed query: fetched now, then again on the refresh interval.
    await this.followUrl(q, true);
  }

  // ---- state and status bar ---------------------------------------------------------------------

  private savedQuery(): BackendQuery | undefined {
    const s = this.state;
    if (!s.connection || !s.service || !s.profileType) return undefined;
    return { connection: s.connection, service: s.service, profileType: s.profileType, window: s.window ?? DEFAULT_WINDOW, filters: s.filters ?? [] };
  }

  private saveState(patch: Partial<SavedState>): void {
    this.state = { ...this.state, ...patch };
    void this.context.workspaceState.update(STATE_KEY, this.state);
  }

  private startTicker(): void {
    if (this.ticker) return;
    this.ticker = setInterval(() => this.render(), 5000);
  }

  private render(): void {
    const q = this.scheduler.current;
    if (!q) {
      this.item.hide();
      return;
    }
    const st = this.scheduler.status();
    const age = st.lastUpdated !== undefined ? `updated ${formatAge(Date.now() - st.lastUpdated)}` : 'not loaded yet';
    let icon = '$(sync)';
    let text = age;
    if (st.fetching) {
      icon = '$(sync~spin)';
      const what = isPprofUrl(q) ? (q.seconds ? `collecting ${q.seconds} s CPU profile` : `fetching ${q.pprofKind}`) : `fetching ${noIcons(q.service)}`;
      text = st.lastUpdated !== undefined ? `refreshing · ${age}` : `${what}…`;
    } else if (st.lastError && !isBackendError(st.lastError, 'cancelled')) {
      icon = '$(warning)';
      text = `refresh failed · ${age}`;
    } else if (!isPprofUrl(q) && q.window.kind === 'range') icon = '$(pinned)';
    else if (st.paused) {
      icon = '$(debug-pause)';
      text = `paused · ${age}`;
    }
    this.item.text = `${icon} ${text}`;
    const md = new vscode.MarkdownString();
    md.isTrusted = false;
    md.supportHtml = false;
    const r = this.ourResult;
    if (isPprofUrl(q)) {
      md.appendMarkdown('**Profile Lens: live pprof endpoint**\n\n');
      md.appendText(`URL: ${displaySafe(q.url)}\n`);
      if (q.seconds) md.appendText(`CPU collection: ${q.seconds} s per fetch (the next one starts after it ended)\n`);
    } else {
      md.appendMarkdown('**Profile Lens: Pyroscope**\n\n');
      md.appendText(`Connection: ${q.connection}\nService: ${q.service}\nProfile type: ${q.profileType}\nWindow: ${windowLabel(q.window)}\n`);
      if (q.filters.length) md.appendText(`Filters: ${q.filters.map(formatMatcher).join(', ')}\n`);
    }
    if (isFetched(r)) md.appendText(`Fetched via ${r.method}${r.truncation.truncated ? `; ${(r.truncation.share * 100).toFixed(1)}% in "other" (truncated)` : ''}\n`);
    if (!isPprofUrl(q) && q.window.kind === 'range') md.appendText('Fixed window: not refreshed automatically.\n');
    else if (st.paused) md.appendText('Auto-refresh paused.\n');
    else if (!st.focused) md.appendText('Auto-refresh waits until this window is focused.\n');
    else md.appendText(`Refreshes every ${Math.round(readBackendSettings().refreshIntervalMs / 1000)} s${st.nextDue ? ` (next in ${Math.max(0, Math.round((st.nextDue - Date.now()) / 1000))} s)` : ''}.\n`);
    if (st.lastError && !isBackendError(st.lastError, 'cancelled')) md.appendText(`\nLast refresh failed: ${st.lastError instanceof Error ? st.lastError.message : String(st.lastError)}\nThe last good profile stays shown.\n`);
    if (this.loadError) md.appendText(`\nLast profile could not be loaded: ${this.loadError}\n`);
    md.appendMarkdown(isPprofUrl(q) ? '\nClick for actions (refresh, pause, another URL).' : '\nClick for actions (refresh, pause, service, type, window, filters).');
    this.item.tooltip = md;
    this.item.show();
  }
}

/** Server- or settings-provided text for labels that render `$(icon)` syntax: shown literally. */
export function noIcons(s: string): string {
  return s.replace(/\$\(/g, '$\u200b(');
}

/** The followed query of a pprof URL (base, index or endpoint; see pprofEndpointUrl). */
export function pprofUrlQuery(url: string, kind: PprofKind, seconds: number): PprofUrlQuery {
  const t = pprofEndpointUrl(url, kind, seconds);
  return { kind: 'pprof-url', url: t.url, pprofKind: t.kind, seconds: t.seconds };
}

function queryKey(q: FollowedQuery): string {
  if (isPprofUrl(q)) return JSON.stringify(['pprof-url', q.url]);
  return JSON.stringify([q.connection, q.service, q.profileType, windowKey(q.window), q.filters.map(formatMatcher).sort()]);
}

function authLabel(c: BackendConnection): string {
  const auth = c.auth === 'basic' ? `basic auth (user ${c.user ?? '?'})` : c.auth === 'bearer' ? 'bearer token' : 'no auth';
  return c.tenant ? `${auth} · tenant ${c.tenant}` : auth;
}

function displaySafe(url: string): string {
  return displayUrl(url);
}

/** Not a hash for security, only to notice that a token changed without keeping it in the key. */
function hashish(s: string): string {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return (h >>> 0).toString(36);
}

function sanitizeState(raw: unknown): SavedState {
  if (!raw || typeof raw !== 'object') return {};
  const r = raw as Record<string, unknown>;
  const s: SavedState = {};
  if (typeof r.connection === 'string') s.connection = r.connection;
  if (typeof r.service === 'string') s.service = r.service;
  if (typeof r.profileType === 'string') s.profileType = r.profileType;
  const w = r.window as TimeWindow | undefined;
  if (w && typeof w === 'object' && ((w.kind === 'last' && typeof w.ms === 'number' && w.ms > 0) || (w.kind === 'range' && typeof w.start === 'number' && typeof w.end === 'number'))) s.window = w;
  if (Array.isArray(r.filters)) {
    s.filters = r.filters.filter((f): f is LabelMatcher => !!f && typeof f === 'object' && typeof f.name === 'string' && typeof f.value === 'string' && ['=', '!=', '=~', '!~'].includes(f.op));
  }
  s.paused = r.paused === true;
  s.active = r.active === true;
  if (typeof r.lastPprofUrl === 'string') s.lastPprofUrl = r.lastPprofUrl;
  return s;
}
