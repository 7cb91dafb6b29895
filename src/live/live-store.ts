/**
 * The live account state of one user: a REST snapshot kept current by the brokerage stream.
 *
 * Gap-free by construction: the store subscribes before it takes a snapshot and buffers updates
 * while the snapshot is in flight; on every `gap` (a skipped `seq`, or a reconnect, after which the
 * server replays nothing) it goes stale, buffers again, re-fetches the snapshot, merges it, replays
 * the buffer and emits `synced`. A source that says `resumed` (it recovered from an interruption
 * and lost nothing, e.g. a relay consumer that read on from its last entry) returns a store that
 * went stale on `reconnecting` to current without a resync. Updates received before a snapshot request starts are covered by
 * that snapshot, so the buffer is restarted with each fetch; orders and balances merge
 * monotonically, so replaying an update the snapshot already holds changes nothing.
 */
import { backoffDelay, type SleepTimers, sleep } from '../core/backoff';
import type { Clock } from '../core/clock';
import { errorFactory, type StreamError } from '../core/errors';
import type { BrokerageSource } from '../streams/brokerage-source';
import type { BrokerageSubscription, UpdateMeta } from '../streams/brokerage-stream';
import { SafeEmitter, safeEmit } from '../streams/safe-emitter';
import type { GapInfo } from '../streams/stream-core';
import type { Balance, Order, Position } from '../types';
import { BalanceBook, OrderBook, PositionBook } from './collections';
import { placeRecord, soleAccount } from './inferred-fields';
import type { MergeOutcome } from './order-merge';
import { isTerminal } from './order-merge';
import { fetchOrder, type LiveRest, loadSnapshot, type Snapshot } from './snapshot';
import { type WaitOptions, type WaitUntil, waitForOrder } from './wait-for';

/** What changed in a live store. */
export type LiveChange =
  | { kind: 'order'; order: Order }
  | { kind: 'position'; position: Position; removed: boolean }
  | { kind: 'balance'; balance: Balance };

/** Why the store went stale. */
export type StaleReason = 'seq_gap' | 'reconnect' | 'disconnected' | 'stream_closed' | 'manual';

/** Events of a live store. */
export interface LiveEvents {
  /** Any order, position or balance changed. */
  change: (change: LiveChange) => void;
  /** An order changed (stream update, snapshot or poll). */
  order: (order: Order) => void;
  /** Updates may have been missed; a resync is under way (or waits for the stream to come back). */
  stale: (info: { reason: StaleReason }) => void;
  /** The store matches the server again. */
  synced: () => void;
  /** A resync attempt failed (it is retried), or the stream reported a problem. */
  error: (error: unknown) => void;
}

/** Counters, for monitoring and tests. */
export interface LiveStats {
  /** Stream updates applied or ignored (after filtering to this user and these accounts). */
  updates: number;
  /** Updates that changed nothing (duplicates, stale or backwards versions). */
  ignored: number;
  /** Gaps seen (seq gaps and reconnects). */
  gaps: number;
  /** Completed resyncs (not counting the initial load). */
  resyncs: number;
}

/**
 * The stream surface the store uses.
 * @deprecated Use {@link BrokerageSource} (a `BrokerageStream` or a relay consumer).
 */
export type LiveStream = BrokerageSource;

/** Settings of {@link LiveStore.open}. */
export interface LiveStoreSettings {
  rest: LiveRest;
  stream: BrokerageSource;
  userId: string;
  accountIds: readonly string[];
  /** Close the stream with the store (it was created for it). */
  ownsStream: boolean;
  /** Most orders one listing may return (default 100 000). */
  maxOrders?: number;
  /** Timers of the resync backoff (tests inject fake ones); `clock` wins when both are given. */
  timers?: SleepTimers;
  /** The client's clock (resync backoff, "today" of the snapshot, `waitFor`); the platform's by default. */
  clock?: Clock;
  /** The client's jitter source (resync backoff); `Math.random` by default. */
  random?: () => number;
}

type Buffered =
  | { kind: 'order'; data: Order }
  | { kind: 'position'; data: Position }
  | { kind: 'balance'; data: Balance };

const TOPICS = ['orders', 'positions', 'balances'] as const;
// Failed resyncs are retried forever (the store must converge), with jittered waits up to 5 s.
const RESYNC_BACKOFF = { initialDelay: 200, maxDelay: 5_000 } as const;

