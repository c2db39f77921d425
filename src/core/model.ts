/**
 * The engine's data model: the contract between decoders, symbolization, indexes,
 * the host (VS Code), the webview and the CLI.
 *
 * Conventions (hold everywhere in src/core):
 * - Lines and columns are **1-based**; 0 means "unknown". Conversion to VS Code's
 *   0-based positions happens in exactly one place in src/host (see `Line1`).
 * - Strings are interned: fields named `...Str` / `name` / `file` are ids into `strings`,
 *   `strings[0] === ""`.
 * - Per-sample and per-node data live in typed arrays; there is no object per sample.
 * - Values are stored per sample type: an array of length `count * sampleTypes.length`,
 *   value of item `i` for type `t` at `i * T + t`.
 * - Everything crossing the worker boundary is plain data (structured-clone/transferable).
 */

/** A 1-based line number (0 = unknown). The only conversion to 0-based is in src/host. */
export type Line1 = number;
/** A 1-based column number (0 = unknown). */
export type Column1 = number;

export interface SampleType {
  /** e.g. "cpu", "samples", "wall", "alloc_space", "inuse_objects" */
  type: string;
  /** e.g. "nanoseconds", "count", "bytes", "microseconds" */
  unit: string;
}

export type ProfileFormat = 'pprof' | 'cpuprofile' | 'heapprofile' | 'collapsed';

/**
 * How precise a frame's position is. Decided by the decoder (what the profiler wrote) and
 * refined by symbolization (what the source map could give back).
 */
export const enum PositionKind {
  /** Line and column of the sampled instruction/call site: exact. */
  Exact = 0,
  /** Sampled line, no column (e.g. Go, @datadog/pprof lineNumbers:true). */
  Line = 1,
  /** Only the function's start line is known (@datadog/pprof default, V8 callFrame). */
  FunctionStart = 2,
  /** Recovered from a minified name on a generated line: approximate. */
  Recovered = 3,
  /** No position (GC, builtins, native). */
  None = 4,
}

/** Unique frames (function + position). Identity comes from positions, not pprof function ids. */
export interface FrameTable {
  count: number;
  /** function name (string id) */
  name: Int32Array;
  /** file path as written by the profiler (string id; 0 = no file) */
  file: Int32Array;
  line: Int32Array;
  column: Int32Array;
  /** function start line if known (pprof Function.start_line, V8 callFrame line+1), else 0 */
  startLine: Int32Array;
  /** PositionKind */
  kind: Uint8Array;
}

/**
 * Prefix tree of the unique stacks. Node 0 is the root (frame -1). A sample points at its leaf node;
 * walking `parent` from the leaf gives the stack leaf-first. Inlined frames are separate nodes
 * (innermost deepest).
 */
export interface StackTree {
  count: number;
  parent: Int32Array;
  frame: Int32Array;
  /**
   * true when every sample has its own chain of consecutive node ids, root first (what the decoders
   * write: no hashing per frame), so sample i's frames are frame[stack[i]-depth+1 .. stack[i]].
   * Identical stacks then repeat; walking `parent` from the leaf works either way.
   */
  chains?: boolean;
}

export interface SampleTable {
  count: number;
  /** leaf node id in StackTree */
  stack: Int32Array;
  /** count * T */
  values: Float64Array;
  /** labels of sample i are entries labelOffsets[i] .. labelOffsets[i+1]-1 */
  labelOffsets: Uint32Array;
  labelKey: Int32Array;
  /** string id, or 0 when the label is numeric */
  labelStr: Int32Array;
  labelNum: Float64Array;
}

/** What a decoder produces. Format-agnostic. */
export interface RawProfile {
  format: ProfileFormat;
  strings: string[];
  sampleTypes: SampleType[];
  /** index into sampleTypes: default_sample_type if set, else the last (go tool pprof's rule) */
  defaultType: number;
  periodType?: SampleType;
  period: number;
  timeNanos: number;
  durationNanos: number;
  frames: FrameTable;
  stacks: StackTree;
  samples: SampleTable;
}

