/**
 * Shared back end of every decoder: interns strings and frames, writes each sample's stack as its
 * own chain of consecutive nodes (root first; sequential writes, no hashing: deduplicating unique
 * tails through a hash table was the decoder's main cost), and stores samples, values and labels
 * in typed arrays. `build()` returns the RawProfile.
 */
import { EngineError } from '../engine';
import { PositionKind, type ProfileFormat, type RawProfile, type SampleType, type StackTree } from '../model';
import { PairMap } from '../index/pairMap';
import { GrowableFloat64, GrowableInt32 } from './growable';

/** Cap on the total frames of all samples' stacks (4 bytes each): a small file whose samples all
 * point at a location with thousands of inlined lines must not exhaust memory. */
export const MAX_STACK_NODES = 2 ** 28;

export interface RawProfileMeta {
  sampleTypes: SampleType[];
  defaultType: number;
  periodType?: SampleType;
  period: number;
  timeNanos: number;
  durationNanos: number;
}

export class RawProfileBuilder {
  readonly strings: string[];
  private stringIds: Map<string, number> | undefined;

  private readonly fName = new GrowableInt32();
  private readonly fFile = new GrowableInt32();
  private readonly fLine = new GrowableInt32();
  private readonly fColumn = new GrowableInt32();
  private readonly fStart = new GrowableInt32();
  private readonly fKind = new GrowableInt32();
  /** frame interning: (name, file) → (·, line) → (·, column) → (·, startLine·8+kind) = frame id */
  private readonly fk1 = new PairMap(1024);
  private readonly fk2 = new PairMap(1024);
  private readonly fk3 = new PairMap(1024);
  private readonly fk4 = new PairMap(1024);

  private frameOf: Int32Array;
  private nodeCount = 1;
  /** last node of the stack being written (0 = root) */
  private tail = 0;

  private readonly sStack: GrowableInt32;
  private readonly sValues: GrowableFloat64;
  private readonly labelOffsets: GrowableInt32;
  private readonly labelKey = new GrowableInt32(64);
  private readonly labelStr = new GrowableInt32(64);
  private readonly labelNum = new GrowableFloat64(64);
  private sampleCount = 0;

  constructor(
    readonly format: ProfileFormat,
    strings: string[] = [''],
    expectedSamples = 1024,
    expectedNodes = 4096,
    valuesPerSample = 2,
  ) {
    this.strings = strings.length > 0 && strings[0] === '' ? strings : ['', ...strings];
    this.frameOf = new Int32Array(Math.max(16, expectedNodes));
    this.frameOf[0] = -1;
    this.sStack = new GrowableInt32(expectedSamples);
    this.sValues = new GrowableFloat64(expectedSamples * valuesPerSample);
    this.labelOffsets = new GrowableInt32(expectedSamples + 1);
    this.labelOffsets.push(0);
  }

