/**
 * Typed access, for suites running in the extension host, to what the extension reports through its
 * hidden test commands (`profileLens._test.*`, registered in src/host) and to Open Profile File. The
 * shapes follow the handlers: testStats (insights/registerInsights.ts), testDecorations (same),
 * testBackend (backend/backendController.ts), testCompare (compare/compareController.ts),
 * testFlameGraph (flameGraph/flameGraphPanel.ts).
 */
import * as vscode from 'vscode';

export type EngineState =
  | { kind: 'ok' }
  | { kind: 'restoring'; reason: string; label: string }
  | { kind: 'lost'; reason: string; label: string; message: string };

export interface HotspotNode {
  kind: string;
  id: string;
  label: string;
  description?: string;
  children?: { kind: string; label: string; description: string; children?: { label: string; target?: unknown }[] }[];
}

/** `profileLens._test.stats`: the session and the insights. */
export interface SessionStats {
  sessionListeners: number;
  liveDisposables: number;
  decorationTypesCreated: number;
  loaded: boolean;
  profileId?: number;
  typeIndex?: number;
  annotationsVisible: boolean;
  statusText?: string;
  hotspots: HotspotNode[];
  /** the engine worker: restoring after a crash, or lost after a second one */
  engine: EngineState;
  engineCrashes: number;
}

/** What the decoration controller applied to a document (src/host/insights/decorations.ts AppliedDecorations). */
export interface AppliedDecorations {
  uri: string;
  gutter: { line: number; level: number }[];
  /** tone: only while comparing (worse/better/same) */
  inline: { line: number; text: string; tone?: string }[];
  hottest: number[];
}

/** `profileLens._test.decorations`: decorations, CodeLens and hovers of one document. */
export interface TestDecorations {
  decorations: AppliedDecorations | undefined;
  codeLenses: { line: number; title?: string; arguments?: unknown[] }[];
  hovers: Record<string, string>;
  fileId: number;
  stale: boolean;
}

/** `profileLens._test.backend`: the followed query (Pyroscope or a pprof URL) and its refreshes. */
export interface BackendState {
  following: boolean;
  query?: { kind?: string; url?: string; seconds?: number; connection?: string; service?: string; profileType?: string };
  fetching: boolean;
  paused: boolean;
  focused: boolean;
  lastUpdated?: number;
  fetchCount: number;
  lastError?: { code: string; message: string };
  loadError?: string;
  statusText: string;
  method?: string;
  truncation?: { total: number; share: number; truncated: boolean };
  total?: number;
  source?: { kind: string; label: string; detail?: string; service?: string; window?: string };
}

/** `profileLens._test.compare`: the comparison, and the diff tree the flame graph would get. */
export interface CompareState {
  comparing: boolean;
  baselineId?: number;
  baselineLabel?: string;
  scale?: number;
  scaleReason?: string;
  functions?: { name: string; change: number; selfChange: number; current: boolean }[];
  diffTree?: { nodes: number; hasBase: boolean; functions: { name: string; total: number; baseTotal: number }[] };
  /** functions with any cost in the baseline (shown sample type) */
  baselineFunctions?: string[];
}

/** `profileLens._test.flameGraph`: the panel, the last tree sent and what the page reported. */
export interface FlameGraphState {
  open: boolean;
  ready: boolean;
  currentId?: number;
  lastSent?: { profileId: number; nodes: number; merged: { nodes: number; weight: number }; budget: number; at: number };
  lastStatus?: { kind: string; message: string };
  lastDraw?: { ms: number; rects: number };
  /** Date.now() of the page's last `drawn` message */
  drawnAt: number;
}

/** What Open Profile File returns (`superseded`: a newer request came first; dropped, not an error). */
export interface OpenResult {
  ok: boolean;
  file: string;
  error?: string;
  superseded?: boolean;
}

export const sessionStats = () => vscode.commands.executeCommand<SessionStats>('profileLens._test.stats');
export const decorationsOf = (uri?: vscode.Uri) => vscode.commands.executeCommand<TestDecorations | undefined>('profileLens._test.decorations', uri);
export const backendState = () => vscode.commands.executeCommand<BackendState>('profileLens._test.backend');
export const compareState = () => vscode.commands.executeCommand<CompareState>('profileLens._test.compare');
export const flameGraphState = () => vscode.commands.executeCommand<FlameGraphState>('profileLens._test.flameGraph');
/** Open Profile File… on a path or URI, without the dialog. */
export const openProfile = (file: string | vscode.Uri) =>
  vscode.commands.executeCommand<OpenResult>('profileLens.openProfile', typeof file === 'string' ? vscode.Uri.file(file) : file);
export const clearProfile = () => vscode.commands.executeCommand('profileLens.clearProfile');
