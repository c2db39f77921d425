/**
 * Issue 7, the flame graph page in headless Chromium (the real page bundle, fed over the protocol by
 * test/ui/flameGraphPage.ts acting as the host) with the tree of the REAL hostile @datadog/pprof
 * profile (test/fixtures/hostile): names with HTML/<script>, onerror handlers, markdown/command links,
 * control characters and a 100 kB name are drawn on the canvas and shown as text in the tooltip,
 * breadcrumb and search — no element is created from them and no script runs.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { FlameIndex, ROW_HEIGHT, layoutFlame, rectOfNode } from '../../src/webview/flameGraph/flameLayout';
import type { WireFlameTree } from '../../src/shared/protocol';
import { loadTree } from '../unit/flameGraph/realTrees';
import { ROOT, openFlamePage, type FlamePage } from './flameGraphPage';

declare const document: any;
declare const window: any;

const HOSTILE = path.join(ROOT, 'test/fixtures/hostile/hostile.pb.gz');

describe('flame graph page with hostile names (real profile)', function () {
  this.timeout(120_000);
  let fp: FlamePage;
  let t: WireFlameTree;
  const dialogs: string[] = [];

  before(async () => {
    ({ wire: t } = await loadTree(HOSTILE));
    fp = await openFlamePage({ width: 1400, height: 700, theme: 'dark' });
    fp.page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
  });
  after(async () => fp?.close());

  const elements = () => fp.page.evaluate(() => ({
    img: document.querySelectorAll('img').length,
    scripts: document.querySelectorAll('script').length,
    links: document.querySelectorAll('a[href]').length,
    pwned: window.__pwned === true,
  }));

  it('draws the tree; tooltips and the breadcrumb show the names as text; nothing is interpreted', async () => {
    const before = await elements();
    await fp.sendTree(t, { label: '<img src=x onerror="window.__pwned=true">.pb.gz' });
    const box = await fp.canvasBox();
    const index = new FlameIndex(t);
    const r = layoutFlame(index, { width: box.width, height: box.height, rowHeight: ROW_HEIGHT, scrollTop: 0, orientation: 'icicle', zoom: 0 });
    const hostile = [...Array(t.count).keys()].filter((i) => i > 0 && /<script>|onerror|command:|\u001b|^L{1000}/.test(t.strings[t.name[i]]));
    assert.ok(hostile.length >= 4, `hostile frames in the tree: ${hostile.length}`);
    let shown = 0;
    for (const node of hostile) {
      const k = rectOfNode(r, node);
      if (k < 0 || r.w[k] < 4) continue;
      await fp.page.mouse.move(box.x + r.x[k] + Math.min(r.w[k] / 2, 30), box.y + r.y[k] + ROW_HEIGHT / 2);
      const tip = fp.page.locator('.tooltip');
      await tip.waitFor({ state: 'visible' });
      const text = await tip.textContent();
      const name = t.strings[t.name[node]];
      assert.ok(text?.includes(name.slice(0, 200).replace(/\r\n?/g, '\n').slice(0, 40)) || text?.includes(name.slice(0, 20)), `tooltip shows the name literally: ${JSON.stringify(text?.slice(0, 120))}`);
      shown++;
    }
    assert.ok(shown >= 3, `tooltips checked: ${shown}`);
    // zoom into the <script> frame: the breadcrumb carries its name as text
    const script = hostile.find((i) => t.strings[t.name[i]].includes('<script>'))!;
    const k = rectOfNode(r, script);
    const since = fp.messages.length;
    await fp.page.mouse.click(box.x + r.x[k] + 4, box.y + r.y[k] + ROW_HEIGHT / 2);
    await fp.next('drawn', 5000, since);
    const crumbs = await fp.page.locator('.crumbs .crumb').allTextContents();
    assert.ok(crumbs.some((c) => c.includes('<script>alert(2)</script>')), JSON.stringify(crumbs));
    // search for markup
    await fp.page.locator('input.search').fill('<img src=x');
    await fp.page.waitForFunction(() => /frame/.test(document.querySelector('.search-info').textContent));
    const after = await elements();
    assert.deepEqual(after, before, 'no element was created from profile strings');
    assert.equal(after.pwned, false);
    assert.deepEqual(dialogs, [], 'no script ran');
  });
});
