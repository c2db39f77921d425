/**
 * Gutter heat, overview-ruler marks, end-of-line cost text and the hottest-line tint.
 * Seven decoration types, created once; per-line text travels in `renderOptions`. Decorations for a
 * document are built once per (profile generation, line positions) and re-applied when editors
 * become visible; typing within a line does nothing here (VS Code moves set decorations itself).
 */
import * as vscode from 'vscode';
import { HEAT_LEVELS } from '../../core/insights/heat';
import { Colors } from '../contributions';
import { Disposable } from '../disposable';
import { lineEnd, lineRange } from '../positions';
import { docKey, type InsightsModel } from './insightsModel';

/** What was applied to a document, 1-based (read by the test accessor). */
export interface AppliedDecorations {
  uri: string;
  gutter: { line: number; level: number }[];
  /** tone: only while comparing (worse/better/same) */
  inline: { line: number; text: string; tone?: string }[];
  hottest: number[];
}

interface Built {
  generation: number;
  lineVersion: number;
  gutter: vscode.Range[][];
  inline: vscode.DecorationOptions[];
  hottest: vscode.Range[];
  applied: AppliedDecorations;
}

/** Compare: inline text colour per change tone (per-decoration override of the inline type). */
const TONE_COLORS = { worse: Colors.deltaWorse, better: Colors.deltaBetter, same: Colors.deltaSame } as const;

const HEAT_COLORS = [Colors.heat1, Colors.heat2, Colors.heat3, Colors.heat4, Colors.heat5];
/** Gutter bar colours per level: [light theme, dark theme]. SVG icons cannot use theme colours. */
const BAR_COLORS: [string, string][] = [
  ['#e0a526', '#d9a52a'],
  ['#e58a1f', '#e89a30'],
  ['#e0661c', '#f07a2e'],
  ['#d2451f', '#f25a2e'],
  ['#c21d1d', '#ff3d2e'],
];

/**
 * A heat meter for the gutter: five small bars of rising height, the first `level` of them filled.
 * Reads as intensity and cannot be mistaken for a breakpoint (a filled dot or square).
 */
