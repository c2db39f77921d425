/**
 * Compare inside a real VS Code: two real @datadog/pprof profiles of the demo service
 * (test/fixtures/compare: findBundleDeals does ~3× the work in current.pb.gz). Loads the current one,
 * runs Compare with Profile File… on the baseline, and reads what the extension applied to
 * src/pricing.ts (inline text and tone, heat), VS Code's CodeLens and hover providers, and the diff
 * tree the flame graph gets; Clear Comparison must restore exactly the normal annotations.
 */
import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { REPO_ROOT, activateExtension, waitFor, workspaceRoot } from '../support/extension';

const FIXTURES = path.join(REPO_ROOT, 'test/fixtures/compare');

interface Applied {
  gutter: { line: number; level: number }[];
  inline: { line: number; text: string; tone?: string }[];
  hottest: number[];
}
interface CompareState {
  comparing: boolean;
  baselineLabel?: string;
  scaleReason?: string;
  functions?: { name: string; change: number; selfChange: number }[];
  diffTree?: { nodes: number; hasBase: boolean; functions: { name: string; total: number; baseTotal: number }[] };
}

const decorationsOf = async (uri: vscode.Uri) =>
  (await vscode.commands.executeCommand<{ decorations?: Applied } | undefined>('profileLens._test.decorations', uri))?.decorations;
const compareState = () => vscode.commands.executeCommand<CompareState>('profileLens._test.compare');

async function hoverText(uri: vscode.Uri, line1: number): Promise<string> {
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(line1 - 1, 4));
  return hovers.flatMap((h) => h.contents).map((c) => (typeof c === 'string' ? c : c.value)).join('\n');
}

