/**
 * Pulling production profiles inside a real VS Code: the REAL Pyroscope server fed by the REAL Node
 * agent (@pyroscope/nodejs, esbuild bundle with source maps), started by test/e2e/backend/liveStack.ts.
 * The extension connects through its own command, the pulled profile goes to the shared session, and
 * the agent's slow function lights up in the .ts source (the workspace's copy, via path mappings);
 * auto-refresh pulls again while the agent keeps pushing; a failing connection keeps the last good view.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { AGENT_SERVICE, agentWallType, checkOutAgentSources, openFileStopsFollowing, startStack, type Stack } from '../support/backendStacks';
import { REPO_ROOT, activateExtension, waitFor } from '../support/extension';
import { recordMetric } from '../support/metrics';
import { backendState as backend, decorationsOf, sessionStats as stats, type BackendState } from '../support/testState';

describe('backend: pulling from a real Pyroscope server', function () {
  this.timeout(10 * 60_000);
  let stack: Stack<{ url: string; pprofUrl: string }> | undefined;
  let url = '';
  let pprofUrl = '';
  let wallType = '';
  let agentCopy = '';

  before(async function () {
    this.timeout(20 * 60_000);
    await activateExtension();
    stack = await startStack<{ url: string; pprofUrl: string }>('liveStack.ts', ['--duration', '90000', '--pprof'], 'the Pyroscope stack (server + Node agent)', 15 * 60_000);
    ({ url, pprofUrl } = stack.ready);
    wallType = await agentWallType(url);
    // The user's checkout of the service: the agent's sources inside the workspace, mapped from the
    // paths the agent reports.
    agentCopy = await checkOutAgentSources();
    const config = vscode.workspace.getConfiguration();
    await config.update('profileLens.connections', [{ name: 'e2e', url, auth: 'none' }, { name: 'down', url: 'http://127.0.0.1:9', auth: 'none' }], vscode.ConfigurationTarget.Global);
    await config.update('profileLens.backend.refreshIntervalSeconds', 5, vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    await stack?.stop();
    const config = vscode.workspace.getConfiguration();
    await config.update('profileLens.connections', undefined, vscode.ConfigurationTarget.Global);
    await config.update('profileLens.backend.refreshIntervalSeconds', undefined, vscode.ConfigurationTarget.Global);
    await config.update('profileLens.pathMappings', undefined, vscode.ConfigurationTarget.Workspace);
  });

  it('Connect to Pyroscope loads the pulled profile into the session: status bar, hot .ts lines', async () => {
    const t0 = Date.now();
    await vscode.commands.executeCommand('profileLens.connectPyroscope', { connection: 'e2e', service: AGENT_SERVICE, profileType: wallType, window: '1h' });
    const state = await waitFor('the pulled profile', async () => {
      const s = await backend();
      return s.source ? s : undefined;
    }, 60_000, 100);
    recordMetric('backend: connect → profile shown', Date.now() - t0, 'ms');
    assert.equal(state.source!.kind, 'pyroscope');
    assert.equal(state.source!.service, 'profile-lens-node-demo');
    assert.equal(state.source!.window, 'last 1 h');
    assert.match(state.statusText, /updated \d+ s ago|refreshing/);
    const st = await stats();
    assert.equal(st.loaded, true);
    assert.match(st.statusText ?? '', /e2e · profile-lens-node-demo/);

    const hot = path.join(agentCopy, 'hotPath.ts');
    const doc = await vscode.workspace.openTextDocument(hot);
    await vscode.window.showTextDocument(doc);
    const decl = readFileSync(hot, 'utf8').split('\n').findIndex((l) => l.includes('export function slowPrimeCount')) + 1;
    const applied = await waitFor('decorations on hotPath.ts', async () => {
      const d = await decorationsOf(doc.uri);
      return d?.decorations?.gutter.length ? d.decorations : undefined;
    }, 20_000, 100);
    assert.ok(applied.gutter.some((g) => g.line === decl && g.level > 0), `slowPrimeCount (line ${decl}) is hot: ${JSON.stringify(applied.gutter)}`);
  });

  it('refreshes on the interval while the window is focused (and only then), as the agent keeps pushing', async () => {
    // baseline: a pulled profile fully on screen (not in the middle of replacing it)
    const before = await waitFor('a pulled profile on screen', async () => {
      const b = await backend();
      return b.total !== undefined && !b.fetching ? b : undefined;
    }, 30_000, 100);
    assert.equal(before.following, true);
    if (before.focused) {
      let last: BackendState | undefined;
      const after = await waitFor('an automatic refresh', async () => {
        const s = await backend();
        last = s;
        // fetched, and the new profile is on screen (the session finished loading it)
        // (the agent keeps pushing, so a later refresh shows more samples than the first pull)
        return s.fetchCount > before.fetchCount && !s.fetching && s.lastUpdated! > before.lastUpdated! && s.total !== undefined && s.total > before.total! ? s : undefined;
      }, 40_000, 200).catch((e: Error) => {
        throw new Error(`${e.message}; first ${JSON.stringify({ ...before, source: undefined })}, last ${JSON.stringify({ ...last, source: undefined })}`);
      });
      assert.ok(after.total! > before.total!, `more data as the agent pushes: ${before.total} → ${after.total}`);
      recordMetric('backend: automatic refreshes until new data showed', after.fetchCount - before.fetchCount, 'count');
    } else {
      // headless browser without focus: auto-refresh must wait; Refresh Now still pulls
      await new Promise((r) => setTimeout(r, 7000));
      assert.equal((await backend()).fetchCount, before.fetchCount, 'no refresh while unfocused');
      await vscode.commands.executeCommand('profileLens.refreshNow');
      await waitFor('a manual refresh', async () => {
        const s = await backend();
        return s.fetchCount > before.fetchCount && !s.fetching && s.lastUpdated! > before.lastUpdated! ? s : undefined;
      }, 30_000, 200);
    }
  });

  it('Pause Auto-Refresh stops refreshing; Resume starts again', async () => {
    await vscode.commands.executeCommand('profileLens.pauseAutoRefresh');
    const paused = await backend();
    assert.equal(paused.paused, true);
    assert.match(paused.statusText, /paused/);
    await new Promise((r) => setTimeout(r, 6000));
    assert.equal((await backend()).fetchCount, paused.fetchCount);
    await vscode.commands.executeCommand('profileLens.resumeAutoRefresh');
    assert.equal((await backend()).paused, false);
  });

  it('a connection that fails keeps the last good profile on screen and says why', async () => {
    const before = await stats();
    await vscode.commands.executeCommand('profileLens.connectPyroscope', { connection: 'down', service: AGENT_SERVICE, profileType: wallType, window: '1h' });
    const s = await waitFor('the failure', async () => {
      const b = await backend();
      return b.lastError ? b : undefined;
    }, 30_000, 100);
    assert.equal(s.lastError!.code, 'unreachable');
    assert.match(s.lastError!.message, /127\.0\.0\.1:9/);
    assert.match(s.statusText, /refresh failed/);
    const after = await stats();
    assert.equal(after.loaded, true);
    assert.equal(after.profileId, before.profileId, 'last good profile kept');
  });

  it('switching back to the earlier query is served from the cache at once', async () => {
    const before = await backend();
    await vscode.commands.executeCommand('profileLens.connectPyroscope', { connection: 'e2e', service: AGENT_SERVICE, profileType: wallType, window: '1h' });
    const s = await backend();
    assert.equal(s.query!.connection, 'e2e');
    assert.ok(s.lastUpdated !== undefined, 'a cached result is there immediately');
    assert.equal(s.lastError, undefined);
    void before;
  });

  it('Fetch Profile from URL: a CPU profile from the live net/http/pprof endpoint replaces the view and is followed instead of the Pyroscope query', async () => {
    assert.equal((await backend()).following, true);
    const before = await stats();
    const t0 = Date.now();
    await vscode.commands.executeCommand('profileLens.fetchProfileFromUrl', { url: pprofUrl, kind: 'profile', seconds: 2 });
    recordMetric('backend: pprof endpoint (2 s CPU) → profile shown', Date.now() - t0, 'ms');
    const after = await stats();
    assert.equal(after.loaded, true);
    assert.notEqual(after.profileId, before.profileId);
    assert.match(after.statusText ?? '', /cpu 2 s/);
    // the URL is the followed query now (backendPprof.test.ts checks its refreshes)
    const s = await backend();
    assert.equal(s.following, true);
    assert.equal((s.query as { kind?: string }).kind, 'pprof-url');
    assert.equal(s.source?.kind, 'pprof-url');
    // connecting again follows the Pyroscope query instead
    await vscode.commands.executeCommand('profileLens.connectPyroscope', { connection: 'e2e', service: AGENT_SERVICE, profileType: wallType, window: '1h' });
    await waitFor('following Pyroscope again', async () => {
      const b = await backend();
      return b.following && b.source?.kind === 'pyroscope' ? b : undefined;
    }, 30_000, 100);
  });

  it('loading a profile from elsewhere stops following the backend', async () => {
    const s = await openFileStopsFollowing(path.join(REPO_ROOT, 'test/fixtures/node/profiles/bundle-time-lines.pb.gz'), 10_000, 6000);
    assert.equal(s.source, undefined);
  });
});
