/**
 * The engine's state machine, shared by the in-process engine and the worker: decode → symbolize
 * → index on load, kept by id for call trees and diffs. Pure computation; big pprof profiles share
 * their per-sample passes with one helper thread when a bundled sampleWorker.js is given.
 */
import { decodePprofFast, deferredStrings, fillDeferredStrings, PprofTableScanner } from './decode/decodePprofFast';
import { DEFAULT_MAX_INFLATED_BYTES, gunzipToShared, inflateAndSniff, isGzip, statedInflatedSize } from './decode/decodeProfile';
import { EngineError, type FlameTreeOptions, type LabelKeySummary, type LabelSummaryOptions, type LoadOptions, type LoadResult, type ProfileDiff, type SampleSelection } from './engine';
import { buildFlameTree } from './index/flameTree';
import { buildIndex, indexKeys, type IndexedProfile, type IndexKeys } from './index/buildIndex';
import { buildIndexFromIds, buildIndexParallel, decodePprofParallel, deferredBytes, hasDeferredStacks, isShared, writeDeferredStacks } from './parallel/parallelPasses';
import { PARALLEL_MIN_BYTES, SampleHelper } from './parallel/sampleHelper';
import { diffProfiles } from './index/diffProfiles';
import { labelSummary, selectSamples } from './index/selectSamples';
import type { FlameTree, RawProfile } from './model';
import { symbolize, type SymbolizeResult } from './symbolize/symbolize';

/** Stacks still to be written for a loaded profile: written once, by whoever asks first. */
interface PendingStacks {
  written?: Promise<void>;
  write(): Promise<void>;
}

/** Default caps on a profile (see LoadOptions); a profile over one is refused before anything is kept. */
export const DEFAULT_LIMITS = {
  maxProfileBytes: 256 * 1024 * 1024,
  maxSamples: 50_000_000,
  maxLocations: 20_000_000,
  maxStrings: 20_000_000,
};

function overCap(options: LoadOptions, cap: keyof NonNullable<LoadOptions['limitSettings']>, what: string, have: number, max: number): EngineError {
  const setting = options.limitSettings?.[cap];
  const name = options.sourceName ? `"${options.sourceName}"` : 'The profile';
  return new EngineError('too-large', `${name} has ${what} ${have.toLocaleString('en-US')}, over the cap of ${max.toLocaleString('en-US')} (${setting ? `setting ${setting}` : cap}); refused, nothing was loaded.`);
}

/** Checks the size caps of LoadOptions (throws 'too-large' naming the cap and its setting). */
export function checkLimits(raw: RawProfile, options: LoadOptions): void {
  const maxSamples = options.maxSamples ?? DEFAULT_LIMITS.maxSamples;
  if (raw.samples.count > maxSamples) throw overCap(options, 'maxSamples', 'a number of samples of', raw.samples.count, maxSamples);
  const maxLocations = options.maxLocations ?? DEFAULT_LIMITS.maxLocations;
  if (raw.frames.count > maxLocations) throw overCap(options, 'maxLocations', 'a number of locations (frames) of', raw.frames.count, maxLocations);
  const maxStrings = options.maxStrings ?? DEFAULT_LIMITS.maxStrings;
  if (raw.strings.length > maxStrings) throw overCap(options, 'maxStrings', 'a number of strings of', raw.strings.length, maxStrings);
}

export class EngineCore {
  private readonly profiles = new Map<number, IndexedProfile>();
  /** profiles whose stacks are written after their load answered (see ready) */
  private readonly pendingStacks = new Map<number, PendingStacks>();
  private nextId = 1;
  private readonly helper: SampleHelper;

  /**
   * @param options.sampleWorkerScript the bundled dist/sampleWorker.js beside the engine's bundle: big
   *   pprof profiles are then decoded and indexed on two threads (same results, less wall time)
   * @param options.parallelMinBytes inflated size from which that happens (tests lower it)
   * @param options.stacksAfterLoad a big pprof's stack nodes (what call trees and span selections
   *   read) are written after its index is answered: right after (default, the editor), or only when
   *   first needed ('on-demand': the CLI, which mostly never needs them)
   */
  constructor(private readonly options: { sampleWorkerScript?: string; parallelMinBytes?: number; stacksAfterLoad?: 'after-load' | 'on-demand' } = {}) {
    this.helper = new SampleHelper(options.sampleWorkerScript);
  }

