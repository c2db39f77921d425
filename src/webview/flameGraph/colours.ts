/**
 * Colour schemes of the flame graph. Every frame gets a palette index (Uint16Array, computed once per
 * tree and mode), the palette gets its CSS colours from the theme kind: drawing then only switches
 * `fillStyle` when the index changes. No DOM here.
 */
import type { WireFlameTree } from '../../shared/protocol';

export type ColourMode = 'package' | 'heat' | 'diff';
export type ThemeKind = 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';

/** Fixed palette slots; mode-specific colours follow. */
export const enum Slot {
  Root = 0,
  Other = 1,
  Run = 2,
  Dimmed = 3,
  First = 4,
}

export const PACKAGE_HUES = 24;
export const PACKAGE_SHADES = 3;
export const HEAT_LEVELS = 16;
/** diff buckets: -DIFF_STEPS (much faster, green) .. 0 .. +DIFF_STEPS (much slower, red) */
export const DIFF_STEPS = 8;

export interface Palette {
  fill: string[];
  text: string[];
  /** bar border (high contrast only), else '' */
  stroke: string;
}

/** True for the engine's synthetic node standing for frames merged by the node budget. */
export function isOtherNode(tree: WireFlameTree, node: number): boolean {
  return node > 0 && tree.file[node] < 0 && tree.strings[tree.name[node]] === 'other';
}

/**
 * The "package" a frame belongs to, for colouring: a `node_modules` package, else the file's folder,
 * else a Go-style import path prefix of the name ("net/http.(*conn).serve" → "net/http"), else the name.
 */
