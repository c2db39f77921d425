/**
 * Continuous refresh of a rolling-window query, as pure logic (clock injected, no vscode):
 * - one query is current; a rolling one is re-fetched every `intervalMs` while the editor window is
 *   focused and auto-refresh is not paused (when focus returns after the interval, it fetches at once);
 * - the interval counts from the end of the previous fetch (success or failure), so a fetch that
 *   takes long (a live pprof endpoint's `profile?seconds=N`) is not followed by another at once;
 * - never two fetches of the same query at once: a newer fetch aborts the older one, and switching
 *   to another query aborts fetches of the previous ones (no stale result can arrive for it);
 * - results are cached by query key (LRU), so switching back shows the cached profile instantly and
 *   only re-fetches when it is older than the interval;
 * - a failed refresh keeps the last good result (the listener gets the error and decides what to show).
 */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface CachedResult<R> {
  result: R;
  fetchedAt: number;
}

export type SchedulerEvent<Q, R> =
  | { type: 'result'; key: string; query: Q; result: R; fetchedAt: number; fromCache: boolean }
  | { type: 'error'; key: string; query: Q; error: unknown; lastGood?: CachedResult<R> }
  | { type: 'state' };

export interface SchedulerStatus {
  key?: string;
  fetching: boolean;
  paused: boolean;
  focused: boolean;
  /** when the current query's shown result was fetched */
  lastUpdated?: number;
  lastError?: unknown;
  /** when the next automatic refresh is due (undefined: none planned) */
  nextDue?: number;
}

export interface RefreshSchedulerOptions<Q, R> {
  fetch: (query: Q, signal: AbortSignal) => Promise<R>;
  key: (query: Q) => string;
  /** only rolling queries refresh automatically (fixed windows never change) */
  rolling?: (query: Q) => boolean;
  intervalMs: number;
  clock?: Clock;
  /** cached queries kept (LRU) */
  cacheSize?: number;
  /** size of a result in bytes, for `maxCacheBytes` */
  sizeOf?: (result: R) => number;
  /** cap on the summed size of cached results; the newest entry is always kept */
  maxCacheBytes?: number;
}

interface InFlight {
  controller: AbortController;
  seq: number;
}

export class RefreshScheduler<Q, R> {
  private readonly clock: Clock;
  private readonly cache = new Map<string, CachedResult<R>>();
  private readonly inflight = new Map<string, InFlight>();
  private readonly listeners = new Set<(e: SchedulerEvent<Q, R>) => void>();
  private query: Q | undefined;
  private currentKey: string | undefined;
  private timer: unknown;
  private nextDue: number | undefined;
  private seq = 0;
  private paused = false;
  private focused = true;
  private lastAttempt = new Map<string, number>();
  private lastError: unknown;
  private intervalMs: number;
  private disposed = false;
  /** number of fetches started (observability for tests and the status tooltip) */
  fetchCount = 0;

  constructor(private readonly options: RefreshSchedulerOptions<Q, R>) {
    this.clock = options.clock ?? systemClock;
    this.intervalMs = options.intervalMs;
  }

