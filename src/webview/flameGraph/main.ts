/**
 * The flame graph page. Builds its own DOM (profile strings only ever go through `textContent`),
 * says `ready` to the host, then draws the trees it receives. State (zoom, search, view, colours)
 * is kept with `setState` so it survives the panel being hidden and shown again.
 */
import type { FromWebview, ToWebview, TreeMessage, TreeOptions, WireFlameTree } from '../../shared/protocol';
import { buildPalette, colourIndices, isDiffTree, type ColourMode, type ThemeKind } from './colours';
import { describeFrame, describeRun, describeSelection, formatPercent, frameLabel, mergedNote, sampleTypeLabel } from './describe';
import { FlameCanvas, makePane, type Hit, type Pane, type Theme } from './flameCanvas';
import { FlameIndex, ROW_HEIGHT, RectKind, rectOfNode, rowsNeeded, type Orientation } from './flameLayout';
import { buildSandwich } from './sandwich';
import { searchFrames } from './search';
import { toSvg } from './svgExport';

interface VsCodeApi {
  postMessage(message: FromWebview): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

interface SavedState {
  profileKey?: string;
  zoomPath: string[];
  selectedPath?: string[];
  search: string;
  regex: boolean;
  orientation: Orientation;
  colour?: ColourMode;
  view: 'graph' | 'sandwich';
  sandwich?: { name: string; file: string };
  scrollTop: number;
}

const vscode = acquireVsCodeApi();
const post = (m: FromWebview) => vscode.postMessage(m);

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<Record<string, string>> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) if (v !== undefined) e.setAttribute(k, v);
  for (const c of children) e.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return e;
}

function option(value: string, text: string): HTMLOptionElement {
  const o = el('option', { value });
  o.textContent = text;
  return o;
}

/** Typed arrays may arrive as typed arrays (VS Code), ArrayBuffers or plain arrays (tests): normalise. */
function typed<T extends Int32Array | Uint16Array | Float64Array>(ctor: { new (x: ArrayLike<number> | ArrayBuffer): T }, v: unknown): T {
  if (v instanceof ctor) return v;
  if (v instanceof ArrayBuffer) return new ctor(v);
  if (ArrayBuffer.isView(v)) return new ctor(Array.from(v as unknown as ArrayLike<number>));
  return new ctor(v as ArrayLike<number>);
}

function normaliseTree(t: WireFlameTree): WireFlameTree {
  return {
    ...t,
    parent: typed(Int32Array, t.parent), depth: typed(Uint16Array, t.depth), name: typed(Int32Array, t.name),
    file: typed(Int32Array, t.file), line: typed(Int32Array, t.line), self: typed(Float64Array, t.self),
    total: typed(Float64Array, t.total),
    baseSelf: t.baseSelf ? typed(Float64Array, t.baseSelf) : undefined,
    baseTotal: t.baseTotal ? typed(Float64Array, t.baseTotal) : undefined,
  };
}

function themeKind(): ThemeKind {
  const c = document.body.classList;
  if (c.contains('vscode-high-contrast-light')) return 'high-contrast-light';
  if (c.contains('vscode-high-contrast')) return 'high-contrast';
  if (c.contains('vscode-light')) return 'light';
  if (c.contains('vscode-dark')) return 'dark';
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.body).getPropertyValue(name).trim();
  return v || fallback;
}

// ---- DOM -------------------------------------------------------------------------------------

