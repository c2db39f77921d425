/**
 * Issue 7 inside a real VS Code (code-server): a REAL @datadog/pprof profile whose function and file
 * names are markdown, HTML/<script>, command: links, control characters, a 100 kB name and invalid
 * UTF-8 (test/fixtures/hostile) is loaded through the extension's own command; what VS Code's
 * providers return (hover markdown, CodeLens titles), the status bar and the hotspots tree show it
 * as text. Caps set in the workspace settings refuse a profile naming the setting and keep the last
 * good view; rapid switching between files ends on the last one; 100 × load/replace/clear:
 * extension-host heap after GC and listener/disposable counts.
 */
import * as assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, utimesSync } from 'node:fs';
import * as path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as vscode from 'vscode';
import { decodeProfile } from '../../../src/core/decode/decodeProfile';
import { REPO_ROOT, activateExtension, waitFor, workspaceRoot } from '../support/extension';
import { recordMetric } from '../support/metrics';
import { clearProfile, openProfile, sessionStats as stats } from '../support/testState';

const HOSTILE = path.join(REPO_ROOT, 'test/fixtures/hostile');
const HOSTILE_PROFILE = path.join(HOSTILE, 'hostile.pb.gz');
const NODE_PROFILES = path.join(REPO_ROOT, 'test/fixtures/node/profiles');

const config = () => vscode.workspace.getConfiguration();

