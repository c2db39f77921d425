/**
 * Following a live pprof endpoint inside a real VS Code: the REAL Go service with net/http/pprof
 * (test/pyroscope/pprof-service under a bounded load, started by test/e2e/backend/pprofStack.ts).
 * "Fetch Profile from URL…" makes the URL the followed query: a newer CPU profile arrives on the
 * refresh interval without any user action, Pause Auto-Refresh stops it, Refresh Now fetches again,
 * profileLens.followUrl follows an endpoint by itself, and loading a file stops following.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { openFileStopsFollowing, startStack, type Stack } from '../support/backendStacks';
import { REPO_ROOT, activateExtension, waitFor } from '../support/extension';
import { recordMetric } from '../support/metrics';
import { backendState as backend, sessionStats as stats } from '../support/testState';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('backend: following a live net/http/pprof endpoint', function () {
  this.timeout(5 * 60_000);
  let svc: Stack<{ pprofUrl: string }> | undefined;
  let pprofUrl = '';

  before(async function () {
    this.timeout(10 * 60_000);
    await activateExtension();
    svc = await startStack<{ pprofUrl: string }>('pprofStack.ts', ['--duration', '240000'], 'the Go pprof service', 8 * 60_000);
    ({ pprofUrl } = svc.ready);
    // the lowest interval the setting allows: 5 s after the end of each 1 s CPU collection
    await vscode.workspace.getConfiguration().update('profileLens.backend.refreshIntervalSeconds', 5, vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    await vscode.commands.executeCommand('profileLens.resumeAutoRefresh');
    const config = vscode.workspace.getConfiguration();
    await config.update('profileLens.followUrl', undefined, vscode.ConfigurationTarget.Workspace);
    await config.update('profileLens.backend.refreshIntervalSeconds', undefined, vscode.ConfigurationTarget.Global);
    await svc?.stop();
  });

  it('Fetch Profile from URL follows the endpoint: a newer profile arrives without any user action', async () => {
    await vscode.commands.executeCommand('profileLens.resumeAutoRefresh');
    const t0 = Date.now();
    await vscode.commands.executeCommand('profileLens.fetchProfileFromUrl', { url: pprofUrl, kind: 'profile', seconds: 1 });
    recordMetric('backend: pprof URL (1 s CPU) → profile shown', Date.now() - t0, 'ms');
    const first = await backend();
    assert.equal(first.following, true);
    assert.equal(first.query?.kind, 'pprof-url');
    assert.equal(first.query?.url, `${pprofUrl}/debug/pprof/profile?seconds=1`);
    assert.equal(first.lastError, undefined, JSON.stringify(first.lastError));
    assert.equal(first.source?.kind, 'pprof-url');
    assert.ok(first.lastUpdated !== undefined);
    const s1 = await stats();
    assert.equal(s1.loaded, true);
    assert.match(s1.statusText ?? '', /cpu 1 s/);
    assert.match(first.statusText, /updated \d+ s ago/);

    // no command from here on: the scheduler pulls again after the interval
    const second = await waitFor('a newer profile from the endpoint', async () => {
      const b = await backend();
      const s = await stats();
      return b.lastUpdated! > first.lastUpdated! && s.profileId !== s1.profileId && b.source?.kind === 'pprof-url' ? { b, s } : undefined;
    }, 40_000, 200);
    assert.ok(second.b.fetchCount > first.fetchCount);
    const gap = second.b.lastUpdated! - first.lastUpdated!;
    // 5 s interval after the previous fetch ended + 1 s of collection: never sooner
    assert.ok(gap >= 6_000, `next profile after ${gap} ms`);
    recordMetric('backend: pprof URL refresh gap (5 s interval + 1 s collection)', gap, 'ms');
    assert.equal(second.b.following, true);
    assert.equal(second.b.fetching, false);
  });

  it('Pause Auto-Refresh stops the pulling; Refresh Now still fetches; Resume continues', async () => {
    await vscode.commands.executeCommand('profileLens.pauseAutoRefresh');
    // a fetch already running may still finish; after that nothing more
    const settled = await waitFor('no fetch running', async () => {
      const b = await backend();
      return b.fetching ? undefined : b;
    }, 20_000, 100);
    assert.equal(settled.paused, true);
    assert.match(settled.statusText, /paused/);
    const id = (await stats()).profileId;
    await sleep(9_000);
    const after = await backend();
    assert.equal(after.fetchCount, settled.fetchCount, 'no fetch while paused');
    assert.equal((await stats()).profileId, id, 'the shown profile stays');
    assert.equal(after.following, true);

    await vscode.commands.executeCommand('profileLens.refreshNow');
    await waitFor('Refresh Now fetched a new profile', async () => {
      const b = await backend();
      const s = await stats();
      return b.fetchCount > after.fetchCount && !b.fetching && s.profileId !== id ? b : undefined;
    }, 20_000, 100);

    await vscode.commands.executeCommand('profileLens.resumeAutoRefresh');
    const resumed = await backend();
    await waitFor('auto-refresh again after Resume', async () => {
      const b = await backend();
      return b.fetchCount > resumed.fetchCount && !b.fetching && b.lastUpdated! > resumed.lastUpdated! ? b : undefined;
    }, 30_000, 200);
  });

  it('loading a profile file stops following the URL', async () => {
    await openFileStopsFollowing(path.join(REPO_ROOT, 'test/fixtures/node/profiles/bundle-time-lines.pb.gz'), 15_000, 8_000);
  });

  it('profileLens.followUrl follows an endpoint without any command (heap, pulled again on the interval)', async () => {
    const heap = `${pprofUrl}/debug/pprof/heap`;
    await vscode.workspace.getConfiguration().update('profileLens.followUrl', heap, vscode.ConfigurationTarget.Workspace);
    const first = await waitFor('following profileLens.followUrl', async () => {
      const b = await backend();
      return b.following && b.query?.url === heap && b.source?.kind === 'pprof-url' && b.lastUpdated !== undefined ? b : undefined;
    }, 20_000, 100);
    await waitFor('a newer heap profile', async () => {
      const b = await backend();
      return b.lastUpdated! > first.lastUpdated! ? b : undefined;
    }, 30_000, 200);
  });
});
