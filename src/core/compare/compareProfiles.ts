/**
 * Compare two indexed profiles ("what changed after the deploy"): per line and per function of the
 * current profile, the baseline's cost at the same identity, both as a share of each profile's total
 * (immune to different window lengths and loads) and as an absolute delta in the sample type's unit.
 *
 * Identity: lines by (resolved file path, line); functions by (name, file path, start line), falling
 * back to (name, file path) when the start line moved and the name is unique in that file; frames that
 * did not resolve to a file by (profile path or name). Lines and functions present on one side only
 * are kept (the other side is 0). Pure; no `vscode`.
 */
import { EngineError } from '../engine';
import type { ProfileIndex, SampleType } from '../model';

/** One line's or function's cost on both sides, for one cost basis (self or total). */
export interface Delta {
  /** raw value in the baseline (baseline units = current units: the sample types match) */
  base: number;
  current: number;
  baseShare: number;
  currentShare: number;
  /** currentShare − baseShare (share points, e.g. +0.124 = +12.4 points): how the profile's mix changed */
  deltaShare: number;
  /**
   * current − base × scale: the absolute change, the baseline normalised to the current window
   * (by window length when both are known, else by the totals)
   */
  delta: number;
  /** delta / the current total: the change as a share of the current profile (what annotations lead with) */
  change: number;
  /** the change is larger than sampling noise and than the minimum the caller asked for */
  significant: boolean;
}

export interface CostDelta {
  self: Delta;
  total: Delta;
}

export interface FunctionDelta extends CostDelta {
  /** current function id (ProfileIndex.functions), -1 when the function exists only in the baseline */
  fn: number;
  /** baseline function id, -1 when new */
  baseFn: number;
  name: string;
  /** resolved path ('' when unresolved: then `profilePath`) */
  path: string;
  profilePath: string;
  /** current file id, -1 when the file is not in the current profile or unresolved */
  file: number;
  startLine: number;
}

export interface LineDelta extends CostDelta {
  line: number;
  /** current index row, -1 when the line has cost only in the baseline */
  row: number;
}

export interface CompareOptions {
  /** selected sample type of the current profile */
  typeIndex: number;
  /**
   * smallest change (share points, 0..1) that counts as significant; default 0.005 (half a point).
   * The insights pass the annotation threshold here.
   */
  minDeltaShare?: number;
  /** z-score of the sampling-noise test; default 3 */
  z?: number;
  /** window lengths when the caller knows them better than the profiles (e.g. a Pyroscope query) */
  baseDurationNanos?: number;
  currentDurationNanos?: number;
}

/**
 * same-window: both windows have the same length, values compare as they are; duration: the baseline
 * is scaled by the ratio of the window lengths; totals: window lengths unknown, the baseline is
 * scaled to the current total (then `change` equals `deltaShare`).
 */
export type ScaleReason = 'same-window' | 'duration' | 'totals';

export interface ProfileComparison {
  sampleType: SampleType;
  typeIndex: number;
  baseTypeIndex: number;
  baseTotal: number;
  currentTotal: number;
  /** the baseline's values are multiplied by this to be comparable with the current window */
  scale: number;
  scaleReason: ScaleReason;
  baseDurationNanos: number;
  currentDurationNanos: number;
  /** samples behind each side (the noise estimate) */
  baseSamples: number;
  currentSamples: number;
  /** current file id → line → delta (lines of the current profile's files, incl. baseline-only lines there); computed per file on first use */
  files: FileDeltas;
  /** every function of either side */
  functions: FunctionDelta[];
  /** current function id → its entry in `functions` */
  byFunction: Map<number, FunctionDelta>;
  minDeltaShare: number;
}

/** Per-file line deltas, computed on first use and kept. */
export class FileDeltas {
  private readonly cache = new Map<number, Map<number, LineDelta> | undefined>();

  constructor(
    readonly fileCount: number,
    private readonly compute: (file: number) => Map<number, LineDelta> | undefined,
  ) {}

  get(file: number): Map<number, LineDelta> | undefined {
    if (!(file >= 0 && file < this.fileCount)) return undefined;
    if (!this.cache.has(file)) this.cache.set(file, this.compute(file));
    return this.cache.get(file);
  }

  /** every file's lines (computes them all) */
  *values(): IterableIterator<Map<number, LineDelta>> {
    for (let f = 0; f < this.fileCount; f++) {
      const m = this.get(f);
      if (m && m.size > 0) yield m;
    }
  }
}

/** Durations within this ratio of each other are "the same window" (no scaling). */
const SAME_WINDOW = 0.05;

