import * as assert from 'node:assert/strict';
import { RefreshScheduler, type Clock, type SchedulerEvent } from '../../../src/core/backend/refreshScheduler';

/** A manual clock: timers fire only when the test advances time. */
class ManualClock implements Clock {
  t = 1_000_000;
  private timers = new Map<number, { at: number; fn: () => void }>();
  private next = 1;
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.timers.set(id, { at: this.t + ms, fn });
    return id;
  }
  clearTimeout(h: unknown): void {
    this.timers.delete(h as number);
  }
  get pending(): number {
    return this.timers.size;
  }
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, v]) => v.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.t = due[1].at;
      due[1].fn();
      await flush();
    }
    this.t = end;
    await flush();
  }
}

const flush = () => new Promise<void>((r) => setImmediate(r));

interface Q {
  service: string;
  rolling?: boolean;
}

/** A fetcher whose calls the test resolves by hand. */
function deferredFetcher() {
  const calls: { q: Q; signal: AbortSignal; resolve: (v: string) => void; reject: (e: unknown) => void }[] = [];
  const fetch = (q: Q, signal: AbortSignal) =>
    new Promise<string>((resolve, reject) => {
      calls.push({ q, signal, resolve, reject });
    });
  return { calls, fetch };
}

function setup(intervalMs = 60_000) {
  const clock = new ManualClock();
  const f = deferredFetcher();
  const s = new RefreshScheduler<Q, string>({ fetch: f.fetch, key: (q) => q.service, rolling: (q) => q.rolling !== false, intervalMs, clock });
  const events: SchedulerEvent<Q, string>[] = [];
  s.onEvent((e) => events.push(e));
  const results = () => events.filter((e) => e.type === 'result') as Extract<SchedulerEvent<Q, string>, { type: 'result' }>[];
  const errors = () => events.filter((e) => e.type === 'error') as Extract<SchedulerEvent<Q, string>, { type: 'error' }>[];
  return { clock, f, s, events, results, errors };
}

