/**
 * Correlate on a followed Pyroscope query inside a real VS Code: the real Pyroscope server (v1.12.0)
 * with a Go service traced by OpenTelemetry, its spans labelled by grafana/otel-profiling-go and
 * pushed by pyroscope-go (test/e2e/backend/spanStack.ts). The merged profile carries no sample labels,
 * so Show Profile of a Span or Trace… must ask the server (SelectMergeSpanProfile): a checkout span
 * paints priceCart (at its function start line) and not searchIndex, a search span the reverse; a
 * trace id (not a label the server has) is refused naming the labels it has, an unknown span gets the
 * server's no-data message with the view kept; span_name=checkout narrows the followed query by that
 * series label (line-level); Show Whole Profile brings the merged profile back. While a server span
 * profile is shown, the hover opens by saying so (and that its percentages are of the span).
 */
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { REPO_ROOT, activateExtension, waitFor, workspaceRoot } from '../support/extension';

const CPU = 'process_cpu:cpu:nanoseconds:cpu:nanoseconds';

interface Span {
  name: string;
  spanId: string;
  traceId: string;
}
interface TestDecorations {
  decorations?: { inline: { line: number; text: string }[] };
  codeLenses: { line: number; title?: string }[];
}
type Result = { ok: boolean; error?: string; label?: string };