export function compareProfiles(base: ProfileIndex, current: ProfileIndex, o: CompareOptions): ProfileComparison {
  const t = o.typeIndex;
  const st = current.sampleTypes[t];
  if (!st) throw new EngineError('bad-reference', `Sample type ${t} does not exist in the current profile.`);
  let bt = base.sampleTypes.findIndex((s) => s.type === st.type && s.unit === st.unit);
  if (bt < 0) bt = base.sampleTypes.findIndex((s) => s.type === st.type && sameUnitKind(s.unit, st.unit));
  if (bt < 0) {
    const has = base.sampleTypes.map((s) => s.type).join(', ') || 'none';
    throw new EngineError('bad-reference', `The baseline has no "${st.type}" (${st.unit}) samples to compare with (it has: ${has}). Pick another sample type or another baseline.`);
  }
  const unitFactor = unitScale(base.sampleTypes[bt].unit, st.unit);
  const T = Math.max(1, current.sampleTypes.length);
  const BT = Math.max(1, base.sampleTypes.length);
  const baseTotal = base.totals[bt] * unitFactor;
  const currentTotal = current.totals[t];
  const bd = o.baseDurationNanos ?? base.durationNanos ?? 0;
  const cd = o.currentDurationNanos ?? current.durationNanos ?? 0;
  let scale = baseTotal > 0 ? currentTotal / baseTotal : 1;
  let scaleReason: ScaleReason = 'totals';
  if (bd > 0 && cd > 0) {
    scale = 1;
    const r = cd / bd;
    if (Math.abs(r - 1) <= SAME_WINDOW) scaleReason = 'same-window';
    else {
      scale = r;
      scaleReason = 'duration';
    }
  }
  const baseSamples = sampleCountOf(base);
  const currentSamples = sampleCountOf(current);
  const minDeltaShare = o.minDeltaShare ?? 0.005;
  const z = o.z ?? 3;
  // the baseline's share of the *current* total once scaled: m = scale · baseTotal / currentTotal
  const m = currentTotal > 0 ? (scale * baseTotal) / currentTotal : 0;
  const make = (b: number, c: number): Delta => {
    const bs = baseTotal > 0 ? b / baseTotal : 0;
    const cs = currentTotal > 0 ? c / currentTotal : 0;
    const delta = c - b * scale;
    const change = currentTotal > 0 ? delta / currentTotal : 0;
    return {
      base: b, current: c, baseShare: bs, currentShare: cs, deltaShare: cs - bs, delta, change,
      significant: isSignificant(change, bs, cs, m, baseSamples, currentSamples, minDeltaShare, z),
    };
  };

  // lines: per file, on first use (the editor asks only for the files it shows; a big profile has
  // tens of thousands of lines, the host must not block on all of them)
  const fileByPath = new Map<string, number>();
  current.files.forEach((f, i) => fileByPath.set(f.path, i));
  const baseFileByPath = new Map<string, number>();
  base.files.forEach((f, i) => baseFileByPath.set(f.path, i));
  const linesOf = (f: number): Map<number, LineDelta> | undefined => {
    const cf = current.files[f];
    if (!cf) return undefined;
    const acc = new Map<number, { row: number; bs: number; bt: number; cs: number; ct: number }>();
    const CL = current.lines;
    for (let r = CL.fileStart[f]; r < CL.fileStart[f + 1]; r++) {
      const prev = acc.get(CL.line[r]);
      const cs = CL.self[r * T + t];
      const ct = CL.total[r * T + t];
      if (prev) {
        prev.cs += cs;
        prev.ct += ct;
      } else acc.set(CL.line[r], { row: r, bs: 0, bt: 0, cs, ct });
    }
    const bf = baseFileByPath.get(cf.path);
    const BL = base.lines;
    if (bf !== undefined) {
      for (let r = BL.fileStart[bf]; r < BL.fileStart[bf + 1]; r++) {
        let e = acc.get(BL.line[r]);
        if (!e) acc.set(BL.line[r], (e = { row: -1, bs: 0, bt: 0, cs: 0, ct: 0 }));
        e.bs += BL.self[r * BT + bt] * unitFactor;
        e.bt += BL.total[r * BT + bt] * unitFactor;
      }
    }
    const out = new Map<number, LineDelta>();
    for (const [line, e] of acc) {
      if (e.bs === 0 && e.bt === 0 && e.cs === 0 && e.ct === 0) continue;
      out.set(line, { line, row: e.row, self: make(e.bs, e.cs), total: make(e.bt, e.ct) });
    }
    return out;
  };
  const files = new FileDeltas(current.files.length, linesOf);

  // functions
  const fnKeyOf = (ix: ProfileIndex, fn: number) => {
    const F = ix.functions;
    const file = F.file[fn];
    const path = file >= 0 ? ix.files[file].path : '';
    const profilePath = file < 0 && F.profileFile ? ix.strings[F.profileFile[fn]] ?? '' : '';
    const name = ix.strings[F.name[fn]] ?? '';
    return { name, path, profilePath, startLine: F.startLine[fn], exact: `${name}\u0000${path}\u0000${profilePath}\u0000${F.startLine[fn]}`, loose: `${name}\u0000${path}\u0000${profilePath}` };
  };
  const CF = current.functions;
  const BF = base.functions;
  const exact = new Map<string, number>();
  const loose = new Map<string, number[]>();
  const currentKeys = new Array<ReturnType<typeof fnKeyOf>>(CF.count);
  for (let fn = 0; fn < CF.count; fn++) {
    const k = (currentKeys[fn] = fnKeyOf(current, fn));
    exact.set(k.exact, fn);
    const l = loose.get(k.loose);
    if (l) l.push(fn);
    else loose.set(k.loose, [fn]);
  }
  const baseOf = new Int32Array(CF.count).fill(-1);
  const baseOnly: number[] = [];
  const pendingLoose: { bfn: number; key: string }[] = [];
  for (let bfn = 0; bfn < BF.count; bfn++) {
    const k = fnKeyOf(base, bfn);
    const fn = exact.get(k.exact);
    if (fn !== undefined && baseOf[fn] < 0) baseOf[fn] = bfn;
    else pendingLoose.push({ bfn, key: k.loose });
  }
  // start line moved (code above it changed): same name in the same file, when unambiguous
  for (const { bfn, key } of pendingLoose) {
    const candidates = (loose.get(key) ?? []).filter((fn) => baseOf[fn] < 0);
    if (candidates.length === 1) baseOf[candidates[0]] = bfn;
    else baseOnly.push(bfn);
  }
  const functions: FunctionDelta[] = [];
  const byFunction = new Map<number, FunctionDelta>();
  for (let fn = 0; fn < CF.count; fn++) {
    const k = currentKeys[fn];
    const bfn = baseOf[fn];
    const bs = bfn >= 0 ? BF.self[bfn * BT + bt] * unitFactor : 0;
    const btot = bfn >= 0 ? BF.total[bfn * BT + bt] * unitFactor : 0;
    const d: FunctionDelta = {
      fn, baseFn: bfn, name: k.name, path: k.path, profilePath: k.profilePath, file: CF.file[fn], startLine: k.startLine,
      self: make(bs, CF.self[fn * T + t]), total: make(btot, CF.total[fn * T + t]),
    };
    functions.push(d);
    byFunction.set(fn, d);
  }
  for (const bfn of baseOnly) {
    const k = fnKeyOf(base, bfn);
    const bs = BF.self[bfn * BT + bt] * unitFactor;
    const btot = BF.total[bfn * BT + bt] * unitFactor;
    if (bs === 0 && btot === 0) continue;
    functions.push({
      fn: -1, baseFn: bfn, name: k.name, path: k.path, profilePath: k.profilePath, file: k.path ? fileByPath.get(k.path) ?? -1 : -1, startLine: k.startLine,
      self: make(bs, 0), total: make(btot, 0),
    });
  }
  return {
    sampleType: st, typeIndex: t, baseTypeIndex: bt, baseTotal, currentTotal, scale, scaleReason,
    baseDurationNanos: bd, currentDurationNanos: cd, baseSamples, currentSamples, files, functions, byFunction, minDeltaShare,
  };
}

