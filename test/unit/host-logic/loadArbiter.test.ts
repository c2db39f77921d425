/**
 * Which load's result the session shows (src/host/loadArbiter.ts, used by ProfileSession): the newest
 * request, and never a background refresh over a load the user asked for. The requests here are real
 * promises finishing in the orders that race in the extension (a refresh decoding while the user's file
 * is read, and the other way round); `show` plays ProfileSession.loadNow's "still the newest?" check.
 */
import assert from 'node:assert/strict';
import { LoadArbiter, type LoadPriority } from '../../../src/host/loadArbiter';

/** A load whose bytes/decoding finish when the test says so. */
function request(arbiter: LoadArbiter<string>, shown: string[], priority: LoadPriority, name: string) {
  let finish!: (ok: boolean) => void;
  const done = new Promise<boolean>((r) => (finish = r));
  const ticket = arbiter.begin(priority, name);
  const settled = (async () => {
    if (!ticket) return 'refused';
    try {
      const ok = await done;
      if (!ok) return 'failed';
      if (!arbiter.isLatest(ticket)) return 'superseded';
      shown.push(name);
      return 'shown';
    } finally {
      arbiter.end(ticket);
    }
  })();
  return { finish, settled, ticket };
}

describe('load arbiter: the user\'s load wins over background refreshes', () => {
  it('a background refresh that finishes while the user\'s file is still being read does not replace it', async () => {
    const a = new LoadArbiter<string>();
    const shown: string[] = [];
    const user = request(a, shown, 'explicit', 'file.pb.gz'); // reserve(): the read has not finished
    assert.equal(a.pendingSource, 'file.pb.gz', 'loadingSource covers the read, not only the decode');
    const refresh = request(a, shown, 'background', 'refresh');
    assert.equal(refresh.ticket, undefined, 'a refresh starting during the user\'s request is refused');
    assert.equal(await refresh.settled, 'refused');
    user.finish(true);
    assert.equal(await user.settled, 'shown');
    assert.deepEqual(shown, ['file.pb.gz']);
  });

  it('a background refresh that started earlier and finishes later is superseded', async () => {
    const a = new LoadArbiter<string>();
    const shown: string[] = [];
    const refresh = request(a, shown, 'background', 'refresh');
    const user = request(a, shown, 'explicit', 'file.pb.gz');
    user.finish(true);
    assert.equal(await user.settled, 'shown');
    refresh.finish(true);
    assert.equal(await refresh.settled, 'superseded');
    assert.deepEqual(shown, ['file.pb.gz']);
  });

  it('a newer explicit load wins over an older one, whatever order they finish in', async () => {
    const a = new LoadArbiter<string>();
    const shown: string[] = [];
    const older = request(a, shown, 'explicit', 'a.pb.gz');
    const newer = request(a, shown, 'explicit', 'b.pb.gz');
    newer.finish(true);
    older.finish(true);
    assert.deepEqual([await older.settled, await newer.settled], ['superseded', 'shown']);
    assert.deepEqual(shown, ['b.pb.gz']);
  });

  it('a failed user load changes nothing shown; background refreshes resume after it ended', async () => {
    const a = new LoadArbiter<string>();
    const shown: string[] = ['last good'];
    const user = request(a, shown, 'explicit', 'corrupt.pb.gz');
    assert.equal(a.explicitPending, true);
    user.finish(false);
    assert.equal(await user.settled, 'failed');
    assert.deepEqual(shown, ['last good'], 'the last good view stays');
    assert.equal(a.explicitPending, false);
    assert.equal(a.busy, false);
    const refresh = request(a, shown, 'background', 'refresh');
    refresh.finish(true);
    assert.equal(await refresh.settled, 'shown');
  });

  it('background refreshes among themselves: the newest wins; a clear supersedes everything pending', async () => {
    const a = new LoadArbiter<string>();
    const shown: string[] = [];
    const r1 = request(a, shown, 'background', 'r1');
    const r2 = request(a, shown, 'background', 'r2');
    r2.finish(true);
    r1.finish(true);
    assert.deepEqual([await r1.settled, await r2.settled], ['superseded', 'shown']);
    const user = request(a, shown, 'explicit', 'file.pb.gz');
    a.invalidate(); // Clear Profile
    assert.equal(a.explicitPending, false);
    assert.equal(a.pendingSource, undefined);
    user.finish(true);
    assert.equal(await user.settled, 'superseded');
    assert.deepEqual(shown, ['r2']);
  });

  it('an older explicit request still pending does not block refreshes once a newer one ended', async () => {
    const a = new LoadArbiter<string>();
    const shown: string[] = [];
    const older = request(a, shown, 'explicit', 'slow.pb.gz');
    const newer = request(a, shown, 'explicit', 'fast.pb.gz');
    newer.finish(true);
    assert.equal(await newer.settled, 'shown');
    assert.equal(a.explicitPending, false, 'the older one is superseded already');
    assert.equal(a.busy, true, 'but still running');
    const refresh = request(a, shown, 'background', 'refresh');
    assert.ok(refresh.ticket);
    older.finish(true);
    assert.equal(await older.settled, 'superseded');
    refresh.finish(true);
    assert.equal(await refresh.settled, 'shown');
  });
});
