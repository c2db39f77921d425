/**
 * The editor's annotations while comparing: the same FileInsights shape the insights controllers
 * read (so gutter, inline text, CodeLens and hover need no second code path), filled with changes
 * against the baseline instead of costs. Pure.
 */
import { heatLevel } from '../insights/heat';
import { isApproximate, type FileInsights, type FunctionInsight, type InsightOptions, type LineInsight } from '../insights/fileInsights';
import type { IndexView } from '../insights/indexView';
import { PositionKind } from '../model';
import { formatValue, sampleTypeLabel } from '../format';
import type { Delta, FunctionDelta, ProfileComparison } from './compareProfiles';
import { deltaStatus, deltaTone, formatDelta, formatShareDelta, formatValueDelta } from './deltaFormat';

/**
 * Lines and functions worth showing: hot on either side (share ≥ threshold) or changed by at least
 * the threshold. Heat level (gutter meter, hottest tint) = size of a significant slowdown; lines that
 * got faster or did not change significantly get level 0 (text only, in their tone).
 */
export function computeDiffFileInsights(view: IndexView, file: number, o: InsightOptions, cmp: ProfileComparison): FileInsights {
  const { index } = view;
  const st = index.sampleTypes[o.typeIndex];
  const lines: LineInsight[] = [];
  const deltas = cmp.files.get(file);
  if (deltas) {
    const sorted = [...deltas.values()].sort((a, b) => a.line - b.line);
    for (const ld of sorted) {
      if (ld.line <= 0) continue;
      const d = o.lineCost === 'self' ? ld.self : ld.total;
      if (!shown(d, o.threshold)) continue;
      const tone = deltaTone(d);
      const kind = ld.row >= 0 ? index.lines.kind[ld.row] : PositionKind.Line;
      lines.push({
        row: ld.row,
        line: ld.line,
        share: d.currentShare,
        level: tone === 'worse' ? Math.max(1, heatLevel(Math.abs(d.change), o.threshold)) : 0,
        kind,
        text: (isApproximate(kind) ? '≈ ' : '') + formatDelta(d, st),
        tone,
      });
    }
  }
  const functions: FunctionInsight[] = [];
  for (const fn of view.functionsOf(file)) {
    const line = index.functions.startLine[fn];
    const fd = cmp.byFunction.get(fn);
    if (line <= 0 || !fd || !shown(fd.total, o.threshold)) continue;
    functions.push({ fn, line, share: fd.total.currentShare, title: functionDeltaTitle(fd, st.type === 'cpu' ? 'CPU' : sampleTypeLabel(st), st.unit, cmp.scale) });
  }
  return { file, lines, functions };
}

function shown(d: Delta, threshold: number): boolean {
  return Math.max(d.currentShare, d.baseShare) >= threshold || Math.abs(d.change) >= threshold;
}

/**
 * CodeLens title while comparing: `wall +56.4% vs baseline (+3.2 s: 1.3 s → 4.5 s) · self +56.4%`.
 * The percentage is the change as a share of the current total; the values are absolute, the
 * baseline's scaled to the current window, so the arithmetic adds up.
 */
export function functionDeltaTitle(fd: FunctionDelta, label: string, unit: string, scale = 1): string {
  const status = deltaStatus(fd.total);
  const t = fd.total;
  const span = status === 'new' ? 'new' : `${formatValue(t.base * scale, unit)} → ${formatValue(t.current, unit)}`;
  const noise = t.significant ? '' : ' · within noise';
  return `${label} ${formatShareDelta(t.change)} vs baseline (${formatValueDelta(t.delta, unit)}: ${span}) · self ${formatShareDelta(fd.self.change)}${noise}`;
}
