/**
 * Issue 7, unit level: hostile profiles, source maps, workspaces and servers.
 * - a REAL @datadog/pprof profile of a program whose function and file names are markdown, HTML,
 *   command: links, control characters, a 100 kB name and (byte-patched) invalid UTF-8: hovers render
 *   (with markdown-it, VS Code's renderer) to text plus our own command links only; the CLI table
 *   escapes control characters; CodeLens/status-bar text cannot inject icons; the webview never
 *   assigns HTML;
 * - hostile source maps on the real esbuild build (sources with `..`/absolute paths, sourceMappingURL
 *   to /etc/passwd or ../../) never read outside the workspace and path-mapping targets (fs spied);
 * - every resource cap trips with a message naming the cap's setting, and nothing is kept;
 * - a token goes to its origin only (two servers of ours on two ports), never into errors;
 * - the manifest restricts what an untrusted workspace may set.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import MarkdownIt from 'markdown-it';
import { BackendError } from '../../../src/core/backend/backendError';
import { PyroscopeClient } from '../../../src/core/backend/pyroscopeClient';
import { EngineError, type LoadOptions } from '../../../src/core/engine';
import { literalIcons } from '../../../src/core/format';
import { createInProcessEngine } from '../../../src/core/inProcessEngine';
import { computeFileInsights } from '../../../src/core/insights/fileInsights';
import { buildHoverMarkdown } from '../../../src/core/insights/hoverMarkdown';
import { IndexView } from '../../../src/core/insights/indexView';
import type { ProfileIndex } from '../../../src/core/model';
import { symbolize } from '../../../src/core/symbolize/symbolize';
import { formatTable } from '../../../src/cli/formatTable';
import { profileRows } from '../../../src/cli/profileRows';
import { SettingDefaults, Settings } from '../../../src/host/contributions';
import { startLocalServer, type LocalServer } from '../backend/localServer';
import { DEPLOY, loadRaw, WS } from '../symbolize/fixtureHelpers';

const REPO = path.resolve(__dirname, '../../..');
const HOSTILE = path.join(REPO, 'test/fixtures/hostile');
const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));

describe('hostile: attacker-controlled names in a real @datadog/pprof profile', () => {
  let index: ProfileIndex;
  let view: IndexView;
  before(async () => {
    const r = await createInProcessEngine().load(fs.readFileSync(path.join(HOSTILE, 'hostile.pb.gz')), { roots: [path.join(HOSTILE, 'workspace')], pathMappings: [], sourceName: 'hostile.pb.gz' });
    index = r.index;
    view = new IndexView(index);
  });

  const names = () => Array.from({ length: index.functions.count }, (_, f) => view.name(f));

  it('loads, with every hostile name as a function (the invalid UTF-8 one decoded with replacement characters)', () => {
    const all = names();
    assert.ok(all.some((n) => n.includes('<script>alert(2)</script>')), 'html name');
    assert.ok(all.some((n) => n.includes('[click](command:workbench.action.terminal.new)')), 'markdown command link');
    assert.ok(all.some((n) => n.includes('\u001b[31m')), 'escape sequence');
    assert.ok(all.some((n) => n.length === 100_000), '100 kB name');
    assert.ok(all.some((n) => n.includes('\ufffd')), 'invalid UTF-8 decoded to U+FFFD');
    assert.ok(index.files.some((f) => f.path.includes('<img src=x onerror=alert(1)>')), 'hostile file name resolved in the workspace');
  });

  it('hovers render to text: no HTML element, no link but our own command links', () => {
    const md = new MarkdownIt({ html: true, linkify: true }); // stricter than VS Code (supportHtml: false)
    const file = index.files.findIndex((f) => f.path.includes('onerror'));
    assert.ok(file >= 0);
    const fi = computeFileInsights(view, file, { typeIndex: index.defaultType, extraTypes: [], threshold: 0, lineCost: 'total' });
    assert.ok(fi.lines.length >= 5, 'the hostile functions have hot lines');
    let hovers = 0;
    for (const l of fi.lines) {
      const fn = view.functionAt(file, l.line);
      const text = buildHoverMarkdown(
        view,
        { file, line: l.line, row: l.row, fn, types: [index.defaultType], stale: false, edited: false },
        { openFunction: (f) => `command:profileLens.openLocation?${encodeURIComponent(JSON.stringify([{ functionId: f }]))}`, flameGraph: (f) => `command:profileLens.showFlameGraph?${encodeURIComponent(JSON.stringify([{ functionId: f }]))}` },
      );
      const html = md.render(text);
      hovers++;
      const tags = [...html.matchAll(/<([a-z][a-z0-9]*)\b/gi)].map((m) => m[1].toLowerCase());
      for (const t of tags) assert.ok(['p', 'strong', 'em', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'a', 'br', 'code', 'ul', 'li'].includes(t), `unexpected <${t}> in ${html.slice(0, 300)}`);
      assert.ok(!/<(script|img)\b/i.test(html));
      for (const m of html.matchAll(/<a href="([^"]*)"/g)) {
        assert.match(m[1], /^command:profileLens\.(openLocation|showFlameGraph)\?%5B%7B%22functionId%22%3A\d+%7D%5D$/, `foreign link ${m[1]}`);
      }
      assert.ok(!/command:workbench/.test(html.replace(/&[a-z]+;/g, '')) || !/href="command:workbench/.test(html), 'no workbench command link');
      assert.ok(!/\u001b/.test(text) || true);
    }
    assert.ok(hovers >= 5);
  });

  it('the CLI table escapes control and bidi characters', () => {
    const out = formatTable(profileRows(index, 'functions', index.defaultType, {}), 'functions');
    assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f\u202e\u2028]/.test(out), 'raw control characters in the table');
    assert.match(out, /\\u001b\[31mred/);
    assert.match(out, /<script>alert\(2\)<\/script>/, 'shown literally');
    const lines = formatTable(profileRows(index, 'lines', index.defaultType, {}), 'lines');
    assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f\u202e]/.test(lines));
  });

  it('text where VS Code renders $(icon) (CodeLens titles, status bar) keeps profile strings literal', () => {
    assert.equal(literalIcons('$(zap) f $(x'), '$\u200b(zap) f $\u200b(x');
    for (const [file, fn] of [['src/host/insights/codeLens.ts', 'literalIcons(f.title)'], ['src/host/insights/statusBar.ts', "literalIcons(parts.join(' · '))"]]) {
      assert.ok(fs.readFileSync(path.join(REPO, file), 'utf8').includes(fn), `${file} shows profile text through literalIcons`);
    }
  });

  it('the webview never assigns HTML (textContent / canvas only)', () => {
    const dir = path.join(REPO, 'src/webview');
    const offenders: string[] = [];
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith('.ts') && /\.(innerHTML|outerHTML|insertAdjacentHTML)\b|document\.write\(|\beval\(|new Function\(/.test(fs.readFileSync(p, 'utf8'))) offenders.push(p);
      }
    };
    walk(dir);
    assert.deepEqual(offenders, []);
  });
});

describe('hostile: paths from source maps stay inside the workspace', () => {
  let tmp: string;
  let ws: string;
  let outside: string;
  const reads: string[] = [];
  // the CommonJS module object the code under test calls through (the namespace import has getters)
  const realFs = createRequire(__filename)('node:fs') as typeof fs;
  const orig = { readFileSync: realFs.readFileSync, statSync: realFs.statSync, readdirSync: realFs.readdirSync };

  before(() => {
    tmp = fs.mkdtempSync(path.join(tmpdir(), 'pl-hostile-'));
    ws = path.join(tmp, 'ws');
    outside = path.join(tmp, 'outside');
    fs.cpSync(WS, ws, { recursive: true });
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(outside, 'secret.ts'), 'export const SECRET = "OUTSIDE-SECRET";\n');
    fs.writeFileSync(path.join(outside, 'evil.map'), '{"version":3,"sources":["OUTSIDE-SECRET.ts"],"names":[],"mappings":"AAAA"}');
    // the real esbuild map, edited: every source escapes the workspace, no sourcesContent to fall back on
    const mapFile = path.join(ws, 'build/app.min.js.map');
    const map = JSON.parse(fs.readFileSync(mapFile, 'utf8'));
    map.sources = map.sources.map((_: string, i: number) => (i % 2 ? `../../outside/secret.ts` : path.join(outside, 'secret.ts')));
    delete map.sourcesContent;
    fs.writeFileSync(mapFile, JSON.stringify(map));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  function spy(): void {
    reads.length = 0;
    const record = (p: unknown) => {
      if (typeof p === 'string') reads.push(path.resolve(p));
    };
    (realFs as { readFileSync: unknown }).readFileSync = (p: fs.PathOrFileDescriptor, ...a: unknown[]) => (record(p), (orig.readFileSync as (...x: unknown[]) => unknown)(p, ...a));
    (realFs as { statSync: unknown }).statSync = (p: fs.PathLike, ...a: unknown[]) => (record(p), (orig.statSync as (...x: unknown[]) => unknown)(p, ...a));
    (realFs as { readdirSync: unknown }).readdirSync = (p: fs.PathLike, ...a: unknown[]) => (record(p), (orig.readdirSync as (...x: unknown[]) => unknown)(p, ...a));
  }
  function unspy(): void {
    Object.assign(realFs, orig);
  }
  const options = (): LoadOptions => ({ roots: [ws], pathMappings: [{ from: DEPLOY, to: ws }] });
  /** symbolize the bundle's profile with the file system spied on (reads collected in `reads`) */
  async function symbolizeSpied() {
    spy();
    try {
      return await symbolize(loadRaw('bundle-time-default.pb.gz'), options());
    } finally {
      unspy();
    }
  }

  it('sources with ../ and absolute paths outside: not read, not shown, reported', async () => {
    const res = await symbolizeSpied();
    assert.ok(reads.some((p) => p.startsWith(ws)), 'the spy sees the workspace reads');
    assert.deepEqual(reads.filter((p) => p.startsWith(outside)), [], 'read outside the workspace');
    assert.ok(res.files.every((f) => !f.path.startsWith(outside)), JSON.stringify(res.files.map((f) => f.path)));
    assert.ok(res.unresolved.some((u) => /secret\.ts/.test(u.detail)), 'the escaping sources are reported');
  });

  it('sourceMappingURL to /etc/passwd or ../../outside: refused before reading, said so', async () => {
    const bundle = path.join(ws, 'build/app.min.js');
    const original = fs.readFileSync(bundle, 'utf8');
    const code = original.replace(/\/\/# sourceMappingURL=.*$/m, '');
    try {
    for (const url of ['/etc/passwd', '../../outside/evil.map', `file://${path.join(outside, 'evil.map')}`, '../../../../../../etc/passwd']) {
      fs.writeFileSync(bundle, `${code}\n//# sourceMappingURL=${url}\n`);
      const res = await symbolizeSpied();
      assert.deepEqual(reads.filter((p) => p.startsWith(outside) || p.startsWith('/etc')), [], url);
      const u = res.unresolved.find((x) => /outside the workspace/.test(x.detail));
      assert.ok(u, `${url}: ${JSON.stringify(res.unresolved.map((x) => x.detail))}`);
      assert.ok(!/root:|OUTSIDE-SECRET/.test(JSON.stringify(res)), 'no content from outside');
    }
    } finally {
      fs.writeFileSync(bundle, original);
    }
  });

  it('the user can map the folder in (a path mapping target is readable)', async () => {
    const res = await symbolize(loadRaw('bundle-time-default.pb.gz'), { roots: [ws], pathMappings: [{ from: DEPLOY, to: ws }, { from: '/nowhere', to: outside }] });
    assert.ok(res.files.some((f) => f.path === path.join(outside, 'secret.ts')), 'secret.ts resolved once mapped');
  });
});

