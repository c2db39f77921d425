/**
 * The Engine on the calling thread: for the CLI and tests. The extension host uses the worker
 * engine instead (decoding a big profile is seconds of synchronous work).
 */
import { EngineCore } from './engineCore';
import type { Engine } from './engine';

export function createInProcessEngine(): Engine & { core: EngineCore } {
  const core = new EngineCore();
  return {
    core,
    load: (bytes, options) => core.load(bytes, options),
    flameTree: async (id, options) => core.flameTree(id, options),
    diff: async (baseId, currentId, typeIndex) => core.diff(baseId, currentId, typeIndex),
    select: async (id, selection) => core.select(id, selection),
    labels: async (id, options) => core.labels(id, options),
    release: async (id) => core.release(id),
    dispose: async () => core.clear(),
  };
}
