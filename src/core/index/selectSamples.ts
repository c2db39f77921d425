/**
 * Correlation: the part of a loaded profile whose samples carry given labels (a span's `span_id`,
 * a `trace_id`, an `endpoint`, …), as a RawProfile of its own that buildIndex turns into a normal
 * index. Only the matching samples' stack chains, values and labels are copied (frames compacted to
 * the ones they use); the parent's symbolization is reused (frames are identical), so no file or
 * source map is read again. Also a summary of a profile's label keys and their most frequent values.
 *
 * Matching: several keys are AND-ed, the values of one key OR-ed, values compare as exact strings
 * (numeric labels compare as numbers: "1024" matches 1024).
 */
import { EngineError, type LabelKeySummary, type LabelMatch, type SampleSelection } from '../engine';
import type { RawProfile, SymbolTable, UnresolvedPath } from '../model';
import type { SymbolizeResult } from '../symbolize/symbolize';

/** Maximum number of keys a selection may AND (they are tracked in one 32-bit mask per sample). */
export const MAX_SELECTION_KEYS = 30;

/** `span_id=7f3a…` style text for messages and status lines. */
export function describeSelection(sel: SampleSelection, maxValueChars = 0): string {
  const cut = (v: string) => (maxValueChars > 0 && v.length > maxValueChars ? `${v.slice(0, maxValueChars)}…` : v);
  return sel.labels.map((m) => `${m.key}=${m.values.map(cut).join('|')}`).join(', ');
}

/** Parses `key=value` (CLI `--label`, the host's input box); several values with `|`. */
export function parseLabelMatch(text: string): LabelMatch | undefined {
  const eq = text.indexOf('=');
  if (eq <= 0) return undefined;
  const key = text.slice(0, eq).trim();
  const values = text.slice(eq + 1).split('|').map((v) => v.trim()).filter((v) => v !== '');
  if (!key || values.length === 0) return undefined;
  return { key, values };
}

const HEX32 = /^[0-9a-f]{32}$/i;
/** A bare id → its label: 32 hex digits are a trace id, anything else a span id. */
export function matchForInput(text: string): LabelMatch | undefined {
  const t = text.trim();
  if (!t) return undefined;
  if (t.includes('=')) return parseLabelMatch(t);
  return { key: HEX32.test(t) ? 'trace_id' : 'span_id', values: t.split('|').map((v) => v.trim()).filter(Boolean) };
}

const shortId = (v: string) => (v.length > 12 ? `${v.slice(0, 8)}…` : v);

/** Short text for the status bar: `span 00f067aa…`, `trace 4bf92f35…`, `endpoint=/checkout`. */
export function selectionLabel(sel: SampleSelection): string {
  return sel.labels
    .map((m) => {
      const values = m.values.map(shortId).join(', ');
      if (m.key === 'span_id' || m.key === 'profile_id') return `span${m.values.length > 1 ? 's' : ''} ${values}`;
      if (m.key === 'trace_id') return `trace${m.values.length > 1 ? 's' : ''} ${values}`;
      return `${m.key}=${m.values.map((v) => (v.length > 24 ? `${v.slice(0, 23)}…` : v)).join('|')}`;
    })
    .join(' & ');
}

/** Merges matches on the same key (their values OR-ed) and drops duplicate values. */
export function normalizeSelection(sel: SampleSelection): SampleSelection {
  const byKey = new Map<string, Set<string>>();
  for (const m of sel.labels) {
    const set = byKey.get(m.key) ?? new Set<string>();
    for (const v of m.values) set.add(v);
    byKey.set(m.key, set);
  }
  return { labels: [...byKey].map(([key, values]) => ({ key, values: [...values] })) };
}