const root = document.getElementById('app') ?? document.body.appendChild(el('div', { id: 'app' }));
const crumbs = el('nav', { class: 'crumbs', 'aria-label': 'Zoom path' });
const searchInput = el('input', { type: 'search', class: 'search', placeholder: 'Search frames', 'aria-label': 'Search frames', spellcheck: 'false' });
const regexButton = el('button', { class: 'toggle', title: 'Use regular expression', 'aria-pressed': 'false', 'aria-label': 'Use regular expression' }, '.*');
const searchInfo = el('span', { class: 'search-info', 'aria-live': 'polite' });
const viewSelect = el('select', { title: 'View: flame graph, or sandwich (callers and callees of the selected function)', 'aria-label': 'View' }, option('graph', 'Flame graph'), option('sandwich', 'Sandwich'));
const orientSelect = el('select', { title: 'Orientation: icicle (root on top) or flame (root at the bottom)', 'aria-label': 'Orientation' }, option('icicle', 'Icicle'), option('flame', 'Flame'));
const treeSelect = el('select', { title: 'Call tree: top-down (callees below callers) or bottom-up (callers of the hottest frames)', 'aria-label': 'Call tree' }, option('top-down', 'Top-down'), option('bottom-up', 'Bottom-up'));
const mergeSelect = el('select', { title: 'Merge frames by function or by line', 'aria-label': 'Merge frames' }, option('function', 'By function'), option('line', 'By line'));
const colourSelect = el('select', { title: 'Colours: by package/file, by self time (heat), or by change against the baseline (diff)', 'aria-label': 'Colours' }, option('package', 'Package'), option('heat', 'Self heat'), option('diff', 'Diff'));
const typeSelect = el('select', { title: 'Sample type', 'aria-label': 'Sample type' });
const resetButton = el('button', { title: 'Reset zoom (Home)' }, 'Reset');
const svgButton = el('button', { title: 'Export the current view as SVG' }, 'SVG');
const pngButton = el('button', { title: 'Export the current view as PNG' }, 'PNG');
const toolbar = el('div', { class: 'toolbar', role: 'toolbar' },
  el('div', { class: 'search-box' }, searchInput, regexButton), searchInfo, el('span', { class: 'spacer' }),
  viewSelect, treeSelect, mergeSelect, orientSelect, colourSelect, typeSelect, resetButton, svgButton, pngButton);
const notes = el('div', { class: 'notes' });
// Correlate: the tree is one span's or trace's samples only; said above the graph, with a way back
const selectionTitle = el('strong', { class: 'selection-title' });
const selectionDetail = el('span', { class: 'selection-detail' });
const wholeButton = el('button', { class: 'selection-whole', title: 'End the selection: show the whole profile again (everywhere)' }, 'Show Whole Profile');
const selectionBar = el('div', { class: 'selection', role: 'note', 'aria-label': 'Selection', hidden: '' },
  el('div', { class: 'selection-text' }, selectionTitle, selectionDetail), wholeButton);
const legend = el('div', { class: 'legend', hidden: '' },
  el('span', {}, 'faster'), el('span', { class: 'swatch green' }), el('span', { class: 'swatch neutral' }), el('span', { class: 'swatch red' }), el('span', {}, 'slower'),
  el('span', { class: 'legend-note' }, '(change in share of the total, baseline → current)'));
const status = el('div', { class: 'status', role: 'status' });
const canvas = el('canvas', { tabindex: '0', role: 'img', 'aria-label': 'Flame graph. Arrow keys move between frames, Enter zooms, Escape zooms out, O opens the source, S shows the sandwich view.' });
const tooltip = el('div', { class: 'tooltip', role: 'tooltip', hidden: '' });
const live = el('div', { class: 'sr-only', 'aria-live': 'polite' });
const callersLabel = el('div', { class: 'pane-label', hidden: '' });
const calleesLabel = el('div', { class: 'pane-label', hidden: '' });
const graph = el('div', { class: 'graph' }, canvas, callersLabel, calleesLabel, tooltip);
root.append(toolbar, selectionBar, el('div', { class: 'subbar' }, crumbs, notes, legend), status, graph, live);

// ---- state -----------------------------------------------------------------------------------

const saved = (vscode.getState() as SavedState | undefined) ?? undefined;
const state: SavedState = saved ?? { zoomPath: [], search: '', regex: false, orientation: 'icicle', view: 'graph', scrollTop: 0 };
let message: TreeMessage | undefined;
let tree: WireFlameTree | undefined;
let mainIndex: FlameIndex | undefined;
let options: TreeOptions | undefined;
let highlight: { name: string; file: number } | undefined;
let sandwichFn: { nameStr: number; file: number } | undefined;
let renderer: FlameCanvas | undefined;
let lastMouse = { x: 0, y: 0 };

function currentTheme(): Theme {
  const kind = themeKind();
  const mode = effectiveColour();
  return {
    palette: buildPalette(mode, kind),
    background: cssVar('--vscode-editor-background', kind === 'light' || kind === 'high-contrast-light' ? '#ffffff' : '#1e1e1e'),
    fontFamily: cssVar('--vscode-font-family', 'system-ui, sans-serif'),
    fontSize: 12,
    focus: cssVar('--vscode-focusBorder', '#007fd4'),
    highlight: cssVar('--vscode-editorCursor-foreground', kind === 'light' ? '#000000' : '#ffffff'),
    separator: cssVar('--vscode-panel-border', '#80808059'),
  };
}

