import assert from 'node:assert/strict';
import { flameGraphHtml, makeNonce } from '../../../src/host/flameGraph/flameGraphHtml';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { NODE_BUDGET_DEFAULT, NODE_BUDGET_MAX, NODE_BUDGET_MIN, clampNodeBudget, sanitizeOptions, wireBytes } from '../../../src/host/flameGraph/wireTree';
import { SettingDefaults, Settings } from '../../../src/host/contributions';
import { GO_CPU, loadTree } from './realTrees';

describe('flame graph panel (host parts)', () => {
  it('HTML: strict CSP with a nonce, only the extension as a source, no data inlined', () => {
    const nonce = makeNonce();
    assert.match(nonce, /^[A-Za-z0-9_-]{24}$/);
    assert.notEqual(makeNonce(), nonce);
    const html = flameGraphHtml({ cspSource: 'https://file+.vscode-resource.vscode-cdn.net', scriptUri: 'https://x/dist/webview/flameGraph.js', styleUri: 'https://x/media/flameGraph.css', nonce });
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, new RegExp(`script-src 'nonce-${nonce}'`));
    assert.ok(!csp.includes('unsafe-inline') && !csp.includes('unsafe-eval') && !csp.includes('http:') && !csp.includes('*'));
    assert.equal((html.match(/<script/g) ?? []).length, 1);
    assert.ok(html.includes(`<script nonce="${nonce}" src="https://x/dist/webview/flameGraph.js">`));
    assert.ok(html.length < 1000, 'an empty shell: the tree arrives by message');
  });

  it('sends the tree as typed arrays, numbers never as JSON', async () => {
    const { wire } = await loadTree(GO_CPU);
    for (const k of ['parent', 'depth', 'name', 'file', 'line', 'self', 'total'] as const) assert.ok(ArrayBuffer.isView(wire[k]) && wire[k].length === wire.count, k);
    assert.equal(wireBytes(wire), wire.count * (4 * 4 + 2 + 8 * 2));
    // only files the tree uses are named
    const used = new Set(Array.from(wire.file).filter((f) => f >= 0));
    wire.files.forEach((f, i) => assert.equal(f !== '', used.has(i)));
  });

  it('options from the page are validated', () => {
    const current = { index: { sampleTypes: [{ type: 'a', unit: 'count' }, { type: 'b', unit: 'count' }] }, typeIndex: 1 } as never;
    assert.deepEqual(sanitizeOptions({ mergeBy: 'line', inverted: true, typeIndex: 0 }, current), { mergeBy: 'line', inverted: true, typeIndex: 0 });
    assert.deepEqual(sanitizeOptions({ mergeBy: 'evil' as never, inverted: 'yes' as never, typeIndex: 7 }, current), { mergeBy: 'function', inverted: false, typeIndex: 1 });
    assert.deepEqual(sanitizeOptions(undefined, undefined), { mergeBy: 'function', inverted: false, typeIndex: 0 });
  });

  it('node budget setting: bounded to the manifest\'s range, junk falls back to the default', () => {
    const schema = JSON.parse(readFileSync(path.join(__dirname, '../../../package.json'), 'utf8')).contributes.configuration.properties[Settings.flameGraphNodeBudget];
    assert.equal(schema.minimum, NODE_BUDGET_MIN);
    assert.equal(schema.maximum, NODE_BUDGET_MAX);
    assert.equal(schema.default, NODE_BUDGET_DEFAULT);
    assert.equal(SettingDefaults[Settings.flameGraphNodeBudget], NODE_BUDGET_DEFAULT);
    assert.match(schema.markdownDescription, /`other`/, 'the description says what the "other" node is');
    assert.equal(clampNodeBudget(5000), 5000);
    assert.equal(clampNodeBudget(12), NODE_BUDGET_MIN);
    assert.equal(clampNodeBudget(1e9), NODE_BUDGET_MAX);
    assert.equal(clampNodeBudget(2500.6), 2501);
    for (const junk of ['5000', NaN, Infinity, null, undefined, {}]) assert.equal(clampNodeBudget(junk), NODE_BUDGET_DEFAULT, String(junk));
  });
});
