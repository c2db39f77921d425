/**
 * The flame graph's (and hover's) selection header on the real span-labelled Go CPU profile
 * (test/fixtures/spans): the host's summary of a Correlate selection (samples, value, share of the
 * whole profile, the span names its own samples carry) against go tool pprof -tagfocus / -tags on
 * the same file, and the text the page shows from it, tooltips included ("of this span", not "of all").
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SampleSelection } from '../../../src/core/engine';
import { createInProcessEngine } from '../../../src/core/inProcessEngine';
import { parseLabelMatch, selectionLabel } from '../../../src/core/index/selectSamples';
import type { ProfileIndex } from '../../../src/core/model';
import { knownSelectionNames, selectionAmount, selectionNames, summarizeSelection } from '../../../src/host/correlate/selectionSummary';
import { selectionTitle } from '../../../src/shared/selectionText';
import type { LoadedProfile } from '../../../src/host/profileSession';
import { toWireTree } from '../../../src/host/flameGraph/wireTree';
import { describeFrame, describeRun, describeSelection } from '../../../src/webview/flameGraph/describe';
import { FIXTURES, nodesNamed } from './realTrees';

const DIR = path.join(FIXTURES, 'spans');
const CHECKOUT = '00f067aa0ba902b7';
const TRACE_B = '0af7651916cd43dd8448eb211c80319c';
/** go tool pprof -tags: ns of the samples carrying a label value */
const goTag = (value: string) => Number(new RegExp(`(\\d+)ns \\([\\d.]+%\\): ${value}$`, 'm').exec(readFileSync(path.join(DIR, 'tags.txt'), 'utf8'))![1]);
const goAll = Number(/accounting for (\d+)ns/.exec(readFileSync(path.join(DIR, 'all.lines.txt'), 'utf8'))![1]);

describe('selection header (real Go profile with span labels)', () => {
  const engine = createInProcessEngine();
  let whole: LoadedProfile;
  const cpuType = (index: ProfileIndex) => index.sampleTypes.findIndex((t) => t.type === 'cpu');

  async function selected(...pairs: string[]): Promise<LoadedProfile> {
    const selection: SampleSelection = { labels: pairs.map((p) => parseLabelMatch(p)!) };
    const r = await engine.select(whole.id, selection);
    return {
      id: r.id, source: whole.source, index: r.index, typeIndex: cpuType(r.index), loadedAt: whole.loadedAt,
      selection: { selection, label: selectionLabel(selection), whole },
    };
  }

  before(async () => {
    const r = await engine.load(readFileSync(path.join(DIR, 'cpu.pb.gz')), { roots: [], pathMappings: [] });
    whole = { id: r.id, source: { kind: 'file', label: 'cpu.pb.gz' }, index: r.index, typeIndex: cpuType(r.index), loadedAt: 0 };
  });
  after(() => engine.dispose());

  it('the whole profile has no selection header', () => {
    assert.equal(summarizeSelection(whole), undefined);
  });

  it('one span: its samples, cpu and share of the whole profile as go tool pprof counts them; the span name of its samples', async () => {
    const p = await selected(`span_id=${CHECKOUT}`);
    assert.equal(knownSelectionNames(p), undefined, 'names are read on demand, once');
    const names = await selectionNames(engine, p);
    assert.deepEqual(names, { names: ['POST /checkout'], more: 0 });
    assert.equal(selectionNames(engine, p), selectionNames(engine, p), 'one read per selection');
    const s = summarizeSelection(p)!;
    assert.equal(s.value, goTag(CHECKOUT));
    assert.equal(s.samples, goTag(CHECKOUT) / 10_000_000); // 100 Hz
    assert.equal(s.wholeShare, goTag(CHECKOUT) / goAll);
    assert.equal(s.condition, `span_id = ${CHECKOUT}`);
    assert.equal(selectionTitle(s), 'span 00f067aa… (POST /checkout)');
    assert.equal(selectionAmount(s), '67 samples · 670 ms of cpu · 25.7% of the whole profile\'s cpu');
    // the samples type: the same share, said of samples
    const count = p.index.sampleTypes.findIndex((t) => t.type === 'samples');
    assert.equal(selectionAmount(summarizeSelection(p, count)!), '67 samples · 25.7% of the whole profile\'s samples');
    const d = describeSelection(s);
    assert.equal(d.title, 'Profile of span 00f067aa… (POST /checkout) only');
    assert.equal(d.detail, `67 samples · 670 ms of cpu · 25.7% of cpu.pb.gz's cpu — only the samples with span_id = ${CHECKOUT}. Percentages are shares of this span.`);
    // the page's tooltips: shares of the span (priceCart is all of it), said so
    const tree = toWireTree(await engine.flameTree(p.id, { typeIndex: p.typeIndex, mergeBy: 'function', nodeBudget: 10_000 }), (x) => x);
    const [price] = nodesNamed(tree, 'main.priceCart');
    const tip = describeFrame(tree, price, false, false, d.base);
    assert.equal(tip.find((l) => l.startsWith('Total:')), 'Total: 670 ms (100.0% of this span, 100.0% of parent)');
    assert.match(describeRun(tree, 3, 10_000_000, d.base)[1], /\(1\.49% of this span\)$/);
    assert.match(describeFrame(tree, price, false)[2], /of all/, 'the whole profile keeps "of all"');
  });

  it('a trace: its spans\' names, heaviest first; a selection by span name does not repeat it', async () => {
    const p = await selected(`trace_id=${TRACE_B}`);
    await selectionNames(engine, p);
    const s = summarizeSelection(p)!;
    assert.equal(s.wholeShare, goTag(TRACE_B) / goAll);
    assert.deepEqual(s.names, ['GET /search', 'recommendations']);
    assert.equal(describeSelection(s).title, 'Profile of trace 0af76519… (GET /search, recommendations) only');
    assert.equal(describeSelection(s).base, 'this trace');
    const byName = await selected('span_name=render receipt');
    await selectionNames(engine, byName);
    const n = summarizeSelection(byName)!;
    assert.equal(selectionTitle(n), 'span_name=render receipt (/checkout)', 'the next name key (endpoint) names it');
    assert.equal(n.value, goTag('render receipt'));
    assert.equal(describeSelection(n).base, 'this selection');
  });

  it('a server span profile larger than the whole query states no share (they are two queries)', async () => {
    const p = await selected(`span_id=${CHECKOUT}`);
    const small: LoadedProfile = { ...whole, index: { ...whole.index, totals: whole.index.totals.map((t) => t / 10) } };
    const s = summarizeSelection({ ...p, selection: { ...p.selection!, whole: small, fromServer: true } })!;
    assert.equal(s.wholeShare, undefined);
    assert.equal(s.fromServer, true);
    assert.equal(selectionAmount(s), '67 samples · 670 ms of cpu');
    assert.match(describeSelection(s).detail, /— the server's profile of this span\. Percentages are shares of this span\.$/);
  });
});