function gutterIcon(level: number, color: string, empty: string): vscode.Uri {
  const bars: string[] = [];
  for (let i = 0; i < HEAT_LEVELS; i++) {
    const h = 4 + i * 2.5;
    const fill = i < level ? color : empty;
    bars.push(`<rect x="${1 + i * 3}" y="${14 - h}" width="2" height="${h}" rx="0.5" fill="${fill}"/>`);
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 16 16">${bars.join('')}</svg>`;
  return vscode.Uri.parse(`data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`);
}

/** Decoration types created by this module, ever (the suite checks it stays at 7). */
export let decorationTypesCreated = 0;

function createType(options: vscode.DecorationRenderOptions): vscode.TextEditorDecorationType {
  decorationTypesCreated++;
  return vscode.window.createTextEditorDecorationType(options);
}

export class DecorationController extends Disposable {
  private readonly gutterTypes: vscode.TextEditorDecorationType[] = [];
  private readonly inlineType: vscode.TextEditorDecorationType;
  private readonly hottestType: vscode.TextEditorDecorationType;
  private readonly built = new Map<string, Built>();
  /** documents we set decorations on, so clearing touches only those */
  private readonly decorated = new Set<vscode.TextEditor>();
  private moveTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly pendingMoves = new Set<string>();

  constructor(private readonly model: InsightsModel) {
    super();
    for (let level = 1; level <= HEAT_LEVELS; level++) {
      const [light, dark] = BAR_COLORS[level - 1];
      this.gutterTypes.push(
        this.register(
          createType({
            light: { gutterIconPath: gutterIcon(level, light, '#00000022') },
            dark: { gutterIconPath: gutterIcon(level, dark, '#ffffff26') },
            gutterIconSize: 'contain',
            overviewRulerColor: new vscode.ThemeColor(HEAT_COLORS[level - 1]),
            overviewRulerLane: vscode.OverviewRulerLane.Right,
            rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
          }),
        ),
      );
    }
    this.inlineType = this.register(
      createType({
        after: { color: new vscode.ThemeColor(Colors.inlineForeground), margin: '0 0 0 2.5em', fontStyle: 'normal' },
        rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
      }),
    );
    this.hottestType = this.register(
      createType({
        isWholeLine: true,
        backgroundColor: new vscode.ThemeColor(Colors.hotLineBackground),
        rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
      }),
    );
    this.register(model.onDidChange(() => this.applyAll()));
    this.register(vscode.window.onDidChangeVisibleTextEditors((editors) => editors.forEach((e) => this.apply(e))));
    this.register(model.onDidMoveLines((uri) => this.scheduleMove(uri)));
    this.register({ dispose: () => this.moveTimer && clearTimeout(this.moveTimer) });
    this.applyAll();
  }

  /** What is applied to a document now (test accessor). */
  appliedTo(uri: vscode.Uri): AppliedDecorations | undefined {
    const b = this.built.get(docKey(uri));
    return b && b.generation === this.model.generation ? b.applied : undefined;
  }

  private applyAll(): void {
    this.built.clear();
    for (const e of vscode.window.visibleTextEditors) this.apply(e);
    for (const e of [...this.decorated]) if (!vscode.window.visibleTextEditors.includes(e)) this.decorated.delete(e);
  }

  private scheduleMove(uri: vscode.Uri): void {
    this.pendingMoves.add(docKey(uri));
    // Line moves come from Enter/Delete; settle for a moment, VS Code already moved what is shown.
    this.moveTimer ??= setTimeout(() => {
      this.moveTimer = undefined;
      const keys = new Set(this.pendingMoves);
      this.pendingMoves.clear();
      for (const e of vscode.window.visibleTextEditors) if (keys.has(docKey(e.document.uri))) this.apply(e);
    }, 150);
  }

  private apply(editor: vscode.TextEditor): void {
    const b = this.build(editor.document);
    if (!b) {
      if (this.decorated.delete(editor)) this.clearEditor(editor);
      return;
    }
    const d = this.model.display;
    this.gutterTypes.forEach((t, i) => editor.setDecorations(t, d.gutter ? b.gutter[i] : []));
    editor.setDecorations(this.inlineType, d.inline ? b.inline : []);
    editor.setDecorations(this.hottestType, d.highlightHottest ? b.hottest : []);
    this.decorated.add(editor);
  }

  private clearEditor(editor: vscode.TextEditor): void {
    for (const t of this.gutterTypes) editor.setDecorations(t, []);
    editor.setDecorations(this.inlineType, []);
    editor.setDecorations(this.hottestType, []);
  }

  private build(doc: vscode.TextDocument): Built | undefined {
    const m = this.model;
    if (!m.profile || !m.annotationsVisible) return undefined;
    const file = m.fileOf(doc.uri);
    if (file < 0) return undefined;
    const map = m.lineMapFor(doc.uri, file);
    const key = docKey(doc.uri);
    const cached = this.built.get(key);
    const lineVersion = map?.version ?? 0;
    if (cached && cached.generation === m.generation && cached.lineVersion === lineVersion) return cached;
    const insights = m.insightsFor(file);
    if (!insights) return undefined;
    const gutter: vscode.Range[][] = Array.from({ length: HEAT_LEVELS }, () => []);
    const inline: vscode.DecorationOptions[] = [];
    const hottest: vscode.Range[] = [];
    const applied: AppliedDecorations = { uri: doc.uri.toString(), gutter: [], inline: [], hottest: [] };
    for (const li of insights.lines) {
      const line = m.currentLine(doc.uri, file, li.line);
      if (line <= 0 || line > doc.lineCount) continue;
      // level 0: no heat meter (while comparing: lines that got faster or stayed within noise)
      if (li.level > 0) {
        gutter[li.level - 1].push(lineRange(line));
        applied.gutter.push({ line, level: li.level });
      }
      const after: vscode.ThemableDecorationAttachmentRenderOptions = { contentText: li.text };
      if (li.tone) after.color = new vscode.ThemeColor(TONE_COLORS[li.tone]);
      inline.push({ range: lineEnd(line), renderOptions: { after } });
      applied.inline.push(li.tone ? { line, text: li.text, tone: li.tone } : { line, text: li.text });
      if (li.level === HEAT_LEVELS) {
        hottest.push(lineRange(line));
        applied.hottest.push(line);
      }
    }
    const b: Built = { generation: m.generation, lineVersion, gutter, inline, hottest, applied };
    this.built.set(key, b);
    return b;
  }
}
