/**
 * The extension loads in a real VS Code, activates, registers every command its manifest contributes,
 * and activates cheaply (target ≤ 50 ms; the engine worker starts only when a profile is loaded).
 */
import * as assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EXTENSION_ID, MANIFEST, REPO_ROOT, getExtension } from '../support/extension';
import { recordMetric } from '../support/metrics';

/**
 * Target 50 ms on an idle machine. Wall time on a shared CI box scales with contention, so the budget
 * is scaled by the 1-minute load per core when that exceeds 1 (both are printed with the result).
 */
const TARGET_MS = Number(process.env.PROFILE_LENS_ACTIVATION_BUDGET_MS ?? 50);
const LOAD_PER_CORE = os.loadavg()[0] / Math.max(1, os.cpus().length);
const BUDGET_MS = Math.round(TARGET_MS * Math.max(1, LOAD_PER_CORE));

describe('activation', () => {
  it('the extension is present in this VS Code', () => {
    const ext = getExtension();
    assert.equal(ext.id.toLowerCase(), EXTENSION_ID.toLowerCase());
    assert.equal(ext.packageJSON.name, MANIFEST.name);
    assert.ok(vscode.version.startsWith('1.'), `VS Code ${vscode.version}`);
    recordMetric('VS Code version', Number(vscode.version.split('.')[1]), `(1.${vscode.version.split('.').slice(1).join('.')})`);
  });

  it('is loaded from the installed .vsix when the runner installed one (else from this repository)', function () {
    const ext = getExtension();
    if (process.env.PROFILE_LENS_EXPECT_INSTALLED) {
      assert.ok(!ext.extensionPath.startsWith(REPO_ROOT), `expected the installed copy, got ${ext.extensionPath}`);
      assert.equal(ext.extensionKind, vscode.ExtensionKind.Workspace);
      assert.ok(existsSync(path.join(ext.extensionPath, 'dist/extension.js')), 'the package contains dist/extension.js');
      assert.ok(!existsSync(path.join(ext.extensionPath, 'dist/extension.js.map')), 'the package ships no source maps');
      assert.ok(!existsSync(path.join(ext.extensionPath, 'src')), 'the package ships no sources');
    } else {
      assert.equal(path.resolve(ext.extensionPath), path.resolve(REPO_ROOT));
    }
  });

  it('activates without error and reports its activation time within budget', async () => {
    const ext = getExtension();
    const wasActive = ext.isActive;
    const t0 = performance.now();
    const api = (await ext.activate()) as { activationMs?: number } | undefined;
    const wallMs = performance.now() - t0;
    assert.ok(ext.isActive, 'extension is active');
    // When a workspaceContains event already activated it at startup, only the host's own figure exists.
    if (!wasActive) recordMetric('activate() wall time (module load + activate)', Math.round(wallMs * 10) / 10);
    const hostMs = api?.activationMs;
    assert.equal(typeof hostMs, 'number', 'activate() returns { activationMs } (measured by src/host/activate.ts)');
    assert.ok(hostMs! >= 0, `activationMs was set (got ${hostMs})`);
    recordMetric('activationMs (src/host/activate.ts)', hostMs!, `ms (target ${TARGET_MS} ms; load/core ${LOAD_PER_CORE.toFixed(1)} → budget ${BUDGET_MS} ms)`);
    assert.ok(hostMs! <= BUDGET_MS, `activation took ${hostMs} ms, budget ${BUDGET_MS} ms (target ${TARGET_MS} ms × load per core ${LOAD_PER_CORE.toFixed(1)})`);
  });

  it('ships its bundles (sizes recorded: what activation loads, and what loads later)', () => {
    const ext = getExtension();
    const main = path.join(ext.extensionPath, ext.packageJSON.main as string);
    const files = [main.endsWith('.js') ? main : `${main}.js`, ...['dist/engineWorker.js', 'dist/webview/flameGraph.js'].map((f) => path.join(ext.extensionPath, f))];
    for (const f of files) {
      assert.ok(existsSync(f), `${path.relative(ext.extensionPath, f)} exists`);
      recordMetric(`bundle ${path.relative(ext.extensionPath, f)}`, Math.round(statSync(f).size / 102.4) / 10, 'KB');
    }
  });

  it('registers every command contributed in package.json', async function () {
    const contributed = (MANIFEST.contributes?.commands ?? []).map((c) => c.command);
    if (contributed.length === 0) this.skip(); // nothing contributed yet: nothing to check
    await getExtension().activate();
    const registered = new Set(await vscode.commands.getCommands(false));
    const missing = contributed.filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
    recordMetric('contributed commands registered', contributed.length, 'commands');
  });

  it('activation events are narrow (no "*", no onStartupFinished)', () => {
    const events = MANIFEST.activationEvents ?? [];
    assert.ok(!events.includes('*'), 'activationEvents must not contain "*"');
    assert.ok(!events.includes('onStartupFinished'), 'activationEvents must not contain onStartupFinished');
  });
});
