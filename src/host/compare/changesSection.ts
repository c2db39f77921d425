/**
 * The "Biggest changes" group of the hotspots view while comparing (built from core/compare's
 * biggestChanges; the view puts it first).
 */
import * as path from 'node:path';
import { biggestChanges } from '../../core/compare/biggestChanges';
import type { ProfileComparison } from '../../core/compare/compareProfiles';
import { formatValue } from '../../core/format';
import type { HotspotNode } from '../insights/hotspotsView';

export function changesSection(cmp: ProfileComparison, baselineLabel: string, profileId: number, max: number): HotspotNode {
  const unit = cmp.sampleType.unit;
  const children = biggestChanges(cmp, max).map(({ fd, tone, text }, i): HotspotNode => {
    const where = fd.path ? `${path.basename(fd.path)}${fd.startLine > 0 ? `:${fd.startLine}` : ''}` : fd.profilePath || '';
    const arrow = tone === 'worse' ? '▲' : tone === 'better' ? '▼' : '·';
    return {
      kind: 'item',
      id: `fn:change:${i}`,
      label: `${arrow} ${fd.name || '(anonymous)'}`,
      description: `${text}${where ? ` · ${where}` : ''}`,
      tooltip: `${fd.name || '(anonymous)'} vs ${baselineLabel}\nself ${formatValue(fd.self.base * cmp.scale, unit)} → ${formatValue(fd.self.current, unit)}, total ${formatValue(fd.total.base * cmp.scale, unit)} → ${formatValue(fd.total.current, unit)} (${cmp.sampleType.type}, baseline scaled ×${cmp.scale.toFixed(2)})`,
      target: fd.fn >= 0 && fd.file >= 0 && fd.startLine > 0 ? { profile: profileId, file: fd.file, line: fd.startLine } : undefined,
    };
  });
  return { kind: 'section', id: 'changes', label: `Biggest changes (self ${cmp.sampleType.type} vs ${baselineLabel})`, children };
}