  /** Id of `s` in `strings`, appending it when new. */
  intern(s: string): number {
    if (!this.stringIds) {
      this.stringIds = new Map();
      for (let i = this.strings.length - 1; i >= 0; i--) this.stringIds.set(this.strings[i], i);
    }
    let id = this.stringIds.get(s);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(s);
      this.stringIds.set(s, id);
    }
    return id;
  }

  /** Interned frame id for a (name, file, line, column, startLine, kind) position. */
  frame(name: number, file: number, line: number, column: number, startLine: number, kind: PositionKind): number {
    // positions beyond int32 (corrupt input) are unknown; start line shares its key with kind
    if (!(line >= 0 && line <= 0x7fffffff)) line = 0;
    if (!(column >= 0 && column <= 0x7fffffff)) column = 0;
    if (!(startLine >= 0 && startLine < 0x4000000)) startLine = 0;
    const k = this.fk4.id(this.fk3.id(this.fk2.id(this.fk1.id(name, file), line), column), startLine * 8 + kind);
    if (k === this.fName.length) {
      this.fName.push(name);
      this.fFile.push(file);
      this.fLine.push(line);
      this.fColumn.push(column);
      this.fStart.push(startLine);
      this.fKind.push(kind);
    }
    return k;
  }

  get frameCount(): number {
    return this.fName.length;
  }

  /** Makes room for `n` more stack nodes (avoids regrowing when the total is known). */
  reserveNodes(n: number): void {
    if (this.nodeCount + n > this.frameOf.length) this.growNodes(this.nodeCount + n);
  }

  /** Bulk writing (a decoder's hot loop): the node array, valid after `reserveNodes` until the next push. */
  get nodeArray(): Int32Array {
    return this.frameOf;
  }

  /** Leaf node per sample so far (bulk `setSampleStack`); valid until the next `sample`. */
  get sampleLeaves(): Int32Array {
    return this.sStack.data;
  }

  /** Index of the next free node. */
  get nextNode(): number {
    return this.nodeCount;
  }

  /** After writing nodeArray[nextNode .. next-1] directly (within the reserved room), commits them. */
  commitNodes(next: number): void {
    if (next > this.frameOf.length) throw new RangeError('commitNodes past the reserved nodes');
    this.nodeCount = next;
  }

  /** Starts writing a new stack, root first: `push` each frame, then `sample(leaf())`. */
  beginStack(): void {
    this.tail = 0;
  }

  /**
   * Appends `frame` below the current tail (a new node: every sample gets its own chain, written
   * right after the previous sample's). Samples must be given their stacks in sample order.
   */
  push(frame: number): void {
    const n = this.nodeCount++;
    if (n === this.frameOf.length) this.growNodes(n * 2);
    this.frameOf[n] = frame;
    this.tail = n;
  }

  /** Leaf node of the stack written since `beginStack` (0 when it has no frames). */
  leaf(): number {
    return this.tail;
  }

  private growNodes(cap: number): void {
    if (cap > MAX_STACK_NODES) {
      throw new EngineError('too-large', `The profile's stacks expand to more than ${MAX_STACK_NODES} frames in total; refused.`);
    }
    const f = new Int32Array(cap);
    f.set(this.frameOf.subarray(0, this.nodeCount));
    this.frameOf = f;
  }

  /** Starts a sample with leaf node `leaf`; then call `value` once per sample type and `label` per label. */
  sample(leaf: number): void {
    if (this.sampleCount > 0) this.labelOffsets.push(this.labelKey.length);
    this.sStack.push(leaf);
    this.sampleCount++;
  }

  /** Sets the leaf node of sample i after the fact (decoders that write stacks in a second pass). */
  setSampleStack(i: number, leaf: number): void {
    this.sStack.data[i] = leaf;
  }

  value(v: number): void {
    this.sValues.push(v);
  }

  label(key: number, str: number, num: number): void {
    this.labelKey.push(key);
    this.labelStr.push(str);
    this.labelNum.push(num);
  }

  get samplesSoFar(): number {
    return this.sampleCount;
  }

  build(meta: RawProfileMeta): RawProfile {
    if (this.sampleCount > 0) this.labelOffsets.push(this.labelKey.length);
    return this.buildWith(meta, {
      count: this.sampleCount,
      nodeCount: this.nodeCount,
      nodes: this.nodeCount === this.frameOf.length ? this.frameOf : this.frameOf.slice(0, this.nodeCount),
      stack: this.sStack.data.subarray(0, this.sStack.length),
      values: this.sValues.data.subarray(0, this.sValues.length),
      labelOffsets: new Uint32Array(this.labelOffsets.data.buffer, 0, this.labelOffsets.length),
      labelKey: this.labelKey.data.subarray(0, this.labelKey.length),
      labelStr: this.labelStr.data.subarray(0, this.labelStr.length),
      labelNum: this.labelNum.data.subarray(0, this.labelNum.length),
    });
  }

  /**
   * The RawProfile of this builder's strings and frames with samples and stacks written elsewhere
   * (the fast pprof sample pass): chain-laid-out nodes (node 0 the root), a leaf per sample.
   */
  buildWith(meta: RawProfileMeta, p: SampleParts): RawProfile {
    const T = meta.sampleTypes.length;
    if (T === 0) throw new EngineError('empty-profile', 'The profile declares no sample types.');
    if (p.count === 0) throw new EngineError('empty-profile', 'The profile contains no samples.');
    if (p.values.length !== p.count * T) {
      throw new EngineError('corrupt-protobuf', `Samples carry ${p.values.length} values; expected ${p.count} × ${T}.`);
    }
    return {
      format: this.format,
      strings: this.strings,
      sampleTypes: meta.sampleTypes,
      defaultType: meta.defaultType,
      periodType: meta.periodType,
      period: meta.period,
      timeNanos: meta.timeNanos,
      durationNanos: meta.durationNanos,
      frames: {
        count: this.fName.length,
        name: this.fName.toArray(),
        file: this.fFile.toArray(),
        line: this.fLine.toArray(),
        column: this.fColumn.toArray(),
        startLine: this.fStart.toArray(),
        kind: Uint8Array.from(this.fKind.data.subarray(0, this.fKind.length)),
      },
      stacks: chainTree(p.nodeCount, p.nodes, p.stack),
      // views, not copies: a copy of big arrays at the very end would raise the peak
      samples: {
        count: p.count,
        stack: p.stack,
        values: p.values,
        labelOffsets: p.labelOffsets,
        labelKey: p.labelKey,
        labelStr: p.labelStr,
        labelNum: p.labelNum,
      },
    };
  }
}

/** Samples and stacks of a profile in their final arrays (see RawProfileBuilder.buildWith). */
export interface SampleParts {
  count: number;
  /** stack nodes: frame per node, chains root first, node 0 the root (-1) */
  nodeCount: number;
  nodes: Int32Array;
  /** leaf node per sample */
  stack: Int32Array;
  values: Float64Array;
  labelOffsets: Uint32Array;
  labelKey: Int32Array;
  labelStr: Int32Array;
  labelNum: Float64Array;
}

/**
 * The stack tree of chain-laid-out samples. `parent` is implied by the layout (n-1 inside a chain,
 * 0 at a chain's first node) and only materialized if someone reads it: on a 60 MB profile it
 * would be a quarter of a gigabyte that the engine itself never needs.
 */
export function chainTree(count: number, frame: Int32Array, sampleLeaf: Int32Array): StackTree {
  let parent: Int32Array | undefined;
  return {
    count,
    frame,
    chains: true,
    get parent(): Int32Array {
      if (!parent) {
        parent = new Int32Array(count);
        parent[0] = -1;
        let next = 1;
        for (let i = 0; i < sampleLeaf.length; i++) {
          const leaf = sampleLeaf[i];
          if (leaf <= 0) continue;
          parent[next] = 0;
          for (let n = next + 1; n <= leaf; n++) parent[n] = n - 1;
          next = leaf + 1;
        }
      }
      return parent;
    },
  };
}

/** PositionKind a profiler's (line, column) implies before symbolization. */
export function kindOf(file: number, line: number, column: number): PositionKind {
  if (line <= 0) return PositionKind.None;
  if (column > 0) return PositionKind.Exact;
  void file;
  return PositionKind.Line;
}