const testDecorations = (uri: vscode.Uri) => vscode.commands.executeCommand<TestDecorations | undefined>('profileLens._test.decorations', uri);
const state = () => vscode.commands.executeCommand<{ active: boolean; fromServer: boolean; label?: string; statusText?: string }>('profileLens._test.correlate');
/** Our hover's text at a line (column 5), markdown escapes removed; '' when none. */
async function hoverText(uri: vscode.Uri, line1: number): Promise<string> {
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(line1 - 1, 4));
  const md = hovers.flatMap((h) => h.contents).map((c) => (typeof c === 'string' ? c : c.value)).filter((v) => v.includes('Profile Lens')).join('\n');
  return md.replace(/\\([\\`*_{}[\]()#+\-.!|<>~&$])/g, '$1');
}

describe('correlate: Pyroscope span profiles (real server, otel-profiling-go agent)', function () {
  this.timeout(5 * 60_000);
  let stack: ChildProcess | undefined;
  let spans: Span[] = [];
  let mainGo: vscode.Uri;
  let lines: string[] = [];
  const fnStart = (name: string) => lines.findIndex((l) => l.startsWith(`func ${name}(`)) + 1;
  const lensAt = (d: TestDecorations | undefined, line: number) => d?.codeLenses.find((l) => l.line === line)?.title;

  before(async function () {
    this.timeout(20 * 60_000);
    await activateExtension();
    const tsx = path.join(REPO_ROOT, 'node_modules/tsx/dist/cli.mjs');
    const env = { ...process.env };
    delete env.ELECTRON_RUN_AS_NODE;
    const child = spawn('node', [tsx, path.join(REPO_ROOT, 'test/e2e/backend/spanStack.ts')], { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'], env });
    stack = child;
    let out = '';
    child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    const ready = await waitFor('the Pyroscope server with span profiles', () => {
      if (child.exitCode !== null) throw new Error(`spanStack exited ${child.exitCode}:\n${out.slice(-3000)}`);
      return /READY (\{.*\})/.exec(out)?.[1];
    }, 15 * 60_000, 250);
    const r = JSON.parse(ready) as { url: string; spans: Span[] };
    spans = r.spans;
    // the agent is built with -trimpath: frames read profilelens.test/agent-go-span/main.go
    const dir = path.join(workspaceRoot(), 'span-agent');
    mkdirSync(dir, { recursive: true });
    copyFileSync(path.join(REPO_ROOT, 'test/pyroscope/agents/go-span/main.go'), path.join(dir, 'main.go'));
    mainGo = vscode.Uri.file(path.join(dir, 'main.go'));
    lines = readFileSync(mainGo.fsPath, 'utf8').split('\n');
    const config = vscode.workspace.getConfiguration();
    await config.update('profileLens.pathMappings', [{ from: 'profilelens.test/agent-go-span', to: dir }], vscode.ConfigurationTarget.Workspace);
    await config.update('profileLens.connections', [{ name: 'spans', url: r.url, auth: 'none' }], vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('profileLens.connectPyroscope', { connection: 'spans', service: 'profile-lens-span-demo', profileType: CPU, window: '1h' });
    await waitFor('the followed profile', async () => (await vscode.commands.executeCommand<{ source?: unknown }>('profileLens._test.backend')).source, 60_000, 200);
    await vscode.window.showTextDocument(mainGo);
  });

  after(async () => {
    await vscode.commands.executeCommand('profileLens.showWholeProfile');
    await vscode.commands.executeCommand('profileLens.clearProfile');
    if (stack && stack.exitCode === null) {
      stack.kill('SIGTERM');
      await new Promise((r) => stack!.once('exit', r));
    }
    const config = vscode.workspace.getConfiguration();
    await config.update('profileLens.connections', undefined, vscode.ConfigurationTarget.Global);
    await config.update('profileLens.pathMappings', undefined, vscode.ConfigurationTarget.Workspace);
  });

  it('the merged profile paints both request kinds', async () => {
    const d = await waitFor('whole-profile lenses on priceCart and searchIndex', async () => {
      const x = await testDecorations(mainGo);
      return lensAt(x, fnStart('priceCart')) && lensAt(x, fnStart('searchIndex')) ? x : undefined;
    }, 30_000);
    assert.match(lensAt(d, fnStart('priceCart'))!, /CPU/i);
  });

  it('a checkout span from the server: priceCart only, at its start line; the status bar says so', async () => {
    const checkout = spans.find((s) => s.name === 'checkout')!;
    const r = await vscode.commands.executeCommand<Result>('profileLens.showSpanProfile', checkout.spanId);
    assert.equal(r.ok, true, r.error);
    const s = await state();
    assert.equal(s.active, true);
    assert.equal(s.fromServer, true);
    assert.match(s.statusText ?? '', new RegExp(`^\\$\\(filter\\) span ${checkout.spanId.slice(0, 8)}…: \\d+ samples?$`)); // one stack is "1 sample"
    const d = await waitFor('span lenses', async () => {
      const x = await testDecorations(mainGo);
      return lensAt(x, fnStart('priceCart')) && !lensAt(x, fnStart('searchIndex')) ? x : undefined;
    }, 30_000);
    // function-level: the cost sits on priceCart's func line, nearly all of the span
    assert.match(lensAt(d, fnStart('priceCart'))!, /CPU (9\d|100)(\.\d)?%/i);
    assert.ok(d.decorations!.inline.some((i) => i.line === fnStart('priceCart')), JSON.stringify(d.decorations));
    // the hover says first whose numbers these are: the server's profile of this span
    const hover = await waitFor('hover of the span', () => hoverText(mainGo, fnStart('priceCart')));
    const [first, , second, third] = hover.split('\n');
    assert.match(first, new RegExp(`^\\$\\(filter\\) \\*\\*Profile of span ${checkout.spanId.slice(0, 8)}…( \\([^)]*\\))? only\\*\\* · \\[\\$\\(close\\) Show Whole Profile\\]\\(command:profileLens\\.showWholeProfile\\?`), hover);
    assert.match(second, /^\d+ samples? · [\d.]+ \S+ of cpu( · [\d.<]+% of the whole profile's cpu)? \(.+: the server's profile of this span\)\.$/, hover);
    assert.equal(third, 'Percentages below are shares of this span\'s total, not of the whole profile\'s.');
  });

  it('a search span: searchIndex, not priceCart', async () => {
    const search = spans.find((s) => s.name === 'search')!;
    const r = await vscode.commands.executeCommand<Result>('profileLens.showSpanProfile', `span_id=${search.spanId}`);
    assert.equal(r.ok, true, r.error);
    await waitFor('search span lenses', async () => {
      const x = await testDecorations(mainGo);
      return lensAt(x, fnStart('searchIndex')) && !lensAt(x, fnStart('priceCart')) ? x : undefined;
    }, 30_000);
  });

  it('a trace id is refused with the reason; an unknown span gets the server\'s no-data; the view stays', async () => {
    const before = await testDecorations(mainGo);
    const t = await vscode.commands.executeCommand<Result>('profileLens.showSpanProfile', spans[0].traceId);
    assert.equal(t.ok, false);
    // otel-profiling-go labels span_id and span_name, not the trace: the server has no trace_id label
    assert.match(t.error ?? '', /Pyroscope has no label trace_id for service "profile-lens-span-demo" in this window \(its labels: [^)]*span_name[^)]*\)/);
    const u = await vscode.commands.executeCommand<Result>('profileLens.showSpanProfile', '0123456789abcdef');
    assert.equal(u.ok, false);
    assert.match(u.error ?? '', /no cpu samples of span 0123456789abcdef for service "profile-lens-span-demo".*The current view is kept\./);
    assert.deepEqual(await testDecorations(mainGo), before);
    assert.equal((await state()).active, true);
  });

  it('span_name=checkout: the followed query narrowed by the series label, line by line', async () => {
    const r = await vscode.commands.executeCommand<Result>('profileLens.showSpanProfile', 'span_name=checkout');
    assert.equal(r.ok, true, r.error);
    assert.equal(r.label, 'span_name=checkout');
    const s = await state();
    assert.equal(s.fromServer, true);
    const d = await waitFor('span_name lenses', async () => {
      const x = await testDecorations(mainGo);
      return lensAt(x, fnStart('priceCart')) && !lensAt(x, fnStart('searchIndex')) ? x : undefined;
    }, 30_000);
    // pprof with lines: the cost is on priceCart's loop body, not only on its func line
    const body = d.decorations!.inline.filter((i) => i.line > fnStart('priceCart') && i.line < fnStart('searchIndex'));
    assert.ok(body.length > 0, JSON.stringify(d.decorations!.inline));
  });

  it('Show Whole Profile: the merged profile again', async () => {
    await vscode.commands.executeCommand('profileLens.showWholeProfile');
    assert.equal((await state()).active, false);
    await waitFor('whole lenses again', async () => {
      const x = await testDecorations(mainGo);
      return lensAt(x, fnStart('priceCart')) && lensAt(x, fnStart('searchIndex')) ? x : undefined;
    }, 30_000);
  });
});