function effectiveColour(): ColourMode {
  const wanted = state.colour ?? (tree && isDiffTree(tree) ? 'diff' : 'package');
  return wanted === 'diff' && !(tree && isDiffTree(tree)) ? 'package' : wanted;
}

function save(): void {
  const p = renderer?.panes[0];
  if (mainIndex && p && state.view === 'graph') {
    state.zoomPath = mainIndex.pathOf(p.zoom);
    state.selectedPath = p.selected > 0 ? mainIndex.pathOf(p.selected) : undefined;
    state.scrollTop = p.scrollTop;
  }
  vscode.setState(state);
}

// ---- panes -----------------------------------------------------------------------------------

function activePane(): Pane | undefined {
  return renderer?.panes[state.view === 'sandwich' ? 1 : 0];
}

function computeMatches(index: FlameIndex, within: number): ReturnType<typeof searchFrames> | undefined {
  return state.search ? searchFrames(index, state.search, state.regex, within) : undefined;
}

function highlightArray(t: WireFlameTree): Uint8Array | undefined {
  if (!highlight) return undefined;
  const ids = new Set<number>();
  t.strings.forEach((s, i) => { if (s === highlight!.name) ids.add(i); });
  if (!ids.size) return undefined;
  const out = new Uint8Array(t.count);
  let any = false;
  for (let i = 1; i < t.count; i++) if (ids.has(t.name[i]) && t.file[i] === highlight.file) { out[i] = 1; any = true; }
  return any ? out : undefined;
}

function buildPanes(): void {
  if (!renderer || !tree || !mainIndex) return;
  const mode = effectiveColour();
  renderer.theme = currentTheme();
  renderer.byLine = options?.mergeBy === 'line';
  if (state.view === 'sandwich' && sandwichFn) {
    const s = buildSandwich(mainIndex, sandwichFn.nameStr, sandwichFn.file);
    // the main tree's package colours, so a frame looks the same in both views
    const packages = new Map<string, number>();
    colourIndices(tree, mode, packages);
    // in a bottom-up tree a node's parent is its callee: the two sides swap
    const [up, down] = options?.inverted ? [s.callees, s.callers] : [s.callers, s.callees];
    const callers = makePane(up, colourIndices(up, mode, packages), 'flame');
    const callees = makePane(down, colourIndices(down, mode, packages), 'icicle');
    renderer.panes = [callers, callees];
  } else {
    const p = makePane(mainIndex, colourIndices(tree, mode), state.orientation);
    p.zoom = mainIndex.findPath(state.zoomPath);
    p.selected = state.selectedPath ? mainIndex.findPath(state.selectedPath) : -1;
    if (p.selected === 0) p.selected = -1;
    p.scrollTop = state.scrollTop;
    renderer.panes = [p];
  }
  for (const p of renderer.panes) p.highlight = highlightArray(p.index.tree);
  layoutPanes();
  applySearch();
}

function layoutPanes(): void {
  if (!renderer) return;
  const h = renderer.height;
  if (renderer.panes.length === 2) {
    const top = Math.floor(h / 2);
    renderer.panes[0].top = 0;
    renderer.panes[0].height = top;
    renderer.panes[1].top = top + 1;
    renderer.panes[1].height = h - top - 1;
  } else if (renderer.panes.length === 1) {
    renderer.panes[0].top = 0;
    renderer.panes[0].height = h;
  }
  const sandwich = renderer.panes.length === 2;
  callersLabel.hidden = !sandwich;
  calleesLabel.hidden = !sandwich;
  if (sandwich && tree && sandwichFn) {
    const name = tree.strings[sandwichFn.nameStr] || '(anonymous)';
    callersLabel.textContent = `↑ callers of ${name}`;
    calleesLabel.textContent = `↓ callees of ${name}`;
    callersLabel.style.top = '4px';
    calleesLabel.style.top = `${renderer.panes[1].top + renderer.panes[1].height - 24}px`;
  }
  for (const p of renderer.panes) clampScroll(p);
}

function clampScroll(p: Pane): void {
  const max = Math.max(0, rowsNeeded(p.index, p.zoom) * ROW_HEIGHT - p.height);
  p.scrollTop = Math.min(Math.max(0, p.scrollTop), max);
}

