/**
 * Editor insights inside a real VS Code: real @datadog/pprof profiles of the Node fixture workload
 * (test/fixtures/node: tsc and esbuild builds with real source maps) loaded through the extension's
 * own commands and its worker engine; assertions read what VS Code's own providers return
 * (executeCodeLensProvider / executeHoverProvider) and what the extension applied
 * (`profileLens._test.decorations`, `profileLens._test.stats`).
 */
import * as assert from 'node:assert/strict';
import { copyFileSync, cpSync, existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { createInProcessEngine } from '../../../src/core/inProcessEngine';
import { computeFileInsights } from '../../../src/core/insights/fileInsights';
import { IndexView } from '../../../src/core/insights/indexView';
import { REPO_ROOT, activateExtension, waitFor, workspaceRoot } from '../support/extension';
import { recordMetric } from '../support/metrics';
import { clearProfile, decorationsOf, openProfile, sessionStats as stats } from '../support/testState';

const FIXTURE = path.join(REPO_ROOT, 'test/fixtures/node');
const PROFILES = path.join(FIXTURE, 'profiles');
const deployPrefix = (JSON.parse(readFileSync(path.join(PROFILES, 'manifest.json'), 'utf8')) as { deployPrefix: string }).deployPrefix;

async function mustOpen(file: string): Promise<void> {
  const r = await openProfile(file);
  assert.equal(r.ok, true, r.error);
}

async function hoverText(uri: vscode.Uri, line1: number): Promise<string> {
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(line1 - 1, 4));
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : c.value))
    .filter((v) => v.includes('Profile Lens'))
    .join('\n');
}

async function ourLenses(uri: vscode.Uri): Promise<{ line: number; title: string; command: string; args: unknown[] }[]> {
  const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100);
  return lenses
    .filter((l) => l.command?.command === 'profileLens.showFlameGraph')
    .map((l) => ({ line: l.range.start.line + 1, title: l.command!.title, command: l.command!.command, args: l.command!.arguments ?? [] }))
    .sort((a, b) => a.line - b.line);
}

function lineOf(text: string, re: RegExp): number {
  const i = text.split('\n').findIndex((l) => re.test(l));
  assert.ok(i >= 0, `no line matches ${re}`);
  return i + 1;
}

