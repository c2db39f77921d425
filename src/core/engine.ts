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
  timings: { decode: number; symbolize: number; index: number };
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
  | 'unknown-profile';

export class EngineError extends Error {
  constructor(readonly code: EngineErrorCode, message: string) {
    super(message);
    this.name = 'EngineError';
  }
}
