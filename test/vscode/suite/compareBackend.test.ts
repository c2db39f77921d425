/**
 * Compare against a real Pyroscope server (v1.12.0, test/e2e/backend/liveStack.ts) fed by the real
 * @pyroscope/nodejs agent under load (/slow → slowPrimeCount, /alloc → buildAllocReport, each wrapped
 * with an `endpoint` label): Compare with Earlier Window… pulls the previous window of the followed
 * query as the baseline (the steady buildAllocReport is on both sides, not new); Compare Label
 * Values… endpoint=/alloc vs endpoint=/slow shows the /slow handler (slowPrimeCount, or the closure V8
 * inlined it into) as new cost, on its lines in routes.ts.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LabelMatcher } from '../../../src/core/backend/labelSelector';
import { PyroscopeClient } from '../../../src/core/backend/pyroscopeClient';
import type { TimeWindow } from '../../../src/core/backend/timeWindow';
import { AGENT_SERVICE, agentWallType, checkOutAgentSources, startStack, type Stack } from '../support/backendStacks';
import { activateExtension, waitFor } from '../support/extension';
import { compareState, decorationsOf as testDecorations } from '../support/testState';
/**
 * Waits until the server answers `window` (with `filters`) with a profile naming every function in
 * `names` (`a|b`: either): pushed data reaches a query only after the agent's upload and the server's
 * ingestion, so a window compared too early holds nothing (or only part) of the load.
 */
async function serverHas(url: string, profileType: string, what: string, window: () => TimeWindow, names: string[], filters: LabelMatcher[] = []): Promise<void> {
  let last = '';
  await waitFor(`the server to hold ${what} (${names.join(', ')})`, async () => {
    const a = await serverAnswer(url, profileType, window(), names, filters);
    last = a.text;
    return a.missing.length === 0 ? true : undefined;
  }, 120_000, 1_000).catch((e: unknown) => {
    throw new Error(`${e instanceof Error ? e.message : String(e)} (last answer: ${last})`);
  });
}

/** What the server answers now for `window` (with `filters`): which of `names` it lacks, and a summary. */
async function serverAnswer(url: string, profileType: string, window: TimeWindow, names: string[], filters: LabelMatcher[] = []): Promise<{ missing: string[]; text: string }> {
  const client = new PyroscopeClient({ connection: { name: 'probe', url, auth: 'none' } });
  const p = await client.fetchProfile({ service: AGENT_SERVICE, profileType, window, filters }).catch((e: unknown) => String(e));
  if (typeof p === 'string') return { missing: names, text: p };
  const text = Buffer.from(p.bytes).toString('latin1');
  const missing = names.filter((n) => !n.split('|').some((alt) => text.includes(alt)));
  return { missing, text: `${p.bytes.byteLength} bytes, missing ${missing.join(', ') || 'nothing'}` };
}

const decorationsOf = async (uri: vscode.Uri) => (await testDecorations(uri))?.decorations;

