/**
 * What the editor shows for one file of one profile: annotated lines (heat level + inline text)
 * and functions with cost (CodeLens titles). Computed once per (profile, sample type, settings,
 * file) by the host and cached; pure.
 */
import { formatCost, formatPercent, formatValue, sampleTypeLabel, unitKind } from '../format';
import { PositionKind, type Line1, type SampleType } from '../model';
import { heatLevel } from './heat';
import type { IndexView } from './indexView';

export type LineCostBasis = 'self' | 'total';

export interface InsightOptions {
  /** the selected sample type (index into sampleTypes) */
  typeIndex: number;
  /** further sample types shown in inline text and CodeLens, after the selected one */
  extraTypes: number[];
  /** share of the total (0..1) below which lines and functions are not annotated */
  threshold: number;
  /** which cost of a line drives heat and inline text */
  lineCost: LineCostBasis;
}

export interface LineInsight {
  /** row in index.lines */
  row: number;
  line: Line1;
  /** share of the selected type's total, on the configured basis */
  share: number;
  /** 1..HEAT_LEVELS */
  level: number;
  /** end-of-line text, e.g. `12.3% cpu · 4.1 MB alloc` */
  text: string;
  kind: PositionKind;
  /** only while comparing (core/compare/diffInsights.ts): the change got worse, better, or stayed within noise */
  tone?: 'worse' | 'better' | 'same';
}

export interface FunctionInsight {
  fn: number;
  line: Line1;
  /** total share of the selected type */
  share: number;
  /** CodeLens title, e.g. `CPU 8.2% (self 1.1%) · alloc 12 MB` */
  title: string;
}

export interface FileInsights {
  file: number;
  lines: LineInsight[];
  functions: FunctionInsight[];
}

/** Is the position only approximate (shown with `≈` and explained in the hover)? */
export function isApproximate(kind: number): boolean {
  return kind === PositionKind.FunctionStart || kind === PositionKind.Recovered;
}

export function computeFileInsights(view: IndexView, file: number, o: InsightOptions): FileInsights {
  const { index } = view;
  const types = [o.typeIndex, ...o.extraTypes.filter((t) => t !== o.typeIndex && t >= 0 && t < index.sampleTypes.length)];
  const lines: LineInsight[] = [];
  const [start, end] = view.lineRows(file);
  const basis = o.lineCost === 'self' ? index.lines.self : index.lines.total;
  for (let row = start; row < end; row++) {
    const line = index.lines.line[row];
    if (line <= 0) continue;
    const share = view.share(view.value(basis, row, o.typeIndex), o.typeIndex);
    const level = heatLevel(share, o.threshold);
    if (level === 0) continue;
    const kind = index.lines.kind[row];
    const parts = types.map((t) => formatCost(view.value(basis, row, t), index.totals[t], index.sampleTypes[t]));
    lines.push({ row, line, share, level, kind, text: (isApproximate(kind) ? '≈ ' : '') + parts.join(' · ') });
  }
  const functions: FunctionInsight[] = [];
  const { functions: fns } = index;
  for (const fn of view.functionsOf(file)) {
    const line = fns.startLine[fn];
    if (line <= 0) continue;
    const share = view.share(view.value(fns.total, fn, o.typeIndex), o.typeIndex);
    if (share <= 0 || share < o.threshold) continue;
    const title = types
      .map((t, i) => lensCost(view.value(fns.total, fn, t), view.value(fns.self, fn, t), index.totals[t], index.sampleTypes[t], i === 0))
      .join(' · ');
    functions.push({ fn, line, share, title });
  }
  return { file, lines, functions };
}

/** `CPU 8.2% (self 1.1%)`, `alloc 12 MB (self 2 MB)`; extra types without the self part. */
export function lensCost(total: number, self: number, sum: number, t: SampleType, withSelf: boolean): string {
  const label = lensLabel(t);
  const bytes = unitKind(t.unit) === 'bytes';
  const show = (v: number) => (bytes ? formatValue(v, t.unit) : formatPercent(sum > 0 ? v / sum : 0));
  return withSelf ? `${label} ${show(total)} (self ${show(self)})` : `${label} ${show(total)}`;
}

function lensLabel(t: SampleType): string {
  const l = sampleTypeLabel(t);
  return l === 'cpu' ? 'CPU' : l;
}

/**
 * Resolves the `sampleTypes` setting (names such as "cpu", "alloc_space") to indices of the profile's
 * types, in the setting's order, skipping names the profile does not have.
 */
export function resolveTypeNames(sampleTypes: SampleType[], names: readonly string[]): number[] {
  const out: number[] = [];
  for (const n of names) {
    const i = sampleTypes.findIndex((t) => t.type === n);
    if (i >= 0 && !out.includes(i)) out.push(i);
  }
  return out;
}
