/**
 * One measurement in a fresh process (spawned by run.ts): bytes → decode → symbolize → line and
 * function index, then a flame tree within a node budget. Prints one JSON line with times (ms) and
 * peak RSS (bytes, from the OS's maxrss).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { EngineCore } from '../src/core/engineCore';

async function main(): Promise<void> {
  const file = process.argv[2];
  const budget = Number(process.argv[3] ?? 5000);
  const bytes = readFileSync(file);
  // as in the extension's engine worker: the bundled sampleWorker.js beside this bundle (run.ts builds
  // both); `--one-thread` measures without it
  const core = new EngineCore(process.argv.includes('--one-thread') ? {} : { sampleWorkerScript: path.join(__dirname, 'sampleWorker.js') });
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await core.load(bytes, { roots: [], pathMappings: [], sourceName: file });
  const t1 = performance.now();
  const c1 = process.cpuUsage(c0);
  const rssAfterIndex = process.resourceUsage().maxRSS * 1024;
  // a big pprof's stacks (what the call tree reads) are written after its load answers
  const s0 = performance.now();
  const ip = await core.ready(r.id);
  const stacksMs = performance.now() - s0;
  const rssAfterStacks = process.resourceUsage().maxRSS * 1024;
  const f0 = performance.now();
  const tree = await core.flameTree(r.id, { typeIndex: r.index.defaultType, mergeBy: 'function', nodeBudget: budget });
  const f1 = performance.now();
  const treeLines = await core.flameTree(r.id, { typeIndex: r.index.defaultType, mergeBy: 'line', nodeBudget: budget });
  const f2 = performance.now();
  process.stdout.write(`${JSON.stringify({
    indexMs: t1 - t0,
    indexCpuMs: (c1.user + c1.system) / 1000,
    timings: r.timings,
    peakRssAfterIndex: rssAfterIndex,
    stacksMs,
    peakRssAfterStacks: rssAfterStacks,
    flameFunctionMs: f1 - f0,
    flameLineMs: f2 - f1,
    flameNodes: tree.count,
    flameLineNodes: treeLines.count,
    merged: tree.merged,
    peakRss: process.resourceUsage().maxRSS * 1024,
    samples: r.index.sampleCount,
    stackNodes: ip.raw.stacks.count,
    frames: ip.raw.frames.count,
    lines: r.index.lines.count,
    functions: r.index.functions.count,
  })}\n`);
}

void main();