/** Per sample: does it match? (Uint8Array of 0/1, length samples.count) and how many match. */
export function matchSamples(raw: RawProfile, selection: SampleSelection): { match: Uint8Array; count: number } {
  const sel = normalizeSelection(selection);
  if (sel.labels.length === 0) throw new EngineError('bad-reference', 'The selection names no label (expected e.g. span_id=<id>).');
  if (sel.labels.length > MAX_SELECTION_KEYS) throw new EngineError('bad-reference', `A selection may combine at most ${MAX_SELECTION_KEYS} label keys (got ${sel.labels.length}).`);
  for (const m of sel.labels) {
    if (!m.key || m.values.length === 0) throw new EngineError('bad-reference', `The selection's label "${m.key}" has no value to match.`);
  }
  // string ids by content: a pprof string table may hold the same text twice
  const keyIndex = new Map<string, number>(sel.labels.map((m, k) => [m.key, k]));
  const valueKeys = new Map<string, number[]>();
  sel.labels.forEach((m, k) => m.values.forEach((v) => valueKeys.set(v, [...(valueKeys.get(v) ?? []), k])));
  const strings = raw.strings;
  const keyOfId = new Map<number, number>();
  /** string id → bitmask of selection keys that accept it as a value */
  const valueMask = new Map<number, number>();
  for (let id = 1; id < strings.length; id++) {
    const s = strings[id];
    const k = keyIndex.get(s);
    if (k !== undefined) keyOfId.set(id, k);
    const vk = valueKeys.get(s);
    if (vk) valueMask.set(id, vk.reduce((a, kk) => a | (1 << kk), 0));
  }
  // numeric labels: the values of each key that read as numbers
  const numeric = sel.labels.map((m) => new Set(m.values.filter((v) => v.trim() !== '' && Number.isFinite(Number(v))).map(Number)));
  const full = (1 << sel.labels.length) - 1;
  const { count, labelOffsets, labelKey, labelStr, labelNum } = raw.samples;
  const match = new Uint8Array(count);
  let n = 0;
  if (keyOfId.size === 0) return { match, count: 0 };
  for (let i = 0; i < count; i++) {
    let mask = 0;
    for (let j = labelOffsets[i], end = labelOffsets[i + 1]; j < end; j++) {
      const k = keyOfId.get(labelKey[j]);
      if (k === undefined) continue;
      const bit = 1 << k;
      const sid = labelStr[j];
      if (sid !== 0) {
        if (((valueMask.get(sid) ?? 0) & bit) !== 0) mask |= bit;
      } else if (numeric[k].has(labelNum[j])) mask |= bit;
    }
    if (mask === full) {
      match[i] = 1;
      n++;
    }
  }
  return { match, count: n };
}

/**
 * The label keys of a profile, each with its sample count, number of distinct values and its
 * `maxValues` heaviest values (weights per sample type; heaviest by `typeIndex`).
 */
export function labelSummary(raw: RawProfile, options: { maxValues?: number; typeIndex?: number } = {}): LabelKeySummary[] {
  const maxValues = Math.max(0, options.maxValues ?? 50);
  const T = raw.sampleTypes.length;
  const t = options.typeIndex ?? raw.defaultType;
  const strings = raw.strings;
  const { count, labelOffsets, labelKey, labelStr, labelNum, values } = raw.samples;
  // One slot per (key, value) in typed arrays: span ids are often unique per sample, so a profile can
  // have a million values; no object per value. String ids are canonical (decoders intern).
  let cap = 1024;
  let slotSamples = new Uint32Array(cap);
  let slotLast = new Int32Array(cap);
  let slotWeight = new Float64Array(cap * T);
  let slotStr = new Int32Array(cap);
  let slotNum = new Float64Array(cap);
  let slots = 0;
  const grow = () => {
    cap *= 2;
    const s32 = (a: Uint32Array) => { const b = new Uint32Array(cap); b.set(a); return b; };
    const i32 = (a: Int32Array) => { const b = new Int32Array(cap); b.set(a); return b; };
    const f64 = (a: Float64Array, n: number) => { const b = new Float64Array(cap * n); b.set(a); return b; };
    slotSamples = s32(slotSamples);
    slotLast = i32(slotLast);
    slotWeight = f64(slotWeight, T);
    slotStr = i32(slotStr);
    slotNum = f64(slotNum, 1);
  };
  interface KeyAgg { id: number; samples: number; last: number; weight: Float64Array; byStr: Map<number, number>; byNum: Map<number, number> }
  const keys = new Map<number, KeyAgg>();
  for (let i = 0; i < count; i++) {
    for (let j = labelOffsets[i], end = labelOffsets[i + 1]; j < end; j++) {
      const kid = labelKey[j];
      let e = keys.get(kid);
      if (!e) {
        e = { id: kid, samples: 0, last: -1, weight: new Float64Array(T), byStr: new Map(), byNum: new Map() };
        keys.set(kid, e);
      }
      if (e.last !== i) {
        e.last = i;
        e.samples++;
        for (let k = 0; k < T; k++) e.weight[k] += values[i * T + k];
      }
      const sid = labelStr[j];
      const map = sid !== 0 ? e.byStr : e.byNum;
      const vkey = sid !== 0 ? sid : labelNum[j];
      let slot = map.get(vkey);
      if (slot === undefined) {
        if (slots === cap) grow();
        slot = slots++;
        map.set(vkey, slot);
        slotStr[slot] = sid;
        slotNum[slot] = labelNum[j];
        slotLast[slot] = -1;
      }
      // a sample with the same key=value twice counts once
      if (slotLast[slot] !== i) {
        slotLast[slot] = i;
        slotSamples[slot]++;
        for (let k = 0; k < T; k++) slotWeight[slot * T + k] += values[i * T + k];
      }
    }
  }
  const valueOf = (slot: number) => (slotStr[slot] !== 0 ? strings[slotStr[slot]] ?? '' : String(slotNum[slot]));
  /** heavier first: weight of type t, then samples, then the value's text */
  const before = (a: number, b: number) => {
    const wa = slotWeight[a * T + t];
    const wb = slotWeight[b * T + t];
    if (wa !== wb) return wa > wb;
    if (slotSamples[a] !== slotSamples[b]) return slotSamples[a] > slotSamples[b];
    return valueOf(a) < valueOf(b);
  };
  return [...keys.values()]
    .map((e) => {
      // top maxValues by insertion into a short sorted list: most slots lose against its last entry
      const top: number[] = [];
      if (maxValues > 0) {
        const consider = (slot: number) => {
          if (top.length === maxValues && !before(slot, top[top.length - 1])) return;
          let lo = 0;
          let hi = top.length;
          while (lo < hi) {
            const mid = (lo + hi) >> 1;
            if (before(slot, top[mid])) hi = mid;
            else lo = mid + 1;
          }
          top.splice(lo, 0, slot);
          if (top.length > maxValues) top.pop();
        };
        for (const slot of e.byStr.values()) consider(slot);
        for (const slot of e.byNum.values()) consider(slot);
      }
      return {
        key: strings[e.id] ?? '',
        samples: e.samples,
        weight: [...e.weight],
        distinct: e.byStr.size + e.byNum.size,
        top: top.map((slot) => ({ value: valueOf(slot), samples: slotSamples[slot], weight: Array.from(slotWeight.subarray(slot * T, slot * T + T)) })),
      };
    })
    .sort((a, b) => b.samples - a.samples || (a.key < b.key ? -1 : 1));
}

