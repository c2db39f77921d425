/**
 * The format-independent half of pprof decoding: turns the decoded function and location tables
 * into frames (a Location with several Lines = several frames, innermost first), resolves ids
 * (typed errors for dangling ones) and pushes samples' stacks into the builder's prefix tree.
 * Both pprof readers (`decodePprof` via pprof-format, `decodePprofFast`) feed it the same tables.
 */
import { EngineError } from '../engine';
import { PositionKind, type RawProfile, type SampleType } from '../model';
import { kindOf, RawProfileBuilder, type RawProfileMeta, type SampleParts } from './rawProfileBuilder';

export interface PprofTables {
  strings: string[];
  sampleTypes: { type: number; unit: number }[];
  defaultSampleType: number;
  periodType?: { type: number; unit: number };
  period: number;
  timeNanos: number;
  durationNanos: number;
  mappingCount: number;
  fnId: number[];
  fnName: number[];
  /** Function.system_name (0 when absent) */
  fnSystemName: number[];
  fnFile: number[];
  fnStart: number[];
  locId: number[];
  /** lines of location i are locLineStart[i] .. locLineStart[i+1]-1, innermost first */
  locLineStart: number[];
  lineFn: number[];
  /** raw 64-bit Line.line value as a number (may carry a packed column in the high 32 bits) */
  lineLine: number[];
  lineColumn: number[];
}

const TWO32 = 2 ** 32;

/** Splits the packed `column << 32 | line` form some Node profilers write into Line.line. */
export function unpackLine(raw: number, column: number): [number, number] {
  if (raw >= TWO32) {
    const col = Math.floor(raw / TWO32);
    return [raw - col * TWO32, column > 0 ? column : col];
  }
  return [raw < 0 ? 0 : raw, column < 0 ? 0 : column];
}

export class PprofAssembler {
  readonly builder: RawProfileBuilder;
  /** frames of location i: locFrames[locFrameStart[i] .. locFrameStart[i+1]-1], innermost first */
  readonly locFrameStart: Int32Array;
  readonly locFrames: Int32Array;
  /** location index by id when ids are dense enough (-1 = undefined id), else undefined (see locIndex) */
  readonly denseLoc: Int32Array | undefined;
  private readonly locById: Map<number, number> | undefined;
  /** first id seen for each function name / file string: duplicated table entries must not split frames */
  private readonly firstId = new Map<string, number>();
  readonly nStrings: number;