/** Orders, positions and balances of some accounts of one user, kept current. */
export class LiveStore extends SafeEmitter<LiveEvents> {
  /** Orders: `get(order_id)`, `byClOrderId(cl_order_id)`, `find(either)`, iteration. */
  readonly orders = new OrderBook();
  /** Open positions: `get(account_id, symbol)`, iteration. */
  readonly positions = new PositionBook();
  /** Balances: `get(account_id)`, iteration. */
  readonly balances = new BalanceBook();
  /** The accounts this store follows. */
  readonly accountIds: readonly string[];
  /** Counters. */
  readonly stats: LiveStats = { updates: 0, ignored: 0, gaps: 0, resyncs: 0 };

  private readonly accounts: ReadonlySet<string>;
  private buffer: Buffered[] | undefined = [];
  private isStale = true;
  private closed = false;
  private subscription: BrokerageSubscription | undefined;
  private resyncWanted = false;
  /** Stale because the source reported `reconnecting` (a `resumed` may end it without a resync). */
  private interrupted = false;
  private barrierWanted = false;
  private running: Promise<void> | undefined;
  /** Aborted by `close()`: ends a resync backoff wait at once. */
  private readonly closing = new AbortController();
  private readonly closeListeners = new Set<() => void>();

  private constructor(private readonly settings: LiveStoreSettings) {
    super();
    this.accountIds = [...settings.accountIds];
    this.accounts = new Set(settings.accountIds);
  }