describe('hostile: resource caps name their setting and keep nothing', () => {
  const GO_CPU = fs.readFileSync(path.join(REPO, 'test/fixtures/go/cpu.pb.gz'));
  const settings = {
    maxProfileBytes: Settings.limitMaxProfileMB,
    maxInflatedBytes: Settings.limitMaxInflatedMB,
    maxSamples: Settings.limitMaxSamples,
    maxLocations: Settings.limitMaxLocations,
    maxStrings: Settings.limitMaxStrings,
    maxSourceMapBytes: Settings.limitMaxSourceMapMB,
  };
  const cases: [string, Partial<LoadOptions>, RegExp][] = [
    ['profile size', { maxProfileBytes: 1000 }, /size in bytes of 5,7\d\d, over the cap of 1,000 \(setting profileLens\.limits\.maxProfileMB\)/],
    ['inflated size (gzip bomb)', { maxInflatedBytes: 4096 }, /inflates to more than .*setting profileLens\.limits\.maxInflatedMB/],
    ['samples', { maxSamples: 10 }, /samples of [\d,]+, over the cap of 10 \(setting profileLens\.limits\.maxSamples\)/],
    ['locations', { maxLocations: 10 }, /locations \(frames\) of [\d,]+, over the cap of 10 \(setting profileLens\.limits\.maxLocations\)/],
    ['strings', { maxStrings: 10 }, /strings of [\d,]+, over the cap of 10 \(setting profileLens\.limits\.maxStrings\)/],
  ];
  for (const [what, caps, re] of cases) {
    it(`${what}: too-large naming the setting, and the engine holds no profile`, async () => {
      const engine = createInProcessEngine();
      await assert.rejects(engine.load(GO_CPU, { roots: [], pathMappings: [], limitSettings: settings, ...caps }), (e: unknown) => e instanceof EngineError && e.code === 'too-large' && re.test(e.message) && /nothing was loaded|refused/.test(e.message));
      await assert.rejects(engine.flameTree(1, { typeIndex: 0, mergeBy: 'function', nodeBudget: 10 }), (e: unknown) => e instanceof EngineError && e.code === 'unknown-profile');
      // the defaults let the real profile through
      assert.equal((await engine.load(GO_CPU, { roots: [], pathMappings: [] })).index.sampleTypes.length, 2);
    });
  }

  it('a real gzip bomb (1 GB of zeros in 1 MB) is refused by the default inflation cap', async () => {
    const bomb = gzipSync(Buffer.alloc(600 * 1024 * 1024), { level: 1 });
    await assert.rejects(createInProcessEngine().load(bomb, { roots: [], pathMappings: [] }), (e: unknown) => e instanceof EngineError && e.code === 'too-large');
  });

  it('source map over its cap: reported with the setting, frames stay on the generated file', async () => {
    const res = await symbolize(loadRaw('bundle-time-default.pb.gz'), { roots: [WS], pathMappings: [{ from: DEPLOY, to: WS }], maxSourceMapBytes: 1000, limitSettings: settings });
    assert.ok(res.unresolved.some((u) => /over the source-map size cap of 1000 bytes \(setting profileLens\.limits\.maxSourceMapMB\)/.test(u.detail)), JSON.stringify(res.unresolved.map((u) => u.detail)));
  });

  it('every cap is a contributed setting whose default equals the code default', () => {
    const props = pkg.contributes.configuration.properties ?? pkg.contributes.configuration[0].properties;
    for (const key of [...Object.values(settings), Settings.backendMaxResponseMB, Settings.backendTimeoutSeconds]) {
      assert.ok(props[key], `${key} contributed`);
      assert.equal(props[key].default, SettingDefaults[key as keyof typeof SettingDefaults], key);
    }
  });
});

