import * as assert from 'node:assert/strict';
import { LineMap, countLineBreaks, movesLines, shiftLine, type LineEdit } from '../../../src/core/insights/lineShift';

/** Applies the same edit to a real text, so expectations come from the text, not from the rule. */
function applyToText(lines: string[], e: LineEdit & { endColumn: number; text: string }): string[] {
  const before = lines.slice(0, e.startLine - 1);
  const head = lines[e.startLine - 1].slice(0, e.startColumn - 1);
  const tail = lines[e.endLine - 1].slice(e.endColumn - 1);
  const middle = (head + e.text + tail).split('\n');
  return [...before, ...middle, ...lines.slice(e.endLine)];
}

function edit(startLine: number, startColumn: number, endLine: number, endColumn: number, text: string) {
  return { startLine, startColumn, endLine, endColumn, text, insertedLines: countLineBreaks(text) };
}

describe('line shift', () => {
  const doc = ['import x', '', 'function hot() {', '  for (;;) spin();', '}', 'hot();'];

  it('follows line content through real edits', () => {
    const edits = [
      edit(1, 1, 1, 1, '// header\n'), // insert a line at the top
      edit(3, 1, 4, 1, ''), // delete the empty line (now line 3)
      edit(3, 17, 3, 17, '\n  const a = 1;'), // Enter at the end of "function hot() {"
      edit(1, 10, 1, 10, ' more'), // typing inside a line
      edit(2, 1, 2, 1, '\n\n'), // two blank lines before `import x`
    ];
    let text = doc.slice();
    const map = new LineMap([1, 3, 4, 5, 6]);
    for (const e of edits) {
      text = applyToText(text, e);
      map.apply([e]);
    }
    for (const original of [1, 3, 4, 5, 6]) {
      const now = map.currentOf(original);
      assert.ok(now > 0, `line ${original} kept`);
      assert.equal(text[now - 1], doc[original - 1], `line ${original}`);
    }
    assert.deepEqual([...map.current], [4, 5, 7, 8, 9]);
  });

  it('drops lines whose content was deleted', () => {
    const map = new LineMap([2, 3, 4, 5]);
    map.apply([{ startLine: 3, startColumn: 1, endLine: 5, insertedLines: 0 }]); // delete lines 3 and 4
    assert.equal(map.currentOf(2), 2);
    assert.equal(map.currentOf(3), 0);
    assert.equal(map.currentOf(4), 0);
    assert.equal(map.currentOf(5), 3);
    assert.equal(map.originalAt(3), 5);
    assert.equal(map.originalAt(4), 0);
  });

  it('joining two lines keeps the first, moves the rest', () => {
    // Backspace at column 1 of line 4 joins it onto line 3.
    assert.equal(shiftLine(3, { startLine: 3, startColumn: 9, endLine: 4, insertedLines: 0 }), 3);
    assert.equal(shiftLine(4, { startLine: 3, startColumn: 9, endLine: 4, insertedLines: 0 }), 3);
    assert.equal(shiftLine(7, { startLine: 3, startColumn: 9, endLine: 4, insertedLines: 0 }), 6);
  });

  it('typing within a line moves nothing and does not bump the version', () => {
    const e = { startLine: 4, startColumn: 3, endLine: 4, insertedLines: 0 };
    assert.equal(movesLines(e), false);
    const map = new LineMap([4, 9]);
    assert.equal(map.apply([e]), false);
    assert.equal(map.version, 0);
    assert.equal(map.apply([{ startLine: 1, startColumn: 1, endLine: 1, insertedLines: 1 }]), true);
    assert.equal(map.version, 1);
    assert.deepEqual([...map.current], [5, 10]);
  });

  it('reset returns to the profile positions', () => {
    const map = new LineMap([3, 8]);
    map.apply([{ startLine: 1, startColumn: 1, endLine: 4, insertedLines: 0 }]); // line 3 deleted, 8 → 5
    assert.deepEqual([...map.current], [0, 5]);
    const v = map.version;
    assert.equal(map.reset(), true);
    assert.deepEqual([...map.current], [3, 8]);
    assert.equal(map.version, v + 1);
    assert.equal(map.reset(), false);
  });

  it('lines inside a replaced block are found again by their text (revert, reformat)', () => {
    const original = ['import x', '', 'function hot() {', '  for (;;) spin();', '  return 1;', '}', 'hot();'];
    const map = new LineMap([1, 3, 4, 5, 7]);
    const textAt = (doc: string[]) => (l: number) => doc[l - 1];
    map.setText(1, original.length, textAt(original));
    // edits: two lines on top, then delete `return 1;`
    let doc = applyToText(original, edit(1, 1, 1, 1, '// a\n// b\n'));
    map.apply([edit(1, 1, 1, 1, '// a\n// b\n')]);
    doc = applyToText(doc, edit(7, 1, 8, 1, ''));
    map.apply([edit(7, 1, 8, 1, '')]);
    map.setText(1, doc.length, textAt(doc));
    assert.deepEqual([...map.current], [3, 5, 6, 0, 8]);
    // revert as VS Code sends it: one change from the top over the differing lines, with the disk text
    const revert = edit(1, 1, 8, 1, original.slice(0, 6).join('\n') + '\n');
    doc = applyToText(doc, revert);
    assert.deepEqual(doc, original);
    map.apply([revert]);
    assert.deepEqual([...map.current], [1, 3, 4, 5, 7], 'every line is back, the deleted one too');
    // a formatter re-indents the function body (whole block replaced, same text trimmed)
    const reformat = edit(3, 1, 7, 1, 'function hot() {\n    for (;;) spin();\n    return 1;\n}\n');
    doc = applyToText(doc, reformat);
    map.apply([reformat]);
    assert.equal(doc[map.currentOf(4) - 1], '    for (;;) spin();');
    // pasting different code over the block drops what is gone
    const paste = edit(3, 1, 7, 1, 'const y = 2;\n');
    map.apply([paste]);
    assert.equal(map.currentOf(3), 0);
    assert.equal(map.currentOf(4), 0);
    assert.equal(map.currentOf(7), 4);
  });

  it('counts all kinds of line breaks', () => {
    assert.equal(countLineBreaks('a\nb\r\nc\rd'), 3);
    assert.equal(countLineBreaks(''), 0);
  });

  it('sorts and dedupes its lines', () => {
    const map = new LineMap([9, 2, 9, 0, 4]);
    assert.deepEqual([...map.original], [2, 4, 9]);
    assert.equal(map.currentOf(3), 0);
  });
});