  /**
   * Subscribes, loads the snapshot and resolves once synced.
   * @internal Use `u.live(...)`.
   */
  static async open(settings: LiveStoreSettings): Promise<LiveStore> {
    const store = new LiveStore(settings);
    store.attach();
    try {
      await settings.stream.connect();
      store.subscription = await settings.stream.subscribe([...TOPICS]);
      await store.initialSync();
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }

  /** True while updates may be missing (between a gap or disconnect and the next `synced`). */
  get stale(): boolean {
    return this.isStale;
  }

  /** Resolves with the first version of the order (by order_id or cl_order_id) that satisfies `until`. */
  waitFor(ref: string, until: WaitUntil, options: WaitOptions = {}): Promise<Order> {
    if (this.closed) return Promise.reject(errorFactory.liveClosed('waitFor'));
    return waitForOrder(
      ref,
      until,
      {
        current: () => this.orders.find(ref),
        listen: (listener) => {
          this.on('order', listener);
          return () => this.off('order', listener);
        },
        shouldPoll: () => this.isStale,
        clock: this.settings.clock,
        poll: async () => {
          const order = await fetchOrder(this.settings.rest.orders, {
            ref,
            known: this.orders.find(ref),
            accountIds: this.accountIds,
          });
          if (order && !this.closed) this.ingestOrder(order);
          return this.orders.find(ref) ?? order;
        },
        onClose: (listener) => {
          this.closeListeners.add(listener);
          return () => this.closeListeners.delete(listener);
        },
      },
      options,
    );
  }

  /** Forces a resync now (the same as after a gap); resolves once synced. */
  async resync(): Promise<void> {
    this.markStale('manual');
    await this.requestResync(false);
  }

  /** Stops following the account: unsubscribes (closes the stream if the store created it) and ends waits. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.detach();
    this.closing.abort();
    for (const listener of [...this.closeListeners]) listener();
    this.closeListeners.clear();
    const subscription = this.subscription;
    this.subscription = undefined;
    if (this.settings.ownsStream) await this.settings.stream.close();
    else await subscription?.unsubscribe().catch(() => undefined);
    this.removeAllListeners();
  }

  /** @internal Folds in an order version from outside the stream (placement answer, poll). */
  ingestOrder(order: Order): MergeOutcome {
    const placed = placeRecord('order', order, soleAccount(this.accountIds));
    if (!placed || !this.accounts.has(placed.account_id)) return 'stale';
    return this.applyOrder(placed);
  }

  private readonly onOrder = (data: Order, meta: UpdateMeta) => this.receive({ kind: 'order', data }, meta);
  private readonly onPosition = (data: Position, meta: UpdateMeta) =>
    this.receive({ kind: 'position', data }, meta);
  private readonly onBalance = (data: Balance, meta: UpdateMeta) =>
    this.receive({ kind: 'balance', data }, meta);
  private readonly onGap = (info: GapInfo) => {
    this.stats.gaps++;
    this.interrupted = false; // a resync follows: `resumed` cannot vouch for this one
    this.markStale(info.reason === 'seq' ? 'seq_gap' : 'reconnect');
    void this.requestResync(info.reason === 'reconnect').catch(() => undefined);
  };
  private readonly onReconnecting = () => {
    this.interrupted = true;
    this.markStale('disconnected');
  };
  /** The source lost nothing: unless a resync is owed for another reason, the store is current again. */
  private readonly onResumed = () => {
    if (this.closed || !this.interrupted) return;
    this.interrupted = false;
    if (this.running || this.resyncWanted || this.settings.stream.state !== 'open') return;
    const buffered = this.buffer ?? [];
    this.buffer = undefined;
    for (const update of buffered) this.apply(update);
    if (!this.isStale) return;
    this.isStale = false;
    safeEmit(this, 'synced');
  };
  private readonly onStreamClose = () => this.markStale('stream_closed');
  private readonly onStreamError = (error: StreamError) => safeEmit(this, 'error', error);

  private attach(): void {
    const { stream } = this.settings;
    stream.on('order_update', this.onOrder);
    stream.on('position_update', this.onPosition);
    stream.on('balance_update', this.onBalance);
    stream.on('gap', this.onGap);
    stream.on('reconnecting', this.onReconnecting);
    stream.on('resumed', this.onResumed);
    stream.on('close', this.onStreamClose);
    if (this.settings.ownsStream) stream.on('error', this.onStreamError);
  }

  private detach(): void {
    const { stream } = this.settings;
    stream.off('order_update', this.onOrder);
    stream.off('position_update', this.onPosition);
    stream.off('balance_update', this.onBalance);
    stream.off('gap', this.onGap);
    stream.off('reconnecting', this.onReconnecting);
    stream.off('resumed', this.onResumed);
    stream.off('close', this.onStreamClose);
    stream.off('error', this.onStreamError);
  }

  private receive(update: Buffered, meta: UpdateMeta): void {
    // One platform stream carries every user's updates: keep this user's, for these accounts.
    if (meta.user_id !== this.settings.userId) return;
    const data = placeRecord(update.kind, update.data, soleAccount(this.accountIds));
    if (!data) {
      // Lacks an inferred field it cannot do without (see inferred-fields.ts): counted, not applied.
      this.stats.updates++;
      this.stats.ignored++;
      return;
    }
    if (!this.accounts.has(data.account_id)) return; // placed: account_id is set
    this.stats.updates++;
    const placed = { kind: update.kind, data } as Buffered;
    if (this.buffer) this.buffer.push(placed);
    else this.apply(placed);
  }

  private apply(update: Buffered): void {
    if (update.kind === 'order') {
      if (this.applyOrder(update.data) !== 'applied') this.stats.ignored++;
    } else if (update.kind === 'position') {
      if (!this.applyPosition(update.data)) this.stats.ignored++;
    } else if (!this.applyBalance(update.data)) this.stats.ignored++;
  }

  private applyOrder(order: Order): MergeOutcome {
    const { order: held, outcome } = this.orders.merge(order);
    if (outcome === 'applied') {
      safeEmit(this, 'order', held);
      safeEmit(this, 'change', { kind: 'order', order: held });
    }
    return outcome;
  }

  private applyPosition(position: Position): boolean {
    if (!this.positions.apply(position)) return false;
    // Placed first (inferred-fields.ts): a position here carries its account.
    const removed = this.positions.get(position.account_id as string, position.symbol) === undefined;
    safeEmit(this, 'change', { kind: 'position', position, removed });
    return true;
  }

  private applyBalance(balance: Balance): boolean {
    if (!this.balances.apply(balance)) return false;
    safeEmit(this, 'change', { kind: 'balance', balance });
    return true;
  }

  private markStale(reason: StaleReason): void {
    if (this.closed) return;
    this.buffer ??= [];
    const wasStale = this.isStale;
    this.isStale = true;
    if (!wasStale || reason === 'stream_closed') safeEmit(this, 'stale', { reason });
  }

  private async initialSync(): Promise<void> {
    const synced = new Promise<void>((resolve, reject) => {
      let failures = 0;
      const onSynced = () => {
        this.off('error', onError);
        resolve();
      };
      // The first load fails fast (after three attempts) instead of retrying forever like resyncs.
      const onError = (error: unknown) => {
        if (++failures < 3) return;
        this.off('synced', onSynced);
        this.off('error', onError);
        reject(error);
      };
      this.once('synced', onSynced);
      this.on('error', onError);
    });
    void this.requestResync(false).catch(() => undefined);
    await synced;
    this.stats.resyncs = 0;
  }

  private requestResync(barrier: boolean): Promise<void> {
    this.resyncWanted = true;
    this.barrierWanted ||= barrier;
    this.running ??= this.resyncLoop().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async resyncLoop(): Promise<void> {
    let attempt = 0;
    while (this.resyncWanted && !this.closed) {
      this.resyncWanted = false;
      try {
        if (this.barrierWanted) await this.resubscribe();
        // Everything received so far happened before this fetch starts: the snapshot covers it.
        this.buffer = [];
        const snapshot = await loadSnapshot(this.settings.rest, {
          accountIds: this.accountIds,
          cap: this.settings.maxOrders ?? 100_000,
          now: this.settings.clock?.now(),
        });
        if (this.closed) return;
        if (this.resyncWanted) continue; // a gap during the fetch: this snapshot may miss it
        await this.applySnapshot(snapshot);
        if (this.closed || this.resyncWanted) continue;
        this.finishSync();
        attempt = 0;
      } catch (error) {
        if (this.closed) return;
        safeEmit(this, 'error', error);
        this.resyncWanted = true;
        await sleep(
          backoffDelay(RESYNC_BACKOFF, attempt++, this.settings.random),
          this.closing.signal,
          this.settings.clock ?? this.settings.timers,
        ).catch(() => undefined); // aborted: closed, the loop ends
      }
    }
  }

  /**
   * After a reconnect the stream replays its subscriptions, but the snapshot must not be taken
   * before the server has them: subscribing again and awaiting the answer is a barrier (the server
   * handles one socket's frames in order). The old registration is then dropped.
   */
  private async resubscribe(): Promise<void> {
    this.barrierWanted = false;
    const next = await this.settings.stream.subscribe([...TOPICS]);
    const previous = this.subscription;
    this.subscription = next;
    if (this.closed) await next.unsubscribe().catch(() => undefined);
    await previous?.unsubscribe().catch(() => undefined);
  }

  private async applySnapshot(snapshot: Snapshot): Promise<void> {
    this.stats.ignored += snapshot.unplaced;
    const listed = new Set<string>();
    for (const order of snapshot.orders) {
      listed.add(order.order_id);
      this.applyOrder(order);
    }
    const held = new Set<string>();
    for (const position of snapshot.positions) {
      held.add(`${position.account_id}\u0000${position.symbol}`);
      this.applyPosition(position);
    }
    // Positions the server no longer lists were closed while updates were missed.
    for (const position of [...this.positions])
      if (!held.has(`${position.account_id}\u0000${position.symbol}`))
        this.applyPosition({ ...position, quantity: '0' });
    for (const balance of snapshot.balances) this.applyBalance(balance);
    // A live order the snapshot no longer lists (an older GTC order that ended while we were
    // away) must be refreshed, not kept as open.
    const missing = [...this.orders].filter((o) => !listed.has(o.order_id) && !isTerminal(o));
    for (const order of missing) {
      const fresh = await fetchOrder(this.settings.rest.orders, {
        ref: order.order_id,
        known: order,
        accountIds: this.accountIds,
      });
      if (this.closed) return;
      if (fresh) this.applyOrder(fresh);
      else this.orders.delete(order.order_id);
    }
  }

  private finishSync(): void {
    const buffered = this.buffer ?? [];
    this.buffer = undefined;
    for (const update of buffered) this.apply(update);
    if (this.settings.stream.state !== 'open') {
      // The stream dropped meanwhile: stay stale; its reconnect gap brings the next resync.
      this.buffer = [];
      return;
    }
    this.isStale = false;
    this.stats.resyncs++;
    safeEmit(this, 'synced');
  }
}