describe('hostile inputs', function () {
  this.timeout(300_000);
  let evilUri: vscode.Uri;

  before(async () => {
    await activateExtension();
    // the profile names files under the fixture folder of this repository: map that folder into the workspace
    const ws = workspaceRoot();
    const dest = path.join(ws, 'hostile-fixture');
    mkdirSync(dest, { recursive: true });
    const name = readdirSync(path.join(HOSTILE, 'workspace')).find((f) => f.endsWith('.js'))!;
    copyFileSync(path.join(HOSTILE, 'workspace', name), path.join(dest, name));
    const old = new Date('2020-01-01T00:00:00Z');
    utimesSync(path.join(dest, name), old, old);
    evilUri = vscode.Uri.file(path.join(dest, name));
    // The profile records the absolute folder of the checkout that generated it (gen/generate.mjs), not this
    // one: a fresh clone elsewhere (CI) must map the folder the profile names, read from the profile itself.
    const recorded = decodeProfile(readFileSync(HOSTILE_PROFILE)).strings.find((s) => s.endsWith(`/workspace/${name}`));
    assert.ok(recorded, `the hostile profile names a file ending in /workspace/${name.slice(0, 40)}`);
    await config().update('profileLens.pathMappings', [{ from: path.dirname(recorded), to: 'hostile-fixture' }], vscode.ConfigurationTarget.Workspace);
  });

  after(async () => {
    await clearProfile();
    await config().update('profileLens.pathMappings', undefined, vscode.ConfigurationTarget.Workspace);
    await config().update('profileLens.limits.maxSamples', undefined, vscode.ConfigurationTarget.Workspace);
    await config().update('profileLens.limits.maxProfileMB', undefined, vscode.ConfigurationTarget.Workspace);
  });

  it('hostile names: hovers are escaped text with only our command links; CodeLens, status bar and tree show them literally', async () => {
    const r = await openProfile(HOSTILE_PROFILE);
    assert.equal(r.ok, true, r.error);
    // ok with `superseded` means another load (a refresh, a reload) replaced this one: say so, do not wait for lenses
    assert.ok(!(r as { superseded?: boolean }).superseded, `the hostile load was superseded by another load: ${JSON.stringify(r)}`);
    const onScreen = await stats();
    assert.match(onScreen.statusText ?? '', /hostile\.pb\.gz/, `the hostile profile is the one shown (status: ${onScreen.statusText})`);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(evilUri));
    let lastLenses: string[] = [];
    const lenses = await waitFor('code lenses on the hostile file', async () => {
      const all = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', evilUri, 100);
      const l = all.filter((x) => x.command?.command?.startsWith('profileLens.'));
      lastLenses = l.map((x) => `${x.range.start.line + 1}: ${x.command?.title.slice(0, 60)}`);
      return l.length >= 5 ? l : undefined;
    }, 30_000).catch(async (e: Error) => {
      const d = await vscode.commands.executeCommand<{ fileId?: number }>('profileLens._test.decorations', evilUri);
      const s = await stats();
      throw new Error(`${e.message}; lenses seen: [${lastLenses.join(' | ')}]; fileId of the hostile file: ${d?.fileId}; status: ${s.statusText}; mappings: ${JSON.stringify(config().get('profileLens.pathMappings'))}`);
    });
    for (const l of lenses) {
      const title = l.command!.title;
      assert.ok(title.startsWith('$(flame) '), title);
      assert.ok(!title.slice(9).includes('$('), `icon syntax in ${title}`);
    }
    // hovers on every function line of the hostile file
    const doc = await vscode.workspace.openTextDocument(evilUri);
    let checked = 0;
    let sawHostile = false;
    for (const l of lenses) {
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', evilUri, new vscode.Position(l.range.start.line, 4));
      for (const h of hovers) {
        for (const c of h.contents) {
          const md = c as vscode.MarkdownString;
          const value = typeof c === 'string' ? c : md.value;
          if (!value.includes('Profile Lens')) continue;
          checked++;
          if (/onerror|alert|click|command:workbench|\\u001b|LLLLLLLL/.test(value)) sawHostile = true;
          // every markdown-active character coming from a name is escaped: no raw tag, no raw link to a foreign command
          assert.ok(!/(^|[^\\])<(script|img)/i.test(value), `raw HTML in hover: ${value.slice(0, 400)}`);
          for (const m of value.matchAll(/\]\((command:[^)\s]*)/g)) assert.match(m[1], /^command:profileLens\.(openLocation|showFlameGraph)\?/, `foreign command link ${m[1]}`);
          assert.ok(!/(^|[^\\])\[[^\]]*\]\(command:workbench/.test(value), 'unescaped workbench command link');
          if (typeof c !== 'string' && md.isTrusted !== undefined && md.isTrusted !== false) {
            assert.notEqual(md.isTrusted, true, 'hover markdown must not be fully trusted');
          }
          assert.notEqual(md.supportHtml, true);
        }
      }
    }
    assert.ok(checked >= 3, `hovers checked: ${checked} on ${doc.lineCount} lines`);
    assert.ok(sawHostile, 'the hovers carried the hostile names (escaped)');
    const s = await stats();
    assert.match(s.statusText ?? '', /^\$\(flame\) hostile\.pb\.gz/);
    const labels = s.hotspots.flatMap((sec) => (sec.children ?? []).flatMap((f) => [f.label, ...(f.children ?? []).map((c) => c.label)]));
    const shown = labels.map((x) => x.slice(0, 60)).join(' | ');
    assert.ok(labels.some((x) => x.includes('[x](command:workbench.action.terminal.new) <img src=x onerror=alert(1)>.js')), `file label literal: ${shown}`);
    assert.ok(labels.some((x) => x.startsWith('[open](command:profileLens.openLocation?%5B%22%2Fetc%2Fpasswd')), `function label literal: ${shown}`);
    assert.ok(labels.some((x) => x.length === 100_000), 'the 100 kB name is kept whole in the tree item (VS Code elides it)');
  });

  it('a cap set in the settings refuses the next profile naming the setting; the last good view stays', async () => {
    const before = await stats();
    assert.equal(before.loaded, true);
    await config().update('profileLens.limits.maxSamples', 5, vscode.ConfigurationTarget.Workspace);
    const r = await openProfile(path.join(NODE_PROFILES, 'lib-time-default.pb.gz'));
    assert.equal(r.ok, false);
    assert.match(r.error ?? '', /profileLens\.limits\.maxSamples/);
    assert.match(r.error ?? '', /previous view is kept/);
    const after = await stats();
    assert.equal(after.profileId, before.profileId, 'the hostile profile is still the one shown');
    await config().update('profileLens.limits.maxSamples', undefined, vscode.ConfigurationTarget.Workspace);
    // the file-size cap is checked before the file is read
    await config().update('profileLens.limits.maxProfileMB', 0.0005, vscode.ConfigurationTarget.Workspace);
    const big = await openProfile(path.join(NODE_PROFILES, 'lib-time-default.pb.gz'));
    assert.equal(big.ok, false);
    assert.match(big.error ?? '', /over the cap of 0\.000 MB \(setting profileLens\.limits\.maxProfileMB\).*\[too-large\]/);
    assert.equal((await stats()).profileId, before.profileId);
    await config().update('profileLens.limits.maxProfileMB', undefined, vscode.ConfigurationTarget.Workspace);
    assert.equal((await openProfile(path.join(NODE_PROFILES, 'lib-time-default.pb.gz'))).ok, true, 'default caps let it through');
  });

  it('the engine worker dies: the view stays, a load in flight fails with worker-crashed, the next load starts a new worker', async () => {
    assert.equal((await openProfile(path.join(NODE_PROFILES, 'lib-time-lines.pb.gz'))).ok, true);
    const shown = await stats();
    // a crash while idle: nothing shown changes; the profile is loaded again into the new worker by
    // itself (a new engine id; test/vscode/suite/engineRecovery.test.ts checks what comes back)
    await vscode.commands.executeCommand('profileLens._test.crashEngine');
    const afterIdle = await stats();
    assert.equal(afterIdle.loaded, true);
    assert.equal(afterIdle.statusText, shown.statusText);
    const restored = await waitFor('the profile restored into the new worker', async () => {
      const s = await stats();
      return s.profileId !== shown.profileId && s.engine.kind === 'ok' ? s : undefined;
    }, 30_000);
    assert.equal(restored.statusText, shown.statusText);
    // a crash during a load (symbolize awaits source maps, so the crash message is taken mid-load)
    const pending = openProfile(path.join(NODE_PROFILES, 'bundle-time-default.pb.gz'));
    await vscode.commands.executeCommand('profileLens._test.crashEngine');
    const r = await pending;
    if (!r.ok) {
      assert.match(r.error ?? '', /\[worker-crashed\]/);
      assert.match(r.error ?? '', /previous view is kept/);
      assert.equal((await stats()).statusText, shown.statusText, 'the last good view stays');
    }
    recordMetric(`hostile: load in flight when the worker was killed ${r.ok ? 'finished first' : 'failed with worker-crashed'}`, 1, 'case');
    // the next request runs in a new worker
    const again = await openProfile(HOSTILE_PROFILE);
    assert.equal(again.ok, true, again.error);
    assert.match((await stats()).statusText ?? '', /hostile\.pb\.gz/);
  });

  it('rapid switching between profiles ends showing the last one asked for', async () => {
    const files = ['lib-time-default.pb.gz', 'bundle-heap.pb.gz', 'lib-time-lines.pb.gz', 'bundle-time-default.pb.gz', 'lib-heap.pb.gz', 'hostile'];
    const paths = files.map((f) => (f === 'hostile' ? HOSTILE_PROFILE : path.join(NODE_PROFILES, f)));
    const results = await Promise.all(paths.map((p) => openProfile(p)));
    assert.equal(results.at(-1)!.ok, true, results.at(-1)!.error);
    const s = await stats();
    assert.match(s.statusText ?? '', /hostile\.pb\.gz/, `shown: ${s.statusText}`);
    // and the other way round: ending on a Node profile
    await Promise.all(paths.slice(0, 5).reverse().map((p) => openProfile(p)));
    assert.match((await stats()).statusText ?? '', /lib-time-default\.pb\.gz/);
  });

  it('100 × load / replace / clear: extension-host heap after GC and listener/disposable counts', async () => {
    setFlagsFromString('--expose_gc');
    const gc = runInNewContext('gc') as () => void;
    const settle = async () => {
      for (let i = 0; i < 4; i++) {
        gc();
        await new Promise((r) => setTimeout(r, 250));
      }
    };
    const a = path.join(NODE_PROFILES, 'lib-time-lines.pb.gz');
    const b = HOSTILE_PROFILE;
    await openProfile(a);
    await clearProfile();
    await settle();
    const base = await stats();
    const heap0 = process.memoryUsage().heapUsed;
    const t0 = Date.now();
    for (let i = 0; i < 100; i++) {
      assert.equal((await openProfile(i % 2 ? a : b)).ok, true); // replace
      if (i % 3 === 2) await clearProfile();
    }
    await clearProfile();
    await settle();
    const heap1 = process.memoryUsage().heapUsed;
    const end = await stats();
    const growth = (heap1 - heap0) / heap0;
    recordMetric('hostile: 100 × load/replace/clear', Date.now() - t0);
    recordMetric('hostile: extension-host heapUsed after GC, before', Math.round(heap0 / 1048576), 'MB');
    recordMetric('hostile: extension-host heapUsed after GC, after 100 cycles', Math.round(heap1 / 1048576), 'MB');
    recordMetric('hostile: heap growth', Math.round(growth * 1000) / 10, '%');
    assert.equal(end.sessionListeners, base.sessionListeners, 'session listeners');
    assert.equal(end.liveDisposables, base.liveDisposables, 'live disposables');
    assert.ok(growth <= 0.1, `extension-host heap grew ${(growth * 100).toFixed(1)} % (${(heap0 / 1048576).toFixed(1)} → ${(heap1 / 1048576).toFixed(1)} MB)`);
  });
});
