/**
 * Typed maps of everything package.json `contributes`: command ids, setting keys (with their types
 * and defaults), context keys, views and colours. test/unit/host-logic/contributions.test.ts checks
 * that the manifest and these maps agree both ways — add a command or setting in both places.
 *
 * Only `import type` from vscode here, so the unit test can load this file in plain Node.
 */
import type * as vscode from 'vscode';
import type { PathMapping, SampleSelection } from '../core/engine';

export const Commands = {
  /** {@link ../host/insights/profileCommands.ts} Open Profile File… */
  openProfile: 'profileLens.openProfile',
  selectSampleType: 'profileLens.selectSampleType',
  toggleAnnotations: 'profileLens.toggleAnnotations',
  clearProfile: 'profileLens.clearProfile',
  showUnresolvedPaths: 'profileLens.showUnresolvedPaths',
  /** internal: hover and hotspot links → source of a function or line */
  openLocation: 'profileLens.openLocation',
  /** registered by the flame graph (src/host/flameGraph) */
  showFlameGraph: 'profileLens.showFlameGraph',
  /** registered by the backends (src/host/backend) */
  connectPyroscope: 'profileLens.connectPyroscope',
  setBackendToken: 'profileLens.setBackendToken',
  selectService: 'profileLens.selectService',
  selectProfileType: 'profileLens.selectProfileType',
  selectTimeWindow: 'profileLens.selectTimeWindow',
  editLabelFilters: 'profileLens.editLabelFilters',
  fetchProfileFromUrl: 'profileLens.fetchProfileFromUrl',
  refreshNow: 'profileLens.refreshNow',
  pauseAutoRefresh: 'profileLens.pauseAutoRefresh',
  resumeAutoRefresh: 'profileLens.resumeAutoRefresh',
  backendActions: 'profileLens.backendActions',
  /** test-only: backend controller state (src/host/backend) */
  testBackend: 'profileLens._test.backend',
  /** registered by Compare (src/host/compare) */
  compareWithFile: 'profileLens.compareWithFile',
  compareEarlierWindow: 'profileLens.compareEarlierWindow',
  compareLabelValues: 'profileLens.compareLabelValues',
  clearComparison: 'profileLens.clearComparison',
  /** test-only: comparison state (src/host/compare) */
  testCompare: 'profileLens._test.compare',
  /** test-only accessors, hidden from the palette */
  testDecorations: 'profileLens._test.decorations',
  testStats: 'profileLens._test.stats',
  /** registered by Correlate (src/host/correlate): the profile of one span / trace */
  showSpanProfile: 'profileLens.showSpanProfile',
  showWholeProfile: 'profileLens.showWholeProfile',
  /** test-only: selection state (src/host/correlate) */
  testCorrelate: 'profileLens._test.correlate',
  /** test hook: kill the engine worker as a crash would (issue 7: isolation) */
  testCrashEngine: 'profileLens._test.crashEngine',
  /** test-only: flame graph controller state (src/host/flameGraph) */
  testFlameGraph: 'profileLens._test.flameGraph',
} as const;

export type CommandId = (typeof Commands)[keyof typeof Commands];

/** Argument of `profileLens.openLocation` (validated by its handler: it comes from markdown links). */
export interface OpenLocationArgs {
  /** engine handle of the profile the link was made for */
  profile: number;
  /** ResolvedFile id */
  file: number;
  /** 1-based line in the profile */
  line: number;
}

/** Arguments per command; commands not listed take `unknown[]`. */
export interface CommandArgs {
  [Commands.openProfile]: [uri?: vscode.Uri];
  /** a sample type name (e.g. from a keybinding); without it a quick pick asks */
  [Commands.selectSampleType]: [type?: string];
  [Commands.toggleAnnotations]: [];
  [Commands.clearProfile]: [];
  /** with a mapping: add it to the workspace settings and reload, without asking (tests, keybindings) */
  [Commands.showUnresolvedPaths]: [mapping?: PathMapping];
  [Commands.openLocation]: [args: unknown];
  /** functionId: sandwich view of that function; baseId: a loaded baseline profile (engine handle) → diff colours */
  [Commands.showFlameGraph]: [args?: { functionId?: number; baseId?: number }];
  /** a baseline file (URI or absolute path); without it an open dialog asks */
  [Commands.compareWithFile]: [uri?: vscode.Uri | string];
  /** shift back in ms (0 = the previous window); without it a quick pick asks */
  [Commands.compareEarlierWindow]: [shiftMs?: number];
  /** label name, baseline value, current value; what is missing is asked */
  [Commands.compareLabelValues]: [label?: string, baselineValue?: string, currentValue?: string];
  /** `span_id=<id>`, a bare span id (trace id when 32 hex digits), `key=value`, or a selection; without it a quick pick asks */
  [Commands.showSpanProfile]: [selection?: string | SampleSelection];
  [Commands.showWholeProfile]: [];
  [Commands.testDecorations]: [uri?: vscode.Uri];
  [Commands.testStats]: [];
}
type ArgsOf<K extends CommandId> = K extends keyof CommandArgs ? CommandArgs[K] : unknown[];

