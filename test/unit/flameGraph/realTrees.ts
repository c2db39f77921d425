/** Flame trees of real profiles (test/fixtures), built by the real engine, in the page's wire form. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createInProcessEngine } from '../../../src/core/inProcessEngine';
import type { FlameTreeOptions } from '../../../src/core/engine';
import type { FlameTree, ProfileIndex } from '../../../src/core/model';
import type { WireFlameTree } from '../../../src/shared/protocol';
import { toWireTree } from '../../../src/host/flameGraph/wireTree';

export const FIXTURES = path.resolve(__dirname, '../../fixtures');
/** Go runtime/pprof CPU profile of test/fixtures/go/gen/main.go */
export const GO_CPU = path.join(FIXTURES, 'go/cpu.pb.gz');
/** @datadog/pprof wall profiles of the esbuild bundle in test/fixtures/node/workspace */
export const NODE_LINES = path.join(FIXTURES, 'node/profiles/bundle-time-lines.pb.gz');
export const NODE_DEFAULT = path.join(FIXTURES, 'node/profiles/bundle-time-default.pb.gz');
export const NODE_WORKSPACE = path.join(FIXTURES, 'node/workspace');

export const engine = createInProcessEngine();

export async function loadTree(file: string, options: Partial<FlameTreeOptions> = {}, baseFile?: string): Promise<{ tree: FlameTree; wire: WireFlameTree; id: number; index: ProfileIndex }> {
  // readOutsideRoots: the Go trees name GOROOT files (runtime/proc.go), outside these roots
  const load = (f: string) => engine.load(readFileSync(f), { roots: [NODE_WORKSPACE, path.dirname(f)], pathMappings: [], readOutsideRoots: true });
  const r = await load(file);
  const base = baseFile ? await load(baseFile) : undefined;
  const tree = await engine.flameTree(r.id, {
    typeIndex: r.index.defaultType, mergeBy: 'function', nodeBudget: 100_000, ...options,
    ...(base ? { baseId: base.id } : {}),
  });
  return { tree, wire: toWireTree(tree, (p) => path.relative(FIXTURES, p)), id: r.id, index: r.index };
}

/** Node ids whose function name is `name`. */
export function nodesNamed(t: WireFlameTree, name: string): number[] {
  const out: number[] = [];
  for (let i = 1; i < t.count; i++) if (t.strings[t.name[i]] === name) out.push(i);
  return out;
}

/** A small hand-made tree: `spec` lists [name, parentIndex, self] in pre-order (index 0 = root). */
export function handTree(spec: [string, number, number][]): WireFlameTree {
  const n = spec.length;
  const strings = [''];
  const t: WireFlameTree = {
    sampleType: { type: 'cpu', unit: 'nanoseconds' }, strings, files: ['src/a.ts'], count: n,
    parent: new Int32Array(n), depth: new Uint16Array(n), name: new Int32Array(n), file: new Int32Array(n),
    line: new Int32Array(n), self: new Float64Array(n), total: new Float64Array(n), merged: { nodes: 0, weight: 0 },
  };
  spec.forEach(([name, parent, self], i) => {
    let s = strings.indexOf(name);
    if (s < 0) s = strings.push(name) - 1;
    t.name[i] = s; t.parent[i] = i === 0 ? -1 : parent; t.depth[i] = i === 0 ? 0 : t.depth[parent] + 1;
    t.self[i] = self; t.file[i] = i === 0 ? -1 : 0; t.line[i] = i;
  });
  for (let i = n - 1; i >= 0; i--) { t.total[i] += t.self[i]; if (i > 0) t.total[t.parent[i]] += t.total[i]; }
  return t;
}