/**
 * Is `change` (= cs − m·bs, in shares of the current total) more than sampling noise? A line's sample
 * count on each side is Poisson: var(cs) ≈ cs/nCurrent, var(bs) ≈ bs/nBase, so the standard error of
 * the change is √(cs/nCurrent + m²·bs/nBase). The change must exceed `z` of them and the caller's
 * minimum. Without sample counts only the minimum applies.
 */
export function isSignificant(change: number, bs: number, cs: number, m: number, nBase: number, nCurrent: number, minDeltaShare: number, z = 3): boolean {
  const d = Math.abs(change);
  if (d < minDeltaShare || d === 0) return false;
  if (!(nBase > 0 && nCurrent > 0)) return true;
  const se = Math.sqrt(Math.max(cs, 0) / nCurrent + m * m * Math.max(bs, 0) / nBase);
  return d > z * se;
}

/**
 * Samples behind a profile: the total of a `samples`/`count` type when it has one (pprof CPU and
 * wall profiles: one per tick), else the number of sample records.
 */
export function sampleCountOf(ix: ProfileIndex): number {
  const i = ix.sampleTypes.findIndex((s) => (s.type === 'samples' || s.type === 'sample' || s.type === 'count') && s.unit === 'count');
  if (i >= 0 && ix.totals[i] > 0) return ix.totals[i];
  return ix.sampleCount;
}

const TIME_NS: Record<string, number> = { nanoseconds: 1, microseconds: 1e3, milliseconds: 1e6, seconds: 1e9 };

function sameUnitKind(a: string, b: string): boolean {
  return a in TIME_NS && b in TIME_NS;
}

/** Factor turning a baseline value in unit `from` into unit `to` (time units only; else 1). */
function unitScale(from: string, to: string): number {
  if (from === to) return 1;
  const f = TIME_NS[from];
  const g = TIME_NS[to];
  return f && g ? f / g : 1;
}