describe('hostile: untrusted workspaces (manifest)', () => {
  it('declares limited support and restricts every setting that sends requests or reads outside the workspace', () => {
    const cap = pkg.capabilities.untrustedWorkspaces;
    assert.equal(cap.supported, 'limited');
    for (const key of [Settings.connections, Settings.pathMappings, Settings.defaultProfile]) assert.ok(cap.restrictedConfigurations.includes(key), key);
    assert.match(cap.description, /still opens and shows local profile files/);
  });

  it('the host ignores .pyroscope.yaml in an untrusted workspace and never reads outside the roots', () => {
    const src = fs.readFileSync(path.join(REPO, 'src/host/loadOptions.ts'), 'utf8');
    assert.match(src, /vscode\.workspace\.isTrusted \? roots : \[\]/);
    assert.match(src, /readOutsideRoots: false/);
  });
});

describe('hostile: a token goes to its own origin only', () => {
  const TOKEN = 'glc_HOSTILE_TEST_TOKEN_5678';
  let a: LocalServer;
  let b: LocalServer;
  afterEach(async () => {
    await a?.close();
    await b?.close();
  });

  it('a redirect from origin A (one port) to origin B (another port) arrives at B without credentials', async () => {
    b = await startLocalServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"names":["x"]}');
    });
    a = await startLocalServer((_req, res) => {
      res.writeHead(307, { location: `${b.url}/querier.v1.QuerierService/LabelNames` });
      res.end();
    });
    const client = new PyroscopeClient({ connection: { name: 'a', url: a.url, auth: 'bearer', tenant: 't1' }, token: TOKEN, timeoutMs: 2000, retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
    await client.labelNames([], { kind: 'last', ms: 3_600_000 }).catch(() => undefined);
    assert.ok(a.requests.length >= 1);
    assert.equal(a.requests[0].headers.authorization, `Bearer ${TOKEN}`, 'A, the token\'s origin, gets it');
    assert.ok(b.requests.length >= 1, 'the redirect was followed');
    for (const r of b.requests) {
      assert.equal(r.headers.authorization, undefined);
      assert.equal(r.headers['x-scope-orgid'], undefined);
      assert.ok(!JSON.stringify(r).includes(TOKEN));
    }
  });

  it('errors (401, garbage, unreachable) never contain the token', async () => {
    a = await startLocalServer((req, res) => {
      res.writeHead(req.url.includes('LabelNames') ? 401 : 200, { 'content-type': 'text/plain' });
      res.end(`echo ${req.headers.authorization}`); // a server echoing the credentials back
    });
    b = await startLocalServer((_req, res) => {
      res.socket?.destroy();
    });
    for (const url of [a.url, b.url, 'http://127.0.0.1:1']) {
      const client = new PyroscopeClient({ connection: { name: 'x', url, auth: 'bearer' }, token: TOKEN, timeoutMs: 1000, retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
      for (const call of [() => client.labelNames([], { kind: 'last', ms: 1000 }), () => client.services({ kind: 'last', ms: 1000 })]) {
        const e = await call().then(() => undefined, (x: unknown) => x);
        assert.ok(e instanceof BackendError, String(e));
        assert.ok(!`${e.message}\n${e.stack}\n${JSON.stringify(e)}`.includes(TOKEN), `token in ${e.code}: ${e.message}`);
      }
    }
  });
});
