/**
 * Correlate inside a real VS Code: the real span-labelled Go CPU profile (test/fixtures/spans: handlers
 * under pprof.Do with span_id/trace_id labels, as grafana/otel-profiling-go sets them), its source in
 * the workspace. Show Profile of a Span or Trace… with the checkout span's id must repaint the editor
 * with that span's samples only (priceCart stays, searchIndex and the background work go; shares
 * change), say so in the status bar, take the hotspots with it; a bad id keeps the span view with a
 * message; Show Whole Profile restores exactly the original decorations and CodeLens. While a selection
 * is shown, the hover opens by naming it (with its share of the whole profile and a Show Whole Profile
 * link) and the flame graph's title and header name it; both drop it when the selection ends.
 */
import * as assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { REPO_ROOT, activateExtension, waitFor, workspaceRoot } from '../support/extension';
import { compareState } from '../support/testState';

const FIXTURES = path.join(REPO_ROOT, 'test/fixtures/spans');
const CHECKOUT = '00f067aa0ba902b7';
const TRACE_B = '0af7651916cd43dd8448eb211c80319c';

interface Applied {
  gutter: { line: number; level: number }[];
  inline: { line: number; text: string; tone?: string }[];
  hottest: number[];
}
interface TestDecorations {
  decorations?: Applied;
  codeLenses: { line: number; title?: string }[];
}
interface CorrelateState {
  active: boolean;
  label?: string;
  statusText?: string;
  statusTooltip?: string;
  profileId?: number;
  wholeId?: number;
}
type Result = { ok: boolean; error?: string; label?: string; samples?: number };
interface Stats {
  hotspots: { id: string; children?: { label: string; children?: { label: string }[] }[] }[];
  statusText?: string;
}

const testDecorations = (uri: vscode.Uri) => vscode.commands.executeCommand<TestDecorations | undefined>('profileLens._test.decorations', uri);
const state = () => vscode.commands.executeCommand<CorrelateState>('profileLens._test.correlate');
const stats = () => vscode.commands.executeCommand<Stats>('profileLens._test.stats');
interface FlameState {
  lastSent?: { profileId: number; nodes: number; at: number };
  currentId?: number;
  title?: string;
  /** the page's selection header text, as it reported it after drawing */
  lastDraw?: { selection?: string };
  drawnAt: number;
  selection?: { label: string; names?: string[]; wholeShare?: number };
}
const flameState = () => vscode.commands.executeCommand<FlameState>('profileLens._test.flameGraph');

/** go tool pprof's "accounting for" total of a recorded -tagfocus run, in ns. */
const goTotal = (name: string) => Number(/accounting for (\d+)ns/.exec(readFileSync(path.join(FIXTURES, `${name}.lines.txt`), 'utf8'))![1]);
/** go tool pprof's cum of a function in a recorded run, in ns. */
const goCum = (name: string, fn: string) => Number(new RegExp(`^\\s*\\d+ns\\s+\\S+\\s+\\S+\\s+(\\d+)ns\\s+\\S+\\s+${fn.replace('.', '\\.')}$`, 'm').exec(readFileSync(path.join(FIXTURES, `${name}.functions.txt`), 'utf8'))![1]);
/** go tool pprof -tags: the weight (ns) of the samples carrying a label value. */
const goTag = (value: string) => Number(new RegExp(`(\\d+)ns \\([\\d.]+%\\): ${value}$`, 'm').exec(readFileSync(path.join(FIXTURES, 'tags.txt'), 'utf8'))![1]);
/** "25.7%" as the extension writes shares of 10 % and more */
const pct = (share: number) => `${(share * 100).toFixed(1)}%`;

