/**
 * The user's "Open Profile File…" wins over a background refresh of a followed pprof URL, inside a real
 * VS Code, in the orders that race: the refresh's answer arrives while the user's file is still being
 * read (before the fix the refresh took the place in line and the file was dropped as "superseded").
 * The timings are made, not waited for: the pprof endpoint is a local HTTP server this suite starts on
 * 127.0.0.1 that serves a real @datadog/pprof heap profile (test/fixtures/node/profiles) and holds a
 * refresh's answer until the test releases it; the user's file comes through a file system provider
 * registered here (like a remote or network workspace) whose reads finish when the test says.
 * A newer explicit load wins over an older one, and a failed one keeps the last good view.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { REPO_ROOT, activateExtension, waitFor } from '../support/extension';
import { backendState as backend, openProfile, sessionStats as stats, type SessionStats as Stats } from '../support/testState';

const PROFILES = path.join(REPO_ROOT, 'test/fixtures/node/profiles');
const SCHEME = 'pl-slow-test';

/** A read-only file system whose reads wait until `release(name)`; files are real profile bytes. */
class SlowFs implements vscode.FileSystemProvider {
  private readonly files = new Map<string, Uint8Array>();
  private readonly held = new Map<string, () => void>();
  readonly reads: string[] = [];
  private readonly emitter = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.emitter.event;
  add(name: string, bytes: Uint8Array): vscode.Uri {
    this.files.set(`/${name}`, bytes);
    return vscode.Uri.from({ scheme: SCHEME, path: `/${name}` });
  }
  release(name: string): void {
    this.held.get(`/${name}`)?.();
  }
  stat(uri: vscode.Uri): vscode.FileStat {
    const f = this.files.get(uri.path);
    if (!f) throw vscode.FileSystemError.FileNotFound(uri);
    return { type: vscode.FileType.File, ctime: 0, mtime: 0, size: f.byteLength };
  }
  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    const f = this.files.get(uri.path);
    if (!f) throw vscode.FileSystemError.FileNotFound(uri);
    this.reads.push(uri.path.slice(1));
    await new Promise<void>((r) => this.held.set(uri.path, r));
    return f;
  }
  watch(): vscode.Disposable {
    return { dispose: () => undefined };
  }
  readDirectory(): [string, vscode.FileType][] {
    return [];
  }
  createDirectory(): void {
    throw vscode.FileSystemError.NoPermissions();
  }
  writeFile(): void {
    throw vscode.FileSystemError.NoPermissions();
  }
  delete(): void {
    throw vscode.FileSystemError.NoPermissions();
  }
  rename(): void {
    throw vscode.FileSystemError.NoPermissions();
  }
}

