/**
 * The engine's state machine, shared by the in-process engine and the worker: decode → symbolize
 * → index on load, kept by id for call trees and diffs. Pure computation; no threads here.
 */
import { decodeProfile } from './decode/decodeProfile';
import { EngineError, type FlameTreeOptions, type LoadOptions, type LoadResult, type ProfileDiff } from './engine';
import { buildFlameTree } from './index/flameTree';
import { buildIndex, type IndexedProfile } from './index/buildIndex';
import { diffProfiles } from './index/diffProfiles';
import type { FlameTree } from './model';
import { symbolize } from './symbolize/symbolize';

export class EngineCore {
  private readonly profiles = new Map<number, IndexedProfile>();
  private nextId = 1;

  async load(bytes: Uint8Array, options: LoadOptions): Promise<LoadResult> {
    const t0 = performance.now();
    const raw = decodeProfile(bytes, { maxInflatedBytes: options.maxInflatedBytes, sourceName: options.sourceName });
    const t1 = performance.now();
    const sym = await symbolize(raw, options);
    const t2 = performance.now();
    const ip = buildIndex(raw, sym);
    const t3 = performance.now();
    const id = this.nextId++;
    this.profiles.set(id, ip);
    return { id, index: ip.index, timings: { decode: t1 - t0, symbolize: t2 - t1, index: t3 - t2 } };
  }

  get(id: number): IndexedProfile {
    const p = this.profiles.get(id);
    if (!p) throw new EngineError('unknown-profile', `Profile ${id} is not loaded (released, or the engine restarted).`);
    return p;
  }

  flameTree(id: number, options: FlameTreeOptions): FlameTree {
    const ip = this.get(id);
    if (!(options.typeIndex >= 0 && options.typeIndex < ip.index.sampleTypes.length)) {
      throw new EngineError('bad-reference', `Sample type ${options.typeIndex} does not exist in this profile.`);
    }
    if (options.focusFunction !== undefined && !(options.focusFunction >= 0 && options.focusFunction < ip.index.functions.count)) {
      throw new EngineError('bad-reference', `Function ${options.focusFunction} does not exist in this profile.`);
    }
    let base: IndexedProfile | undefined;
    if (options.baseId !== undefined) {
      base = this.get(options.baseId);
    }
    return buildFlameTree(ip, options, base);
  }

  diff(baseId: number, currentId: number, typeIndex: number): ProfileDiff {
    return diffProfiles(this.get(baseId).index, this.get(currentId).index, typeIndex);
  }

  release(id: number): void {
    this.profiles.delete(id);
  }

  clear(): void {
    this.profiles.clear();
  }
}