function applySearch(): void {
  if (!renderer) return;
  searchInfo.textContent = '';
  searchInfo.classList.remove('error');
  for (const p of renderer.panes) p.matches = undefined;
  if (!state.search) return;
  for (let i = 0; i < renderer.panes.length; i++) {
    const p = renderer.panes[i];
    const outcome = computeMatches(p.index, p.zoom);
    if (!outcome) continue;
    if (!outcome.ok) {
      searchInfo.textContent = outcome.error;
      searchInfo.classList.add('error');
      return;
    }
    p.matches = outcome.result.matches;
    if (p === activePane()) {
      const r = outcome.result;
      const where = p.zoom > 0 ? 'of this zoom' : `of ${shareBase()}`;
      searchInfo.textContent = r.count ? `${r.count.toLocaleString('en-US')} frames · ${formatPercent(r.share)} ${where}` : 'no match';
    }
  }
}

// ---- drawing ---------------------------------------------------------------------------------

let drawPending = false;
function requestDraw(): void {
  if (drawPending) return;
  drawPending = true;
  requestAnimationFrame(() => { drawPending = false; drawNow(); });
}

function drawNow(): void {
  if (!renderer || !tree) return;
  const t0 = performance.now();
  renderer.hovered = undefined;
  const rects = renderer.draw();
  const ms = performance.now() - t0;
  updateChrome();
  document.body.dataset.rects = String(rects);
  post({ type: 'drawn', ms, rects, selection: selectionShown() });
  save();
}

function updateChrome(): void {
  if (!tree || !renderer || !mainIndex) return;
  crumbs.replaceChildren();
  if (state.view === 'sandwich' && sandwichFn) {
    const back = el('button', { class: 'crumb', title: 'Back to the flame graph (Escape)' }, '← Flame graph');
    back.addEventListener('click', () => setView('graph'));
    const name = tree.strings[sandwichFn.nameStr] || '(anonymous)';
    crumbs.append(back, el('span', { class: 'crumb-sep' }, '›'), el('span', { class: 'crumb current' }, `Sandwich: ${name} — callers above, callees below`));
  } else {
    const p = renderer.panes[0];
    const chain = [...mainIndex.ancestors(p.zoom), p.zoom];
    const shown = chain.length > 8 ? [chain[0], -1, ...chain.slice(-6)] : chain;
    shown.forEach((n, i) => {
      if (i > 0) crumbs.append(el('span', { class: 'crumb-sep' }, '›'));
      if (n === -1) { crumbs.append(el('span', { class: 'crumb-sep' }, '…')); return; }
      const b = el('button', { class: n === p.zoom ? 'crumb current' : 'crumb' }, frameLabel(tree!, n, options?.mergeBy === 'line'));
      b.addEventListener('click', () => zoomTo(n));
      crumbs.append(b);
    });
  }
  const merged = mergedNote(tree);
  const parts = [message?.label ?? '', sampleTypeLabel(tree.sampleType), merged].filter(Boolean);
  notes.textContent = parts.join(' · ');
  legend.hidden = effectiveColour() !== 'diff';
}

// ---- interaction -----------------------------------------------------------------------------

function zoomTo(node: number): void {
  const p = renderer?.panes[0];
  if (!p || state.view !== 'graph') return;
  p.zoom = node;
  if (p.selected >= 0 && !(p.selected >= node && p.selected < p.index.end[node])) p.selected = node;
  p.scrollTop = p.orientation === 'icicle' ? Math.max(0, (p.index.tree.depth[node] - 1) * ROW_HEIGHT) : 0;
  clampScroll(p);
  applySearch();
  hideTooltip();
  requestDraw();
}

function setView(view: 'graph' | 'sandwich', fn?: { nameStr: number; file: number }): void {
  if (!tree) return;
  if (fn) sandwichFn = fn;
  if (view === 'sandwich' && !sandwichFn) return;
  if (state.view === 'graph') save();
  state.view = view;
  viewSelect.value = view;
  state.sandwich = view === 'sandwich' && sandwichFn
    ? { name: tree.strings[sandwichFn.nameStr], file: sandwichFn.file >= 0 ? tree.files[sandwichFn.file] : '' }
    : undefined;
  hideTooltip();
  buildPanes();
  requestDraw();
}

function sandwichOf(t: WireFlameTree, node: number): { nameStr: number; file: number } | undefined {
  return node > 0 ? { nameStr: t.name[node], file: t.file[node] } : undefined;
}

function openSource(t: WireFlameTree, node: number): void {
  if (node <= 0 || t.file[node] < 0) return;
  post({ type: 'openSource', file: t.file[node], line: t.line[node] });
}

