/**
 * Issue 7, workspace trust, in a real VS Code with trust ON: `PL_WORKSPACE_TRUST=1 npm run test:vscode
 * -- untrusted` (the harness normally disables trust; then this suite skips). The workspace opens in
 * restricted mode: its `.vscode/settings.json` values for restricted settings (defaultProfile, path
 * mappings, connections) are not applied — so the default profile is not loaded, a path mapping to
 * /etc is ignored and no connection to a local recording server is made — while a local profile file
 * still opens and shows.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { REPO_ROOT, activateExtension, waitFor, workspaceRoot } from '../support/extension';

interface Stats {
  loaded: boolean;
  statusText?: string;
}
const stats = () => vscode.commands.executeCommand<Stats>('profileLens._test.stats');

describe('untrusted workspace (restricted mode)', function () {
  this.timeout(120_000);
  let server: http.Server;
  const requests: string[] = [];

  before(async function () {
    if (vscode.workspace.isTrusted) {
      console.log('      (skipped: the workspace is trusted; run with PL_WORKSPACE_TRUST=1 npm run test:vscode -- untrusted)');
      this.skip();
    }
    server = http.createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      res.end('{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    await activateExtension();
  });
  after(async () => {
    if (server) await new Promise((r) => server.close(r));
  });

  it('restricted settings from the workspace are not applied', async () => {
    const port = (server.address() as AddressInfo).port;
    const cfg = vscode.workspace.getConfiguration();
    // the demo workspace's .vscode/settings.json sets profileLens.defaultProfile
    const settingsFile = path.join(workspaceRoot(), '.vscode/settings.json');
    assert.match(readFileSync(settingsFile, 'utf8'), /"profileLens\.defaultProfile": "profiles\/cpu\.pb\.gz"/);
    assert.equal(cfg.inspect('profileLens.defaultProfile')?.workspaceValue, undefined, 'VS Code withholds the restricted workspace value');
    assert.equal(cfg.get('profileLens.defaultProfile'), '', 'restricted: the workspace value is ignored');
    await cfg.update('profileLens.pathMappings', [{ from: '/app', to: '/etc' }], vscode.ConfigurationTarget.Workspace);
    await cfg.update('profileLens.connections', [{ name: 'evil', url: `http://127.0.0.1:${port}`, auth: 'none' }], vscode.ConfigurationTarget.Workspace);
    assert.deepEqual(vscode.workspace.getConfiguration().get('profileLens.pathMappings'), []);
    assert.deepEqual(vscode.workspace.getConfiguration().get('profileLens.connections'), []);
    await new Promise((r) => setTimeout(r, 2000));
    assert.equal((await stats()).loaded, false, 'the default profile was not loaded');
    assert.deepEqual(requests, [], 'no request to the connection from workspace settings');
  });

  it('a local profile file still opens and shows', async () => {
    const file = path.join(REPO_ROOT, 'test/fixtures/node/profiles/lib-time-default.pb.gz');
    const r = await vscode.commands.executeCommand<{ ok: boolean; error?: string }>('profileLens.openProfile', vscode.Uri.file(file));
    assert.equal(r.ok, true, r.error);
    const s = await waitFor('loaded', async () => ((await stats()).loaded ? stats() : undefined));
    assert.match(s.statusText ?? '', /lib-time-default\.pb\.gz/);
    await vscode.commands.executeCommand('profileLens.clearProfile');
    const cfg = vscode.workspace.getConfiguration();
    await cfg.update('profileLens.pathMappings', undefined, vscode.ConfigurationTarget.Workspace);
    await cfg.update('profileLens.connections', undefined, vscode.ConfigurationTarget.Workspace);
  });
});
