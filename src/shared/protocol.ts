/**
 * The flame graph's host ↔ webview protocol: the one place both sides agree on.
 * Messages are named by direction (`ToWebview`: host → page, `FromWebview`: page → host) and tagged
 * with string-literal `type`s so logs stay readable.
 *
 * Handshake: the page posts `ready` once its script runs; only then does the host send `tree`.
 * The tree is never inlined into the HTML. It travels as a string table plus typed arrays, which
 * VS Code's `postMessage` transfers as binary (no JSON of numbers).
 */
import type { MergeBy } from '../core/engine';
import type { SampleType } from '../core/model';

/**
 * A FlameTree (core/model.ts) as it crosses to the page. Same column layout: node 0 is the root,
 * nodes are in pre-order and the children of a node are contiguous after it.
 * `strings` holds only the names the tree uses (re-indexed); `files[file[i]]` is a display path.
 */
export interface WireFlameTree {
  sampleType: SampleType;
  strings: string[];
  files: string[];
  count: number;
  parent: Int32Array;
  depth: Uint16Array;
  name: Int32Array;
  /** index into `files`, -1 none (same ids as ProfileIndex.files) */
  file: Int32Array;
  /** 1-based, 0 unknown */
  line: Int32Array;
  self: Float64Array;
  total: Float64Array;
  /** diff trees only: the baseline's values (already scaled to the current total by the engine or not; the page normalises by root totals) */
  baseSelf?: Float64Array;
  baseTotal?: Float64Array;
  /** what the node budget merged into "other" nodes */
  merged: { nodes: number; weight: number };
}

/** Options the host uses to ask the engine for a tree; the page may change them. */
export interface TreeOptions {
  mergeBy: MergeBy;
  /** bottom-up call tree (callers of the leaves) */
  inverted: boolean;
  typeIndex: number;
}

/**
 * Correlate: the tree is the profile of one span or trace (only the samples carrying its labels), not
 * the whole profile; every share the page shows is of this selection's total.
 */
export interface SelectionInfo {
  /** short text, e.g. "span 00f067aa…" */
  label: string;
  /** what the samples carry, e.g. "span_id = 00f067aa0ba902b7" */
  condition: string;
  /** span names of the selected samples, heaviest first (when the profile labels them) */
  names?: string[];
  /** distinct span names beyond `names` */
  moreNames?: number;
  /** samples in the selection (as the profiler took them) */
  samples: number;
  /** the selection's total of `sampleType` */
  value: number;
  sampleType: SampleType;
  /** `value` as a share of the whole profile's total of the same type (absent when it is not one) */
  wholeShare?: number;
  /** the whole profile, e.g. "cpu.pb.gz" */
  wholeLabel: string;
  /** a profile the server computed for the span (Pyroscope) rather than a part of the loaded one */
  fromServer?: boolean;
}

export interface TreeMessage {
  type: 'tree';
  tree: WireFlameTree;
  options: TreeOptions;
  /** all sample types of the profile, for the type picker */
  sampleTypes: SampleType[];
  /** a short description of the profile, e.g. "cpu.pb.gz" */
  label: string;
  /** increases with every tree sent; the page keeps its zoom/search only within one profile */
  profileKey: string;
  /** set while a Correlate selection is shown (absent: the whole profile) */
  selection?: SelectionInfo;
}

/** Nothing to show (no profile loaded, or the engine failed). The page keeps its last good tree if it has one. */
export interface StatusMessage {
  type: 'status';
  kind: 'empty' | 'loading' | 'error';
  message: string;
}

/** Highlight the frames of one function (the editor's cursor is in it); absent name clears. */
export interface HighlightMessage {
  type: 'highlight';
  name?: string;
  /** file id as in WireFlameTree.file */
  file?: number;
}

/** Show the sandwich view (callers above, callees below) of a function, e.g. from a CodeLens. */
export interface FocusFunctionMessage {
  type: 'focusFunction';
  name: string;
  file: number;
}

export type ToWebview = TreeMessage | StatusMessage | HighlightMessage | FocusFunctionMessage;

export interface ReadyMessage {
  type: 'ready';
}

/** Open the source of a frame in the editor. */
export interface OpenSourceMessage {
  type: 'openSource';
  /** file id as in WireFlameTree.file */
  file: number;
  /** 1-based, 0 unknown */
  line: number;
}

/** The page changed an option that needs a new tree from the engine. */
export interface SetOptionsMessage {
  type: 'setOptions';
  options: TreeOptions;
}

/** Save an export of the current view. */
export interface ExportMessage {
  type: 'export';
  format: 'svg' | 'png';
  /** SVG text, or a PNG `data:` URL */
  data: string;
  suggestedName: string;
}

/** Something went wrong in the page (for the output log; never shown raw to users). */
export interface PageErrorMessage {
  type: 'pageError';
  message: string;
}

/** Rendering statistics, posted after each full draw (used by tests and the bench). */
export interface DrawnMessage {
  type: 'drawn';
  ms: number;
  rects: number;
  /** the selection header's text as the page shows it (absent: none shown) */
  selection?: string;
}

/** The user ended the Correlate selection from the page: show the whole profile again. */
export interface ShowWholeProfileMessage {
  type: 'showWholeProfile';
}

export type FromWebview = ReadyMessage | OpenSourceMessage | SetOptionsMessage | ExportMessage | PageErrorMessage | DrawnMessage | ShowWholeProfileMessage;
