/**
 * Heat levels: a line's share of the profile total → one of a few fixed levels (0 = not shown).
 * The editor has one decoration type per level, created once.
 */

export const HEAT_LEVELS = 5;

/** Lower bounds (share of total, 0..1) of levels 2..5; level 1 starts at the user's threshold. */
const UPPER_BOUNDS = [0.025, 0.05, 0.1, 0.25];

/**
 * Lower bounds of levels 1..5 for a threshold (share, 0..1). Bounds never decrease: a threshold above
 * a fixed bound lifts that bound to the threshold (those levels then start at the threshold too).
 */
export function heatBounds(threshold: number): number[] {
  const t = clampShare(threshold);
  return [t, ...UPPER_BOUNDS.map((b) => Math.max(b, t))];
}

/** 0 when below the threshold (not annotated), else 1..HEAT_LEVELS. */
export function heatLevel(share: number, threshold: number): number {
  if (!(share > 0)) return 0;
  const bounds = heatBounds(threshold);
  let level = 0;
  for (let i = 0; i < bounds.length; i++) if (share >= bounds[i]) level = i + 1;
  // With threshold 0 every positive share is at least level 1.
  return level;
}

/** The threshold setting is a percentage (0..100); anything odd becomes the default 1%. */
export function thresholdFromPercent(percent: unknown, fallbackPercent = 1): number {
  const p = typeof percent === 'number' && Number.isFinite(percent) ? percent : fallbackPercent;
  return clampShare(p / 100);
}

function clampShare(x: number): number {
  return Math.min(1, Math.max(0, Number.isFinite(x) ? x : 0));
}