/** Registers a command by its typed id; the returned disposable must get an owner. */
export function registerCommand<K extends CommandId>(
  commands: typeof vscode.commands,
  id: K,
  handler: (...args: ArgsOf<K>) => unknown,
): vscode.Disposable {
  return commands.registerCommand(id, handler as (...args: unknown[]) => unknown);
}

/** A command link for markdown (`command:id?args`). Only our own ids can be made. */
export function commandLink<K extends CommandId>(id: K, ...args: ArgsOf<K>): string {
  return `command:${id}?${encodeURIComponent(JSON.stringify(args))}`;
}

export const Settings = {
  pathMappings: 'profileLens.pathMappings',
  defaultProfile: 'profileLens.defaultProfile',
  /** a live pprof endpoint followed at activation (restricted: it makes requests) */
  followUrl: 'profileLens.followUrl',
  threshold: 'profileLens.annotations.threshold',
  lineCost: 'profileLens.annotations.lineCost',
  sampleTypes: 'profileLens.annotations.sampleTypes',
  gutter: 'profileLens.annotations.gutter',
  inline: 'profileLens.annotations.inline',
  highlightHottest: 'profileLens.annotations.highlightHottest',
  codeLens: 'profileLens.codeLens.enabled',
  hover: 'profileLens.hover.enabled',
  hotspotsMaxItems: 'profileLens.hotspots.maxItems',
  /** most nodes of a flame graph tree (the rest folds into "other" nodes); clamped by the flame graph controller */
  flameGraphNodeBudget: 'profileLens.flameGraph.nodeBudget',
  /** backends (src/host/backend/connectionSettings.ts validates these) */
  connections: 'profileLens.connections',
  refreshIntervalSeconds: 'profileLens.backend.refreshIntervalSeconds',
  backendTimeoutSeconds: 'profileLens.backend.timeoutSeconds',
  backendMaxResponseMB: 'profileLens.backend.maxResponseMB',
  backendMaxNodes: 'profileLens.backend.maxNodes',
  limitMaxProfileMB: 'profileLens.limits.maxProfileMB',
  limitMaxInflatedMB: 'profileLens.limits.maxInflatedMB',
  limitMaxSamples: 'profileLens.limits.maxSamples',
  limitMaxLocations: 'profileLens.limits.maxLocations',
  limitMaxStrings: 'profileLens.limits.maxStrings',
  limitMaxSourceMapMB: 'profileLens.limits.maxSourceMapMB',
} as const;

export type SettingKey = (typeof Settings)[keyof typeof Settings];

/** Types and defaults (must equal the manifest's `default`; the unit test checks). */
export interface SettingTypes {
  [Settings.pathMappings]: PathMapping[];
  [Settings.defaultProfile]: string;
  [Settings.followUrl]: string;
  [Settings.threshold]: number;
  [Settings.lineCost]: 'self' | 'total';
  [Settings.sampleTypes]: string[];
  [Settings.gutter]: boolean;
  [Settings.inline]: boolean;
  [Settings.highlightHottest]: boolean;
  [Settings.codeLens]: boolean;
  [Settings.hover]: boolean;
  [Settings.hotspotsMaxItems]: number;
  [Settings.flameGraphNodeBudget]: number;
  [Settings.connections]: unknown[];
  [Settings.refreshIntervalSeconds]: number;
  [Settings.backendTimeoutSeconds]: number;
  [Settings.backendMaxResponseMB]: number;
  [Settings.backendMaxNodes]: number;
  [Settings.limitMaxProfileMB]: number;
  [Settings.limitMaxInflatedMB]: number;
  [Settings.limitMaxSamples]: number;
  [Settings.limitMaxLocations]: number;
  [Settings.limitMaxStrings]: number;
  [Settings.limitMaxSourceMapMB]: number;
}

