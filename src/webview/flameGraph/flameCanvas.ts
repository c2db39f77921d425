/**
 * The canvas renderer: draws the rectangles of one or two panes (flame graph, or sandwich callers +
 * callees). devicePixelRatio-correct, the backing store is resized only when the size changes,
 * fills are batched by colour (one path per palette slot), labels only on bars ≥ 20 px, and a hover
 * change repaints only the two rectangles involved.
 */
import type { WireFlameTree } from '../../shared/protocol';
import { Slot, type Palette } from './colours';
import { frameLabel } from './describe';
import { FlameIndex, ROW_HEIGHT, RectKind, hitTest, layoutFlame, type Orientation, type Rects, type Viewport } from './flameLayout';
import { LABEL_MIN_WIDTH, truncateLabel } from './svgExport';

export interface Pane {
  index: FlameIndex;
  colour: Uint16Array;
  orientation: Orientation;
  zoom: number;
  scrollTop: number;
  /** CSS px from the canvas top */
  top: number;
  height: number;
  /** 1 = search match; undefined = no search */
  matches?: Uint8Array;
  /** 1 = frame of the function under the editor's cursor */
  highlight?: Uint8Array;
  /** keyboard selection (node id) or -1 */
  selected: number;
  rects?: Rects;
}

export interface Theme {
  palette: Palette;
  background: string;
  fontFamily: string;
  fontSize: number;
  /** outline of the selected frame and of frames highlighted from the editor */
  focus: string;
  highlight: string;
  separator: string;
}

export interface Hit {
  pane: number;
  rect: number;
  node: number;
}


export class FlameCanvas {
  readonly ctx: CanvasRenderingContext2D;
  width = 0;
  height = 0;
  private dpr = 1;
  private charWidth = 7;
  private fontKey = '';
  panes: Pane[] = [];
  hovered: Hit | undefined;
  byLine = false;

  constructor(readonly canvas: HTMLCanvasElement, public theme: Theme) {
    const ctx = canvas.getContext('2d', { alpha: false });
    if (!ctx) throw new Error('Canvas 2D is not available');
    this.ctx = ctx;
  }

