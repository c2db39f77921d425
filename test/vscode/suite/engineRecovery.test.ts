/**
 * The engine worker dies (out of memory, killed) while a profile is shown, inside a real VS Code:
 * the session loads that profile again into the restarted worker by itself, so the editor's decorations,
 * CodeLens and hover links point at a profile id the new worker knows and the open flame graph gets its
 * tree again, without any user action. Once: a second crash before anything else was loaded, or a crash
 * during the restore, is reported (engine state `lost` with a message) and the editor keeps its
 * annotations; the next Open Profile File works in a new worker. While comparing, the baseline is loaded
 * again too (the diff tree works with its new id). The worker is killed through the
 * extension's hidden test hook (`profileLens._test.crashEngine`, WorkerEngine.crashForTest).
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { REPO_ROOT, activateExtension, waitFor, workspaceRoot } from '../support/extension';
import { compareState, flameGraphState as flame, openProfile, sessionStats as stats, decorationsOf as testDecorations, type FlameGraphState as FlameState, type TestDecorations as Decorations } from '../support/testState';

const crash = (alsoNextLoads = 0, now = true) => vscode.commands.executeCommand('profileLens._test.crashEngine', { alsoNextLoads, now });

describe('engine worker crash: the extension recovers by itself', function () {
  this.timeout(120_000);
  let profile = '';
  let pricing: vscode.Uri;
  const decorationsOf = async () => (await testDecorations(pricing))!;

  /** Waits until the flame graph got a tree of the shown profile and the page drew it. */
  async function flameShowsCurrent(what: string): Promise<FlameState> {
    return waitFor(`the flame graph ${what}`, async () => {
      const f = await flame();
      const s = await stats();
      return f.lastSent && f.lastSent.profileId === s.profileId && f.drawnAt >= f.lastSent.at ? f : undefined;
    }, 30_000);
  }

  /** Profile ids the hover links of pricing.ts carry (`command:profileLens.openLocation?[{"profile":N,…}]`). */
  function hoverProfileIds(d: Decorations): Set<number> {
    const ids = new Set<number>();
    for (const md of Object.values(d.hovers)) {
      for (const m of md.matchAll(/command:profileLens\.openLocation\?([^)\s]+)/g)) {
        const args = JSON.parse(decodeURIComponent(m[1])) as { profile: number }[];
        ids.add(args[0].profile);
      }
    }
    return ids;
  }

  before(async () => {
    await activateExtension();
    profile = path.join(workspaceRoot(), 'profiles/cpu.pb.gz');
    pricing = vscode.Uri.file(path.join(workspaceRoot(), 'src/pricing.ts'));
    const r = await openProfile(profile);
    assert.equal(r.ok, true, r.error);
    // the flame graph and pricing.ts side by side: both visible (decorations go to visible editors)
    await vscode.commands.executeCommand('profileLens.showFlameGraph');
    await flameShowsCurrent('shows the loaded profile');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(pricing), { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false });
    await waitFor('decorations on pricing.ts', async () => {
      const d = await decorationsOf();
      return Object.keys(d.hovers).length > 0 && d.decorations ? d : undefined;
    }, 30_000);
  });

  after(async () => {
    for (const t of vscode.window.tabGroups.all.flatMap((g) => g.tabs)) {
      if (t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('profileLens.flameGraph')) await vscode.window.tabGroups.close(t);
    }
  });

  it('a crash while a profile is shown: it is loaded again into the new worker; decorations, links and the flame graph come back', async () => {
    const before = await stats();
    const beforeDecorations = await decorationsOf();
    assert.deepEqual([...hoverProfileIds(beforeDecorations)], [before.profileId], 'hover links point at the shown profile');
    await crash();
    const after = await waitFor('the profile restored into the new worker', async () => {
      const s = await stats();
      return s.profileId !== before.profileId && s.engine.kind === 'ok' ? s : undefined;
    }, 30_000);
    assert.equal(after.engineCrashes, before.engineCrashes + 1);
    assert.equal(after.loaded, true);
    assert.equal(after.statusText, before.statusText, 'the same profile is shown');
    // the decorations are applied again for the restored profile (cleared and re-applied on a profile change)
    const d = await waitFor('decorations re-applied for the restored profile', async () => {
      const x = await decorationsOf();
      return hoverProfileIds(x).has(after.profileId!) && x.decorations ? x : undefined;
    }, 15_000);
    assert.deepEqual([...hoverProfileIds(d)], [after.profileId], 'no hover link points at the dead id');
    assert.deepEqual(d.decorations, beforeDecorations.decorations, 'the same decorations as before the crash');
    assert.deepEqual(d.codeLenses.map((l) => [l.line, l.title]), beforeDecorations.codeLenses.map((l) => [l.line, l.title]));
    // the open flame graph asked the new worker for the restored profile's tree, and the page drew it
    const f = await flameShowsCurrent('re-requested the tree from the restarted engine');
    assert.equal(f.lastSent!.profileId, after.profileId);
    assert.ok(f.lastSent!.nodes > 10);
  });

  it('the worker dies under the user\'s own load: that load fails, and what was shown is restored again', async () => {
    const before = await stats();
    const beforeDecorations = await decorationsOf();
    // the next load dies with its worker, as a profile over the heap cap does
    await crash(1, false);
    const r = await openProfile(path.join(REPO_ROOT, 'test/fixtures/node/profiles/lib-time-lines.pb.gz'));
    assert.equal(r.ok, false);
    assert.match(r.error ?? '', /\[worker-crashed\]/);
    assert.match(r.error ?? '', /previous view is kept/);
    // restored although a restore already ran (the first test): this crash belongs to the user's load
    const after = await waitFor('the shown profile restored again', async () => {
      const s = await stats();
      return s.profileId !== before.profileId && s.engine.kind === 'ok' ? s : undefined;
    }, 30_000);
    assert.equal(after.statusText, before.statusText);
    await waitFor('decorations back on pricing.ts', async () => {
      const d = await decorationsOf();
      return hoverProfileIds(d).has(after.profileId!) && JSON.stringify(d.decorations) === JSON.stringify(beforeDecorations.decorations) ? d : undefined;
    }, 15_000);
    await flameShowsCurrent('re-requested the tree after the failed load');
  });

  it('crashing again before anything else was loaded is not retried: it says so; annotations stay; the next open works', async () => {
    const before = await stats();
    const beforeDecorations = await decorationsOf();
    await crash();
    const lost = await waitFor('engine state lost', async () => {
      const s = await stats();
      return s.engine.kind === 'lost' ? s : undefined;
    }, 15_000);
    assert.ok(lost.engine.kind === 'lost');
    assert.match(lost.engine.message, /stopped again after it was restarted/);
    assert.match(lost.engine.message, /cpu\.pb\.gz/);
    assert.match(lost.engine.message, /Open Profile File/);
    assert.equal(lost.profileId, before.profileId, 'not retried');
    assert.equal(lost.statusText, before.statusText);
    assert.deepEqual((await decorationsOf()).decorations, beforeDecorations.decorations, 'the editor keeps its annotations');
    // the flame graph says what happened instead of a generic error
    await vscode.commands.executeCommand('profileLens.showFlameGraph', { functionId: 0 });
    await waitFor('the flame graph tells the engine was lost', async () => {
      const f = await flame();
      return f.lastStatus?.kind === 'error' && /stopped again/.test(f.lastStatus.message) ? f : undefined;
    }, 15_000);
    // the editor stays usable: the next load runs in a new worker, the flame graph comes back
    const r = await openProfile(profile);
    assert.equal(r.ok, true, r.error);
    const s = await stats();
    assert.equal(s.engine.kind, 'ok');
    await flameShowsCurrent('shows the profile loaded after the engine was lost');
  });

  it('the worker dies again during the restore: reported once, clearly; annotations stay; the next open works', async () => {
    const before = await stats();
    const beforeDecorations = await decorationsOf();
    await crash(1); // the restore's load dies too, as a profile over the heap cap would
    const lost = await waitFor('engine state lost', async () => {
      const s = await stats();
      return s.engine.kind === 'lost' ? s : undefined;
    }, 15_000);
    assert.ok(lost.engine.kind === 'lost');
    assert.match(lost.engine.message, /stopped again while it was restored \(worker exited with code 70\)/);
    assert.equal(lost.engineCrashes, before.engineCrashes + 2, 'the crash and the one during the restore');
    assert.equal(lost.statusText, before.statusText);
    assert.deepEqual((await decorationsOf()).decorations, beforeDecorations.decorations, 'the editor keeps its annotations');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await stats()).engineCrashes, lost.engineCrashes, 'no restore loop');
    const r = await openProfile(profile);
    assert.equal(r.ok, true, r.error);
    assert.equal((await stats()).engine.kind, 'ok');
    await flameShowsCurrent('shows the profile loaded after the failed restore');
  });

  it('while comparing: the baseline is loaded again too, so the diff flame graph still works', async () => {
    const fixtures = path.join(REPO_ROOT, 'test/fixtures/compare');
    assert.equal((await openProfile(path.join(fixtures, 'current.pb.gz'))).ok, true);
    assert.equal(await vscode.commands.executeCommand('profileLens.compareWithFile', vscode.Uri.file(path.join(fixtures, 'baseline.pb.gz'))), true);
    const before = await compareState();
    assert.equal(before.comparing, true);
    assert.equal(before.diffTree?.hasBase, true);
    const shown = await stats();
    await crash();
    // compareState builds the diff tree in the engine with the baseline's id: it fails while that id is dead
    const after = await waitFor('profile and baseline restored into the new worker', async () => {
      const s = await stats();
      if (s.profileId === shown.profileId || s.engine.kind !== 'ok') return undefined;
      const c = await Promise.resolve(compareState()).catch(() => undefined);
      return c?.comparing && c.baselineId !== before.baselineId && c.diffTree?.hasBase ? c : undefined;
    }, 30_000);
    assert.equal(after.baselineLabel, before.baselineLabel);
    assert.deepEqual(after.diffTree!.functions.map((f) => f.name).sort(), before.diffTree!.functions.map((f) => f.name).sort());
    await vscode.commands.executeCommand('profileLens.clearComparison');
    assert.equal((await openProfile(profile)).ok, true);
  });
});
