/**
 * The flame graph command inside the real extension host: it opens one webview panel (reused on the
 * next call), accepts the `{ functionId }` argument CodeLens and hovers pass, and survives bad arguments.
 * Clicks inside the page are covered by test/ui/flameGraph.ui.ts (pixels need the workbench).
 * `profileLens.flameGraph.nodeBudget` bounds the tree the page gets (a real `node --cpu-prof` profile of
 * tsc, ~25 k call-tree nodes) and a change re-renders the open graph.
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import { REPO_ROOT, activateExtension, waitFor, workspaceRoot } from '../support/extension';
import { flameGraphState as flameState, type FlameGraphState as FlameState } from '../support/testState';

const VIEW_TYPE = 'profileLens.flameGraph';

function flameTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(VIEW_TYPE));
}

describe('flame graph command', () => {
  before(async () => {
    await activateExtension();
    const r = await vscode.commands.executeCommand<{ ok: boolean; error?: string }>('profileLens.openProfile', vscode.Uri.file(path.join(workspaceRoot(), 'profiles/cpu.pb.gz')));
    assert.equal(r?.ok, true, r?.error);
  });
  after(async () => {
    for (const t of flameTabs()) await vscode.window.tabGroups.close(t);
  });

  it('opens one "Flame Graph" panel and reuses it', async () => {
    await vscode.commands.executeCommand('profileLens.showFlameGraph');
    const tabs = await waitFor('flame graph tab', () => (flameTabs().length ? flameTabs() : undefined));
    assert.equal(tabs.length, 1);
    assert.equal(tabs[0].label, 'Flame Graph');
    await vscode.commands.executeCommand('profileLens.showFlameGraph');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(flameTabs().length, 1, 'the second call reveals the same panel');
  });

  it('takes the { functionId } argument of CodeLens/hover links, and ignores junk', async () => {
    await vscode.commands.executeCommand('profileLens.showFlameGraph', { functionId: 0 });
    await vscode.commands.executeCommand('profileLens.showFlameGraph', { functionId: 'evil' });
    await vscode.commands.executeCommand('profileLens.showFlameGraph', { functionId: 1e9 });
    await vscode.commands.executeCommand('profileLens.showFlameGraph', 42);
    assert.equal(flameTabs().length, 1);
  });

  it('closing the panel and running the command again opens a fresh one', async () => {
    for (const t of flameTabs()) await vscode.window.tabGroups.close(t);
    await waitFor('no flame graph tab', () => flameTabs().length === 0 || undefined);
    await vscode.commands.executeCommand('profileLens.showFlameGraph');
    await waitFor('flame graph tab again', () => (flameTabs().length === 1 ? true : undefined));
  });
});

const BUDGET = 'profileLens.flameGraph.nodeBudget';

describe('flame graph node budget setting', function () {
  this.timeout(180_000);
  let dir = '';
  let profile = '';

  before(async () => {
    await activateExtension();
    // a real profile with a big call tree: node --cpu-prof of tsc type-checking a fixture file
    dir = mkdtempSync(path.join(os.tmpdir(), 'pl-budget-'));
    await promisify(execFile)(process.execPath, [
      '--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '200',
      path.join(REPO_ROOT, 'node_modules/typescript/lib/tsc.js'), '--noEmit', '--target', 'es2022', '--module', 'nodenext', '--types', 'node',
      path.join(REPO_ROOT, 'test/fixtures/node/workspace/src/matrix.ts'),
    ], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } }).catch((e: { code?: number; stdout?: string }) => {
      // tsc exits 1 or 2 on type errors in the fixture; the profile is written either way
      if (typeof e.code !== 'number') throw e;
    });
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    assert.ok(file, `node --cpu-prof wrote no profile into ${dir}`);
    profile = path.join(dir, file);
    const r = await vscode.commands.executeCommand<{ ok: boolean; error?: string }>('profileLens.openProfile', vscode.Uri.file(profile));
    assert.equal(r?.ok, true, r?.error);
  });
  after(async () => {
    await vscode.workspace.getConfiguration().update(BUDGET, undefined, vscode.ConfigurationTarget.Workspace);
    for (const t of flameTabs()) await vscode.window.tabGroups.close(t);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Waits until the open graph got a tree built with `budget` for the current profile, and the page drew after it. */
  async function treeWith(budget: number): Promise<NonNullable<FlameState['lastSent']>> {
    const s = await waitFor(`a flame graph tree built with node budget ${budget}`, async () => {
      const st = await flameState();
      return st.lastSent && st.lastSent.budget === budget && st.lastSent.profileId === st.currentId ? st : undefined;
    }, 60_000);
    return s.lastSent!;
  }

  it('the default budget (100 000) shows the whole tree; 1 000 folds the rest into "other"; a change re-renders the open graph', async () => {
    await vscode.commands.executeCommand('profileLens.showFlameGraph');
    const full = await treeWith(100_000);
    assert.ok(full.nodes > 5_000, `the tsc profile has a big call tree (${full.nodes} nodes)`);
    assert.equal(full.merged.nodes, 0, 'nothing folded under the default budget');

    await vscode.workspace.getConfiguration().update(BUDGET, 1_000, vscode.ConfigurationTarget.Workspace);
    const small = await treeWith(1_000);
    assert.ok(small.nodes <= 1_000, `at most 1 000 nodes sent, got ${small.nodes}`);
    assert.ok(small.nodes > 500, `the budget is used, not wasted (${small.nodes})`);
    assert.ok(small.merged.nodes > 0 && small.merged.weight > 0, `the rest is folded into "other" nodes: ${JSON.stringify(small.merged)}`);
    assert.ok(small.at > full.at);
    await waitFor('the page drew after getting the smaller tree', async () => (await flameState()).drawnAt >= small.at || undefined, 30_000);

    await vscode.workspace.getConfiguration().update(BUDGET, 5_000, vscode.ConfigurationTarget.Workspace);
    const mid = await treeWith(5_000);
    assert.ok(mid.nodes <= 5_000 && mid.nodes > small.nodes, `5 000 budget: ${mid.nodes} nodes`);
    assert.ok(mid.merged.weight < small.merged.weight, 'a larger budget folds less');
  });

  it('out-of-range values are clamped to 1 000 … 1 000 000', async () => {
    await vscode.workspace.getConfiguration().update(BUDGET, 3, vscode.ConfigurationTarget.Workspace);
    const low = await treeWith(1_000);
    assert.ok(low.nodes <= 1_000);
    await vscode.workspace.getConfiguration().update(BUDGET, 5e9, vscode.ConfigurationTarget.Workspace);
    const high = await treeWith(1_000_000);
    assert.equal(high.merged.nodes, 0);
    await vscode.workspace.getConfiguration().update(BUDGET, undefined, vscode.ConfigurationTarget.Workspace);
    await treeWith(100_000);
  });
});