/** What every share on the page is of: "all", or "this span" while a selection is shown. */
function shareBase(): string {
  return message?.selection ? describeSelection(message.selection).base : 'all';
}

/** The selection header's text as shown ('' when hidden), for the host's tests. */
function selectionShown(): string | undefined {
  return selectionBar.hidden ? undefined : `${selectionTitle.textContent ?? ''} ${selectionDetail.textContent ?? ''}`;
}

function showSelection(m: TreeMessage | undefined): void {
  const s = m?.selection;
  selectionBar.hidden = !s;
  document.body.dataset.selection = s ? s.label : '';
  if (!s) {
    selectionTitle.textContent = '';
    selectionDetail.textContent = '';
    return;
  }
  const d = describeSelection(s);
  selectionTitle.textContent = d.title;
  selectionDetail.textContent = d.detail;
}

/** Bottom-up tree shown in the main pane (sandwich trees are built top-down by the page). */
function inverted(t: WireFlameTree): boolean {
  return !!options?.inverted && t === tree;
}

function hideTooltip(): void {
  tooltip.hidden = true;
}

function showTooltip(hit: Hit, x: number, y: number): void {
  if (!renderer || !tree) return;
  const p = renderer.panes[hit.pane];
  const r = p.rects!;
  const t = p.index.tree;
  const lines = r.kind[hit.rect] === RectKind.Run
    ? describeRun(t, r.runCount[hit.rect], r.value[hit.rect], shareBase())
    : describeFrame(t, hit.node, options?.mergeBy === 'line', inverted(t), shareBase());
  tooltip.replaceChildren(...lines.map((line, i) => el('div', { class: i === 0 ? 'tt-title' : 'tt-line' }, line)));
  if (r.kind[hit.rect] !== RectKind.Run && hit.node > 0) {
    const hint = t.file[hit.node] >= 0 ? 'Click: zoom · Ctrl/Cmd+click or double-click: open source · S: sandwich' : 'Click: zoom · S: sandwich (no source file)';
    tooltip.append(el('div', { class: 'tt-hint' }, state.view === 'sandwich' ? hint.replace('Click: zoom', 'Click: sandwich of this function') : hint));
  }
  tooltip.hidden = false;
  const gw = graph.clientWidth;
  const gh = graph.clientHeight;
  const tw = tooltip.offsetWidth;
  const th = tooltip.offsetHeight;
  tooltip.style.left = `${Math.max(0, x + 14 + tw > gw ? x - tw - 14 : x + 14)}px`;
  tooltip.style.top = `${Math.max(0, y + 16 + th > gh ? y - th - 8 : y + 16)}px`;
}

function pointerHit(ev: MouseEvent): Hit | undefined {
  const b = canvas.getBoundingClientRect();
  lastMouse = { x: ev.clientX - b.left, y: ev.clientY - b.top };
  return renderer?.hitAt(lastMouse.x, lastMouse.y);
}

canvas.addEventListener('mousemove', (ev) => {
  if (!renderer) return;
  const hit = pointerHit(ev);
  renderer.setHover(hit);
  canvas.style.cursor = hit ? 'pointer' : 'default';
  if (hit) showTooltip(hit, lastMouse.x, lastMouse.y);
  else hideTooltip();
});
canvas.addEventListener('mouseleave', () => { renderer?.setHover(undefined); hideTooltip(); });

canvas.addEventListener('click', (ev) => {
  if (!renderer || !tree) return;
  const hit = pointerHit(ev);
  if (!hit) return;
  const p = renderer.panes[hit.pane];
  const kind = p.rects!.kind[hit.rect];
  const node = kind === RectKind.Run ? p.index.tree.parent[hit.node] : hit.node;
  if (ev.ctrlKey || ev.metaKey) { openSource(p.index.tree, node); return; }
  if (state.view === 'sandwich') {
    const fn = sandwichOf(p.index.tree, node);
    if (fn && !(fn.nameStr === sandwichFn?.nameStr && fn.file === sandwichFn?.file)) setView('sandwich', fn);
    return;
  }
  p.selected = node;
  zoomTo(node);
});
canvas.addEventListener('dblclick', (ev) => {
  const hit = pointerHit(ev);
  if (hit && renderer) openSource(renderer.panes[hit.pane].index.tree, hit.node);
});