  async load(bytes: Uint8Array, options: LoadOptions): Promise<LoadResult> {
    const t0 = performance.now();
    const maxProfileBytes = options.maxProfileBytes ?? DEFAULT_LIMITS.maxProfileBytes;
    if (bytes.length > maxProfileBytes) throw overCap(options, 'maxProfileBytes', 'a size in bytes of', bytes.length, maxProfileBytes);
    const minBytes = this.options.parallelMinBytes ?? PARALLEL_MIN_BYTES;
    // the helper thread boots while this one inflates, if the profile is big enough to use it (a
    // gzip trailer states the inflated size; a lie only means the helper starts in vain or not)
    const parallel = (isGzip(bytes) ? statedInflatedSize(bytes) : bytes.length) >= minBytes && this.helper.start();
    let raw: RawProfile;
    let sharedPasses = false;
    let early: { sym: SymbolizeResult; keys: IndexKeys; ms: number } | undefined;
    let scanner: PprofTableScanner | undefined;
    let input = bytes;
    try {
      // with the helper, a gzipped profile inflates off this thread straight into shared memory,
      // and this thread reads the pprof tables as the bytes come in
      if (parallel && isGzip(bytes)) {
        // …while the helper reads the samples (values, labels, id ranges: what needs no locations,
        // which come last); label values (span and trace ids: most of a big profile's strings) are
        // decoded after the load
        const sc = (scanner = new PprofTableScanner(this.helper.stream(), { deferStrings: true }));
        input = await gunzipToShared(bytes, options.maxInflatedBytes ?? DEFAULT_MAX_INFLATED_BYTES, options.sourceName ? `"${options.sourceName}"` : 'The profile', (out, length) => {
          if (sc.broken) return;
          try {
            sc.scan(out, length, false);
          } catch {
            sc.broken = true;
          }
        });
      }
      if (input.length === 0) throw new EngineError('empty-profile', `${options.sourceName ? `"${options.sourceName}"` : 'The profile'} is empty after gunzip.`);
      const r = inflateAndSniff(input, { maxInflatedBytes: options.maxInflatedBytes, sourceName: options.sourceName });
      if (r.raw) {
        raw = r.raw;
      } else if (parallel && r.pprof!.length >= minBytes) {
        // symbolized while the helper writes the stacks, when the leaf weights are known before them
        raw = await decodePprofParallel({ pprof: r.pprof, scanner: scanner?.broken ? undefined : scanner }, this.helper, async (raw0, weights) => {
          checkLimits(raw0, options);
          const ts = performance.now();
          const sym = await symbolize(raw0, options, { weights });
          early = { sym, keys: indexKeys(raw0, sym), ms: performance.now() - ts };
        });
        r.pprof = undefined;
        sharedPasses = true;
      } else raw = decodePprofFast(r.pprof!);
    } catch (e) {
      const setting = options.limitSettings?.maxInflatedBytes;
      if (e instanceof EngineError && e.code === 'too-large' && setting && /inflates/.test(e.message)) {
        throw new EngineError('too-large', `${e.message.replace(/ \(raise maxInflatedBytes to allow it\)/, '')} Inflated-size cap: setting ${setting}.`);
      }
      throw e;
    }
    checkLimits(raw, options);
    const t1 = performance.now();
    let sym = early?.sym ?? await symbolize(raw, options);
    const t2 = performance.now();
    let ip: IndexedProfile | undefined;
    if (hasDeferredStacks(raw)) {
      // decoded without its stacks: the index comes from the location ids, the stacks after it
      ip = await buildIndexFromIds(raw, sym, this.helper, early!.keys);
      if (!ip) {
        // a sample's ids are off the fast path (sparse or long ids): decoded afresh on one thread
        raw = decodePprofFast(deferredBytes(raw)!);
        checkLimits(raw, options);
        sym = await symbolize(raw, options);
        ip = buildIndex(raw, sym);
      }
    } else ip = sharedPasses ? await buildIndexParallel(raw, sym, this.helper, early?.keys) : buildIndex(raw, sym);
    const t3 = performance.now();
    const id = this.nextId++;
    this.profiles.set(id, ip);
    const strings = scanner && raw.strings === scanner.strings ? deferredStrings(scanner) : undefined;
    if (hasDeferredStacks(ip.raw) || strings) {
      // the stacks and label strings are completed after the load has answered (the index is what
      // the editor waits for): right after it, or when first needed (ready); call trees, span
      // selections and label summaries wait for them
      const done = ip;
      const bytes = input;
      const complete = async (): Promise<void> => {
        await writeDeferredStacks(done, this.helper);
        if (strings) fillDeferredStrings(done.raw.strings, bytes, strings);
      };
      // once written, nothing holds the inflated bytes any more
      const pending: PendingStacks = {
        write: () => (pending.written ??= complete().then(() => {
          if (this.pendingStacks.get(id) === pending) this.pendingStacks.delete(id);
        })),
      };
      this.pendingStacks.set(id, pending);
      if (this.options.stacksAfterLoad !== 'on-demand') {
        setImmediate(() => {
          if (this.pendingStacks.get(id) === pending) pending.write().catch(() => undefined);
        });
      }
    }
    // symbolized during decoding: its time is told apart from the decoder's
    const symMs = early ? early.ms : t2 - t1;
    const decodeMs = early ? t1 - t0 - early.ms : t1 - t0;
    return { id, index: ip.index, timings: { decode: decodeMs, symbolize: symMs, index: t3 - t2, threads: sharedPasses && (isShared(ip.raw.stacks.frame) || hasDeferredStacks(ip.raw)) ? 2 : 1 } };
  }