  /** Sets the CSS size; the backing store follows devicePixelRatio. Returns true when something changed. */
  resize(width: number, height: number): boolean {
    const dpr = window.devicePixelRatio || 1;
    if (width === this.width && height === this.height && dpr === this.dpr) return false;
    this.width = width;
    this.height = height;
    this.dpr = dpr;
    this.canvas.width = Math.max(1, Math.round(width * dpr));
    this.canvas.height = Math.max(1, Math.round(height * dpr));
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${height}px`;
    return true;
  }

  viewportOf(p: Pane): Viewport {
    return { width: this.width, height: p.height, rowHeight: ROW_HEIGHT, scrollTop: p.scrollTop, orientation: p.orientation, zoom: p.zoom };
  }

  /** Lays out and draws everything. Returns the number of rectangles drawn. */
  draw(): number {
    const { ctx } = this;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.fillStyle = this.theme.background;
    ctx.fillRect(0, 0, this.width, this.height);
    this.setFont();
    let drawn = 0;
    for (let i = 0; i < this.panes.length; i++) {
      const p = this.panes[i];
      p.rects = layoutFlame(p.index, this.viewportOf(p));
      drawn += p.rects.count;
      ctx.save();
      ctx.beginPath();
      ctx.rect(0, p.top, this.width, p.height);
      ctx.clip();
      ctx.translate(0, p.top);
      this.drawPane(p);
      ctx.restore();
      if (i > 0) {
        ctx.fillStyle = this.theme.separator;
        ctx.fillRect(0, p.top - 1, this.width, 1);
      }
    }
    if (this.hovered) this.repaint(this.hovered, true);
    return drawn;
  }

  private setFont(): void {
    const key = `${this.theme.fontSize}px ${this.theme.fontFamily}`;
    this.ctx.font = key;
    if (key !== this.fontKey) {
      this.fontKey = key;
      const sample = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJ_.()0123456789';
      this.charWidth = this.ctx.measureText(sample).width / sample.length;
    }
  }

  private slotOf(p: Pane, k: number): number {
    const r = p.rects!;
    if (r.kind[k] === RectKind.Run) return Slot.Run;
    const node = r.node[k];
    if (p.matches && node > 0 && !p.matches[node]) return Slot.Dimmed;
    return p.colour[node];
  }

  private drawPane(p: Pane): void {
    const { ctx } = this;
    const r = p.rects!;
    const { fill, text, stroke } = this.theme.palette;
    const rh = ROW_HEIGHT - 1;
    // fills, batched by palette slot
    const slots = new Uint16Array(r.count);
    const perSlot = new Int32Array(fill.length + 1);
    for (let k = 0; k < r.count; k++) { slots[k] = this.slotOf(p, k); perSlot[slots[k] + 1]++; }
    for (let s = 0; s < fill.length; s++) perSlot[s + 1] += perSlot[s];
    const order = new Int32Array(r.count);
    const at = perSlot.slice(0, fill.length);
    for (let k = 0; k < r.count; k++) order[at[slots[k]]++] = k;
    for (let s = 0; s < fill.length; s++) {
      if (perSlot[s + 1] === perSlot[s]) continue;
      ctx.fillStyle = fill[s];
      ctx.beginPath();
      for (let o = perSlot[s]; o < perSlot[s + 1]; o++) {
        const k = order[o];
        const w = r.w[k];
        // a 0.5 px gap between neighbours once bars are wide enough to show it
        ctx.rect(r.x[k], r.y[k], w > 3 ? w - 0.5 : w, rh);
      }
      ctx.fill();
    }
    if (stroke) {
      ctx.strokeStyle = stroke;
      ctx.lineWidth = 1;
      ctx.beginPath();
      for (let k = 0; k < r.count; k++) if (r.w[k] >= 3) ctx.rect(r.x[k] + 0.5, r.y[k] + 0.5, r.w[k] - 1.5, rh - 1);
      ctx.stroke();
    }
    // labels
    ctx.textBaseline = 'middle';
    let lastText = '';
    for (let k = 0; k < r.count; k++) {
      if (r.w[k] < LABEL_MIN_WIDTH || r.kind[k] === RectKind.Run) continue;
      this.drawLabel(p, k, slots[k], text, lastText);
      lastText = text[slots[k]];
    }
    // frames of the function under the editor cursor, and the keyboard selection
    if (p.highlight) {
      ctx.strokeStyle = this.theme.highlight;
      ctx.lineWidth = 2;
      ctx.beginPath();
      for (let k = 0; k < r.count; k++) if (r.kind[k] !== RectKind.Run && p.highlight[r.node[k]]) ctx.rect(r.x[k] + 1, r.y[k] + 1, Math.max(1, r.w[k] - 2.5), rh - 2);
      ctx.stroke();
    }
    if (p.selected >= 0) this.outlineNode(p, p.selected, this.theme.focus);
  }

  private drawLabel(p: Pane, k: number, slot: number, text: string[], lastText: string): void {
    const r = p.rects!;
    const label = truncateLabel(frameLabel(p.index.tree, r.node[k], this.byLine), Math.floor((r.w[k] - 6) / this.charWidth));
    if (!label) return;
    if (text[slot] !== lastText) this.ctx.fillStyle = text[slot];
    this.ctx.fillText(label, r.x[k] + 3, r.y[k] + (ROW_HEIGHT - 1) / 2 + 0.5, Math.max(1, r.w[k] - 6));
  }

  private outlineNode(p: Pane, node: number, colour: string): void {
    const r = p.rects!;
    for (let k = 0; k < r.count; k++) {
      if (r.node[k] !== node || r.kind[k] === RectKind.Run) continue;
      this.ctx.strokeStyle = colour;
      this.ctx.lineWidth = 2;
      this.ctx.strokeRect(r.x[k] + 1, r.y[k] + 1, Math.max(1, r.w[k] - 2.5), ROW_HEIGHT - 3);
    }
  }

  /** Repaints one rectangle (and only it), with or without the hover overlay. */
  repaint(hit: Hit, hovered: boolean): void {
    const p = this.panes[hit.pane];
    const r = p?.rects;
    if (!r || hit.rect >= r.count) return;
    const { ctx } = this;
    const k = hit.rect;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    const y0 = Math.max(0, r.y[k]);
    const y1 = Math.min(p.height, r.y[k] + ROW_HEIGHT);
    if (y1 <= y0) return;
    ctx.save();
    ctx.beginPath();
    ctx.rect(r.x[k], p.top + y0, r.w[k], y1 - y0);
    ctx.clip();
    ctx.translate(0, p.top);
    ctx.fillStyle = this.theme.background;
    ctx.fillRect(r.x[k], r.y[k], r.w[k], ROW_HEIGHT);
    const slot = this.slotOf(p, k);
    const { fill, text, stroke } = this.theme.palette;
    const w = r.w[k];
    ctx.fillStyle = fill[slot];
    ctx.fillRect(r.x[k], r.y[k], w > 3 ? w - 0.5 : w, ROW_HEIGHT - 1);
    if (hovered) {
      ctx.fillStyle = 'rgba(255,255,255,0.22)';
      ctx.fillRect(r.x[k], r.y[k], w > 3 ? w - 0.5 : w, ROW_HEIGHT - 1);
    }
    if (stroke && w >= 3) {
      ctx.strokeStyle = stroke;
      ctx.lineWidth = 1;
      ctx.strokeRect(r.x[k] + 0.5, r.y[k] + 0.5, w - 1.5, ROW_HEIGHT - 2);
    }
    this.setFont();
    ctx.textBaseline = 'middle';
    if (w >= LABEL_MIN_WIDTH && r.kind[k] !== RectKind.Run) this.drawLabel(p, k, slot, text, '');
    const node = r.node[k];
    if (r.kind[k] !== RectKind.Run && p.highlight?.[node]) {
      ctx.strokeStyle = this.theme.highlight;
      ctx.lineWidth = 2;
      ctx.strokeRect(r.x[k] + 1, r.y[k] + 1, Math.max(1, w - 2.5), ROW_HEIGHT - 3);
    }
    if (hovered || (r.kind[k] !== RectKind.Run && node === p.selected)) {
      ctx.strokeStyle = this.theme.focus;
      ctx.lineWidth = hovered ? 1 : 2;
      ctx.strokeRect(r.x[k] + 1, r.y[k] + 1, Math.max(1, w - 2.5), ROW_HEIGHT - 3);
    }
    ctx.restore();
  }

  /** Sets the hovered rectangle; repaints only the old and the new one. Returns true if it changed. */
  setHover(hit: Hit | undefined): boolean {
    const old = this.hovered;
    if (old?.pane === hit?.pane && old?.rect === hit?.rect) return false;
    this.hovered = hit;
    if (old) this.repaint(old, false);
    if (hit) this.repaint(hit, true);
    return true;
  }

  /** The pane and rectangle under a point (CSS px), or undefined. */
  hitAt(x: number, y: number): Hit | undefined {
    for (let i = 0; i < this.panes.length; i++) {
      const p = this.panes[i];
      if (!p.rects || y < p.top || y >= p.top + p.height) continue;
      const k = hitTest(p.rects, this.viewportOf(p), x, y - p.top);
      return k < 0 ? undefined : { pane: i, rect: k, node: p.rects.node[k] };
    }
    return undefined;
  }

  paneAt(y: number): number {
    return this.panes.findIndex((p) => y >= p.top && y < p.top + p.height);
  }
}

/** Builds a pane for a tree (index built once per tree). */
export function makePane(tree: WireFlameTree | FlameIndex, colour: Uint16Array, orientation: Orientation): Pane {
  const index = tree instanceof FlameIndex ? tree : new FlameIndex(tree);
  return { index, colour, orientation, zoom: 0, scrollTop: 0, top: 0, height: 0, selected: -1 };
}