describe('load priority: the user\'s Open Profile File wins over background refreshes', function () {
  this.timeout(120_000);
  let server: Server;
  let url = '';
  let requests = 0;
  /** answers held back (refreshes), released by the test */
  const held: (() => void)[] = [];
  let hold = false;
  const slow = new SlowFs();
  let registration: vscode.Disposable;
  const heap = readFileSync(path.join(PROFILES, 'bundle-heap.pb.gz'));

  before(async () => {
    await activateExtension();
    registration = vscode.workspace.registerFileSystemProvider(SCHEME, slow, { isReadonly: true });
    server = createServer((req, res) => {
      if (!req.url?.startsWith('/debug/pprof/heap')) {
        res.writeHead(404).end();
        return;
      }
      requests++;
      const answer = () => res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': heap.byteLength }).end(heap);
      if (hold) held.push(answer);
      else answer();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/debug/pprof/heap`;
    // the lowest interval the setting allows: a background refresh 5 s after each fetch ended
    await vscode.workspace.getConfiguration().update('profileLens.backend.refreshIntervalSeconds', 5, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('profileLens.resumeAutoRefresh');
  });

  after(async () => {
    hold = false;
    for (const h of held.splice(0)) h();
    await vscode.commands.executeCommand('profileLens.clearProfile');
    await vscode.workspace.getConfiguration().update('profileLens.backend.refreshIntervalSeconds', undefined, vscode.ConfigurationTarget.Global);
    registration?.dispose();
    await new Promise((r) => server.close(r));
  });

  /** Follows the URL (shown), then waits for the next background refresh and holds its answer. */
  async function followAndHoldNextRefresh(): Promise<Stats> {
    hold = false;
    await vscode.commands.executeCommand('profileLens.fetchProfileFromUrl', { url, kind: 'heap' });
    const b = await backend();
    assert.equal(b.following, true, 'following the URL');
    assert.equal(b.source?.kind, 'pprof-url');
    const shown = await stats();
    assert.match(shown.statusText ?? '', /heap/);
    hold = true;
    const n = requests;
    await waitFor('the background refresh request', () => requests > n && held.length > 0 || undefined, 30_000, 100);
    return shown;
  }

  /** Lets the held refresh answer go and waits until the extension handled it (loaded, or dropped and detached). */
  async function releaseRefresh(shown: Stats): Promise<void> {
    const fetched = (await backend()).fetchCount;
    hold = false;
    for (const h of held.splice(0)) h();
    await waitFor('the refresh handled', async () => {
      const b = await backend();
      const s = await stats();
      return !b.following || b.fetchCount > fetched || s.profileId !== shown.profileId || undefined;
    }, 20_000, 50);
    await new Promise((r) => setTimeout(r, 300)); // a load it started has time to finish
  }

  it('a refresh answered while the user\'s file is being read does not replace it; the file is shown', async () => {
    const shown = await followAndHoldNextRefresh();
    const file = slow.add('lib-time-lines.pb.gz', readFileSync(path.join(PROFILES, 'lib-time-lines.pb.gz')));
    const opening = openProfile(file);
    await waitFor('the user\'s file being read', () => slow.reads.includes('lib-time-lines.pb.gz') || undefined, 10_000);
    await releaseRefresh(shown);
    slow.release('lib-time-lines.pb.gz');
    const r = await opening;
    assert.equal(r.ok, true, r.error);
    assert.notEqual(r.superseded, true, 'the user\'s file was dropped in favour of the background refresh');
    const after = await stats();
    assert.match(after.statusText ?? '', /lib-time-lines\.pb\.gz/, `shown: ${after.statusText}`);
    assert.equal((await backend()).following, false, 'loading a file stops following the URL');
    await new Promise((r) => setTimeout(r, 1000));
    assert.match((await stats()).statusText ?? '', /lib-time-lines\.pb\.gz/, 'and nothing replaces it afterwards');
  });

  it('the user\'s file fails to load while a refresh arrives: the last good view stays', async () => {
    const shown = await followAndHoldNextRefresh();
    // a real profile cut short: not a gzip stream any more
    const broken = slow.add('truncated.pb.gz', new Uint8Array(heap.subarray(0, 64)));
    const opening = openProfile(broken);
    await waitFor('the user\'s file being read', () => slow.reads.includes('truncated.pb.gz') || undefined, 10_000);
    await releaseRefresh(shown);
    slow.release('truncated.pb.gz');
    const r = await opening;
    assert.equal(r.ok, false);
    assert.match(r.error ?? '', /previous view is kept/);
    const after = await stats();
    assert.equal(after.loaded, true);
    assert.equal(after.statusText, shown.statusText, 'the followed profile is still shown');
  });

  it('a newer explicit load wins over an older one still being read', async () => {
    hold = false;
    const older = slow.add('bundle-time-default.pb.gz', readFileSync(path.join(PROFILES, 'bundle-time-default.pb.gz')));
    const first = openProfile(older);
    await waitFor('the older file being read', () => slow.reads.includes('bundle-time-default.pb.gz') || undefined, 10_000);
    const second = await openProfile(vscode.Uri.file(path.join(PROFILES, 'lib-heap.pb.gz')));
    assert.equal(second.ok, true, second.error);
    slow.release('bundle-time-default.pb.gz');
    const r = await first;
    assert.equal(r.superseded, true, 'the older request is dropped');
    assert.match((await stats()).statusText ?? '', /lib-heap\.pb\.gz/);
  });
});