canvas.addEventListener('wheel', (ev) => {
  if (!renderer) return;
  const i = renderer.paneAt(ev.offsetY);
  const p = renderer.panes[i];
  if (!p) return;
  const dy = p.orientation === 'icicle' ? ev.deltaY : -ev.deltaY;
  const before = p.scrollTop;
  p.scrollTop += dy;
  clampScroll(p);
  if (p.scrollTop !== before) {
    ev.preventDefault();
    hideTooltip();
    requestDraw();
  }
}, { passive: false });

function select(p: Pane, node: number): void {
  if (node < 0 || !renderer) return;
  p.selected = node;
  // keep the selection's row on screen
  const row = p.index.tree.depth[node];
  const y = row * ROW_HEIGHT;
  if (y < p.scrollTop) p.scrollTop = y;
  else if (y + ROW_HEIGHT > p.scrollTop + p.height) p.scrollTop = y + ROW_HEIGHT - p.height;
  clampScroll(p);
  // a selection outside the zoom: zoom out to show it
  if (!(node >= p.zoom && node < p.index.end[p.zoom])) p.zoom = node;
  renderer.draw();
  const k = rectOfNode(p.rects!, node);
  const lines = describeFrame(p.index.tree, node, options?.mergeBy === 'line', inverted(p.index.tree), shareBase());
  live.textContent = lines.slice(0, 3).join('. ');
  if (k >= 0) showTooltip({ pane: renderer.panes.indexOf(p), rect: k, node }, p.rects!.x[k] + Math.min(p.rects!.w[k], 40), p.top + p.rects!.y[k]);
  else hideTooltip();
  save();
}

canvas.addEventListener('keydown', (ev) => {
  if (!renderer || !tree) return;
  const p = activePane();
  if (!p) return;
  const idx = p.index;
  const cur = p.selected >= 0 ? p.selected : p.zoom;
  const down = p.orientation === 'icicle' ? 'ArrowDown' : 'ArrowUp';
  const up = p.orientation === 'icicle' ? 'ArrowUp' : 'ArrowDown';
  let handled = true;
  if (ev.key === down) select(p, p.selected < 0 ? p.zoom : idx.heaviestChild(cur));
  else if (ev.key === up) select(p, cur > 0 ? idx.tree.parent[cur] : -1);
  else if (ev.key === 'ArrowRight') select(p, idx.nextSibling(cur));
  else if (ev.key === 'ArrowLeft') select(p, idx.prevSibling(cur));
  else if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) openSource(idx.tree, cur);
  else if (ev.key === 'Enter') {
    if (state.view === 'sandwich') { const fn = sandwichOf(idx.tree, cur); if (fn) setView('sandwich', fn); } else zoomTo(cur);
  } else if (ev.key === 'Escape' || ev.key === 'Backspace') {
    if (state.view === 'sandwich') setView('graph');
    else if (p.zoom > 0) zoomTo(idx.tree.parent[p.zoom]);
    else { p.selected = -1; hideTooltip(); requestDraw(); }
  } else if (ev.key === 'Home') zoomTo(0);
  else if (ev.key === 'o' || ev.key === 'O') openSource(idx.tree, cur);
  else if (ev.key === 's' || ev.key === 'S') {
    if (state.view === 'sandwich') setView('graph'); else setView('sandwich', sandwichOf(idx.tree, cur));
  } else if (ev.key === '/') searchInput.focus();
  else handled = false;
  if (handled) ev.preventDefault();
});

