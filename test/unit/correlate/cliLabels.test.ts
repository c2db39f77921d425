/**
 * `profile-lens lines|functions <profile> --label k=v` as a user runs it (the esbuild bundle, a child
 * process) on the real span-labelled Go profile: rows equal go tool pprof -tagfocus, AND/OR of
 * --label, the selection in the JSON, and clear errors (no match: exit 1 naming the label keys; bad
 * --label: exit 2).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { parseGoTop } from '../core/goTop';

const root = path.join(__dirname, '../../..');
const DIR = path.join(root, 'test/fixtures/spans');
const CPU = path.join(DIR, 'cpu.pb.gz');
const cli = path.join(root, '.cache/test/cli-correlate.js');

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: root });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

interface Out {
  total: number;
  selection?: string;
  samples?: number;
  rows: { file: string; line: number; function: string; self: number; total: number }[];
}

describe('profile-lens CLI --label (Correlate)', function () {
  this.timeout(60000);
  before(() => {
    buildSync({ entryPoints: [path.join(root, 'src/cli/main.ts')], bundle: true, platform: 'node', target: 'node20', outfile: cli, logLevel: 'warning' });
  });

  it('lines --label span_id=<id> --json: the rows of go tool pprof -tagfocus=span_id=<id> -top -lines', () => {
    const r = run('lines', CPU, '--label', 'span_id=00f067aa0ba902b7', '--json');
    assert.equal(r.code, 0, r.err);
    const out = JSON.parse(r.out) as Out;
    assert.equal(out.selection, 'span_id=00f067aa0ba902b7');
    const text = readFileSync(path.join(DIR, 'span-checkout.lines.txt'), 'utf8');
    const go = parseGoTop(text, true);
    assert.equal(out.total, Number(/accounting for (\d+)ns/.exec(text)![1]));
    const goRows = new Map(go.rows.map((g) => [`${g.file}:${g.line}`, g]));
    assert.equal(out.rows.length, goRows.size);
    for (const row of out.rows) {
      const g = goRows.get(`${row.file}:${row.line}`);
      assert.ok(g, `${row.file}:${row.line} is in go's table`);
      assert.equal(row.self, g.flat);
      assert.equal(row.total, g.cum);
    }
    // 10 ms per sample (100 Hz): the samples the profiler took for the span
    assert.equal(out.samples, out.total / 10_000_000);
  });

  it('functions --label trace_id=… --label span_name=…: keys AND-ed; one key twice: values OR-ed', () => {
    const trace = JSON.parse(run('functions', CPU, '--label', 'trace_id=4bf92f3577b34da6a3ce929d0e0e4736', '--json').out) as Out;
    const both = JSON.parse(run('functions', CPU, '--label', 'trace_id=4bf92f3577b34da6a3ce929d0e0e4736', '--label', 'span_name=POST /checkout', '--json').out) as Out;
    const checkout = JSON.parse(run('functions', CPU, '--label', 'span_id=00f067aa0ba902b7', '--json').out) as Out;
    assert.ok(both.total < trace.total && both.total > 0);
    assert.equal(both.total, checkout.total, 'in trace A, POST /checkout is span 00f067aa0ba902b7');
    assert.ok(trace.rows.some((x) => x.function === 'main.renderPage') && !both.rows.some((x) => x.function === 'main.renderPage'));
    const two = JSON.parse(run('functions', CPU, '--label', 'span_id=00f067aa0ba902b7', '--label', 'span_id=e457b5a2e4d86bd1', '--json').out) as Out;
    const goTwo = readFileSync(path.join(DIR, 'two-spans.functions.txt'), 'utf8');
    assert.equal(two.total, Number(/accounting for (\d+)ns/.exec(goTwo)![1]));
    assert.equal(two.selection, 'span_id=00f067aa0ba902b7|e457b5a2e4d86bd1');
  });

  it('the human table says which samples it shows', () => {
    const r = run('lines', CPU, '--label', 'span_id=b7ad6b7169203331', '--top', '3');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^samples with span_id=b7ad6b7169203331: \d+\n/);
    assert.match(r.out, /main\.searchIndex/);
  });

  it('an id no sample carries: exit 1, the message names the label keys; a malformed --label: exit 2', () => {
    const r = run('lines', CPU, '--label', 'span_id=0000000000000000');
    assert.equal(r.code, 1);
    assert.equal(r.out, '');
    assert.match(r.err, /No samples carry span_id=0000000000000000; the profile's label keys are: .*span_id \(\d+ samples, 5 values\).*\[no-match\]/);
    const bad = run('lines', CPU, '--label', 'span_id');
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--label needs <key>=<value>, got "span_id"/);
  });
});
