/** Grafana's .pyroscope.yaml: the parser subset, its errors, and its rules applied to real profiles. */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { parsePyroscopeYaml, parseYamlSubset, PyroscopeYamlError } from '../../../src/core/symbolize/pyroscopeYaml';
import { symbolize } from '../../../src/core/symbolize/symbolize';
import { DEPLOY, loadRaw, WS } from './fixtureHelpers';

const GRAFANA_STYLE = `---
# .pyroscope.yaml as documented by Grafana (source code integration)
version: v1
source_code:
  mappings:
    - path:
        - prefix: GOROOT
      language: go
      source:
        github:
          owner: golang
          repo: go
          ref: go1.24.8
          path: src
    - function_name:
        - prefix: github.com/grafana/pyroscope/pkg
        - prefix: "github.com/grafana/pyroscope/api"
      language: go
      source:
        local:
          path: pkg   # relative to this file
    - path:
      - prefix: /usr/src/app
      language: nodejs
      source:
        local:
          path: '.'
`;

describe('symbolize: .pyroscope.yaml', () => {
  it('parses the documented shape into rules (list items at the same indent as their key, quotes, comments)', () => {
    const rules = parsePyroscopeYaml(GRAFANA_STYLE, '/repo');
    assert.deepEqual(rules.map((r) => [r.kind, r.prefix, r.language, r.localPath]), [
      ['path', 'GOROOT', 'go', undefined],
      ['function_name', 'github.com/grafana/pyroscope/pkg', 'go', path.resolve('/repo/pkg')],
      ['function_name', 'github.com/grafana/pyroscope/api', 'go', path.resolve('/repo/pkg')],
      ['path', '/usr/src/app', 'nodejs', path.resolve('/repo')],
    ]);
  });

  it('rejects what it does not understand with a line number', () => {
    assert.throws(() => parsePyroscopeYaml('version: v2\n', '/r'), /unsupported version "v2"/);
    assert.throws(() => parseYamlSubset('a:\n\t- b\n'), /line 2: tabs/);
    assert.throws(() => parseYamlSubset('a: 1\n  b: 2\n'), (e: Error) => e instanceof PyroscopeYamlError && /line 2/.test(e.message));
    assert.throws(() => parseYamlSubset('just text\n'), PyroscopeYamlError);
    assert.deepEqual(parseYamlSubset('a: [1, 2]\nb: {"c": "d"}\n'), { a: [1, 2], b: { c: 'd' } });
  });

  it('a path rule maps the deployment prefix (longest prefix wins between rules)', async () => {
    const text = `version: v1\nsource_code:\n  mappings:\n    - path:\n        - prefix: /tmp\n      source:\n        local:\n          path: nowhere\n    - path:\n        - prefix: ${DEPLOY}\n      source:\n        local:\n          path: .\n`;
    const raw = loadRaw('lib-time-default.pb.gz');
    const r = await symbolize(raw, { roots: [WS], pathMappings: [], pyroscopeYaml: [{ dir: WS, text }] });
    assert.ok(r.stats!.resolvedBy['pyroscope-yaml'] >= 5, JSON.stringify(r.stats));
    assert.equal(r.stats!.resolvedBy.inferred, undefined, 'the rule comes before suffix inference');
    assert.ok(r.files.some((f) => f.path === path.join(WS, 'src/tokenizer.ts')));
  });

  it('a function_name rule selects the folder searched for the frame’s file', async () => {
    const text = 'version: v1\nsource_code:\n  mappings:\n    - function_name:\n        - prefix: slowCheck\n      language: nodejs\n      source:\n        local:\n          path: lib\n';
    const raw = loadRaw('lib-time-default.pb.gz');
    // roots hold only the sources here, so nothing but the rule can find lib/tokenizer.js
    const r = await symbolize(raw, { roots: [path.join(WS, 'src'), path.join(WS, 'lib')], pathMappings: [], pyroscopeYaml: [{ dir: WS, text }] });
    // tokenizer.js holds slowChecksum: the rule's folder (lib/) is searched for it; source map → src/tokenizer.ts
    assert.equal(r.stats!.resolvedBy['pyroscope-yaml'], 1, JSON.stringify(r.stats));
    assert.ok(r.files.some((f) => f.path === path.join(WS, 'src/tokenizer.ts')), JSON.stringify(r.unresolved.map((u) => u.profilePath)));
  });

  it('a broken yaml does not stop the load: reported in stats, other rules still apply', async () => {
    const raw = loadRaw('lib-time-default.pb.gz');
    const r = await symbolize(raw, { roots: [WS], pathMappings: [], pyroscopeYaml: [{ dir: WS, text: 'version: v1\nsource_code:\n\tmappings: x\n' }] });
    assert.equal(r.stats!.yamlErrors.length, 1);
    assert.match(r.stats!.yamlErrors[0], /\.pyroscope\.yaml: line 3: tabs/);
    const shown = r.unresolved.find((u) => u.profilePath === path.join(WS, '.pyroscope.yaml'));
    assert.ok(shown && /^ignored: .*line 3: tabs/.test(shown.detail), JSON.stringify(r.unresolved));
    assert.ok(r.files.some((f) => f.path === path.join(WS, 'src/tokenizer.ts')));
  });
});
