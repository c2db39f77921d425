/**
 * Which load's result the session shows when several are in flight (no `vscode` import: unit-tested
 * in plain Node, test/unit/host-logic/loadArbiter.test.ts).
 *
 * Rules:
 * - The newest request wins: an older one still running is superseded (its result is dropped).
 * - A request the user made (`explicit`: Open Profile File…, Fetch from URL, a clear) is never beaten by a
 *   `background` one (a refresh of a followed query, a reload after an engine crash): a background
 *   request that starts while an explicit one is pending is refused at once, and one that started
 *   earlier is superseded by the explicit one, whenever it finishes.
 * - A request that ends (loaded, failed, superseded) stops being pending; a failed one changes nothing
 *   shown, so the last good view stays.
 */
export type LoadPriority = 'explicit' | 'background';

export interface LoadTicket<S> {
  readonly seq: number;
  readonly priority: LoadPriority;
  readonly source: S | undefined;
}

export class LoadArbiter<S> {
  private seq = 0;
  /** requests begun and not ended */
  private readonly pending = new Set<LoadTicket<S>>();

  /**
   * Takes a place in line. Returns undefined for a background request while an explicit one is
   * pending (the user's request wins; drop the background result).
   */
  begin(priority: LoadPriority, source?: S): LoadTicket<S> | undefined {
    if (priority === 'background' && this.explicitPending) return undefined;
    const ticket: LoadTicket<S> = { seq: ++this.seq, priority, source };
    this.pending.add(ticket);
    return ticket;
  }

  /** Sequence number of the newest request (changes with every begin and invalidate). */
  get latest(): number {
    return this.seq;
  }

  /** True while `ticket` is the newest request (its result may be shown). */
  isLatest(ticket: LoadTicket<S>): boolean {
    return ticket.seq === this.seq;
  }

  /** The request finished (loaded, failed, or was dropped). Idempotent. */
  end(ticket: LoadTicket<S>): void {
    this.pending.delete(ticket);
  }

  /** Something newer than every pending request happened (a clear): all of them are superseded. */
  invalidate(): void {
    this.seq++;
    this.pending.clear();
  }

  /** An explicit request that is still the newest is pending (a read, a download, a decode). */
  get explicitPending(): boolean {
    for (const t of this.pending) if (t.priority === 'explicit' && t.seq === this.seq) return true;
    return false;
  }

  /** Source of the newest request while it is pending, else undefined. */
  get pendingSource(): S | undefined {
    for (const t of this.pending) if (t.seq === this.seq) return t.source;
    return undefined;
  }

  /** Any request still pending (superseded ones included). */
  get busy(): boolean {
    return this.pending.size > 0;
  }
}
