/**
 * Text shown for frames: labels, tooltip lines, value formatting by sample unit, and the
 * "what the node budget merged" note. No DOM.
 */
import type { SampleType } from '../../core/model';
import type { SelectionInfo, WireFlameTree } from '../../shared/protocol';
import { selectionNoun, selectionSource, selectionTitle } from '../../shared/selectionText';
import { diffDelta, isDiffTree, isFunctionRoot } from './colours';

/** "1.23 s", "45.6 MB", "1,234 samples" */
export function formatValue(v: number, unit: string): string {
  const fixed = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
  switch (unit) {
    case 'nanoseconds':
    case 'microseconds':
    case 'milliseconds':
    case 'seconds': {
      const ns = v * (unit === 'nanoseconds' ? 1 : unit === 'microseconds' ? 1e3 : unit === 'milliseconds' ? 1e6 : 1e9);
      if (ns >= 1e9) return `${fixed(ns / 1e9)} s`;
      if (ns >= 1e6) return `${fixed(ns / 1e6)} ms`;
      if (ns >= 1e3) return `${fixed(ns / 1e3)} µs`;
      return `${Math.round(ns)} ns`;
    }
    case 'bytes': {
      if (v >= 1024 ** 3) return `${fixed(v / 1024 ** 3)} GiB`;
      if (v >= 1024 ** 2) return `${fixed(v / 1024 ** 2)} MiB`;
      if (v >= 1024) return `${fixed(v / 1024)} KiB`;
      return `${Math.round(v)} B`;
    }
    default: {
      const word = unit === 'count' || unit === '' ? '' : ` ${unit}`;
      return `${Math.round(v).toLocaleString('en-US')}${word}`;
    }
  }
}

export function formatPercent(share: number): string {
  const p = share * 100;
  if (p === 0) return '0%';
  if (p < 0.01) return '<0.01%';
  return `${p >= 10 ? p.toFixed(1) : p.toFixed(2)}%`;
}

/** "18 k", "1.2 M" */
export function formatCount(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} M`;
  if (n >= 1e4) return `${Math.round(n / 1e3)} k`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return String(n);
}

export function fileLabel(tree: WireFlameTree, node: number): string {
  const f = tree.file[node];
  const path = f >= 0 ? tree.files[f] ?? '' : '';
  if (!path) return '';
  return tree.line[node] > 0 ? `${path}:${tree.line[node]}` : path;
}

/** The label drawn in a bar: the function name, plus `:line` when the tree is merged by line. */
export function frameLabel(tree: WireFlameTree, node: number, byLine: boolean): string {
  // the root is "all" in the engine's trees, the function itself in sandwich trees
  if (node === 0 && !isFunctionRoot(tree)) return 'all';
  const name = tree.strings[tree.name[node]] || '(anonymous)';
  return byLine && tree.line[node] > 0 ? `${name}:${tree.line[node]}` : name;
}

export function sampleTypeLabel(t: SampleType): string {
  return t.unit && t.unit !== 'count' ? `${t.type} (${t.unit})` : t.type;
}

/**
 * Tooltip lines for a frame: name, file:line, total and self (absolute, % of all, % of parent).
 * In a bottom-up (inverted) tree a frame's "self" is only meaningful for the leaves right below the
 * root, where it equals the total; elsewhere it is left out. `all` names the base of the shares
 * ("all", or "this span" while a Correlate selection is shown).
 */
export function describeFrame(tree: WireFlameTree, node: number, byLine: boolean, inverted = false, all = 'all'): string[] {
  const unit = tree.sampleType.unit;
  const whole = tree.total[0];
  const parent = node > 0 ? tree.parent[node] : -1;
  const lines = [frameLabel(tree, node, byLine)];
  const where = fileLabel(tree, node);
  if (where) lines.push(where);
  const share = (v: number) => (whole > 0 ? formatPercent(v / whole) : '–');
  const ofParent = parent >= 0 && tree.total[parent] > 0 ? `, ${formatPercent(tree.total[node] / tree.total[parent])} of parent` : '';
  lines.push(`Total: ${formatValue(tree.total[node], unit)} (${share(tree.total[node])} of ${all}${ofParent})`);
  if (!inverted) lines.push(`Self: ${formatValue(tree.self[node], unit)} (${share(tree.self[node])} of ${all})`);
  else if (tree.depth[node] === 1) lines.push(`Self: ${formatValue(tree.total[node], unit)} (${share(tree.total[node])} of ${all}; bottom-up: callers below)`);
  if (isDiffTree(tree) && tree.baseTotal) {
    const d = diffDelta(tree, node);
    const word = d > 0 ? 'slower' : d < 0 ? 'faster' : 'unchanged';
    lines.push(`Baseline: ${formatValue(tree.baseTotal[node], unit)} · ${d >= 0 ? '+' : '−'}${formatPercent(Math.abs(d))} of ${all} (${word})`);
  }
  lines.push(`Sample type: ${sampleTypeLabel(tree.sampleType)}`);
  return lines;
}

/** Tooltip lines for a run of tiny frames merged on screen. */
export function describeRun(tree: WireFlameTree, count: number, value: number, all = 'all'): string[] {
  const whole = tree.total[0];
  return [
    `${formatCount(count)} small frames`,
    `Total: ${formatValue(value, tree.sampleType.unit)} (${whole > 0 ? formatPercent(value / whole) : '–'} of ${all})`,
    'Zoom into the parent frame to see them',
  ];
}

/** "other: 3.1% in 18 k tiny frames" — what the node budget merged, or '' when nothing was. */
export function mergedNote(tree: WireFlameTree): string {
  const { nodes, weight } = tree.merged;
  if (!nodes || !(tree.total[0] > 0)) return '';
  return `other: ${formatPercent(weight / tree.total[0])} in ${formatCount(nodes)} tiny frames (merged to keep the graph fast)`;
}

/**
 * The header the page shows while a Correlate selection is drawn: a title naming it ("Profile of span
 * 00f067aa… (POST /checkout) only"), what it holds, and the base of every share on the page.
 */
export function describeSelection(s: SelectionInfo): { title: string; detail: string; base: string } {
  const noun = selectionNoun(s);
  const held = [`${Math.round(s.samples).toLocaleString('en-US')} sample${s.samples === 1 ? '' : 's'}`];
  if (s.sampleType.unit !== 'count') held.push(`${formatValue(s.value, s.sampleType.unit)} of ${s.sampleType.type}`);
  if (s.wholeShare !== undefined) held.push(`${formatPercent(s.wholeShare)} of ${s.wholeLabel}'s ${s.sampleType.type}`);
  return {
    title: `Profile of ${selectionTitle(s)} only`,
    detail: `${held.join(' · ')} — ${selectionSource(s)}. Percentages are shares of this ${noun}.`,
    base: `this ${noun}`,
  };
}