  /** Resolves once profile `id`'s stacks are written (a big pprof's are written after its load answers). */
  async ready(id: number): Promise<IndexedProfile> {
    const ip = this.get(id);
    const pending = this.pendingStacks.get(id);
    if (pending) {
      await pending.write();
      this.pendingStacks.delete(id);
    }
    return ip;
  }

  get(id: number): IndexedProfile {
    const p = this.profiles.get(id);
    if (!p) throw new EngineError('unknown-profile', `Profile ${id} is not loaded (released, or the engine restarted).`);
    return p;
  }

  async flameTree(id: number, options: FlameTreeOptions): Promise<FlameTree> {
    const ip = await this.ready(id);
    if (!(options.typeIndex >= 0 && options.typeIndex < ip.index.sampleTypes.length)) {
      throw new EngineError('bad-reference', `Sample type ${options.typeIndex} does not exist in this profile.`);
    }
    if (options.focusFunction !== undefined && !(options.focusFunction >= 0 && options.focusFunction < ip.index.functions.count)) {
      throw new EngineError('bad-reference', `Function ${options.focusFunction} does not exist in this profile.`);
    }
    let base: IndexedProfile | undefined;
    if (options.baseId !== undefined) {
      base = await this.ready(options.baseId);
    }
    return buildFlameTree(ip, options, base);
  }

  diff(baseId: number, currentId: number, typeIndex: number): ProfileDiff {
    return diffProfiles(this.get(baseId).index, this.get(currentId).index, typeIndex);
  }

  /** Correlate: the samples of `id` matching `selection`, indexed as a new profile (see Engine.select). */
  async select(id: number, selection: SampleSelection): Promise<LoadResult> {
    const parent = await this.ready(id);
    const t0 = performance.now();
    const { raw, sym } = selectSamples(parent.raw, parent.symbols, selection);
    const t1 = performance.now();
    const ip = buildIndex(raw, sym);
    const t2 = performance.now();
    const sub = this.nextId++;
    this.profiles.set(sub, ip);
    return { id: sub, index: ip.index, timings: { decode: t1 - t0, symbolize: 0, index: t2 - t1 } };
  }

  async labels(id: number, options: LabelSummaryOptions = {}): Promise<LabelKeySummary[]> {
    return labelSummary((await this.ready(id)).raw, options);
  }

  release(id: number): void {
    this.profiles.delete(id);
    this.pendingStacks.delete(id);
  }

  clear(): void {
    this.profiles.clear();
    this.pendingStacks.clear();
  }

  /** Stops the helper thread (if any); loads after this run on one thread. */
  async dispose(): Promise<void> {
    this.profiles.clear();
    this.pendingStacks.clear();
    await this.helper.dispose();
  }
}