export function packageOf(name: string, file: string): string {
  if (file) {
    const nm = file.lastIndexOf('node_modules/');
    if (nm >= 0) {
      const rest = file.slice(nm + 'node_modules/'.length).split('/');
      return rest[0].startsWith('@') ? `${rest[0]}/${rest[1] ?? ''}` : rest[0];
    }
    const slash = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
    if (slash > 0) return file.slice(0, slash);
  }
  const lastSlash = name.lastIndexOf('/');
  const dot = name.indexOf('.', lastSlash + 1);
  if (dot > 0 && !name.startsWith('(')) return name.slice(0, dot);
  return name;
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

/** True when node 0 is a real function (sandwich trees), not the engine's synthetic "all". */
export function isFunctionRoot(tree: WireFlameTree): boolean {
  return tree.count > 0 && (tree.file[0] >= 0 || (tree.name[0] > 0 && tree.strings[tree.name[0]] !== 'all'));
}

/** Whether the tree carries a baseline (a diff tree). */
export function isDiffTree(tree: WireFlameTree): boolean {
  return !!tree.baseTotal && !!tree.baseSelf && tree.baseTotal.length === tree.count;
}

/**
 * Relative change of a frame between baseline and current, in shares of each side's root total:
 * positive = takes a larger share now (slower), negative = smaller (faster).
 */
export function diffDelta(tree: WireFlameTree, node: number): number {
  if (!tree.baseTotal) return 0;
  const cur = tree.total[0] > 0 ? tree.total[node] / tree.total[0] : 0;
  const base = tree.baseTotal[0] > 0 ? tree.baseTotal[node] / tree.baseTotal[0] : 0;
  return cur - base;
}

/**
 * Palette index of every node for a colour mode. `packages` (package → hue) can be shared between
 * trees of one profile (the flame graph and its sandwich views) so a package keeps its colour.
 */
export function colourIndices(tree: WireFlameTree, mode: ColourMode, packages: Map<string, number> = new Map()): Uint16Array {
  const n = tree.count;
  const out = new Uint16Array(n);
  out[0] = Slot.Root;
  // a sandwich tree's root is the function itself: coloured like any frame
  const first = isFunctionRoot(tree) ? 0 : 1;
  if (mode === 'diff' && isDiffTree(tree)) {
    let maxAbs = 0;
    for (let i = 1; i < n; i++) maxAbs = Math.max(maxAbs, Math.abs(diffDelta(tree, i)));
    for (let i = first; i < n; i++) {
      if (isOtherNode(tree, i)) { out[i] = Slot.Other; continue; }
      const d = maxAbs > 0 ? diffDelta(tree, i) / maxAbs : 0;
      // a change under 1% of the largest change is neutral
      const step = Math.abs(d) < 0.01 ? 0 : Math.sign(d) * Math.max(1, Math.round(Math.abs(d) * DIFF_STEPS));
      out[i] = Slot.First + DIFF_STEPS + step;
    }
    return out;
  }
  if (mode === 'heat') {
    let maxSelf = 0;
    for (let i = 1; i < n; i++) if (tree.self[i] > maxSelf) maxSelf = tree.self[i];
    for (let i = first; i < n; i++) {
      if (isOtherNode(tree, i)) { out[i] = Slot.Other; continue; }
      const r = maxSelf > 0 ? Math.sqrt(tree.self[i] / maxSelf) : 0;
      out[i] = Slot.First + Math.min(HEAT_LEVELS - 1, Math.floor(r * HEAT_LEVELS));
    }
    return out;
  }
  // packages get hues in order of first appearance (pre-order: the heaviest callers first), stepping
  // around the wheel so neighbours differ; each function gets one of three shades of its package's hue
  const byPackage = packages;
  // slot per (name, file): by name id first (a name almost always has one file), a Map otherwise
  const byName = new Int32Array(tree.strings.length).fill(-1);
  const fileOfName = new Int32Array(tree.strings.length);
  const byFrame = new Map<number, number>();
  const stride = tree.files.length + 1;
  const otherName = tree.strings.indexOf('other');
  const names = tree.name;
  const files = tree.file;
  for (let i = first; i < n; i++) {
    const nm = names[i];
    const f = files[i];
    if (nm === otherName && f < 0) { out[i] = Slot.Other; continue; }
    if (byName[nm] >= 0 && fileOfName[nm] === f) { out[i] = byName[nm]; continue; }
    const frameId = nm * stride + (f + 1);
    let slot = byFrame.get(frameId);
    if (slot === undefined) {
      const name = tree.strings[tree.name[i]];
      const pkg = packageOf(name, f >= 0 ? tree.files[f] ?? '' : '');
      let hue = byPackage.get(pkg);
      if (hue === undefined) {
        hue = (byPackage.size * 7) % PACKAGE_HUES;
        byPackage.set(pkg, hue);
      }
      slot = Slot.First + hue * PACKAGE_SHADES + (hash(name) % PACKAGE_SHADES);
      byFrame.set(frameId, slot);
    }
    if (byName[nm] < 0) { byName[nm] = slot; fileOfName[nm] = f; }
    out[i] = slot;
  }
  return out;
}

/** CSS colours for a mode and theme. Text colours keep at least WCAG AA contrast on their fills. */
export function buildPalette(mode: ColourMode, theme: ThemeKind): Palette {
  const dark = theme === 'dark' || theme === 'high-contrast';
  const hc = theme === 'high-contrast' || theme === 'high-contrast-light';
  const fg = dark ? '#f3f3f3' : '#1b1b1b';
  const fill: string[] = [];
  const text: string[] = [];
  const add = (f: string, t = fg) => { fill.push(f); text.push(t); };
  // fixed slots
  add(dark ? '#4b5563' : '#cbd2db'); // root
  add(dark ? '#3a3a3a' : '#e2e2e2', dark ? '#bdbdbd' : '#4a4a4a'); // other
  add(dark ? '#5b5b5b' : '#b8b8b8'); // run of tiny frames
  add(dark ? '#2f2f2f' : '#ececec', dark ? '#8a8a8a' : '#8a8a8a'); // dimmed by search
  if (mode === 'diff') {
    for (let s = -DIFF_STEPS; s <= DIFF_STEPS; s++) {
      const t = Math.abs(s) / DIFF_STEPS;
      if (s === 0) add(dark ? '#505560' : '#d5d8dd');
      else {
        const hue = s > 0 ? 0 : 130; // red slower, green faster
        const sat = 35 + 45 * t;
        const light = dark ? (s > 0 ? 38 - 12 * t : 26 - 6 * t) : 88 - 24 * t;
        add(`hsl(${hue} ${sat}% ${light}%)`);
      }
    }
  } else if (mode === 'heat') {
    for (let l = 0; l < HEAT_LEVELS; l++) {
      const t = l / (HEAT_LEVELS - 1);
      const hue = 50 - 50 * t; // yellow → red
      const sat = 30 + 60 * t;
      const light = dark ? 30 + 8 * t : 86 - 26 * t;
      add(`hsl(${hue} ${sat}% ${light}%)`);
    }
  } else {
    for (let h = 0; h < PACKAGE_HUES; h++) {
      const hue = Math.round((h * 360) / PACKAGE_HUES);
      for (let shade = 0; shade < PACKAGE_SHADES; shade++) {
        const light = dark ? 23 + shade * 3 : 72 + shade * 4;
        const sat = dark ? 36 : 55;
        add(`hsl(${hue} ${sat}% ${light}%)`);
      }
    }
  }
  return { fill, text, stroke: hc ? (dark ? '#6fc3df' : '#0f4a85') : '' };
}