  constructor(private readonly t: PprofTables, expectedSamples: number, expectedNodes = 4096) {
    const strings = t.strings.length === 0 ? [''] : t.strings;
    if (strings[0] !== '') throw new EngineError('corrupt-protobuf', 'The pprof string table does not start with the empty string.');
    this.builder = new RawProfileBuilder('pprof', strings, expectedSamples, expectedNodes, Math.max(1, t.sampleTypes.length));
    const nStr = strings.length;
    this.nStrings = nStr;
    const str = (id: number, what: string): number => {
      if (!(id >= 0 && id < nStr)) throw new EngineError('bad-reference', `${what} refers to string ${id}, but the string table has ${nStr} entries.`);
      const s = strings[id];
      const f = this.firstId.get(s);
      if (f !== undefined) return f;
      this.firstId.set(s, id);
      return id;
    };
    for (const st of t.sampleTypes) {
      str(st.type, 'A sample type');
      str(st.unit, 'A sample type unit');
    }

    // Functions: dense index by id; identity by (name, file, start line), not by pprof id.
    const fnIndex = new Map<number, number>();
    const fnNameC = new Int32Array(t.fnId.length);
    const fnFileC = new Int32Array(t.fnId.length);
    for (let i = 0; i < t.fnId.length; i++) {
      fnIndex.set(t.fnId[i], i);
      fnFileC[i] = str(t.fnFile[i], `Function ${t.fnId[i]} filename`);
      fnNameC[i] = displayName(strings, str(t.fnName[i], `Function ${t.fnId[i]} name`), t.fnSystemName[i], fnFileC[i]);
    }

    // @datadog/pprof's default mode writes the function start as Line.line (start_line 0, no
    // mappings, no columns, one Line per Location). Its lineNumbers mode looks the same except that
    // lines are sampled/call-site lines. Told apart by what the real profiles show: in default mode a
    // function id has one line (several only when same-named functions of a file were merged into
    // one id: rare), and an `(anonymous:L#<line>:C#<col>)` function's line is its L#.
    let functionStartOnly = t.mappingCount === 0 && t.locId.length > 0;
    if (functionStartOnly) {
      const linesOf = new Map<number, Set<number>>();
      for (let i = 0; i < t.locId.length && functionStartOnly; i++) {
        if (t.locLineStart[i + 1] - t.locLineStart[i] > 1) functionStartOnly = false;
        for (let j = t.locLineStart[i]; j < t.locLineStart[i + 1]; j++) {
          const fi = fnIndex.get(t.lineFn[j]);
          if (fi === undefined || t.fnStart[fi] !== 0) { functionStartOnly = false; break; }
          const [line, col] = unpackLine(t.lineLine[j], t.lineColumn[j]);
          if (col > 0) { functionStartOnly = false; break; }
          const anon = /^\(anonymous:L#(\d+):C#\d+\)$/.exec(strings[fnNameC[fi]] ?? '');
          if (anon && Number(anon[1]) !== line) { functionStartOnly = false; break; }
          let set = linesOf.get(fi);
          if (!set) linesOf.set(fi, (set = new Set()));
          set.add(line);
        }
      }
      let multi = 0;
      for (const set of linesOf.values()) if (set.size > 1) multi++;
      if (multi > linesOf.size * 0.1) functionStartOnly = false;
    }

    const nLoc = t.locId.length;
    this.locFrameStart = new Int32Array(nLoc + 1);
    this.locFrames = new Int32Array(t.lineFn.length);
    let k = 0;
    let maxId = 0;
    for (let i = 0; i < nLoc; i++) {
      this.locFrameStart[i] = k;
      if (t.locId[i] > maxId) maxId = t.locId[i];
      for (let j = t.locLineStart[i]; j < t.locLineStart[i + 1]; j++) {
        const fi = fnIndex.get(t.lineFn[j]);
        if (fi === undefined) throw new EngineError('bad-reference', `Location ${t.locId[i]} refers to function ${t.lineFn[j]}, which the profile does not define.`);
        const name = fnNameC[fi];
        const file = fnFileC[fi];
        const raw = t.lineLine[j];
        let line = raw;
        let column = t.lineColumn[j] > 0 ? t.lineColumn[j] : 0;
        if (raw >= TWO32) {
          const packed = Math.floor(raw / TWO32);
          line = raw - packed * TWO32;
          if (column === 0) column = packed;
        } else if (raw < 0) line = 0;
        let start = t.fnStart[fi] > 0 && t.fnStart[fi] < TWO32 ? t.fnStart[fi] : 0;
        let kind = kindOf(file, line, column);
        if (functionStartOnly && line > 0) {
          kind = PositionKind.FunctionStart;
          start = line;
        }
        this.locFrames[k++] = this.builder.frame(name, file, line, column, start, kind);
      }
    }
    this.locFrameStart[nLoc] = k;
    if (maxId <= nLoc * 4 + 1024) {
      this.denseLoc = new Int32Array(maxId + 1).fill(-1);
      for (let i = 0; i < nLoc; i++) {
        if (this.denseLoc[t.locId[i]] !== -1) throw new EngineError('corrupt-protobuf', `Location id ${t.locId[i]} is defined twice.`);
        this.denseLoc[t.locId[i]] = i;
      }
    } else {
      this.locById = new Map();
      for (let i = 0; i < nLoc; i++) this.locById.set(t.locId[i], i);
    }
  }

  locIndex(id: number): number {
    let i: number | undefined;
    if (this.denseLoc) i = id >= 0 && id < this.denseLoc.length ? this.denseLoc[id] : -1;
    else i = this.locById!.get(id) ?? -1;
    if (i < 0) throw new EngineError('bad-reference', `A sample refers to location ${id}, which the profile does not define.`);
    return i;
  }

  /** Number of frames the locations ids[from .. to-1] expand to (to reserve stack nodes). */
  frameCount(ids: ArrayLike<number>, from: number, to: number): number {
    let n = 0;
    const fs = this.locFrameStart;
    for (let i = from; i < to; i++) {
      const li = this.locIndex(ids[i]);
      n += fs[li + 1] - fs[li];
    }
    return n;
  }

  /** Writes the stack given leaf-first as location ids ids[from .. to-1]; returns its leaf node. */
  stack(ids: ArrayLike<number>, from: number, to: number): number {
    const b = this.builder;
    const fs = this.locFrameStart;
    const frames = this.locFrames;
    b.beginStack();
    for (let i = to - 1; i >= from; i--) {
      const li = this.locIndex(ids[i]);
      for (let j = fs[li + 1] - 1; j >= fs[li]; j--) b.push(frames[j]);
    }
    return b.leaf();
  }

  /** Frames of location index `li`. */
  locFrameCount(li: number): number {
    return this.locFrameStart[li + 1] - this.locFrameStart[li];
  }

  /** Writes a stack given leaf-first as location indexes li[from .. to-1]; returns its leaf node. */
  stackOfIndexes(li: Int32Array, from: number, to: number): number {
    const b = this.builder;
    const fs = this.locFrameStart;
    const frames = this.locFrames;
    b.beginStack();
    for (let i = to - 1; i >= from; i--) {
      const l = li[i];
      for (let j = fs[l + 1] - 1; j >= fs[l]; j--) b.push(frames[j]);
    }
    return b.leaf();
  }

  /** Canonical string id for a label key/str, checked. */
  stringRef(id: number, what: string): number {
    if (!(id >= 0 && id < this.nStrings)) throw new EngineError('bad-reference', `${what} refers to string ${id}, but the string table has ${this.nStrings} entries.`);
    return id;
  }

  finish(): RawProfile {
    return this.builder.build(this.meta());
  }

  /** The profile with samples and stacks decoded elsewhere (the fast sample pass). */
  finishWith(parts: SampleParts): RawProfile {
    return this.builder.buildWith(this.meta(), parts);
  }

  private meta(): RawProfileMeta {
    const t = this.t;
    const s = this.builder.strings;
    const sampleTypes: SampleType[] = t.sampleTypes.map((v) => ({ type: s[v.type], unit: s[v.unit] }));
    let defaultType = sampleTypes.length - 1;
    if (t.defaultSampleType > 0) {
      const name = s[this.stringRef(t.defaultSampleType, 'default_sample_type')];
      const i = sampleTypes.findIndex((st) => st.type === name);
      if (i >= 0) defaultType = i;
    }
    const periodType = t.periodType
      ? { type: s[this.stringRef(t.periodType.type, 'period_type')], unit: s[this.stringRef(t.periodType.unit, 'period_type unit')] }
      : undefined;
    return {
      sampleTypes,
      defaultType,
      periodType,
      period: t.period,
      timeNanos: t.timeNanos,
      durationNanos: t.durationNanos,
    };
  }
}

/**
 * The name to show for a function. @pyroscope/nodejs (as stored and served by Pyroscope) writes
 * `Function.name` as `<file>:<name>:<line>` (`./src/hotPath.ts:slowPrimeCount:5`,
 * `node:events:emit:519`, `:Garbage Collection:0`) and the plain name as `system_name`: shown in
 * CodeLens, hotspots and the flame graph that would repeat the file every time, and
 * `(anonymous:L#19:C#33)` would lose its position to the prefix. Only that exact shape is shortened
 * (the function's own file, written as is, `./`-relative or as a path, or nothing; the system name;
 * a line number); any other name stays as written.
 */
export function displayName(strings: readonly string[], name: number, systemName: number, file = 0): number {
  if (systemName <= 0 || systemName >= strings.length || systemName === name) return name;
  const n = strings[name];
  const sys = strings[systemName];
  if (!sys || n.length < sys.length + 3) return name;
  const at = n.lastIndexOf(`:${sys}:`);
  if (at < 0 || at + sys.length + 2 !== n.lastIndexOf(':') + 1 || !/^\d+$/.test(n.slice(at + sys.length + 2))) return name;
  const prefix = n.slice(0, at);
  const f = strings[file] ?? '';
  const ok = prefix === f || /[/\\]/.test(prefix) || (prefix.startsWith('./') && f.replace(/\\/g, '/').endsWith(prefix.slice(1)));
  return ok ? systemName : name;
}