let searchTimer: ReturnType<typeof setTimeout> | undefined;
searchInput.addEventListener('input', () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => {
    state.search = searchInput.value;
    applySearch();
    requestDraw();
  }, 120);
});
searchInput.addEventListener('keydown', (ev) => {
  if (ev.key === 'Escape') { searchInput.value = ''; state.search = ''; applySearch(); requestDraw(); canvas.focus(); }
  if (ev.key === 'Enter') { clearTimeout(searchTimer); state.search = searchInput.value; applySearch(); requestDraw(); }
});
regexButton.addEventListener('click', () => {
  state.regex = !state.regex;
  regexButton.setAttribute('aria-pressed', String(state.regex));
  applySearch();
  requestDraw();
});
viewSelect.addEventListener('change', () => {
  if (viewSelect.value === 'sandwich') {
    const p = renderer?.panes[0];
    const node = p ? (p.selected > 0 ? p.selected : p.zoom) : 0;
    const fn = tree ? sandwichOf(tree, node) : undefined;
    if (!fn && !sandwichFn) {
      viewSelect.value = 'graph';
      searchInfo.textContent = 'Select or zoom into a frame first (click it), then choose Sandwich';
      return;
    }
    setView('sandwich', fn);
  } else setView('graph');
});
orientSelect.addEventListener('change', () => {
  state.orientation = orientSelect.value as Orientation;
  if (state.view === 'graph' && renderer?.panes[0]) {
    renderer.panes[0].orientation = state.orientation;
    clampScroll(renderer.panes[0]);
  }
  requestDraw();
});
colourSelect.addEventListener('change', () => {
  state.colour = colourSelect.value as ColourMode;
  buildPanes();
  requestDraw();
});
function changeOptions(change: Partial<TreeOptions>): void {
  if (!options) return;
  options = { ...options, ...change };
  if (change.mergeBy || change.typeIndex !== undefined || change.inverted !== undefined) {
    // paths of a by-line or inverted tree differ: start from the root
    state.zoomPath = [];
    state.selectedPath = undefined;
    state.scrollTop = 0;
  }
  status.textContent = 'Loading…';
  post({ type: 'setOptions', options });
}
mergeSelect.addEventListener('change', () => changeOptions({ mergeBy: mergeSelect.value as TreeOptions['mergeBy'] }));
treeSelect.addEventListener('change', () => changeOptions({ inverted: treeSelect.value === 'bottom-up' }));
typeSelect.addEventListener('change', () => changeOptions({ typeIndex: Number(typeSelect.value) }));
wholeButton.addEventListener('click', () => post({ type: 'showWholeProfile' }));
resetButton.addEventListener('click', () => { if (state.view === 'sandwich') setView('graph'); zoomTo(0); });

function exportName(ext: string): string {
  const base = (message?.label ?? 'profile').replace(/[^A-Za-z0-9._-]+/g, '_').replace(/\.(pb\.gz|pb|cpuprofile|heapprofile|json|txt)$/i, '');
  return `${base}-flamegraph.${ext}`;
}
svgButton.addEventListener('click', () => {
  if (!renderer || !tree) return;
  // one SVG per pane, stacked (sandwich exports both)
  const parts = renderer.panes.map((p) => toSvg({
    tree: p.index.tree, rects: p.rects!, palette: renderer!.theme.palette, colour: p.colour, matches: p.matches,
    width: renderer!.width, height: p.height, background: renderer!.theme.background,
    fontFamily: renderer!.theme.fontFamily, fontSize: renderer!.theme.fontSize, byLine: options?.mergeBy === 'line', inverted: inverted(p.index.tree),
    title: `${message?.label ?? 'profile'} — ${sampleTypeLabel(tree!.sampleType)}`,
    shareBase: shareBase(),
  }, 7));
  const svg = parts.length === 1 ? parts[0]
    : `<svg xmlns="http://www.w3.org/2000/svg" width="${renderer.width}" height="${renderer.height}">\n${parts.map((s, i) => `<g transform="translate(0 ${renderer!.panes[i].top})">${s}</g>`).join('\n')}\n</svg>`;
  post({ type: 'export', format: 'svg', data: svg, suggestedName: exportName('svg') });
});
pngButton.addEventListener('click', () => {
  if (!renderer) return;
  post({ type: 'export', format: 'png', data: canvas.toDataURL('image/png'), suggestedName: exportName('png') });
});

// ---- host messages ---------------------------------------------------------------------------

function onTree(m: TreeMessage): void {
  const t0 = performance.now();
  const sameProfile = state.profileKey === m.profileKey;
  message = m;
  tree = normaliseTree(m.tree);
  options = m.options;
  mainIndex = new FlameIndex(tree);
  if (!sameProfile) {
    state.profileKey = m.profileKey;
    state.zoomPath = [];
    state.selectedPath = undefined;
    state.scrollTop = 0;
    if (state.view === 'sandwich' && !pendingFocus) state.view = 'graph';
  }
  status.textContent = '';
  status.hidden = true;
  graph.hidden = false;
  // restore the sandwich function by text (ids change between trees)
  sandwichFn = undefined;
  const want = pendingFocus ?? (state.view === 'sandwich' ? state.sandwich : undefined);
  pendingFocus = undefined;
  if (want) {
    const nameStr = tree.strings.indexOf(want.name);
    const file = typeof want.file === 'number' ? want.file : want.file ? tree.files.indexOf(want.file) : -1;
    if (nameStr >= 0) { sandwichFn = { nameStr, file }; state.view = 'sandwich'; }
    else state.view = 'graph';
  }
  syncControls(m);
  showSelection(m);
  if (!renderer) renderer = new FlameCanvas(canvas, currentTheme());
  renderer.resize(graph.clientWidth, graph.clientHeight);
  buildPanes();
  // first paint now, not on the next frame
  renderer.hovered = undefined;
  const rects = renderer.draw();
  updateChrome();
  document.body.dataset.rects = String(rects);
  document.body.dataset.state = 'drawn';
  post({ type: 'drawn', ms: performance.now() - t0, rects, selection: selectionShown() });
  save();
  // keyboard navigation works right away, unless the user is typing somewhere
  if (document.activeElement === document.body || !document.activeElement) canvas.focus({ preventScroll: true });
}

