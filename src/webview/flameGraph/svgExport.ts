/**
 * SVG of the current view: the same rectangles, colours and labels as the canvas. Frame names come
 * from the profile (attacker-controlled text), so every string is XML-escaped. No DOM.
 */
import type { WireFlameTree } from '../../shared/protocol';
import { RectKind, type Rects } from './flameLayout';
import { Slot, type Palette } from './colours';
import { frameLabel, describeFrame } from './describe';

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

export interface SvgInput {
  tree: WireFlameTree;
  rects: Rects;
  palette: Palette;
  colour: Uint16Array;
  /** search matches (1 = match) or undefined when no search is active */
  matches?: Uint8Array;
  width: number;
  height: number;
  background: string;
  fontFamily: string;
  fontSize: number;
  byLine: boolean;
  /** a bottom-up tree (tooltips leave out "self" where it means nothing) */
  inverted?: boolean;
  title: string;
  /** what the tooltips' shares are of: "all" (default), or "this span" for a Correlate selection */
  shareBase?: string;
}

/** Minimum bar width (px) for a label; average glyph width used to truncate labels. */
export const LABEL_MIN_WIDTH = 20;

/** "github.com/acme/shop/internal/pkg12.(*T1).Method3" → "pkg12.(*T1).Method3": the import path goes first. */
export function shortName(label: string): string {
  const paren = label.indexOf('(');
  const cut = label.lastIndexOf('/', paren > 0 ? paren : label.length);
  return cut > 0 && cut < label.length - 1 ? label.slice(cut + 1) : label;
}

/**
 * The label that fits `maxChars` characters: the whole name, else without its import path, else
 * cut with an ellipsis; nothing when fewer than 4 characters fit (a "gi…" label is noise).
 */
export function truncateLabel(label: string, maxChars: number): string {
  if (label.length <= maxChars) return label;
  const short = shortName(label);
  if (short.length <= maxChars) return short;
  if (maxChars < 4) return '';
  return `${short.slice(0, maxChars - 1)}…`;
}

export function toSvg(input: SvgInput, charWidth: number): string {
  const { tree, rects, palette, colour, matches, width, height } = input;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${escapeXml(input.fontFamily)}" font-size="${input.fontSize}">`);
  out.push(`<title>${escapeXml(input.title)}</title>`);
  out.push(`<rect width="100%" height="100%" fill="${escapeXml(input.background)}"/>`);
  const rh = rects.rowHeight;
  for (let k = 0; k < rects.count; k++) {
    const node = rects.node[k];
    const kind = rects.kind[k];
    let slot = kind === RectKind.Run ? Slot.Run : colour[node];
    if (matches && kind !== RectKind.Run && node > 0 && !matches[node]) slot = Slot.Dimmed;
    const x = rects.x[k];
    const y = rects.y[k];
    const w = rects.w[k];
    const tip = kind === RectKind.Run ? `${rects.runCount[k]} small frames` : describeFrame(tree, node, input.byLine, input.inverted, input.shareBase).join('\n');
    out.push(`<g><title>${escapeXml(tip)}</title><rect x="${x.toFixed(2)}" y="${y.toFixed(2)}" width="${Math.max(0, w - 0.5).toFixed(2)}" height="${rh - 1}" fill="${palette.fill[slot]}"${palette.stroke ? ` stroke="${palette.stroke}"` : ''}/>`);
    if (kind !== RectKind.Run && w >= LABEL_MIN_WIDTH) {
      const label = truncateLabel(frameLabel(tree, node, input.byLine), Math.floor((w - 6) / charWidth));
      if (label) out.push(`<text x="${(x + 3).toFixed(2)}" y="${(y + rh / 2 + input.fontSize * 0.35).toFixed(2)}" fill="${palette.text[slot]}">${escapeXml(label)}</text>`);
    }
    out.push('</g>');
  }
  out.push('</svg>');
  return out.join('\n');
}
