/**
 * The editor's annotations while comparing: the same FileInsights shape the insights controllers
 * read (so gutter, inline text, CodeLens and hover need no second code path), filled with changes
 * against the baseline instead of costs. Pure.
 */
import { heatLevel } from '../insights/heat';
import { isApproximate, type FileInsights, type FunctionInsight, type InsightOptions, type LineInsight } from '../insights/fileInsights';
import type { IndexView } from '../insights/indexView';
import { PositionKind } from '../model';
import { formatPercent, sampleTypeLabel } from '../format';
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
    functions.push({ fn, line, share: fd.total.currentShare, title: functionDeltaTitle(fd, st.type === 'cpu' ? 'CPU' : sampleTypeLabel(st), st.unit) });
  }
  return { file, lines, functions };
}

function shown(d: Delta, threshold: number): boolean {
  return Math.max(d.currentShare, d.baseShare) >= threshold || Math.abs(d.change) >= threshold;
}

/** CodeLens title while comparing: `wall +12.4% vs baseline (+310 ms) · self +1.1% · now 45.1%, was 30.2%`. */
export function functionDeltaTitle(fd: FunctionDelta, label: string, unit: string): string {
  const status = deltaStatus(fd.total);
  const head = `${label} ${formatShareDelta(fd.total.change)} vs baseline (${formatValueDelta(fd.total.delta, unit)})`;
  const tail = status === 'new' ? 'new' : `now ${formatPercent(fd.total.currentShare)}, was ${formatPercent(fd.total.baseShare)}`;
  const noise = fd.total.significant ? '' : ' · within noise';
  return `${head} · self ${formatShareDelta(fd.self.change)} · ${tail}${noise}`;
}