/** "span_id (120 samples, 5 values), trace_id (…)" or a note that the profile has no labels. */
export function describeLabelKeys(raw: RawProfile): string {
  const keys = labelSummary(raw, { maxValues: 0 });
  if (keys.length === 0) return 'the profile has no sample labels at all (the profiler or the agent did not record span or trace ids)';
  return `the profile's label keys are: ${keys.map((k) => `${k.key} (${k.samples.toLocaleString('en-US')} samples, ${k.distinct.toLocaleString('en-US')} value${k.distinct === 1 ? '' : 's'})`).join(', ')}`;
}

/**
 * The profile restricted to the samples matching `selection`, with the parent's symbolization
 * restricted to the same frames. Throws EngineError('no-match') naming the label keys the profile
 * has when nothing matches.
 */
export function selectSamples(raw: RawProfile, sym: SymbolizeResult, selection: SampleSelection): { raw: RawProfile; sym: SymbolizeResult } {
  const { match, count: n } = matchSamples(raw, selection);
  if (n === 0) {
    throw new EngineError('no-match', `No samples carry ${describeSelection(normalizeSelection(selection))}; ${describeLabelKeys(raw)}.`);
  }
  const T = raw.sampleTypes.length;
  const { samples, stacks, frames } = raw;
  // 1. sizes: nodes of the kept chains, label entries
  const chains = stacks.chains === true;
  const parent = chains ? undefined : stacks.parent;
  let nodes = 1;
  let labels = 0;
  let nextChain = 1;
  const start = new Int32Array(samples.count);
  for (let i = 0; i < samples.count; i++) {
    const leaf = samples.stack[i];
    let depth = 0;
    if (leaf > 0) {
      if (chains) {
        start[i] = nextChain;
        depth = leaf - nextChain + 1;
        nextChain = leaf + 1;
      } else if (match[i]) {
        for (let m = leaf; m > 0; m = parent![m]) depth++;
      }
    }
    if (match[i]) {
      nodes += depth;
      labels += samples.labelOffsets[i + 1] - samples.labelOffsets[i];
    }
  }
  // 2. copy: chains root first, frames renumbered in order of first use
  const frameMap = new Int32Array(frames.count).fill(-1);
  const usedFrames: number[] = [];
  const nodeFrame = new Int32Array(nodes);
  const nodeParent = new Int32Array(nodes);
  nodeFrame[0] = -1;
  nodeParent[0] = -1;
  const stack = new Int32Array(n);
  const values = new Float64Array(n * T);
  const labelOffsets = new Uint32Array(n + 1);
  const labelKey = new Int32Array(labels);
  const labelStr = new Int32Array(labels);
  const labelNum = new Float64Array(labels);
  const mapFrame = (f: number): number => {
    let g = frameMap[f];
    if (g < 0) {
      g = usedFrames.length;
      frameMap[f] = g;
      usedFrames.push(f);
    }
    return g;
  };
  let at = 1;
  let o = 0;
  let l = 0;
  for (let i = 0; i < samples.count; i++) {
    if (!match[i]) continue;
    const leaf = samples.stack[i];
    if (leaf > 0) {
      const first = at;
      if (chains) {
        const frameOf = stacks.frame;
        for (let m = start[i]; m <= leaf; m++) {
          const f = frameOf[m];
          let g = frameMap[f];
          if (g < 0) g = mapFrame(f);
          nodeFrame[at++] = g;
        }
      } else {
        let depth = 0;
        for (let m = leaf; m > 0; m = parent![m]) depth++;
        let k = at + depth - 1;
        for (let m = leaf; m > 0; m = parent![m]) nodeFrame[k--] = mapFrame(stacks.frame[m]);
        at += depth;
      }
      nodeParent[first] = 0;
      for (let m = first + 1; m < at; m++) nodeParent[m] = m - 1;
      stack[o] = at - 1;
    } else stack[o] = 0;
    for (let t = 0; t < T; t++) values[o * T + t] = samples.values[i * T + t];
    for (let j = samples.labelOffsets[i], end = samples.labelOffsets[i + 1]; j < end; j++, l++) {
      labelKey[l] = samples.labelKey[j];
      labelStr[l] = samples.labelStr[j];
      labelNum[l] = samples.labelNum[j];
    }
    o++;
    labelOffsets[o] = l;
  }
  // 3. frames and their symbols, compacted
  const F = usedFrames.length;
  const pick32 = (a: Int32Array) => Int32Array.from(usedFrames, (f) => a[f]);
  const pick8 = (a: Uint8Array) => Uint8Array.from(usedFrames, (f) => a[f]);
  const s = sym.symbols;
  const candidates = new Map<number, number[]>();
  for (const [f, lines] of s.candidates) if (frameMap[f] >= 0) candidates.set(frameMap[f], lines);
  const symbols: SymbolTable = {
    file: pick32(s.file),
    line: pick32(s.line),
    column: pick32(s.column),
    startLine: pick32(s.startLine),
    name: pick32(s.name),
    kind: pick8(s.kind),
    candidates,
  };
  const sub: RawProfile = {
    ...raw,
    frames: {
      count: F,
      name: pick32(frames.name),
      file: pick32(frames.file),
      line: pick32(frames.line),
      column: pick32(frames.column),
      startLine: pick32(frames.startLine),
      kind: pick8(frames.kind),
    },
    stacks: { count: nodes, parent: nodeParent, frame: nodeFrame, chains: true },
    samples: { count: n, stack, values, labelOffsets, labelKey, labelStr, labelNum },
  };
  return { raw: sub, sym: { ...sym, symbols, unresolved: unresolvedOf(sub, sym.unresolved) } };
}

