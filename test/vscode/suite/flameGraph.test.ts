/**
 * The flame graph command inside the real extension host: it opens one webview panel (reused on the
 * next call), accepts the `{ functionId }` argument CodeLens and hovers pass, and survives bad arguments.
 * Clicks inside the page are covered by test/ui/flameGraph.ui.ts (pixels need the workbench).
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activateExtension, waitFor, workspaceRoot } from '../support/extension';

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