export const SettingDefaults: { [K in keyof SettingTypes]: SettingTypes[K] } = {
  [Settings.pathMappings]: [],
  [Settings.defaultProfile]: '',
  [Settings.followUrl]: '',
  [Settings.threshold]: 1,
  [Settings.lineCost]: 'total',
  [Settings.sampleTypes]: [],
  [Settings.gutter]: true,
  [Settings.inline]: true,
  [Settings.highlightHottest]: true,
  [Settings.codeLens]: true,
  [Settings.hover]: true,
  [Settings.hotspotsMaxItems]: 20,
  [Settings.flameGraphNodeBudget]: 100_000,
  [Settings.connections]: [],
  [Settings.refreshIntervalSeconds]: 60,
  [Settings.backendTimeoutSeconds]: 30,
  [Settings.backendMaxResponseMB]: 256,
  [Settings.backendMaxNodes]: 65536,
  [Settings.limitMaxProfileMB]: 256,
  [Settings.limitMaxInflatedMB]: 512,
  [Settings.limitMaxSamples]: 50_000_000,
  [Settings.limitMaxLocations]: 20_000_000,
  [Settings.limitMaxStrings]: 20_000_000,
  [Settings.limitMaxSourceMapMB]: 256,
};

/**
 * Reads a setting (from `vscode.workspace.getConfiguration()`), falling back to the default when
 * the user's value has the wrong JSON type (a hand-edited settings.json must not break the view).
 */
export function readConfig<K extends keyof SettingTypes>(config: vscode.WorkspaceConfiguration, key: K): SettingTypes[K] {
  const fallback = SettingDefaults[key];
  const value = config.get<unknown>(key);
  if (value === undefined || value === null) return fallback;
  if (Array.isArray(fallback) !== Array.isArray(value) || typeof value !== typeof fallback) return fallback;
  return value as SettingTypes[K];
}

/** Context keys set by the host, for `when` clauses in the manifest. */
export const ContextKeys = {
  /** a profile is loaded */
  loaded: 'profileLens.loaded',
  /** annotations are shown (Toggle Annotations) */
  annotationsVisible: 'profileLens.annotationsVisible',
  /** the loaded profile has more than one sample type */
  multipleSampleTypes: 'profileLens.multipleSampleTypes',
  /** the loaded profile has paths that did not resolve to workspace files */
  hasUnresolved: 'profileLens.hasUnresolved',
  /** a backend query (Pyroscope) is being followed */
  backendActive: 'profileLens.backendActive',
  /** auto-refresh of the backend query is paused */
  autoRefreshPaused: 'profileLens.autoRefreshPaused',
  /** a baseline is loaded: annotations and the flame graph show changes (src/host/compare) */
  comparing: 'profileLens.comparing',
  /** only the samples of a span / trace are shown (src/host/correlate) */
  selectionActive: 'profileLens.selectionActive',
} as const;

export type ContextKey = (typeof ContextKeys)[keyof typeof ContextKeys];

export function setContext(commands: typeof vscode.commands, key: ContextKey, value: boolean): void {
  void commands.executeCommand('setContext', key, value);
}

export const Views = {
  container: 'profileLens',
  hotspots: 'profileLens.hotspots',
} as const;

/** Theme colours (contributed with light/dark/high-contrast defaults). */
export const Colors = {
  heat1: 'profileLens.heat1',
  heat2: 'profileLens.heat2',
  heat3: 'profileLens.heat3',
  heat4: 'profileLens.heat4',
  heat5: 'profileLens.heat5',
  inlineForeground: 'profileLens.inlineForeground',
  hotLineBackground: 'profileLens.hotLineBackground',
  /** Compare: inline text of lines that got slower / faster / did not change beyond noise */
  deltaWorse: 'profileLens.deltaWorseForeground',
  deltaBetter: 'profileLens.deltaBetterForeground',
  deltaSame: 'profileLens.deltaSameForeground',
} as const;

/** The `profile-lens-source:` scheme: read-only sources that exist only as source-map sourcesContent. */
export const SOURCE_SCHEME = 'profile-lens-source';