describe('backend: refresh scheduler', () => {
  it('fetches on select, then again every interval while focused', async () => {
    const { clock, f, s, results } = setup();
    s.select({ service: 'api' });
    assert.equal(f.calls.length, 1);
    f.calls[0].resolve('v1');
    await flush();
    assert.equal(results().at(-1)!.result, 'v1');
    assert.equal(s.status().lastUpdated, clock.t);
    await clock.advance(59_000);
    assert.equal(f.calls.length, 1);
    await clock.advance(1_000);
    assert.equal(f.calls.length, 2);
    f.calls[1].resolve('v2');
    await flush();
    assert.equal(results().at(-1)!.result, 'v2');
  });

  it('pauses while the window is unfocused and catches up at once on focus', async () => {
    const { clock, f, s } = setup();
    s.select({ service: 'api' });
    f.calls[0].resolve('v1');
    await flush();
    s.setFocused(false);
    await clock.advance(10 * 60_000);
    assert.equal(f.calls.length, 1, 'no refresh while unfocused');
    s.setFocused(true);
    await clock.advance(0);
    assert.equal(f.calls.length, 2, 'overdue refresh runs immediately on focus');
  });

  it('pause auto-refresh stops the timer; Refresh Now still works', async () => {
    const { clock, f, s } = setup();
    s.select({ service: 'api' });
    f.calls[0].resolve('v1');
    await flush();
    s.setPaused(true);
    await clock.advance(5 * 60_000);
    assert.equal(f.calls.length, 1);
    s.refreshNow();
    assert.equal(f.calls.length, 2);
  });

  it('a newer fetch of the same query aborts the older; the older result is never delivered', async () => {
    const { f, s, results } = setup();
    s.select({ service: 'api' });
    s.refreshNow();
    assert.equal(f.calls.length, 2);
    assert.equal(f.calls[0].signal.aborted, true);
    assert.equal(f.calls[1].signal.aborted, false);
    f.calls[0].resolve('old');
    f.calls[1].resolve('new');
    await flush();
    assert.deepEqual(results().map((r) => r.result), ['new']);
  });

  it('switching queries aborts the previous fetch; no stale result arrives for the new selection', async () => {
    const { f, s, results } = setup();
    s.select({ service: 'a' });
    s.select({ service: 'b' });
    assert.equal(f.calls[0].signal.aborted, true);
    f.calls[0].resolve('A');
    f.calls[1].resolve('B');
    await flush();
    assert.deepEqual(results().map((r) => [r.key, r.result]), [['b', 'B']]);
  });

  it('rapid switching runs at most one fetch per query at a time', async () => {
    const { f, s } = setup();
    for (let i = 0; i < 20; i++) s.select({ service: i % 2 ? 'a' : 'b' });
    const live = f.calls.filter((c) => !c.signal.aborted);
    assert.equal(live.length, 1);
    assert.equal(live[0].q.service, 'a');
  });

  it('switching back shows the cached result instantly, and refetches only when stale', async () => {
    const { clock, f, s, results } = setup();
    s.select({ service: 'a' });
    f.calls[0].resolve('A1');
    await flush();
    s.select({ service: 'b' });
    f.calls[1].resolve('B1');
    await flush();
    s.select({ service: 'a' });
    const hit = results().at(-1)!;
    assert.equal(hit.result, 'A1');
    assert.equal(hit.fromCache, true);
    assert.equal(f.calls.length, 2, 'fresh cache: no fetch');
    await clock.advance(61_000);
    s.select({ service: 'b' });
    assert.equal(results().at(-1)!.fromCache, true);
    assert.equal(f.calls.at(-1)!.q.service, 'b', 'stale cache: shown, and refetched');
  });

  it('a failed refresh keeps the last good result and reports the error; the timer keeps going', async () => {
    const { clock, f, s, errors } = setup();
    s.select({ service: 'api' });
    f.calls[0].resolve('good');
    await flush();
    await clock.advance(60_000);
    f.calls[1].reject(new Error('503'));
    await flush();
    const e = errors().at(-1)!;
    assert.equal((e.error as Error).message, '503');
    assert.equal(e.lastGood?.result, 'good');
    assert.equal(s.cached({ service: 'api' })?.result, 'good');
    await clock.advance(60_000);
    assert.equal(f.calls.length, 3, 'retries at the next interval');
  });

  it('a live pprof URL whose CPU profile takes longer than the interval: the next fetch starts one interval after it ended, never two at once', async () => {
    // the controller's `kind: 'pprof-url'` queries are always rolling; collection time is the fetch time
    const { clock, f, s, results } = setup(5_000);
    const live = { service: 'pprof-url http://127.0.0.1:6060/debug/pprof/profile?seconds=10' };
    s.select(live);
    assert.equal(f.calls.length, 1);
    await clock.advance(10_000); // the server is still collecting
    assert.equal(f.calls.length, 1, 'no second fetch while the first one runs');
    assert.equal(f.calls[0].signal.aborted, false);
    f.calls[0].resolve('cpu-1');
    await flush();
    assert.equal(results().at(-1)!.result, 'cpu-1');
    await clock.advance(4_999);
    assert.equal(f.calls.length, 1, 'the interval counts from the end of the collection');
    await clock.advance(1);
    assert.equal(f.calls.length, 2);
    // a failure after a long collection also waits a whole interval before retrying
    await clock.advance(10_000);
    f.calls[1].reject(new Error('connection reset'));
    await flush();
    assert.equal(s.cached(live)?.result, 'cpu-1', 'last good profile kept');
    await clock.advance(4_999);
    assert.equal(f.calls.length, 2);
    await clock.advance(1);
    assert.equal(f.calls.length, 3);
    s.setPaused(true);
    f.calls[2].resolve('cpu-2');
    await flush();
    await clock.advance(60_000);
    assert.equal(f.calls.length, 3, 'paused: no more fetches');
  });

  it('fixed windows are fetched once and never refreshed automatically', async () => {
    const { clock, f, s } = setup();
    s.select({ service: 'api', rolling: false });
    f.calls[0].resolve('x');
    await flush();
    await clock.advance(10 * 60_000);
    assert.equal(f.calls.length, 1);
    assert.equal(clock.pending, 0);
  });

  it('dispose aborts in-flight fetches and stops timers', async () => {
    const { clock, f, s } = setup();
    s.select({ service: 'api' });
    s.dispose();
    assert.equal(f.calls[0].signal.aborted, true);
    await clock.advance(10 * 60_000);
    assert.equal(f.calls.length, 1);
  });
});

describe('backend: refresh scheduler cache invalidation', () => {
  it('clearCache makes the next select fetch again instead of showing a result from before', async () => {
    const { f, s, results } = setup();
    s.select({ service: 'a' });
    f.calls[0].resolve('A-old-url');
    await flush();
    s.select({ service: 'b' });
    s.clearCache();
    s.select({ service: 'a' });
    assert.ok(!results().some((r) => r.fromCache), 'nothing served from the cleared cache');
    assert.equal(f.calls.at(-1)!.q.service, 'a');
  });
});

describe('backend: refresh scheduler cache bounds', () => {
  it('drops the oldest cached results over the byte cap, never the newest', async () => {
    const clock = new ManualClock();
    const f = deferredFetcher();
    const s = new RefreshScheduler<Q, string>({ fetch: f.fetch, key: (q) => q.service, intervalMs: 60_000, clock, sizeOf: (r) => r.length, maxCacheBytes: 10 });
    for (const [i, name] of ['a', 'b', 'c'].entries()) {
      s.select({ service: name });
      f.calls[i].resolve(name.repeat(4));
      await flush();
    }
    assert.equal(s.cached({ service: 'a' }), undefined, 'oldest dropped (12 bytes > 10)');
    assert.equal(s.cached({ service: 'b' })?.result, 'bbbb');
    assert.equal(s.cached({ service: 'c' })?.result, 'cccc');
    s.select({ service: 'huge' });
    f.calls[3].resolve('x'.repeat(50));
    await flush();
    assert.equal(s.cached({ service: 'huge' })?.result.length, 50, 'the newest stays even alone over the cap');
    assert.equal(s.cached({ service: 'c' }), undefined);
  });
});