  onEvent(listener: (e: SchedulerEvent<Q, R>) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  get current(): Q | undefined {
    return this.query;
  }

  status(): SchedulerStatus {
    const key = this.currentKey;
    return {
      key,
      fetching: key !== undefined && this.inflight.has(key),
      paused: this.paused,
      focused: this.focused,
      lastUpdated: key !== undefined ? this.cache.get(key)?.fetchedAt : undefined,
      lastError: this.lastError,
      nextDue: this.nextDue,
    };
  }

  cached(query: Q): CachedResult<R> | undefined {
    return this.cache.get(this.options.key(query));
  }

  /**
   * Makes `query` current. A cached result is delivered at once (fromCache); a fetch starts when there
   * is none or it is older than the interval (for fixed windows: only when there is none).
   */
  select(query: Q): void {
    if (this.disposed) return;
    const key = this.options.key(query);
    this.query = query;
    this.currentKey = key;
    this.lastError = undefined;
    for (const [k, f] of this.inflight) {
      if (k !== key) {
        f.controller.abort();
        this.inflight.delete(k);
      }
    }
    const hit = this.cache.get(key);
    if (hit) {
      this.touch(key, hit);
      this.emit({ type: 'result', key, query, result: hit.result, fetchedAt: hit.fetchedAt, fromCache: true });
      const stale = this.isRolling(query) && this.clock.now() - hit.fetchedAt >= this.intervalMs;
      if (stale && !this.paused && !this.inflight.has(key)) {
        this.start(query, key);
        return;
      }
      this.schedule();
      this.emit({ type: 'state' });
      return;
    }
    if (!this.inflight.has(key)) this.start(query, key);
    else this.emit({ type: 'state' });
  }

  /** Fetches the current query now; an older fetch of it still running is aborted. */
  refreshNow(): void {
    if (this.disposed || this.query === undefined || this.currentKey === undefined) return;
    this.start(this.query, this.currentKey);
  }

  setPaused(paused: boolean): void {
    this.paused = paused;
    this.schedule();
    this.emit({ type: 'state' });
  }

  setFocused(focused: boolean): void {
    if (this.focused === focused) return;
    this.focused = focused;
    this.schedule();
    this.emit({ type: 'state' });
  }

  setIntervalMs(ms: number): void {
    this.intervalMs = Math.max(1000, ms);
    this.schedule();
  }

  /** Drops every cached result (e.g. a connection's URL changed); the current view is not touched. */
  clearCache(): void {
    this.cache.clear();
  }

  /** Forgets the current query and aborts everything (cache kept). */
  clear(): void {
    this.query = undefined;
    this.currentKey = undefined;
    for (const f of this.inflight.values()) f.controller.abort();
    this.inflight.clear();
    this.schedule();
    this.emit({ type: 'state' });
  }

  dispose(): void {
    this.disposed = true;
    this.clear();
    this.listeners.clear();
    this.cache.clear();
  }

  private isRolling(q: Q): boolean {
    return this.options.rolling ? this.options.rolling(q) : true;
  }

  private start(query: Q, key: string): void {
    this.inflight.get(key)?.controller.abort();
    const controller = new AbortController();
    const seq = ++this.seq;
    this.inflight.set(key, { controller, seq });
    this.lastAttempt.set(key, this.clock.now());
    this.fetchCount++;
    this.clearTimer();
    this.emit({ type: 'state' });
    let promise: Promise<R>;
    try {
      promise = this.options.fetch(query, controller.signal);
    } catch (e) {
      promise = Promise.reject(e);
    }
    promise.then(
      (result) => this.settle(key, seq, controller, () => {
        const fetchedAt = this.clock.now();
        this.lastError = undefined;
        this.touch(key, { result, fetchedAt });
        this.emit({ type: 'result', key, query, result, fetchedAt, fromCache: false });
      }),
      (error: unknown) => this.settle(key, seq, controller, () => {
        this.lastError = error;
        this.emit({ type: 'error', key, query, error, lastGood: this.cache.get(key) });
      }),
    );
  }

  private settle(key: string, seq: number, controller: AbortController, deliver: () => void): void {
    const mine = this.inflight.get(key);
    if (mine?.seq === seq) {
      this.inflight.delete(key);
      // the interval runs from the end of a fetch: a slow one (a CPU profile collected for N seconds
      // by a live pprof endpoint, a failing server) is never followed by another right away
      this.lastAttempt.set(key, this.clock.now());
    }
    // superseded, aborted, or no longer the current query: drop silently
    if (this.disposed || controller.signal.aborted || mine?.seq !== seq || key !== this.currentKey) return;
    deliver();
    this.schedule();
    this.emit({ type: 'state' });
  }

  private touch(key: string, entry: CachedResult<R>): void {
    this.cache.delete(key);
    this.cache.set(key, entry);
    const max = this.options.cacheSize ?? 8;
    while (this.cache.size > max) this.cache.delete(this.cache.keys().next().value as string);
    const { sizeOf, maxCacheBytes } = this.options;
    if (sizeOf && maxCacheBytes !== undefined) {
      let total = 0;
      for (const v of this.cache.values()) total += sizeOf(v.result);
      for (const [k, v] of this.cache) {
        if (total <= maxCacheBytes || k === key) break;
        total -= sizeOf(v.result);
        this.cache.delete(k);
      }
    }
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.nextDue = undefined;
  }

  private schedule(): void {
    this.clearTimer();
    const q = this.query;
    const key = this.currentKey;
    if (this.disposed || q === undefined || key === undefined || this.paused || !this.focused || !this.isRolling(q)) return;
    if (this.inflight.has(key)) return; // rescheduled when it settles
    const base = Math.max(this.cache.get(key)?.fetchedAt ?? 0, this.lastAttempt.get(key) ?? 0);
    const due = base + this.intervalMs;
    this.nextDue = due;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.nextDue = undefined;
      if (this.query !== undefined && this.currentKey !== undefined) this.start(this.query, this.currentKey);
    }, Math.max(0, due - this.clock.now()));
  }

  private emit(e: SchedulerEvent<Q, R>): void {
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch {
        // a listener's failure must not break scheduling
      }
    }
  }
}
