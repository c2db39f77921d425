/**
 * The extension loads in a real VS Code, activates, registers every command its manifest contributes,
 * and activates cheaply (target ≤ 50 ms of extension-host CPU; the engine worker starts only when a profile is loaded).
 */
import * as assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EXTENSION_ID, MANIFEST, REPO_ROOT, getExtension } from '../support/extension';
import { recordMetric } from '../support/metrics';

/**
 * Target: activation costs ≤ 50 ms of CPU on the extension-host thread (activationCpuMs: process.threadCpuUsage
 * around activate(), which is synchronous after its module import). CPU time, not wall time, is asserted:
 * on a shared 2-core CI box the workbench, code-server and other jobs start at the same moment, and wall time
 * then measures how long the thread waited for a core (a fresh-clone CI run saw 269 ms wall for what costs
 * ~16 ms of CPU), not what activation costs. Wall time is still recorded beside it, and must stay under a
 * loose bound that only a real hang or blocking call (sync I/O, a busy wait) would exceed.
 */
const TARGET_CPU_MS = Number(process.env.PROFILE_LENS_ACTIVATION_BUDGET_MS ?? 50);
const LOAD_PER_CORE = os.loadavg()[0] / Math.max(1, os.cpus().length);
const WALL_BOUND_MS = 2_000;

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
    const api = (await ext.activate()) as Partial<{ activationMs: number; activationCpuMs: number; activationCpuClock: string }> | undefined;
    const wallMs = performance.now() - t0;
    assert.ok(ext.isActive, 'extension is active');
    // When a workspaceContains event already activated it at startup, only the host's own figure exists.
    if (!wasActive) recordMetric('activate() wall time (module load + activate)', Math.round(wallMs * 10) / 10);
    assert.equal(typeof api?.activationMs, 'number', 'activate() returns { activationMs } (wall, measured by src/extension.ts)');
    assert.equal(typeof api?.activationCpuMs, 'number', 'activate() returns { activationCpuMs } (CPU, measured by src/extension.ts)');
    const [wall, cpu, clock] = [api!.activationMs!, api!.activationCpuMs!, api!.activationCpuClock];
    assert.ok(wall >= 0 && cpu >= 0, `measured (wall ${wall}, cpu ${cpu})`);
    recordMetric('activation CPU (extension-host thread, src/extension.ts)', cpu, `ms (${clock} clock; target ≤ ${TARGET_CPU_MS} ms)`);
    recordMetric('activation wall (src/extension.ts)', wall, `ms (load per core ${LOAD_PER_CORE.toFixed(1)}; bound ${WALL_BOUND_MS} ms)`);
    assert.ok(cpu <= TARGET_CPU_MS, `activation used ${cpu} ms of CPU (${clock} clock), target ${TARGET_CPU_MS} ms (wall ${wall} ms at load per core ${LOAD_PER_CORE.toFixed(1)})`);
    assert.ok(wall <= WALL_BOUND_MS, `activation took ${wall} ms wall (${cpu} ms CPU): something blocks the extension host`);
  });

  it('ships its bundles (sizes recorded: what activation loads, and what loads later)', () => {
    const ext = getExtension();
    const main = path.join(ext.extensionPath, ext.packageJSON.main as string);
    const files = [main.endsWith('.js') ? main : `${main}.js`, ...['dist/engineWorker.js', 'dist/sampleWorker.js', 'dist/webview/flameGraph.js'].map((f) => path.join(ext.extensionPath, f))];
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
