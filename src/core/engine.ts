/**
 * The engine's public API: decode → symbolize → index, plus on-demand call trees and diffs.
 * Two implementations share this interface:
 * - an in-process one (CLI, unit tests), and
 * - a worker-thread one (the extension host: decoding a big profile is seconds of synchronous work,
 *   and the host must never block for more than 50 ms).
 * Everything returned is plain data (see model.ts).
 */
import type { FlameTree, ProfileIndex, SampleType } from './model';

export interface PathMapping {
  /** prefix as written in the profile, e.g. "/app" or "/usr/src/app/dist" */
  from: string;
  /** absolute local path, e.g. the workspace folder */
  to: string;
}

export interface LoadOptions {
  /** workspace roots (absolute). Automatic path inference matches against files under these. */
  roots: string[];
  /** explicit prefix rules; longest matching prefix wins */
  pathMappings: PathMapping[];
  /** contents of .pyroscope.yaml files found in the roots, with the folder each came from */
  pyroscopeYaml?: { dir: string; text: string }[];
  /** cap on inflated (gunzipped) size in bytes; default 512 MB */
  maxInflatedBytes?: number;
  /** cap on the profile's size as given (compressed or not), bytes; default 256 MB */
  maxProfileBytes?: number;
  /** caps on the decoded profile's tables; defaults in engineCore.ts (DEFAULT_LIMITS) */
  maxSamples?: number;
  maxLocations?: number;
  maxStrings?: number;
  /** cap on one source map's size in bytes; default 256 MB */
  maxSourceMapBytes?: number;
  /** setting that holds each cap (e.g. { maxSamples: 'profileLens.limits.maxSamples' }), named in over-the-cap messages */
  limitSettings?: Partial<Record<'maxProfileBytes' | 'maxInflatedBytes' | 'maxSamples' | 'maxLocations' | 'maxStrings' | 'maxSourceMapBytes', string>>;
  /** read files outside roots and path-mapping targets; default: only when `roots` is empty (CLI without --root); the extension passes false */
  readOutsideRoots?: boolean;
  /** a name for messages, e.g. the file name */
  sourceName?: string;
}

export type MergeBy = 'function' | 'line';

export interface FlameTreeOptions {
  typeIndex: number;
  mergeBy: MergeBy;
  /** max nodes; the negligible tail is merged into one "other" node per parent */
  nodeBudget: number;
  /** bottom-up (callers of leaves) instead of top-down */
  inverted?: boolean;
  /** keep only stacks through this function id (ProfileIndex.functions), rooted at it */
  focusFunction?: number;
  /** a loaded baseline profile: the tree then also carries baseSelf/baseTotal (diff flame graph) */
  baseId?: number;
}

export interface LoadResult {
  /** handle for later calls (flameTree, diff, release) */
  id: number;
  index: ProfileIndex;
  /** ms spent decoding / symbolizing / indexing */
  /** `threads`: 2 when the per-sample passes were shared with the engine's helper thread (big pprof profiles) */
  timings: { decode: number; symbolize: number; index: number; threads?: number };
}

export interface LineDiffRow {
  file: number;
  line: number;
  base: number;
  current: number;
}

export interface ProfileDiff {
  sampleType: SampleType;
  baseTotal: number;
  currentTotal: number;
  /** per-line self (leaf) deltas over files of the *current* index */
  lines: LineDiffRow[];
}

export interface Engine {
  load(bytes: Uint8Array, options: LoadOptions): Promise<LoadResult>;
  flameTree(id: number, options: FlameTreeOptions): Promise<FlameTree>;
  diff(baseId: number, currentId: number, typeIndex: number): Promise<ProfileDiff>;
  release(id: number): Promise<void>;
  dispose(): Promise<void>;
  /**
   * Correlate: the samples of profile `id` whose labels match `selection` (a span's `span_id`, a
   * `trace_id`, …), indexed as a profile of their own with a new id (release it like any other).
   * Frames and their symbolization are the parent's. Throws EngineError('no-match') naming the
   * profile's label keys when no sample matches.
   */
  select(id: number, selection: SampleSelection): Promise<LoadResult>;
  /** The label keys of profile `id` with their most frequent values (for pickers). */
  labels(id: number, options?: LabelSummaryOptions): Promise<LabelKeySummary[]>;
}

/** One label condition: the sample carries label `key` with one of `values` (exact strings). */
export interface LabelMatch {
  key: string;
  values: string[];
}

/** Which samples to keep: every condition holds (AND over keys, OR over one key's values). */
export interface SampleSelection {
  labels: LabelMatch[];
}

export interface LabelSummaryOptions {
  /** values listed per key (heaviest first); default 50 */
  maxValues?: number;
  /** sample type that orders the values; default the profile's default type */
  typeIndex?: number;
}

export interface LabelValueSummary {
  value: string;
  /** samples carrying key=value */
  samples: number;
  /** their summed value per sample type (length = sampleTypes.length) */
  weight: number[];
}

export interface LabelKeySummary {
  key: string;
  /** samples carrying the key */
  samples: number;
  /** their summed value per sample type (length = sampleTypes.length) */
  weight?: number[];
  /** distinct values of the key */
  distinct: number;
  /** the heaviest values (by LabelSummaryOptions.typeIndex's weight, then sample count) */
  top: LabelValueSummary[];
}

/** Typed failure of any engine step. `code` is stable for tests and UI; `message` is for people. */
export type EngineErrorCode =
  | 'bad-gzip'
  | 'too-large'
  | 'corrupt-protobuf'
  | 'unknown-format'
  | 'bad-reference'
  | 'empty-profile'
  | 'bad-json'
  | 'worker-crashed'
  | 'unknown-profile'
  /** a selection (Engine.select) matched no sample */
  | 'no-match';

export class EngineError extends Error {
  constructor(readonly code: EngineErrorCode, message: string) {
    super(message);
    this.name = 'EngineError';
  }
}
