/**
 * The `profile-lens` CLI as a user runs it (the esbuild bundle, a child process) on the real Go
 * profiles: the JSON shape of issue 2, rows sorted by self, files relative to --root, function rows
 * at the start line, --type/--top/--path-map, the human table, and errors on stderr with exit codes.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { parseGoTop } from './goTop';

const root = path.join(__dirname, '../../..');
const GO = path.join(root, 'test/fixtures/go');
const cli = path.join(root, '.cache/test/cli.js');

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: root });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

interface Out {
  sampleType: { type: string; unit: string };
  total: number;
  rows: { file: string; line: number; function: string; self: number; total: number; selfPct: number; totalPct: number }[];
}

describe('profile-lens CLI', function () {
  this.timeout(60000);
  before(() => {
    buildSync({ entryPoints: [path.join(root, 'src/cli/main.ts')], bundle: true, platform: 'node', target: 'node20', outfile: cli, logLevel: 'warning' });
  });

  it('lines --json: shape, sorted by self, relative files, same flat/cum as go tool pprof', () => {
    const r = run('lines', path.join(GO, 'cpu.pb.gz'), '--root', path.join(GO, 'gen'), '--json');
    assert.equal(r.code, 0, r.err);
    const out = JSON.parse(r.out) as Out;
    assert.deepEqual(out.sampleType, { type: 'cpu', unit: 'nanoseconds' });
    const go = parseGoTop(readFileSync(path.join(GO, 'cpu.top-lines.txt'), 'utf8'), true);
    assert.equal(out.total, go.total);
    for (let i = 1; i < out.rows.length; i++) assert.ok(out.rows[i - 1].self >= out.rows[i].self, 'sorted by self');
    for (const row of out.rows) {
      assert.deepEqual(Object.keys(row), ['file', 'line', 'function', 'self', 'total', 'selfPct', 'totalPct']);
      assert.ok(!row.file.includes('\\'));
      assert.ok(Math.abs(row.selfPct - (100 * row.self) / out.total) < 1e-3);
    }
    const hash = out.rows.find((x) => x.file === 'main.go' && x.line === 28)!;
    assert.equal(hash.function, 'main.hashLoop');
    const goRow = go.rows.find((x) => x.file!.endsWith('/gen/main.go') && x.line === 28)!;
    assert.equal(hash.self, goRow.flat);
    assert.equal(hash.total, goRow.cum);
    const runtime = out.rows.find((x) => x.file.includes('/src/runtime/'));
    assert.ok(runtime && path.isAbsolute(runtime.file), 'files outside --root keep their resolved path');
  });

  it('functions --json --type --top: function rows carry the start line', () => {
    const r = run('functions', path.join(GO, 'heap.pb.gz'), '--type', 'inuse_space', '--root', path.join(GO, 'gen'), '--top', '3', '--json');
    assert.equal(r.code, 0, r.err);
    const out = JSON.parse(r.out) as Out;
    assert.deepEqual(out.sampleType, { type: 'inuse_space', unit: 'bytes' });
    assert.equal(out.rows.length, 3);
    const cpu = JSON.parse(run('functions', path.join(GO, 'cpu.pb.gz'), '--root', path.join(GO, 'gen'), '--json').out) as Out;
    const fib = cpu.rows.find((x) => x.function === 'main.fib')!;
    assert.deepEqual([fib.file, fib.line], ['main.go', 35]);
    const go = parseGoTop(readFileSync(path.join(GO, 'cpu.top.txt'), 'utf8'), false);
    assert.equal(fib.total, go.rows.find((x) => x.name === 'main.fib')!.cum);
  });

  it('--path-map maps a profile prefix onto a local folder', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'profile-lens-cli-'));
    try {
      writeFileSync(path.join(dir, 'main.go'), readFileSync(path.join(GO, 'gen/main.go')));
      const prefix = path.dirname(parseGoTop(readFileSync(path.join(GO, 'cpu.top-lines.txt'), 'utf8'), true).rows.find((x) => x.file!.endsWith('/gen/main.go'))!.file!);
      const out = JSON.parse(run('lines', path.join(GO, 'cpu.pb.gz'), '--root', dir, '--path-map', `${prefix}=${dir}`, '--json').out) as Out;
      assert.ok(out.rows.some((x) => x.file === 'main.go' && x.line === 28));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('without --json prints a table', () => {
    const r = run('lines', path.join(GO, 'cpu.pb.gz'), '--top', '5');
    assert.equal(r.code, 0, r.err);
    const lines = r.out.trim().split('\n');
    assert.match(lines[0], /^cpu \(nanoseconds\), total/);
    assert.match(lines[1], /self\s+self%\s+total\s+total%\s+line/);
    assert.equal(lines.length, 7);
  });

  it('errors go to stderr with a non-zero exit', () => {
    const missing = run('lines', path.join(GO, 'nope.pb.gz'), '--json');
    assert.equal(missing.code, 1);
    assert.match(missing.err, /cannot read/);
    assert.equal(missing.out, '');
    const notProfile = run('lines', path.join(GO, 'README.md'), '--json');
    assert.equal(notProfile.code, 1);
    assert.match(notProfile.err, /unknown-format/);
    const badType = run('lines', path.join(GO, 'cpu.pb.gz'), '--type', 'alloc_space');
    assert.equal(badType.code, 2);
    assert.match(badType.err, /has no sample type "alloc_space" \(it has: samples, cpu\)/);
    assert.equal(run('frobnicate', 'x').code, 2);
    assert.equal(run('lines', path.join(GO, 'cpu.pb.gz'), '--top', 'zero').code, 2);
  });
});
