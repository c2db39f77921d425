/**
 * Pyroscope's span profiles (querier.v1 SelectMergeSpanProfile, v1.2+) come back as a flame graph:
 * function names only, no file or line. To paint them on the code, the flame graph is rebuilt as a
 * pprof profile whose frames take their file and start line from the same query's merged pprof
 * (which has them): costs land on function start lines (function-level, like `@datadog/pprof`
 * without lineNumbers). Functions the merged profile does not know stay names without a file.
 */
import { Function as PFunction, Location, Profile, StringTable, ValueType } from 'pprof-format';
import { BackendError } from './backendError';

/** querier.v1.FlameGraph: `levels[i].values` in chunks of 4 [x offset (delta in the level), total, self, name index]. */
export interface FlameGraphData {
  names: string[];
  levels: number[][];
  total: number;
}

/** Parses the protojson FlameGraph (int64s as strings); throws BackendError('malformed') on a bad shape. */
export function parseFlameGraph(v: unknown): FlameGraphData {
  const bad = (why: string) => new BackendError('malformed', `Pyroscope's span profile is not a flame graph (${why}).`);
  if (!v || typeof v !== 'object') throw bad('no flamegraph object');
  const o = v as { names?: unknown; levels?: unknown; total?: unknown };
  const names = Array.isArray(o.names) ? o.names.map((n) => String(n)) : [];
  const levels = (Array.isArray(o.levels) ? o.levels : []).map((l) => {
    const values = (l as { values?: unknown })?.values;
    if (values !== undefined && !Array.isArray(values)) throw bad('a level without values');
    const nums = (values ?? []).map(Number);
    if (nums.length % 4 !== 0 || nums.some((x) => !Number.isFinite(x))) throw bad('a level is not in chunks of 4 numbers');
    return nums;
  });
  for (const l of levels) for (let i = 3; i < l.length; i += 4) if (l[i] < 0 || l[i] >= names.length) throw bad(`name index ${l[i]} of ${names.length}`);
  return { names, levels, total: Number(o.total ?? 0) || 0 };
}

/** Root-first stacks with their self value, from a flame graph (level 0 is the "total" root, dropped). */
export function flameGraphStacks(fg: FlameGraphData): { frames: string[]; value: number }[] {
  const out: { frames: string[]; value: number }[] = [];
  // nodes of the previous level: [start, end, path]
  let prev: { start: number; end: number; path: string[] }[] = [];
  for (let li = 0; li < fg.levels.length; li++) {
    const values = fg.levels[li];
    const cur: typeof prev = [];
    let x = 0;
    let pi = 0;
    for (let i = 0; i < values.length; i += 4) {
      const start = x + values[i];
      const total = values[i + 1];
      const self = values[i + 2];
      const name = fg.names[values[i + 3]];
      x = start + total;
      let path: string[];
      if (li === 0) path = [];
      else {
        while (pi < prev.length && prev[pi].end <= start) pi++;
        const parent = prev[pi];
        if (!parent || parent.start > start) throw new BackendError('malformed', `Pyroscope's span profile has a frame (${name}) outside its parent on level ${li}.`);
        path = [...parent.path, name];
      }
      if (self > 0 && path.length > 0) out.push({ frames: path, value: self });
      cur.push({ start, end: start + total, path });
    }
    prev = cur;
  }
  return out;
}

export interface SpanPprofOptions {
  sampleType: { type: string; unit: string };
  /** file (as written in the profile) and function start line for a function name, when known */
  place: (name: string) => { file: string; line: number } | undefined;
  timeNanos?: number;
  durationNanos?: number;
}

/** The flame graph as an uncompressed pprof, ready for Engine.load. */
export function flameGraphToPprof(fg: FlameGraphData, options: SpanPprofOptions): Uint8Array {
  const st = new StringTable();
  const fnIds = new Map<string, number>();
  const functions: PFunction[] = [];
  const locations: Location[] = [];
  const loc = (name: string): number => {
    let id = fnIds.get(name);
    if (id === undefined) {
      id = functions.length + 1;
      fnIds.set(name, id);
      const at = options.place(name);
      functions.push(new PFunction({ id, name: st.dedup(name), systemName: st.dedup(name), filename: at ? st.dedup(at.file) : 0, startLine: at?.line ?? 0 }));
      locations.push(new Location({ id, line: [{ functionId: id, line: at?.line ?? 0 }] }));
    }
    return id;
  };
  const sample = flameGraphStacks(fg).map((s) => ({ locationId: s.frames.map(loc).reverse(), value: [s.value] }));
  const p = new Profile({
    sampleType: [new ValueType({ type: st.dedup(options.sampleType.type), unit: st.dedup(options.sampleType.unit) })],
    sample,
    location: locations,
    function: functions,
    stringTable: st,
    timeNanos: options.timeNanos ?? 0,
    durationNanos: options.durationNanos ?? 0,
  });
  return p.encode();
}
