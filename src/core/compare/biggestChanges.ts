/**
 * The hotspots view's "Biggest changes" while comparing: functions ranked by the size of the change of
 * their self cost (where the time went, not every caller above it), significant changes first. Pure.
 */
import type { FunctionDelta, ProfileComparison } from './compareProfiles';
import { deltaTone, formatDelta, type DeltaTone } from './deltaFormat';

export interface ChangeEntry {
  fd: FunctionDelta;
  tone: DeltaTone;
  /** e.g. `+61.3% wall (+2.1 s)` */
  text: string;
}

export function biggestChanges(cmp: ProfileComparison, max: number): ChangeEntry[] {
  return cmp.functions
    .filter((f) => f.self.significant)
    .sort((a, b) => Math.abs(b.self.change) - Math.abs(a.self.change))
    .slice(0, Math.max(0, max))
    .map((fd) => ({ fd, tone: deltaTone(fd.self), text: formatDelta(fd.self, cmp.sampleType) }));
}
