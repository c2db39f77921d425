/**
 * Keeps annotations on the code they describe while a document is edited: given the text edits
 * VS Code reports (1-based lines here; the host converts), maps each annotated line to its
 * current line, or drops it when its content was deleted. Pure.
 *
 * Rule per edit replacing (startLine, startColumn)..(endLine, endColumn) with text containing
 * `insertedLines` newlines (delta = insertedLines - (endLine - startLine)):
 * - line < startLine: unchanged;
 * - line > endLine: line + delta;
 * - line === endLine (the rest of that line after the edit ends up on startLine + insertedLines):
 *   moves there — unless the edit also starts on this line after column 1 (typing inside a line);
 * - startLine === line < endLine: kept when the edit starts after column 1 (the line's prefix stays),
 *   dropped when the whole line content was replaced;
 * - startLine < line < endLine: dropped.
 *
 * A line inside a replaced range is not lost when the replacement text contains it again (revert,
 * reload from disk, a formatter or a paste that rewrites a block): when the map knows the lines'
 * text (`setText`) and the edit carries its text, dropped lines are found again by content, in order.
 */
import type { Line1 } from '../model';

export interface LineEdit {
  startLine: Line1;
  /** 1-based column where the replaced range starts */
  startColumn: number;
  endLine: Line1;
  /** number of line breaks in the inserted text */
  insertedLines: number;
  /** the inserted text, when known (lets lines inside a replaced range be found again) */
  text?: string;
}

/** Where one line goes under one edit; 0 when its content is gone. */
export function shiftLine(line: Line1, e: LineEdit): Line1 {
  const delta = e.insertedLines - (e.endLine - e.startLine);
  if (line < e.startLine) return line;
  if (line > e.endLine) return line + delta;
  if (line === e.endLine) {
    if (line === e.startLine && e.startColumn > 1) return line;
    return e.startLine + e.insertedLines;
  }
  if (line === e.startLine) return e.startColumn > 1 ? line : 0;
  return 0;
}

/** Counts line breaks (\n, \r\n, lone \r) in inserted text. */
export function countLineBreaks(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) n++;
    else if (c === 13) {
      n++;
      if (text.charCodeAt(i + 1) === 10) i++;
    }
  }
  return n;
}

/** True when an edit can move lines (so annotations must be re-placed). */
export function movesLines(e: LineEdit): boolean {
  return e.endLine !== e.startLine || e.insertedLines > 0;
}

/**
 * Current positions of the annotated lines of one document: `original[i]` (line in the profile)
 * is at `current[i]` now (0 = deleted). Edits are applied in the order VS Code reports them.
 */
export class LineMap {
  readonly original: Int32Array;
  readonly current: Int32Array;
  /** bumps whenever a line moved; the host re-places decorations only then */
  version = 0;
  /** text of each annotated line at its current position (trimmed), when the host provides it */
  private readonly texts: (string | undefined)[];

  /** `lines`: the annotated original lines, any order, duplicates allowed */
  constructor(lines: Iterable<number>) {
    const sorted = [...new Set(lines)].filter((l) => l > 0).sort((a, b) => a - b);
    this.original = Int32Array.from(sorted);
    this.current = Int32Array.from(sorted);
    this.texts = new Array<string | undefined>(sorted.length);
  }

  /** Records the text now at the annotated lines in [from, to] (1-based, current positions). */
  setText(from: Line1, to: Line1, lineText: (line: Line1) => string | undefined): void {
    for (let i = 0; i < this.current.length; i++) {
      const c = this.current[i];
      if (c >= from && c <= to) this.texts[i] = lineText(c)?.trim();
    }
  }

  /** Applies edits; returns true when any annotated line moved, was dropped or came back. */
  apply(edits: readonly LineEdit[]): boolean {
    let moved = false;
    for (const e of edits) {
      if (!movesLines(e)) continue;
      for (let i = 0; i < this.current.length; i++) {
        const c = this.current[i];
        if (c === 0) continue;
        const n = shiftLine(c, e);
        if (n !== c) {
          this.current[i] = n;
          moved = true;
        }
      }
      if (e.text !== undefined && e.text.length > 0 && this.refind(e)) moved = true;
    }
    if (moved) this.version++;
    return moved;
  }

  /**
   * Dropped lines (by this edit or earlier ones) whose text appears in the inserted text go there:
   * in order, between the current positions of their kept neighbours. Returns true when any came back.
   */
  private refind(e: LineEdit): boolean {
    const n = this.current.length;
    let inserted: string[] | undefined;
    let from = 0;
    let found = false;
    for (let i = 0; i < n; i++) {
      const want = this.texts[i];
      if (this.current[i] !== 0 || !want) continue;
      inserted ??= e.text!.split(/\r\n|\r|\n/).map((l) => l.trim());
      let lo = e.startLine;
      for (let p = i - 1; p >= 0; p--) {
        if (this.current[p] > 0) {
          lo = Math.max(lo, this.current[p] + 1);
          break;
        }
      }
      let hi = e.startLine + inserted.length - 1;
      for (let q = i + 1; q < n; q++) {
        if (this.current[q] > 0) {
          hi = Math.min(hi, this.current[q] - 1);
          break;
        }
      }
      // the first inserted line continues the prefix of startLine: a whole line only from column 1
      const first = Math.max(from, lo - e.startLine, e.startColumn > 1 ? 1 : 0);
      for (let j = first; j <= hi - e.startLine; j++) {
        if (inserted[j] !== want) continue;
        this.current[i] = e.startLine + j;
        from = j + 1;
        found = true;
        break;
      }
    }
    return found;
  }

  /**
   * Back to the profile's positions (the whole document was replaced, e.g. reverted or reloaded from
   * disk: edits cannot be followed through that). Returns true when anything moved.
   */
  reset(): boolean {
    let moved = false;
    for (let i = 0; i < this.current.length; i++) {
      if (this.current[i] !== this.original[i]) {
        this.current[i] = this.original[i];
        moved = true;
      }
    }
    if (moved) this.version++;
    return moved;
  }

  /** Current line of an original line (0 when deleted or not annotated). */
  currentOf(originalLine: Line1): Line1 {
    const i = lowerBound(this.original, originalLine);
    return i < this.original.length && this.original[i] === originalLine ? this.current[i] : 0;
  }

  /** Original line now shown at `currentLine` (0 when none). */
  originalAt(currentLine: Line1): Line1 {
    for (let i = 0; i < this.current.length; i++) if (this.current[i] === currentLine) return this.original[i];
    return 0;
  }
}

function lowerBound(a: Int32Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