/** Result of symbolization, parallel to FrameTable (index = frame id). */
export interface SymbolTable {
  /** id into `files` of ResolvedFiles, -1 when unresolved / no file */
  file: Int32Array;
  /** original 1-based line (after source map), 0 unknown */
  line: Int32Array;
  column: Int32Array;
  /** original function start line (after source map), 0 unknown */
  startLine: Int32Array;
  /** original function name (string id into RawProfile.strings, possibly appended) */
  name: Int32Array;
  /** PositionKind after symbolization */
  kind: Uint8Array;
  /** for line-only lookups on generated code: other original lines the position may map to */
  candidates: Map<number, Line1[]>;
}

export interface ResolvedFile {
  /** absolute path on disk (workspace), or a virtual key for sourcesContent-only sources */
  path: string;
  /** path as it appeared in the profile (before mapping / source map) */
  profilePath: string;
  /** true when the file exists on disk; false when only sourcesContent has it */
  onDisk: boolean;
  /** original text when the source exists only as sourcesContent */
  content?: string;
  /** via a source map? */
  viaSourceMap: boolean;
}

export interface UnresolvedPath {
  profilePath: string;
  /** share of total (default type) of samples whose leaf is in this path */
  selfWeight: number;
  reason: 'no-match' | 'outside-root' | 'missing-source-map' | 'source-map-error' | 'not-found';
  detail: string;
}

/** Per-line and per-function cost: what the editor, the hotspots view and the CLI read. */
export interface ProfileIndex {
  sampleTypes: SampleType[];
  defaultType: number;
  /** sum over all samples per type */
  totals: Float64Array;
  sampleCount: number;
  files: ResolvedFile[];
  /** lines, grouped by file and sorted by line within a file: rows lineStart[f] .. lineStart[f+1]-1 */
  lines: {
    count: number;
    fileStart: Uint32Array;
    file: Int32Array;
    line: Int32Array;
    /** count * T */
    self: Float64Array;
    total: Float64Array;
    /** number of samples touching the line */
    samples: Uint32Array;
    /** worst PositionKind seen for this line */
    kind: Uint8Array;
    /**
     * Rows of frames symbolization could not resolve (file -1) come after all resolved files:
     * fileStart[files.length] .. count-1, keyed by the profile's own path (string id here) and line;
     * frames with no file at all (GC, builtins) have profileFile 0 and one row per function name.
     */
    profileFile?: Int32Array;
    /** function id (ProfileIndex.functions) of the heaviest function on this line */
    fn?: Int32Array;
  };
  /** functions keyed by (original name, file, original start line) */
  functions: {
    count: number;
    name: Int32Array;
    file: Int32Array;
    startLine: Int32Array;
    self: Float64Array;
    total: Float64Array;
    samples: Uint32Array;
    kind: Uint8Array;
    /** for functions whose file is unresolved (file -1): the profile's path (string id), else 0 */
    profileFile?: Int32Array;
  };
  /**
   * caller -> callee edges between function ids, weight = total of samples with that adjacent pair
   * (count * T, like every value array; a pair counted once per sample; direct recursion omitted)
   */
  edges: { count: number; caller: Int32Array; callee: Int32Array; weight: Float64Array };
  strings: string[];
  unresolved: UnresolvedPath[];
  /** the profile's own time window (pprof time_nanos/duration_nanos; 0 or absent when unknown): compare normalises by it */
  timeNanos?: number;
  durationNanos?: number;
}

/** Call tree for the flame graph, built on demand within a node budget. Node 0 = root ("all"). */
export interface FlameTree {
  sampleType: SampleType;
  typeIndex: number;
  strings: string[];
  count: number;
  parent: Int32Array;
  /** pre-order; children of a node are contiguous after it */
  depth: Uint16Array;
  name: Int32Array;
  /** ResolvedFile id, -1 none */
  file: Int32Array;
  line: Int32Array;
  self: Float64Array;
  total: Float64Array;
  /** for diff trees: the baseline total/self (else absent) */
  baseSelf?: Float64Array;
  baseTotal?: Float64Array;
  /** nodes merged by the budget: a synthetic node per parent named "other" */
  merged: { nodes: number; weight: number };
  files: string[];
}
