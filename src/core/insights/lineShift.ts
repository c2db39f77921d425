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
 */
import type { Line1 } from '../model';

export interface LineEdit {
  startLine: Line1;
  /** 1-based column where the replaced range starts */
  startColumn: number;
  endLine: Line1;
  /** number of line breaks in the inserted text */
  insertedLines: number;
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

  /** `lines`: the annotated original lines, any order, duplicates allowed */
  constructor(lines: Iterable<number>) {
    const sorted = [...new Set(lines)].filter((l) => l > 0).sort((a, b) => a - b);
    this.original = Int32Array.from(sorted);
    this.current = Int32Array.from(sorted);
  }

  /** Applies edits; returns true when any annotated line moved or was dropped. */
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