let pendingFocus: { name: string; file: number | string } | undefined;

function syncControls(m: TreeMessage): void {
  searchInput.value = state.search;
  regexButton.setAttribute('aria-pressed', String(state.regex));
  viewSelect.value = state.view;
  orientSelect.value = state.orientation;
  treeSelect.value = m.options.inverted ? 'bottom-up' : 'top-down';
  mergeSelect.value = m.options.mergeBy;
  const diff = isDiffTree(tree!);
  (colourSelect.querySelector('option[value="diff"]') as HTMLOptionElement).disabled = !diff;
  colourSelect.value = effectiveColour();
  typeSelect.replaceChildren(...m.sampleTypes.map((t, i) => option(String(i), sampleTypeLabel(t))));
  typeSelect.value = String(m.options.typeIndex);
  typeSelect.hidden = m.sampleTypes.length < 2;
}

function onMessage(m: ToWebview): void {
  switch (m.type) {
    case 'tree':
      onTree(m);
      break;
    case 'status':
      status.hidden = false;
      status.textContent = m.message || (m.kind === 'loading' ? 'Loading…' : '');
      status.className = `status ${m.kind}`;
      if (m.kind === 'empty') {
        // the profile is gone: so is its graph (an error keeps the last good one on screen)
        tree = undefined;
        mainIndex = undefined;
        message = undefined;
        showSelection(undefined);
        if (renderer) renderer.panes = [];
        crumbs.replaceChildren();
        notes.textContent = '';
        legend.hidden = true;
        hideTooltip();
      }
      if (!tree) graph.hidden = true;
      break;
    case 'highlight':
      highlight = m.name !== undefined && m.file !== undefined ? { name: m.name, file: m.file } : undefined;
      // state for tests and assistive tools (an attribute value, never markup)
      document.body.dataset.highlight = highlight?.name ?? '';
      if (renderer) {
        for (const p of renderer.panes) p.highlight = highlightArray(p.index.tree);
        requestDraw();
      }
      break;
    case 'focusFunction':
      if (!tree) { pendingFocus = { name: m.name, file: m.file }; break; }
      {
        const nameStr = tree.strings.indexOf(m.name);
        if (nameStr < 0) { searchInfo.textContent = `${m.name} is not in this tree`; break; }
        setView('sandwich', { nameStr, file: m.file });
      }
      break;
  }
}

window.addEventListener('message', (ev: MessageEvent) => {
  const m = ev.data as ToWebview;
  if (!m || typeof m !== 'object' || typeof m.type !== 'string') return;
  try {
    onMessage(m);
  } catch (e) {
    post({ type: 'pageError', message: e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e) });
  }
});

new ResizeObserver(() => {
  if (!renderer || !tree) return;
  if (renderer.resize(graph.clientWidth, graph.clientHeight)) {
    layoutPanes();
    hideTooltip();
    requestDraw();
  }
}).observe(graph);

// moving the panel to a screen with another pixel ratio fires no resize: watch the ratio itself
function watchPixelRatio(): void {
  const mq = window.matchMedia(`(resolution: ${window.devicePixelRatio}dppx)`);
  mq.addEventListener('change', () => {
    if (renderer && tree && renderer.resize(graph.clientWidth, graph.clientHeight)) requestDraw();
    watchPixelRatio();
  }, { once: true });
}
watchPixelRatio();

new MutationObserver(() => {
  if (!renderer || !tree) return;
  buildPanes();
  requestDraw();
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });

window.addEventListener('error', (ev) => post({ type: 'pageError', message: String(ev.message) }));
status.hidden = false;
status.textContent = 'Waiting for a profile…';
document.body.dataset.state = 'ready';
post({ type: 'ready' });