describe('compare: Pyroscope windows and label values (real server and agent)', function () {
  this.timeout(10 * 60_000);
  let stack: Stack<{ url: string }> | undefined;
  let url = '';
  let wallType = '';
  let readyAt = 0;
  let agentCopy = '';

  before(async function () {
    this.timeout(20 * 60_000);
    await activateExtension();
    stack = await startStack<{ url: string }>('liveStack.ts', ['--duration', '240000'], 'the Pyroscope stack (server + Node agent)', 15 * 60_000);
    readyAt = stack.readyAt;
    ({ url } = stack.ready);
    wallType = await agentWallType(url);
    agentCopy = await checkOutAgentSources();
    const config = vscode.workspace.getConfiguration();
    await config.update('profileLens.connections', [{ name: 'e2e', url, auth: 'none' }], vscode.ConfigurationTarget.Global);
    // slowPrimeCount's share of the wall profile (which counts the idle thread too) is near the
    // default 1 % annotation threshold and falls under it on a busy machine: annotate every line
    // with samples, so what is checked is the comparison, not the share of the moment
    await config.update('profileLens.annotations.threshold', 0, vscode.ConfigurationTarget.Workspace);
  });

  after(async () => {
    await vscode.commands.executeCommand('profileLens.clearComparison');
    await vscode.commands.executeCommand('profileLens.clearProfile');
    await stack?.stop();
    const config = vscode.workspace.getConfiguration();
    await config.update('profileLens.connections', undefined, vscode.ConfigurationTarget.Global);
    await config.update('profileLens.pathMappings', undefined, vscode.ConfigurationTarget.Workspace);
    await config.update('profileLens.annotations.threshold', undefined, vscode.ConfigurationTarget.Workspace);
  });

  it('Compare with Earlier Window… (previous window) loads the same query 30 s earlier as the baseline', async () => {
    // two full 30 s windows of pushed data
    const wait = readyAt + 75_000 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    // both windows hold the steady load on the server (the previous one and the current one).
    // buildAllocReport, not slowPrimeCount: once V8 optimizes the /slow handler it inlines
    // slowPrimeCount into it, and later windows have no slowPrimeCount frame at all (routes.ts:19 instead)
    await serverHas(url, wallType, 'the 30 s before the last 30 s', () => ({ kind: 'range', start: Date.now() - 60_000, end: Date.now() - 30_000 }), ['buildAllocReport']);
    await serverHas(url, wallType, 'the last 30 s', () => ({ kind: 'last', ms: 30_000 }), ['buildAllocReport']);
    await vscode.commands.executeCommand('profileLens.connectPyroscope', { connection: 'e2e', service: AGENT_SERVICE, profileType: wallType, window: '30s' });
    await waitFor('the followed profile', async () => (await vscode.commands.executeCommand<{ source?: unknown }>('profileLens._test.backend')).source, 60_000, 200);
    const ok = await vscode.commands.executeCommand<boolean>('profileLens.compareEarlierWindow', 0);
    assert.equal(ok, true);
    const state = await compareState();
    assert.equal(state.comparing, true);
    assert.match(state.baselineLabel ?? '', /^profile-lens-node-demo · \d{4}-\d\d-\d\d \d\d:\d\d → \d\d:\d\d UTC$/);
    // both windows are 30 s: compared as they are
    assert.equal(state.scaleReason, 'same-window');
    assert.equal(state.scale, 1);
    // the baseline is a real earlier window of the steady load, named as the agent names its functions
    const base = state.baselineFunctions ?? [];
    assert.ok(base.length > 5 && base.includes('buildAllocReport'), JSON.stringify(base));
    // the same steady load in both windows: the allocation hot spot (half the wall time) is on both
    // sides, on its own lines in hotPath.ts, and not "new"
    const hot = vscode.Uri.file(path.join(agentCopy, 'hotPath.ts'));
    await vscode.window.showTextDocument(hot);
    const text = readFileSync(hot.fsPath, 'utf8').split('\n');
    const range = (name: string): [number, number] => {
      const start = text.findIndex((l) => new RegExp(`function ${name}\\b`).test(l)) + 1;
      return [start, text.findIndex((l, i) => i >= start && /^}/.test(l)) + 1];
    };
    const [allocLine, allocEnd] = range('buildAllocReport');
    const d = await waitFor('delta annotations on buildAllocReport in hotPath.ts', async () => {
      const x = await decorationsOf(hot);
      return x && x.inline.some((i) => i.tone && i.line >= allocLine && i.line <= allocEnd) ? x : undefined;
    }, 30_000);
    const inAlloc = d.inline.filter((i) => i.line >= allocLine && i.line <= allocEnd);
    assert.ok(inAlloc.length > 0 && inAlloc.every((i) => !/· (new|gone)$/.test(i.text)), JSON.stringify({ inline: d.inline, functions: state.functions }));
    // "new" on slowPrimeCount (when this window has it at all) means exactly that the baseline lacks it
    const [slowLine, slowEnd] = range('slowPrimeCount');
    const slowInBase = base.includes('slowPrimeCount');
    const inSlow = d.inline.filter((i) => i.line >= slowLine && i.line <= slowEnd);
    assert.ok(inSlow.every((i) => /· new$/.test(i.text) === !slowInBase), JSON.stringify({ inSlow, slowInBase }));
    await vscode.commands.executeCommand('profileLens.clearComparison');
  });

  it('Compare Label Values… endpoint=/alloc vs /slow: the /slow handler is new cost, on its line in routes.ts', async () => {
    // enough pushed data for both label values
    const wait = readyAt + 45_000 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    // V8 inlines slowPrimeCount into the handler's closure (routes.ts line 19, `wrap({ endpoint: '/slow' }, () => {`)
    const routesTs = vscode.Uri.file(path.join(agentCopy, 'routes.ts'));
    const text = readFileSync(routesTs.fsPath, 'utf8').split('\n');
    const slowLine = text.findIndex((l) => /endpoint: '\/slow'/.test(l)) + 1;
    // both label values hold their handler's own samples on the server (not only the label's
    // network callbacks: a CI run once compared a /slow side without them)
    const handler: Record<string, string> = { '/slow': `routes.ts:(anonymous:L#${slowLine}:|slowPrimeCount`, '/alloc': 'buildAllocReport' };
    for (const value of ['/slow', '/alloc']) {
      await serverHas(url, wallType, `endpoint=${value} in the last hour`, () => ({ kind: 'last', ms: 3_600_000 }), [handler[value]], [{ name: 'endpoint', op: '=', value }]);
    }
    await vscode.commands.executeCommand('profileLens.connectPyroscope', { connection: 'e2e', service: AGENT_SERVICE, profileType: wallType, window: '1h' });
    await waitFor('the followed 1 h profile', async () => {
      const s = await vscode.commands.executeCommand<{ source?: { window?: string } }>('profileLens._test.backend');
      return s.source?.window === 'last 1 h';
    }, 60_000, 200);
    // Twice on CI the comparison's endpoint=/slow side held only the label's network callbacks
    // (writev), moments after the server had answered the same query with the handler. When the
    // comparison lacks the handler, the server is asked again at once and the answer noted (printed,
    // and in the failure message), and the comparison is made again, at most 4 times.
    const attempts: string[] = [];
    for (let attempt = 1; ; attempt++) {
      const ok = await vscode.commands.executeCommand<boolean>('profileLens.compareLabelValues', 'endpoint', '/alloc', '/slow');
      assert.equal(ok, true);
      const state = await compareState();
      assert.equal(state.comparing, true);
      assert.match(state.baselineLabel ?? '', /endpoint="\/alloc"/);
      const slow = state.functions?.filter((f) => f.change > 0.1 && (f.name.startsWith(`(anonymous:L#${slowLine}:`) || f.name === 'slowPrimeCount'));
      if (slow && slow.length > 0) break;
      const now = await serverAnswer(url, wallType, { kind: 'last', ms: 3_600_000 }, [handler['/slow']], [{ name: 'endpoint', op: '=', value: '/slow' }]);
      attempts.push(`attempt ${attempt}: the comparison lacks the /slow handler; the server's endpoint=/slow answer now: ${now.text}`);
      console.log(`      compare label values: ${attempts[attempts.length - 1]}`);
      // on failure: both sides' cost per function, to tell "no data" from "no difference"
      const evidence = JSON.stringify({ attempts, functions: state.functions, diffTree: state.diffTree?.functions.slice(0, 20) });
      assert.ok(attempt < 4, `${attempt} comparisons lacked the /slow handler: ${evidence}`);
      await vscode.commands.executeCommand('profileLens.clearComparison');
      await new Promise((r) => setTimeout(r, 10_000));
    }
    await vscode.window.showTextDocument(routesTs);
    const d = await waitFor('label-value deltas on routes.ts', async () => {
      const x = await decorationsOf(routesTs);
      return x && x.inline.some((i) => i.tone === 'worse') ? x : undefined;
    }, 30_000);
    const worse = d.inline.filter((i) => i.tone === 'worse' && i.line >= slowLine && i.line <= slowLine + 2);
    assert.ok(worse.some((i) => /^(≈ )?\+\d+\.\d% wall \(\+[\d.]+ (ms|s)\)( · new)?$/.test(i.text)), JSON.stringify(d.inline));
    // the /alloc handler (baseline only) is not "worse"
    const allocLine = text.findIndex((l) => /endpoint: '\/alloc'/.test(l)) + 1;
    assert.ok(!d.inline.some((i) => i.tone === 'worse' && i.line >= allocLine && i.line <= allocLine + 2), JSON.stringify(d.inline));
  });
});
