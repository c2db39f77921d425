import assert from 'node:assert/strict';
import { DIFF_STEPS, PACKAGE_SHADES, Slot, buildPalette, colourIndices, diffDelta, isDiffTree, packageOf, type ThemeKind } from '../../../src/webview/flameGraph/colours';
import { describeFrame, formatValue, mergedNote } from '../../../src/webview/flameGraph/describe';
import { FlameIndex, layoutFlame } from '../../../src/webview/flameGraph/flameLayout';
import { escapeXml, toSvg, truncateLabel } from '../../../src/webview/flameGraph/svgExport';
import { GO_CPU, NODE_DEFAULT, NODE_LINES, handTree, loadTree, nodesNamed } from './realTrees';

function hslToRgb(css: string): [number, number, number] {
  if (css.startsWith('#')) {
    const h = css.slice(1, 7);
    return [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16)) as [number, number, number];
  }
  const m = /^hsl\(([\d.]+) ([\d.]+)% ([\d.]+)%\)$/.exec(css);
  if (!m) throw new Error(`unparsed colour ${css}`);
  const [h, s, l] = [Number(m[1]) / 360, Number(m[2]) / 100, Number(m[3]) / 100];
  const q = l < 0.5 ? l * (1 + s) : l + s - l * s;
  const p = 2 * l - q;
  const f = (t: number) => {
    t = (t + 1) % 1;
    if (t < 1 / 6) return p + (q - p) * 6 * t;
    if (t < 1 / 2) return q;
    if (t < 2 / 3) return p + (q - p) * (2 / 3 - t) * 6;
    return p;
  };
  return [f(h + 1 / 3), f(h), f(h - 1 / 3)].map((v) => Math.round(v * 255)) as [number, number, number];
}
function luminance([r, g, b]: [number, number, number]): number {
  const c = (v: number) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  return 0.2126 * c(r) + 0.7152 * c(g) + 0.0722 * c(b);
}
function contrast(a: string, b: string): number {
  const [x, y] = [luminance(hslToRgb(a)), luminance(hslToRgb(b))].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

describe('flame graph colours', () => {
  it('labels stay readable: text/fill contrast ≥ 4.5 in every mode and theme', () => {
    for (const theme of ['light', 'dark', 'high-contrast', 'high-contrast-light'] as ThemeKind[]) {
      for (const mode of ['package', 'heat', 'diff'] as const) {
        const p = buildPalette(mode, theme);
        p.fill.forEach((f, i) => {
          if (i === Slot.Dimmed) return; // de-emphasised on purpose (search non-matches)
          assert.ok(contrast(f, p.text[i]) >= 4.5, `${theme}/${mode} slot ${i}: ${f} on ${p.text[i]} = ${contrast(f, p.text[i]).toFixed(2)}`);
        });
      }
    }
  });

  it('groups frames by package / file folder', () => {
    assert.equal(packageOf('net/http.(*conn).serve', ''), 'net/http');
    assert.equal(packageOf('runtime.mallocgc', ''), 'runtime');
    assert.equal(packageOf('github.com/x/y/z.Func', ''), 'github.com/x/y/z');
    assert.equal(packageOf('parse', '/app/node_modules/@scope/pkg/lib/a.js'), '@scope/pkg');
    assert.equal(packageOf('parse', '/app/node_modules/lodash/a.js'), 'lodash');
    assert.equal(packageOf('handle', 'src/api/handler.ts'), 'src/api');
    assert.equal(packageOf('(garbage collector)', ''), '(garbage collector)');
  });

  it('same package, same colour (real Go profile)', async () => {
    const { wire: t } = await loadTree(GO_CPU);
    const c = colourIndices(t, 'package');
    const runtime = [...Array(t.count).keys()].filter((i) => i > 0 && t.files[t.file[i]]?.endsWith('runtime/proc.go'));
    assert.ok(runtime.length > 1);
    const hue = (i: number) => Math.floor((c[i] - Slot.First) / PACKAGE_SHADES);
    assert.equal(new Set(runtime.map(hue)).size, 1);
    const mainGo = [...Array(t.count).keys()].filter((i) => i > 0 && t.files[t.file[i]]?.endsWith('gen/main.go'));
    assert.ok(mainGo.length > 1);
    assert.notEqual(hue(mainGo[0]), hue(runtime[0]), 'two packages, two hues');
  });

  it('self heat puts the hottest self frame at the top level', async () => {
    const { wire: t } = await loadTree(GO_CPU);
    const c = colourIndices(t, 'heat');
    let hottest = 1;
    for (let i = 1; i < t.count; i++) if (t.self[i] > t.self[hottest]) hottest = i;
    assert.equal(c[hottest], Math.max(...c));
  });

  it('diff trees: red where the share grew, green where it shrank (two real profiles)', async () => {
    const { wire: t } = await loadTree(NODE_LINES, {}, NODE_DEFAULT);
    assert.ok(isDiffTree(t));
    const c = colourIndices(t, 'diff');
    const mid = Slot.First + DIFF_STEPS;
    let red = 0;
    let green = 0;
    for (let i = 1; i < t.count; i++) {
      const d = diffDelta(t, i);
      if (c[i] > mid) { red++; assert.ok(d > 0); }
      if (c[i] < mid && c[i] >= Slot.First) { green++; assert.ok(d < 0); }
    }
    assert.ok(red + green > 0, 'two different runs differ somewhere');
    // a profile against itself is all neutral
    const { wire: same } = await loadTree(GO_CPU, {}, GO_CPU);
    const cs = colourIndices(same, 'diff');
    for (let i = 1; i < same.count; i++) assert.ok(cs[i] === mid || cs[i] === Slot.Other);
  });
});

describe('flame graph text', () => {
  it('formats values by unit', () => {
    assert.equal(formatValue(2_230_000_000, 'nanoseconds'), '2.23 s');
    assert.equal(formatValue(15_500_000, 'nanoseconds'), '15.5 ms');
    assert.equal(formatValue(3 * 1024 * 1024, 'bytes'), '3.00 MiB');
    assert.equal(formatValue(1234, 'count'), '1,234');
    assert.equal(formatValue(1500, 'microseconds'), '1.50 ms');
  });

  it('tooltips carry name, file:line, total/self with shares and the sample type (real Go profile)', async () => {
    const { wire: t } = await loadTree(GO_CPU);
    const n = nodesNamed(t, 'main.hashLoop')[0];
    const lines = describeFrame(t, n, false);
    assert.equal(lines[0], 'main.hashLoop');
    assert.match(lines[1], /go\/gen\/main\.go:\d+$/);
    assert.match(lines[2], /^Total: [\d.]+ (s|ms) \([\d.]+% of all, [\d.]+% of parent\)$/);
    assert.match(lines[3], /^Self: /);
    assert.equal(lines.at(-1), 'Sample type: cpu (nanoseconds)');
  });

  it('bottom-up tooltips: self only for the leaves under the root, where it is their total (real Go profile)', async () => {
    const { wire: t } = await loadTree(GO_CPU, { inverted: true });
    const leaf = nodesNamed(t, 'main.hashLoop').find((i) => t.depth[i] === 1)!;
    const lines = describeFrame(t, leaf, false, true);
    assert.ok(lines.some((l) => l.startsWith('Self: ') && l.includes('bottom-up')));
    const caller = [...Array(t.count).keys()].find((i) => t.depth[i] === 2)!;
    assert.ok(!describeFrame(t, caller, false, true).some((l) => l.startsWith('Self')));
  });

  it('says what the node budget merged', async () => {
    const { wire: t } = await loadTree(GO_CPU, { nodeBudget: 40 });
    assert.ok(t.merged.nodes > 0);
    assert.match(mergedNote(t), /^other: [\d.<]+% in \d+ tiny frames/);
    const { wire: full } = await loadTree(GO_CPU);
    assert.equal(mergedNote(full), '');
  });

  it('fits labels: whole name, else without the import path, else cut; nothing when tiny', () => {
    const go = 'github.com/acme/shop/internal/pkg12.(*T1).Method3';
    assert.equal(truncateLabel(go, 100), go);
    assert.equal(truncateLabel(go, 25), 'pkg12.(*T1).Method3');
    assert.equal(truncateLabel(go, 10), 'pkg12.(*T…');
    assert.equal(truncateLabel(go, 3), '');
    assert.equal(truncateLabel('net/http.(*conn).serve', 16), 'http.(*conn).se…');
    assert.equal(truncateLabel('(anonymous)', 8), '(anonym…');
  });

  it('exports SVG with every name escaped', async () => {
    const tree = handTree([['all', -1, 0], ['<script>alert("x")</script>', 0, 5], ['a&b', 0, 5]]);
    const index = new FlameIndex(tree);
    const rects = layoutFlame(index, { width: 400, height: 200, rowHeight: 20, scrollTop: 0, orientation: 'icicle', zoom: 0 });
    const svg = toSvg({
      tree, rects, palette: buildPalette('package', 'light'), colour: colourIndices(tree, 'package'), width: 400, height: 200,
      background: '#fff', fontFamily: 'sans-serif', fontSize: 12, byLine: false, title: 'a <b>',
    }, 7);
    assert.ok(!svg.includes('<script>'));
    assert.ok(svg.includes('&lt;script&gt;'));
    assert.ok(svg.includes('a&amp;b'));
    assert.equal((svg.match(/<rect /g) ?? []).length, rects.count + 1);
    assert.equal(escapeXml(`'"`), '&apos;&quot;');
  });
});