/**
 * The parent's unresolved paths that the subset still touches, with their share re-weighed over the
 * subset (self weight of samples whose leaf frame is in the path, as symbolization computes it).
 */
function unresolvedOf(sub: RawProfile, parentUnresolved: UnresolvedPath[]): UnresolvedPath[] {
  if (parentUnresolved.length === 0) return parentUnresolved;
  const T = sub.sampleTypes.length;
  const t = sub.defaultType;
  const pathsUsed = new Set<string>();
  for (let f = 0; f < sub.frames.count; f++) if (sub.frames.file[f] !== 0) pathsUsed.add(sub.strings[sub.frames.file[f]]);
  const self = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < sub.samples.count; i++) {
    const v = sub.samples.values[i * T + t];
    total += v;
    const leaf = sub.samples.stack[i];
    if (leaf <= 0) continue;
    const file = sub.frames.file[sub.stacks.frame[leaf]];
    if (file === 0) continue;
    const p = sub.strings[file];
    self.set(p, (self.get(p) ?? 0) + v);
  }
  return parentUnresolved
    .filter((u) => pathsUsed.has(u.profilePath) || (u.selfWeight === 0 && u.detail.startsWith('ignored:')))
    .map((u) => ({ ...u, selfWeight: total > 0 ? (self.get(u.profilePath) ?? 0) / total : 0 }))
    .sort((a, b) => b.selfWeight - a.selfWeight || (a.profilePath < b.profilePath ? -1 : 1));
}

/**
 * How many samples the profiler took for this index: the `samples`/`count` sample type's total when
 * the profile has one (Go aggregates equal stacks into one pprof sample with a count), else the number
 * of sample records.
 */
export function takenSamples(index: { sampleTypes: { type: string; unit: string }[]; totals: Float64Array; sampleCount: number }): number {
  const t = index.sampleTypes.findIndex((s) => s.unit === 'count' && (s.type === 'samples' || s.type === 'sample'));
  return t >= 0 ? index.totals[t] : index.sampleCount;
}