describe('compare', function () {
  this.timeout(60_000);
  let pricing: vscode.Uri;
  let fnStart: number;
  let fnEnd: number;
  let normal: Applied;

  before(async () => {
    await activateExtension();
    const r = await vscode.commands.executeCommand<{ ok: boolean; error?: string }>('profileLens.openProfile', vscode.Uri.file(path.join(FIXTURES, 'current.pb.gz')));
    assert.equal(r.ok, true, r.error);
    pricing = vscode.Uri.file(path.join(workspaceRoot(), 'src/pricing.ts'));
    const text = readFileSync(pricing.fsPath, 'utf8').split('\n');
    fnStart = text.findIndex((l) => /export function findBundleDeals/.test(l)) + 1;
    fnEnd = text.findIndex((l, i) => i >= fnStart && /^}/.test(l)) + 1;
    assert.ok(fnStart > 0 && fnEnd > fnStart);
    await vscode.window.showTextDocument(pricing);
    normal = await waitFor('normal annotations on pricing.ts', async () => {
      const d = await decorationsOf(pricing);
      return d && d.inline.length > 0 ? d : undefined;
    });
  });

  after(async () => {
    await vscode.commands.executeCommand('profileLens.clearComparison');
  });

  it('normal annotations show costs, not changes', () => {
    assert.ok(normal.inline.every((i) => i.tone === undefined && !/vs baseline|within noise/.test(i.text)));
    assert.ok(normal.inline.some((i) => /% wall$/.test(i.text)));
  });

  it('Compare with Profile File… shows the slowdown of findBundleDeals on its lines, in the "worse" tone', async () => {
    const ok = await vscode.commands.executeCommand<boolean>('profileLens.compareWithFile', vscode.Uri.file(path.join(FIXTURES, 'baseline.pb.gz')));
    assert.equal(ok, true);
    const state = await compareState();
    assert.equal(state.comparing, true);
    assert.equal(state.baselineLabel, 'baseline.pb.gz');
    assert.equal(state.scaleReason, 'same-window');
    const fbd = state.functions?.find((f) => f.name === 'findBundleDeals');
    assert.ok(fbd && fbd.change > 0.3, JSON.stringify(state.functions));
    const diff = await waitFor('delta annotations on pricing.ts', async () => {
      const d = await decorationsOf(pricing);
      return d && d.inline.some((i) => i.tone) ? d : undefined;
    });
    const inFn = diff.inline.filter((i) => i.line >= fnStart && i.line <= fnEnd && i.tone === 'worse');
    assert.ok(inFn.length > 0, JSON.stringify(diff.inline));
    for (const i of inFn) assert.match(i.text, /^(≈ )?\+\d+\.\d% wall \(\+[\d.]+ (ms|s)\)$/);
    // slowdowns carry heat; everything annotated has a tone
    for (const i of inFn) assert.ok(diff.gutter.some((g) => g.line === i.line && g.level >= 1));
    assert.ok(diff.inline.every((i) => i.tone === 'worse' || i.tone === 'better' || i.tone === 'same'));
    // the report path did not change: no line of estimateShipping (same code, same load) is "worse"
    assert.ok(!diff.inline.some((i) => i.line > fnEnd && i.tone === 'worse'), JSON.stringify(diff.inline));
  });

  it('CodeLens and hover speak of the baseline', async () => {
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', pricing, 100);
    const lens = lenses.find((l) => l.range.start.line + 1 === fnStart && l.command?.command === 'profileLens.showFlameGraph');
    assert.ok(lens, 'a lens on findBundleDeals');
    assert.match(lens.command!.title, /wall \+\d+\.\d% vs baseline \(\+[\d.]+ s: [\d.]+ ms → [\d.]+ s\) · self \+\d+\.\d%/);
    const diff = (await decorationsOf(pricing))!;
    const line = diff.inline.find((i) => i.line >= fnStart && i.line <= fnEnd && i.tone === 'worse')!;
    const hover = await hoverText(pricing, line.line);
    assert.match(hover, /^\*\*Profile Lens\*\* · vs baseline baseline\\\.pb\\\.gz · wall/);
    assert.match(hover, /\| findBundleDeals total \| [\d.]+ ms \(\d+\.\d%\) \| [\d.]+ s \(\d+\.\d%\) \| \*\*\+[\d.]+ s \(\+\d+\.\d%\)\*\* slower \|/);
  });

  it('the hotspots view leads with the biggest changes', async () => {
    const stats = await vscode.commands.executeCommand<{ hotspots: { id: string; label: string; children: { label: string; description: string; target?: unknown }[] }[] }>('profileLens._test.stats');
    const changes = stats.hotspots[0];
    assert.equal(changes.id, 'changes');
    assert.match(changes.label, /^Biggest changes \(self wall vs baseline\.pb\.gz\)$/);
    assert.match(changes.children[0].label, /^▲ findBundleDeals$/);
    assert.match(changes.children[0].description, /^\+\d+\.\d% wall \(\+[\d.]+ s\) · pricing\.ts:\d+$/);
    assert.ok(changes.children[0].target);
  });

  it('the flame graph gets a diff tree from the same engine (baseline values per node)', async () => {
    const state = await compareState();
    assert.ok(state.diffTree?.hasBase);
    const f = state.diffTree!.functions.find((x) => x.name === 'findBundleDeals');
    assert.ok(f && f.total > 2 * f.baseTotal && f.baseTotal > 0, JSON.stringify(f));
    await vscode.commands.executeCommand('profileLens.showFlameGraph');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('a broken baseline file gives a clear error and keeps the comparison', async () => {
    const bad = path.join(workspaceRoot(), 'not-a-profile.pb.gz');
    writeFileSync(bad, 'this is not a profile');
    const ok = await vscode.commands.executeCommand<boolean>('profileLens.compareWithFile', vscode.Uri.file(bad));
    assert.equal(ok, false);
    const state = await compareState();
    assert.equal(state.comparing, true);
    assert.equal(state.baselineLabel, 'baseline.pb.gz');
  });

  it('Clear Comparison restores exactly the normal annotations', async () => {
    await vscode.window.showTextDocument(pricing);
    await vscode.commands.executeCommand('profileLens.clearComparison');
    assert.equal((await compareState()).comparing, false);
    const back = await waitFor('normal annotations again', async () => {
      const d = await decorationsOf(pricing);
      return d && !d.inline.some((i) => i.tone) ? d : undefined;
    });
    assert.deepEqual(back, normal);
    const stats = await vscode.commands.executeCommand<{ hotspots: { id: string }[] }>('profileLens._test.stats');
    assert.ok(!stats.hotspots.some((h) => h.id === 'changes'));
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', pricing, 100);
    assert.ok(!lenses.some((l) => /vs baseline/.test(l.command?.title ?? '')));
  });

  it('clearing the profile ends the comparison', async () => {
    assert.equal(await vscode.commands.executeCommand<boolean>('profileLens.compareWithFile', vscode.Uri.file(path.join(FIXTURES, 'baseline.pb.gz'))), true);
    await vscode.commands.executeCommand('profileLens.clearProfile');
    assert.equal((await compareState()).comparing, false);
  });
});
