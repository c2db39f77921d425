/**
 * The Engine on the calling thread: for the CLI and tests. The extension host uses the worker
 * engine instead (decoding a big profile is seconds of synchronous work).
 */
import { EngineCore } from './engineCore';
import type { Engine } from './engine';

/** @param options see EngineCore (the CLI passes its dist/sampleWorker.js) */
export function createInProcessEngine(options: ConstructorParameters<typeof EngineCore>[0] = {}): Engine & { core: EngineCore } {
  const core = new EngineCore(options);
  return {
    core,
    load: (bytes, options) => core.load(bytes, options),
    flameTree: async (id, options) => core.flameTree(id, options),
    diff: async (baseId, currentId, typeIndex) => core.diff(baseId, currentId, typeIndex),
    select: async (id, selection) => core.select(id, selection),
    labels: async (id, options) => core.labels(id, options),
    release: async (id) => core.release(id),
    dispose: () => core.dispose(),
  };
}
