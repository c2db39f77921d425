/**
 * The single conversion between the engine's 1-based lines (core/model.ts `Line1`) and VS Code's
 * 0-based positions. Nothing else in src/host adds or subtracts 1 from a line.
 */
import * as vscode from 'vscode';
import type { Line1 } from '../core/model';
import type { LineEdit } from '../core/insights/lineShift';
import { countLineBreaks } from '../core/insights/lineShift';

/** VS Code line index of a 1-based line. */
export function toVsLine(line: Line1): number {
  return line - 1;
}

/** 1-based line of a VS Code position. */
export function toLine1(position: vscode.Position): Line1 {
  return position.line + 1;
}

/** The whole of a 1-based line (clamped to the document by VS Code). */
export function lineRange(line: Line1): vscode.Range {
  return new vscode.Range(line - 1, 0, line - 1, 0);
}

/**
 * The end of a 1-based line (where end-of-line text goes). The column is past any line end: VS Code
 * clamps it to the line's end when the decoration is applied, so a cached range stays right after
 * the line was edited.
 */
export function lineEnd(line: Line1): vscode.Range {
  return new vscode.Range(line - 1, 1_000_000, line - 1, 1_000_000);
}

/** Start of a 1-based line. */
export function lineStart(line: Line1): vscode.Position {
  return new vscode.Position(Math.max(0, line - 1), 0);
}

/** A document change as a 1-based LineEdit (core/insights/lineShift.ts). */
export function toLineEdit(change: vscode.TextDocumentContentChangeEvent): LineEdit {
  return {
    startLine: change.range.start.line + 1,
    startColumn: change.range.start.character + 1,
    endLine: change.range.end.line + 1,
    insertedLines: countLineBreaks(change.text),
    text: change.text,
  };
}