/** Our hover's markdown at a line (column 5), '' when none. */
async function hoverAt(uri: vscode.Uri, line1: number): Promise<string> {
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(line1 - 1, 4));
  return hovers.flatMap((h) => h.contents).map((c) => (typeof c === 'string' ? c : c.value)).filter((v) => v.includes('Profile Lens')).join('\n');
}
/** The hover's text with markdown escapes removed (profile strings are escaped in it). */
const plain = (md: string) => md.replace(/\\([\\`*_{}[\]()#+\-.!|<>~&$])/g, '$1');
/** A status bar tooltip's text (MarkdownString.appendText escapes and writes spaces as &nbsp;). */
const tipText = (md: string) => plain(md.replace(/&nbsp;/g, ' '));
/** The cpu row of a function in the hover: [self %, total %]. */
function fnRow(md: string, fn: string): [string, string] {
  const m = new RegExp(`\\| cpu · ${fn.replace('.', '\\.')} \\| ([\\d.]+%) \\([^)]*\\) \\| ([\\d.]+%) \\([^)]*\\) \\|`).exec(md);
  assert.ok(m, `cpu row of ${fn} in the hover:\n${md}`);
  return [m[1], m[2]];
}
/** The flame graph once the page has drawn the tree of profile `id` (and reported its header). */
const flameDrawn = (what: string, id: () => number | undefined) => waitFor(what, async () => {
  const f = await flameState();
  return f.lastSent && f.lastSent.profileId === id() && f.lastSent.profileId === f.currentId && f.drawnAt >= f.lastSent.at ? f : undefined;
}, 20_000);

describe('correlate', function () {
  this.timeout(60_000);
  let mainGo: vscode.Uri;
  let lines: string[];
  let whole: TestDecorations;
  let spanFlameNodes = 0;
  const fnLines = (name: string): [number, number] => {
    const start = lines.findIndex((l) => l.startsWith(`func ${name}(`)) + 1;
    const end = lines.findIndex((l, i) => i >= start && /^}/.test(l)) + 1;
    assert.ok(start > 0 && end > start, name);
    return [start, end];
  };
  const inside = (line: number, [a, b]: [number, number]) => line >= a && line <= b;

  let savedMappings: unknown;

  before(async () => {
    await activateExtension();
    savedMappings = vscode.workspace.getConfiguration().inspect('profileLens.pathMappings')?.workspaceValue;
    // the profile records module-relative paths (go build -trimpath): profilelens/spans/main.go
    const dir = path.join(workspaceRoot(), 'spans');
    mkdirSync(dir, { recursive: true });
    copyFileSync(path.join(FIXTURES, 'gen/main.go'), path.join(dir, 'main.go'));
    mainGo = vscode.Uri.file(path.join(dir, 'main.go'));
    lines = readFileSync(mainGo.fsPath, 'utf8').split('\n');
    const r = await vscode.commands.executeCommand<{ ok: boolean; error?: string }>('profileLens.openProfile', vscode.Uri.file(path.join(FIXTURES, 'cpu.pb.gz')));
    assert.equal(r.ok, true, r.error);
    await vscode.commands.executeCommand('profileLens.showUnresolvedPaths', { from: 'profilelens/spans', to: dir });
    await vscode.window.showTextDocument(mainGo);
    whole = await waitFor('whole-profile annotations on main.go', async () => {
      const d = await testDecorations(mainGo);
      return d?.decorations && d.decorations.inline.some((i) => inside(i.line, fnLines('searchIndex'))) ? d : undefined;
    });
  });

  after(async () => {
    await vscode.commands.executeCommand('profileLens.showWholeProfile');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    // the mapping this suite added goes (other suites see the settings they expect)
    await vscode.workspace.getConfiguration().update('profileLens.pathMappings', savedMappings, vscode.ConfigurationTarget.Workspace);
  });

  it('the whole profile paints every handler and the background work; no selection is shown', async () => {
    for (const fn of ['priceCart', 'searchIndex', 'renderPage', 'compactCache']) {
      assert.ok(whole.decorations!.inline.some((i) => inside(i.line, fnLines(fn))), `${fn} annotated: ${JSON.stringify(whole.decorations!.inline)}`);
      assert.ok(whole.codeLenses.some((l) => l.line === fnLines(fn)[0] && /cpu/i.test(l.title ?? '')), `${fn} lens: ${JSON.stringify(whole.codeLenses)}`);
    }
    const s = await state();
    assert.equal(s.active, false);
    assert.equal(s.statusText, undefined);
  });

  it('span_id=<checkout span>: only that span\'s code is painted, with its own shares; the status bar says so', async () => {
    const r = await vscode.commands.executeCommand<Result>('profileLens.showSpanProfile', `span_id=${CHECKOUT}`);
    assert.equal(r.ok, true, r.error);
    const samples = goTotal('span-checkout') / 10_000_000; // 100 Hz
    assert.equal(r.samples, samples);
    const s = await state();
    assert.equal(s.active, true);
    assert.notEqual(s.profileId, s.wholeId);
    assert.equal(s.statusText, `$(filter) span 00f067aa…: ${samples} samples`);
    const span = await waitFor('span annotations', async () => {
      const d = await testDecorations(mainGo);
      return d?.decorations && !d.decorations.inline.some((i) => inside(i.line, fnLines('searchIndex'))) ? d : undefined;
    });
    const price = fnLines('priceCart');
    for (const fn of ['searchIndex', 'renderPage', 'recommend', 'compactCache']) {
      assert.ok(!span.decorations!.inline.some((i) => inside(i.line, fnLines(fn))), `${fn} not painted for the checkout span`);
      assert.ok(!span.codeLenses.some((l) => l.line === fnLines(fn)[0]), `no ${fn} lens`);
    }
    const priceInline = span.decorations!.inline.filter((i) => inside(i.line, price));
    assert.ok(priceInline.length >= 2, JSON.stringify(span.decorations!.inline));
    // shares are of the span now: priceCart is (nearly) all of it
    const lens = span.codeLenses.find((l) => l.line === price[0]);
    const share = Number(/CPU ([\d.]+)%/i.exec(lens?.title ?? '')?.[1]);
    const wholeShare = Number(/CPU ([\d.]+)%/i.exec(whole.codeLenses.find((l) => l.line === price[0])?.title ?? '')?.[1]);
    assert.ok(share > 95 && wholeShare < 60, `priceCart lens ${lens?.title} (whole: ${wholeShare}%)`);
    // the hotspots view follows
    const st = await stats();
    const fns = (st.hotspots.find((h) => h.id === 'functions')?.children ?? []).flatMap((f) => f.children ?? []).map((f) => f.label);
    assert.equal(fns[0], 'main.priceCart', fns.join(', '));
    assert.ok(!fns.includes('main.searchIndex'));
    // the flame graph draws the selection (the session's profile), not the whole one
    await vscode.commands.executeCommand('profileLens.showFlameGraph');
    const fg = await waitFor('flame graph of the span', async () => {
      const f = await flameState();
      return f.lastSent?.profileId === s.profileId ? f : undefined;
    }, 20_000);
    assert.ok(fg.lastSent!.nodes > 3);
    spanFlameNodes = fg.lastSent!.nodes;
    // the source beside the panel, both visible
    await vscode.window.showTextDocument(mainGo, { viewColumn: vscode.ViewColumn.Beside });
  });

  it('the flame graph names the span in its title and header, with its share of the whole profile', async () => {
    const s = await state();
    const f = await flameDrawn('the page drew the span', () => s.profileId);
    assert.equal(f.title, 'Flame Graph — span 00f067aa…');
    assert.deepEqual(f.selection?.names, ['POST /checkout'], 'the span_name its samples carry');
    const samples = goTotal('span-checkout') / 10_000_000;
    const share = pct(goTotal('span-checkout') / goTotal('all'));
    assert.equal(share, '25.7%');
    assert.equal(
      f.lastDraw?.selection,
      `Profile of span 00f067aa… (POST /checkout) only ${samples} samples · 670 ms of cpu · ${share} of cpu.pb.gz's cpu — only the samples with span_id = ${CHECKOUT}. Percentages are shares of this span.`,
    );
    // the status bar's tooltip names it too, once the span's names are read
    let tip = '';
    const st = await waitFor('status tooltip with the span name', async () => {
      const x = await state();
      tip = x.statusTooltip ?? '';
      return x.statusTooltip && tipText(x.statusTooltip).includes('span 00f067aa… (POST /checkout)') ? x : undefined;
    }).catch((e: Error) => assert.fail(`${e.message}; tooltip: ${JSON.stringify(tip)}`));
    assert.match(tipText(st.statusTooltip!), new RegExp(`${samples} samples · 670 ms of cpu · 25\\.7% of the whole profile's cpu`));
  });

  it('the hover opens by naming the span, its share of the whole profile and a way back; its percentages are of the span', async () => {
    const price = fnLines('priceCart');
    const md = await waitFor('hover with the span\'s name', async () => {
      const h = await hoverAt(mainGo, price[0]);
      return plain(h).includes('(POST /checkout)') ? h : undefined;
    });
    const text = plain(md);
    const [first, , second, third] = text.split('\n');
    assert.equal(first, '$(filter) **Profile of span 00f067aa… (POST /checkout) only** · [$(close) Show Whole Profile](command:profileLens.showWholeProfile?%5B%5D)');
    const samples = goTotal('span-checkout') / 10_000_000;
    assert.equal(second, `${samples} samples · 670 ms of cpu · 25.7% of the whole profile's cpu (cpu.pb.gz: only the samples with span_id = ${CHECKOUT}).`);
    assert.equal(third, 'Percentages below are shares of this span\'s total, not of the whole profile\'s.');
    // and they are: priceCart is all of the span's 670 ms (go tool pprof -tagfocus), though 37 % of the whole
    const [, total] = fnRow(text, 'main.priceCart');
    assert.equal(total, pct(goCum('span-checkout', 'main.priceCart') / goTotal('span-checkout')).replace('100.0%', '100%'));
    assert.equal(total, '100%');
  });

  it('a bad id: a clear message naming the label keys; the span view stays', async () => {
    const before = await testDecorations(mainGo);
    const r = await vscode.commands.executeCommand<Result>('profileLens.showSpanProfile', 'span_id=ffffffffffffffff');
    assert.equal(r.ok, false);
    assert.match(r.error ?? '', /No samples carry span_id=ffffffffffffffff; the profile's label keys are: .*span_id.*trace_id.*\[no-match\]\. The current view is kept\./);
    const s = await state();
    assert.equal(s.active, true);
    assert.equal(s.label, 'span 00f067aa…');
    assert.deepEqual(await testDecorations(mainGo), before);
  });

  it('a reload of the profile (the path mappings changed) keeps the selection', async () => {
    const before = await testDecorations(mainGo);
    const was = await state();
    await vscode.commands.executeCommand('profileLens.showUnresolvedPaths', { from: 'profilelens/spans', to: path.join(workspaceRoot(), 'spans') });
    const s = await waitFor('the reloaded selection', async () => {
      const x = await state();
      return x.active && x.profileId !== was.profileId ? x : undefined;
    });
    assert.equal(s.label, 'span 00f067aa…');
    assert.equal(s.statusText, was.statusText);
    assert.deepEqual((await testDecorations(mainGo))?.decorations, before?.decorations);
  });

  it('a bare 32-hex id is a trace: search + recommendations spans together', async () => {
    const r = await vscode.commands.executeCommand<Result>('profileLens.showSpanProfile', TRACE_B);
    assert.equal(r.ok, true, r.error);
    assert.equal(r.label, 'trace 0af76519…');
    const d = await waitFor('trace annotations', async () => {
      const x = await testDecorations(mainGo);
      return x?.decorations && x.decorations.inline.some((i) => inside(i.line, fnLines('searchIndex'))) ? x : undefined;
    });
    assert.ok(d.decorations!.inline.some((i) => inside(i.line, fnLines('fib'))), 'recommendations (fib) is in trace B');
    assert.ok(!d.decorations!.inline.some((i) => inside(i.line, fnLines('priceCart'))), 'checkout is not');
    // the open flame graph follows: a trace now, with the spans it holds
    const s = await state();
    const f = await waitFor('the page drew the trace', async () => {
      const x = await flameState();
      return x.lastSent && x.lastSent.profileId === s.profileId && x.drawnAt >= x.lastSent.at && x.lastDraw?.selection?.includes('trace') ? x : undefined;
    }, 20_000);
    assert.equal(f.title, 'Flame Graph — trace 0af76519…');
    const share = pct(goTag(TRACE_B) / goTotal('all'));
    assert.match(f.lastDraw!.selection!, new RegExp(`^Profile of trace 0af76519… \\(GET /search, recommendations\\) only ${goTag(TRACE_B) / 10_000_000} samples · 950 ms of cpu · ${share.replace('.', '\\.')} of cpu\\.pb\\.gz's cpu — only the samples with trace_id = ${TRACE_B}\\. Percentages are shares of this trace\\.$`));
  });

  it('Compare is refused while a selection is shown (its missing samples would read as changes); the view stays', async () => {
    const before = await testDecorations(mainGo);
    const ok = await vscode.commands.executeCommand<boolean>('profileLens.compareWithFile', vscode.Uri.file(path.join(FIXTURES, 'cpu.pb.gz')));
    assert.equal(ok, false);
    assert.equal((await compareState()).comparing, false);
    assert.equal((await state()).active, true, 'the selection stays');
    assert.deepEqual((await testDecorations(mainGo))?.decorations, before?.decorations);
  });

  it('the hover\'s Show Whole Profile link restores exactly the original decorations, CodeLens, hover and flame graph', async () => {
    // the link as the hover has it (a trusted command link), run as VS Code runs it
    const price = fnLines('priceCart');
    const link = /\]\((command:profileLens\.showWholeProfile[^)]*)\)/.exec(await hoverAt(mainGo, fnLines('searchIndex')[0]))?.[1];
    assert.ok(link, 'a Show Whole Profile link in the trace\'s hover');
    const m = /^command:([^?]+)\?(.*)$/.exec(link)!;
    await vscode.commands.executeCommand(m[1], ...(JSON.parse(decodeURIComponent(m[2])) as unknown[]));
    const s = await state();
    assert.equal(s.active, false);
    assert.equal(s.statusText, undefined);
    const back = await waitFor('whole annotations again', async () => {
      const d = await testDecorations(mainGo);
      return d?.decorations && d.decorations.inline.some((i) => inside(i.line, fnLines('compactCache'))) ? d : undefined;
    });
    assert.deepEqual(back.decorations, whole.decorations);
    assert.deepEqual(back.codeLenses.map((l) => [l.line, l.title]), whole.codeLenses.map((l) => [l.line, l.title]));
    // the open flame graph follows back to the whole profile
    const fg = await waitFor('flame graph of the whole profile', async () => {
      const f = await flameState();
      return f.lastSent && f.lastSent.profileId === f.currentId && f.lastSent.nodes > spanFlameNodes ? f : undefined;
    }, 20_000);
    assert.ok(fg.lastSent!.nodes > spanFlameNodes);
    // its title and header no longer speak of a selection
    const drawn = await flameDrawn('the page drew the whole profile', () => fg.lastSent!.profileId);
    assert.equal(drawn.title, 'Flame Graph');
    assert.equal(drawn.selection, undefined);
    assert.equal(drawn.lastDraw?.selection, undefined);
    // nor does the hover; its percentages are of the whole profile again
    const md = plain(await waitFor('hover of the whole profile', () => hoverAt(mainGo, price[0])));
    assert.doesNotMatch(md, /Profile of|Show Whole Profile|Percentages below/);
    assert.equal(fnRow(md, 'main.priceCart')[1], pct(goCum('all', 'main.priceCart') / goTotal('all')));
  });
});