describe('editor insights', function () {
  this.timeout(120_000);
  let ws: string;
  let fixture: string;
  let mainUri: vscode.Uri;
  let mainText: string;

  before(async () => {
    await activateExtension();
    // source-map (used by the in-process engine bundled into this suite) loads mappings.wasm from beside the bundle.
    const wasm = path.join(__dirname, 'mappings.wasm');
    if (!existsSync(wasm)) copyFileSync(path.join(REPO_ROOT, 'node_modules/source-map/lib/mappings.wasm'), wasm);
    ws = workspaceRoot();
    fixture = path.join(ws, 'insights-fixture');
    if (!existsSync(fixture)) cpSync(path.join(FIXTURE, 'workspace'), fixture, { recursive: true });
    // The copies are new files; make them older than any profile so nothing reads as stale.
    const old = new Date('2020-01-01T00:00:00Z');
    for (const f of ['src/main.ts', 'src/pipeline.ts', 'src/records.ts', 'src/matrix.ts', 'src/tokenizer.ts']) utimesSync(path.join(fixture, f), old, old);
    mainUri = vscode.Uri.file(path.join(fixture, 'src/main.ts'));
    mainText = readFileSync(mainUri.fsPath, 'utf8');
    // A relative `to` resolves against the first workspace folder.
    await vscode.workspace.getConfiguration().update('profileLens.pathMappings', [{ from: deployPrefix, to: 'insights-fixture' }], vscode.ConfigurationTarget.Workspace);
  });

  after(async () => {
    await clearProfile();
    await vscode.workspace.getConfiguration().update('profileLens.pathMappings', undefined, vscode.ConfigurationTarget.Workspace);
  });

  it('Open Profile File loads a real profile; the hot file gets exactly the annotations the engine computes', async () => {
    const t0 = Date.now();
    const r = await openProfile(path.join(PROFILES, 'lib-time-lines.pb.gz'));
    recordMetric('open lib-time-lines.pb.gz (worker: decode + symbolize + index)', Date.now() - t0);
    assert.equal(r.ok, true, r.error);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(mainUri));
    const got = await waitFor('decorations on main.ts', async () => (await decorationsOf(mainUri))?.decorations);

    // The same profile through the in-process engine and the pure computation (independent of the worker/host plumbing).
    const engine = createInProcessEngine();
    const loaded = await engine.load(readFileSync(path.join(PROFILES, 'lib-time-lines.pb.gz')), { roots: [ws], pathMappings: [{ from: deployPrefix, to: fixture }] });
    const view = new IndexView(loaded.index);
    const file = loaded.index.files.findIndex((f) => f.path === mainUri.fsPath);
    assert.ok(file >= 0, 'main.ts resolved by the engine');
    const expected = computeFileInsights(view, file, { typeIndex: loaded.index.defaultType, extraTypes: [], threshold: 0.01, lineCost: 'total' });
    assert.deepEqual(got.inline, expected.lines.map((l) => ({ line: l.line, text: l.text })));
    assert.deepEqual(got.gutter, expected.lines.map((l) => ({ line: l.line, level: l.level })));
    assert.deepEqual(got.hottest, expected.lines.filter((l) => l.level === 5).map((l) => l.line));

    // …and they sit on the code that is hot: the handler calls in run().
    const calls = got.inline.filter((d) => /acc \+= handle/.test(mainText.split('\n')[d.line - 1]));
    assert.ok(calls.length >= 3, `calls annotated: ${JSON.stringify(got.inline)}`);
    for (const d of got.inline) assert.match(d.text, /^(≈ )?(\d+\.\d|<0\.1)% wall$/);
  });

  it('CodeLens above each hot function (title with total and self), opening the flame graph on it', async () => {
    const lenses = await waitFor('code lenses', async () => {
      const l = await ourLenses(mainUri);
      return l.length >= 4 ? l : undefined;
    });
    const src = mainText.split('\n');
    for (const l of lenses) {
      assert.match(l.title, /^\$\(flame\) wall (\d+\.\d|<0\.1)% \(self (\d+\.\d|<0\.1|0)%\)$/);
      assert.match(src[l.line - 1], /function \w+/, `lens on line ${l.line} is on a declaration`);
      const arg = l.args[0] as { functionId: number };
      assert.equal(typeof arg.functionId, 'number');
    }
    assert.ok(lenses.some((l) => src[l.line - 1].includes('function run(')), 'run() has a lens');
  });

  it('hover on a hot line: self/total with units, samples, callers/callees as links, flame graph link', async () => {
    const line = lineOf(mainText, /acc \+= handleRecords/);
    const md = await waitFor('hover', () => hoverText(mainUri, line));
    assert.match(md, new RegExp(`line ${line} of main\\\\\\.ts`));
    assert.match(md, /\| wall · this line \| [\d.<]+% \([\d.]+ (ns|µs|ms|s)\) \| [\d.]+% \([\d.]+ (ms|s)\) \|/);
    assert.match(md, /\d+ samples? on this line/);
    assert.doesNotMatch(md, /changed on disk/, 'sources older than the profile file are not stale');
    assert.match(md, /in \*\*run\*\* \(line 37\) · \[\$\(flame\) Open in flame graph\]\(command:profileLens\.showFlameGraph\?/);
    assert.match(md, /Calls: \[handle\w+\]\(command:profileLens\.openLocation\?/);
    // Only our two commands are linked.
    for (const m of md.matchAll(/\]\((command:[^)?]+)/g)) assert.ok(['command:profileLens.openLocation', 'command:profileLens.showFlameGraph'].includes(m[1]), m[1]);

    // Following a callee link opens that function's source at its declaration.
    const link = /Calls: \[(handle\w+)\]\(command:profileLens\.openLocation\?([^)]+)\)/.exec(md)!;
    const args = JSON.parse(decodeURIComponent(link[2])) as unknown[];
    await vscode.commands.executeCommand('profileLens.openLocation', ...args);
    const editor = await waitFor('editor at the callee', () => {
      const e = vscode.window.activeTextEditor;
      return e && e.document.lineAt(e.selection.active.line).text.includes(`function ${link[1]}(`) ? e : undefined;
    });
    assert.equal(editor.document.uri.fsPath, mainUri.fsPath);
    // A forged link (wrong shape) does nothing.
    await vscode.commands.executeCommand('profileLens.openLocation', { profile: 'x', file: -1, line: 'evil' });
  });

  it('Hotspots view lists top functions and lines grouped by file; status bar names the profile', async () => {
    const s = await stats();
    assert.equal(s.loaded, true);
    assert.deepEqual(s.hotspots.map((n) => n.id), ['functions', 'lines']);
    const fnFiles = s.hotspots[0].children ?? [];
    assert.ok(fnFiles.length >= 3, 'functions from several files');
    const allFns = fnFiles.flatMap((f) => f.children ?? []);
    assert.ok(allFns.some((f) => f.label === 'sortDescending' || f.label === 'slowChecksum'), allFns.map((f) => f.label).join(', '));
    for (const f of fnFiles) assert.match(f.description, /^(\d+\.\d|<0\.1)% wall/);
    assert.ok((s.hotspots[1].children ?? []).some((f) => f.label === 'main.ts'));
    assert.match(s.statusText ?? '', /\$\(flame\) lib-time-lines\.pb\.gz · wall/);
  });

  it('Select Sample Type switches every annotation to that type', async () => {
    await vscode.commands.executeCommand('profileLens.selectSampleType', 'sample');
    const d = await waitFor('sample annotations', async () => {
      const x = (await decorationsOf(mainUri))?.decorations;
      return x && x.inline.length > 0 && x.inline.every((i) => i.text.endsWith('% sample')) ? x : undefined;
    });
    assert.ok(d.inline.length > 0);
    assert.match((await ourLenses(mainUri))[0].title, /^\$\(flame\) sample /);
    assert.match((await stats()).statusText ?? '', /· sample/);
    await vscode.commands.executeCommand('profileLens.selectSampleType', 'wall');
    await waitFor('back to wall', async () => (await decorationsOf(mainUri))?.decorations?.inline.every((i) => i.text.endsWith('% wall')));
  });

  it('settings: extra sample types in the inline text, threshold hides colder lines', async () => {
    const config = () => vscode.workspace.getConfiguration();
    const before = (await decorationsOf(mainUri))!.decorations!;
    await config().update('profileLens.annotations.sampleTypes', ['sample'], vscode.ConfigurationTarget.Workspace);
    await waitFor('two types inline', async () => (await decorationsOf(mainUri))?.decorations?.inline.every((i) => / wall · [\d.<]+% sample$/.test(i.text)));
    await config().update('profileLens.annotations.threshold', 10, vscode.ConfigurationTarget.Workspace);
    const high = await waitFor('threshold 10%', async () => {
      const x = (await decorationsOf(mainUri))?.decorations;
      return x && x.inline.length < before.inline.length ? x : undefined;
    });
    assert.ok(high.inline.length > 0);
    await config().update('profileLens.annotations.sampleTypes', undefined, vscode.ConfigurationTarget.Workspace);
    await config().update('profileLens.annotations.threshold', undefined, vscode.ConfigurationTarget.Workspace);
    await waitFor('settings back', async () => (await decorationsOf(mainUri))?.decorations?.inline.length === before.inline.length);
  });

  it('annotations move with lines inserted above them; the hover notes the unsaved edits', async () => {
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(mainUri));
    const before = (await decorationsOf(mainUri))!.decorations!;
    const lensesBefore = await ourLenses(mainUri);
    await editor.edit((b) => b.insert(new vscode.Position(0, 0), '// one\n// two\n'));
    const after = await waitFor('shifted decorations', async () => {
      const x = (await decorationsOf(mainUri))?.decorations;
      return x && x.inline[0]?.line === before.inline[0].line + 2 ? x : undefined;
    });
    assert.deepEqual(after.inline, before.inline.map((d) => ({ ...d, line: d.line + 2 })));
    assert.deepEqual((await ourLenses(mainUri)).map((l) => l.line), lensesBefore.map((l) => l.line + 2));
    const line = lineOf(editor.document.getText(), /acc \+= handleRecords/);
    const md = await hoverText(mainUri, line);
    assert.match(md, new RegExp(`line ${line - 2} of main`), 'hover still describes the profiled line');
    assert.match(md, /Unsaved edits/);
    // Delete the hot line itself: its annotation goes, the others stay.
    await editor.edit((b) => b.delete(new vscode.Range(line - 1, 0, line, 0)));
    const deleted = await waitFor('annotation of a deleted line dropped', async () => {
      const x = (await decorationsOf(mainUri))?.decorations;
      return x && x.inline.length === after.inline.length - 1 ? x : undefined;
    });
    // lines below the deleted one moved up by one, lines above stayed
    assert.deepEqual(deleted.inline, after.inline.filter((d) => d.line !== line).map((d) => (d.line > line ? { ...d, line: d.line - 1 } : d)));
    // Revert replaces the changed block with the disk text: the lines are found again by their text.
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await waitFor('annotations back after revert', async () => {
      const x = (await decorationsOf(mainUri))?.decorations;
      return x && JSON.stringify(x.inline) === JSON.stringify(before.inline);
    });
    assert.doesNotMatch(await hoverText(mainUri, lineOf(mainText, /acc \+= handleRecords/)), /Unsaved edits/);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('a file changed on disk after the profile keeps its annotations; the hover says they may be stale', async () => {
    const future = new Date(Date.now() + 3600_000);
    utimesSync(mainUri.fsPath, future, future);
    try {
      await mustOpen(path.join(PROFILES, 'lib-time-lines.pb.gz'));
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(mainUri));
      const d = await waitFor('decorations', async () => (await decorationsOf(mainUri))?.decorations);
      assert.ok(d.inline.length > 0);
      const line = lineOf(mainText, /acc \+= handleRecords/);
      const md = await waitFor('stale hover', async () => {
        const t = await hoverText(mainUri, line);
        return /changed on disk after the profile was taken/.test(t) ? t : undefined;
      });
      assert.ok(md);
    } finally {
      const old = new Date('2020-01-01T00:00:00Z');
      utimesSync(mainUri.fsPath, old, old);
    }
  });

  it('sources that exist only as source-map sourcesContent open from the map and get annotations', async () => {
    // the vendored ring buffer is a small share of this profile: lower the threshold to see it
    await vscode.workspace.getConfiguration().update('profileLens.annotations.threshold', 0.1, vscode.ConfigurationTarget.Workspace);
    await mustOpen(path.join(PROFILES, 'bundle-time-lines.pb.gz'));
    const s = await stats();
    const virtual = s.hotspots
      .flatMap((sec) => sec.children ?? [])
      .find((f) => f.label === 'index.ts');
    assert.ok(virtual, `a sourcesContent-only file is listed: ${JSON.stringify(s.hotspots.flatMap((x) => (x.children ?? []).map((c) => c.label)))}`);
    const uri = vscode.Uri.from({ scheme: 'profile-lens-source', path: path.join(fixture, 'node_modules/@acme/ringbuf/src/index.ts') });
    const doc = await vscode.workspace.openTextDocument(uri);
    const map = JSON.parse(readFileSync(path.join(fixture, 'build/app.min.js.map'), 'utf8')) as { sources: string[]; sourcesContent: string[] };
    const i = map.sources.findIndex((x) => x.endsWith('ringbuf/src/index.ts'));
    assert.ok(i >= 0);
    assert.equal(doc.getText(), map.sourcesContent[i]);
    await vscode.window.showTextDocument(doc);
    const d = await waitFor('decorations on the virtual source', async () => {
      const x = (await decorationsOf(uri))?.decorations;
      return x && x.gutter.length > 0 ? x : undefined;
    }).catch(async (e) => {
      throw new Error(`${e}: ${JSON.stringify(await decorationsOf(uri))} ${JSON.stringify(s.hotspots.flatMap((x) => x.children ?? []).filter((f) => f.label === 'index.ts'))}`);
    });
    assert.ok(d.gutter.every((g) => g.line >= 1 && g.line <= doc.lineCount));
    // the annotated lines are inside the functions the profile names
    assert.ok(d.gutter.some((g) => /push|pop|\bfor\b|this\./.test(doc.lineAt(g.line - 1).text)), JSON.stringify(d.gutter.map((g) => doc.lineAt(g.line - 1).text)));
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    await vscode.workspace.getConfiguration().update('profileLens.annotations.threshold', undefined, vscode.ConfigurationTarget.Workspace);
  });

  it('a bad file gives a clear error naming it and the engine reason; the last good view stays', async () => {
    const good = await stats();
    assert.equal(good.loaded, true);
    const bad = path.join(ws, 'broken.pb.gz');
    writeFileSync(bad, Buffer.from([0x1f, 0x8b, 0x08, 0x00, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
    const r = await openProfile(bad);
    assert.equal(r.ok, false);
    assert.match(r.error ?? '', /broken\.pb\.gz/);
    assert.match(r.error ?? '', /\[(bad-gzip|corrupt-protobuf|unknown-format)\]/);
    assert.match(r.error ?? '', /previous view is kept/);
    const after = await stats();
    assert.equal(after.profileId, good.profileId);
    assert.equal(after.loaded, true);
  });

  it('Show Unresolved Paths adds a path mapping to the workspace settings, keeps the others, and reloads', async () => {
    const config = () => vscode.workspace.getConfiguration();
    // Without the mapping nothing resolves under the fixture copy: a profile path is reported.
    await config().update('profileLens.pathMappings', [{ from: '/nowhere/else', to: '/tmp' }], vscode.ConfigurationTarget.Workspace);
    await config().update('profileLens.annotations.threshold', 2, vscode.ConfigurationTarget.Workspace);
    await mustOpen(path.join(PROFILES, 'lib-time-lines.pb.gz'));
    const before = await stats();
    await vscode.commands.executeCommand('profileLens.showUnresolvedPaths', { from: deployPrefix, to: fixture });
    const mappings = config().inspect<{ from: string; to: string }[]>('profileLens.pathMappings')?.workspaceValue;
    assert.deepEqual(mappings, [{ from: '/nowhere/else', to: '/tmp' }, { from: deployPrefix, to: fixture }]);
    assert.equal(config().inspect('profileLens.annotations.threshold')?.workspaceValue, 2, 'other settings untouched');
    const after = await waitFor('reloaded', async () => {
      const s = await stats();
      return s.profileId !== before.profileId ? s : undefined;
    });
    assert.equal(after.loaded, true);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(mainUri));
    await waitFor('annotations after the mapping', async () => (await decorationsOf(mainUri))?.decorations?.inline.length);
    await config().update('profileLens.annotations.threshold', undefined, vscode.ConfigurationTarget.Workspace);
    await config().update('profileLens.pathMappings', [{ from: deployPrefix, to: 'insights-fixture' }], vscode.ConfigurationTarget.Workspace);
  });

  it('Toggle Annotations hides and shows everything', async () => {
    await mustOpen(path.join(PROFILES, 'lib-time-lines.pb.gz'));
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(mainUri));
    await waitFor('decorations', async () => (await decorationsOf(mainUri))?.decorations);
    await vscode.commands.executeCommand('profileLens.toggleAnnotations');
    await waitFor('hidden', async () => !(await decorationsOf(mainUri))?.decorations);
    assert.deepEqual(await ourLenses(mainUri), []);
    assert.equal(await hoverText(mainUri, lineOf(mainText, /acc \+= handleRecords/)), '');
    await vscode.commands.executeCommand('profileLens.toggleAnnotations');
    await waitFor('shown again', async () => (await decorationsOf(mainUri))?.decorations);
  });

  it('Clear Profile removes every decoration, lens, hover, tree item and the status bar item', async () => {
    await clearProfile();
    const s = await stats();
    assert.equal(s.loaded, false);
    assert.equal(s.statusText, undefined);
    assert.deepEqual(s.hotspots, []);
    assert.equal((await decorationsOf(mainUri))?.decorations, undefined);
    assert.deepEqual(await ourLenses(mainUri), []);
    assert.equal(await hoverText(mainUri, lineOf(mainText, /acc \+= handleRecords/)), '');
    // a bad file with nothing loaded: the message does not promise a previous view
    const r = await openProfile(path.join(ws, 'broken.pb.gz'));
    assert.equal(r.ok, false);
    assert.match(r.error ?? '', /^Profile Lens could not open broken\.pb\.gz: .+ \[[a-z-]+\]\.$/);
  });

  it('loading and clearing 100 times leaks no listeners, disposables or decoration types', async () => {
    const file = path.join(PROFILES, 'lib-time-default.pb.gz');
    await mustOpen(file);
    await clearProfile();
    const base = await stats();
    const t0 = Date.now();
    for (let i = 0; i < 100; i++) {
      await mustOpen(file);
      if (i % 2 === 0) await clearProfile();
    }
    await clearProfile();
    recordMetric('100 × open (+ clear every other) of lib-time-default.pb.gz', Date.now() - t0);
    const end = await stats();
    assert.equal(end.sessionListeners, base.sessionListeners, 'session listeners');
    assert.equal(end.liveDisposables, base.liveDisposables, 'live disposables');
    assert.equal(end.decorationTypesCreated, 7, 'decoration types are created once (5 heat + inline + hottest)');
  });
});
