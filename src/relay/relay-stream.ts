/**
 * `relayStream`: a consumer of the relay's Redis Stream that stands in for a `BrokerageStream`
 * (it implements the `BrokerageSource` seam), so `user.live({ stream: relayStream(...) })` and
 * `waitFor` work unchanged in every app server of a fleet.
 *
 * Every entry carries `index` (previous + 1); a reader that sees anything but the next index knows
 * entries were trimmed (or deleted) before it read them, and emits `gap`. After a Redis
 * interruption it reads on from the last entry id it saw: if the next entry is the expected one
 * (or nothing was written meanwhile) it emits `resumed` (nothing lost), otherwise `gap`.
 * `session_start` and `gap` entries (a new upstream session, a seq gap upstream) become `gap` events.
 */

import { backoffDelay, RELAY_BACKOFF } from '../core/backoff';
import { type Clock, systemClock } from '../core/clock';
import { errorFactory, type StreamError } from '../core/errors';
import { defaultRandom, type RandomSource } from '../core/random';
import type { BrokerageSource, BrokerageSourceEvents } from '../streams/brokerage-source';
import type { BrokerageSubscription, UpdateMeta, UpdatesIterator } from '../streams/brokerage-stream';
import { BufferedIterator } from '../streams/buffered-iterator';
import { FifoBuffer } from '../streams/buffers';
import type { ConnectionState, ReconnectInfo } from '../streams/connection-events';
import type { BrokerageUpdateMessage } from '../streams/messages';
import { type BrokerageFilter, checkFilter, checkTopics } from '../streams/protocol/brokerage';
import {
  emitterLogger,
  SafeEmitter,
  type StreamLogger,
  safeEmit,
  setEmitterLogger,
} from '../streams/safe-emitter';
import type { GapInfo } from '../streams/stream-core';
import type { BrokerageTopic } from '../types';
import { decodeEntry, entriesOf, indexOf, type RawEntry, type RelayEntry, streamEntriesOf } from './entries';
import { checkKey, DEFAULT_KEY, relayKeys } from './keys';
import { checkRedisTarget, isReplyError, RedisLink, type RedisTarget } from './redis-link';
import { seamIssues } from './seams';
import { WakeableSleep } from './wakeable-sleep';

/** Options of {@link relayStream}. */
export interface RelayStreamOptions {
  /** A Redis URL or a node-redis client (the consumer opens its own connection from it). */
  redis: RedisTarget;
  /** The relay's key prefix (default `connect-trade`). */
  key?: string;
  /** Where to start: `latest` (default: only new entries), `earliest` (all retained) or an entry id. */
  from?: 'latest' | 'earliest' | (string & {});
  /** Most entries per read (default 1 000). */
  batchSize?: number;
  /** How long `connect()` waits for Redis before it rejects, in ms (default 10 000). */
  connectTimeoutMs?: number;
  /** Where to report errors nobody listens to. */
  logger?: StreamLogger;
  /**
   * The account ids of a connection, for `subscribe(topics, { connection_id })`. Updates carry an
   * `account_id` but no `connection_id` (the brokerage stream's server knows which accounts a
   * connection has; a relay consumer does not), so the filter is resolved through this once per
   * subscribe, e.g. `(id) => user.accounts.list({ connection_id: id }).then((a) => a.map((x) => x.account_id))`.
   * Accounts linked later reach that subscription after the next `subscribe`.
   */
  connectionAccounts?: (connectionId: string) => readonly string[] | Promise<readonly string[]>;
  /** Advanced (deterministic simulation, tests): the clock of its deadlines and backoff (the SDK's one `Clock`). Default: the platform's. */
  clock?: Clock;
  /** Advanced (deterministic simulation, tests): uniform in [0, 1), for backoff jitter. Default: `Math.random`. */
  random?: RandomSource;
}

/** Events of a relay consumer: the brokerage stream's, plus `update` and `connected`. */
export interface RelayStreamEvents extends BrokerageSourceEvents {
  /** Every delivered update, whole. */
  update: (message: BrokerageUpdateMessage) => void;
  /** Reading started, or restarted after an interruption. */
  connected: () => void;
}

const TOPIC_OF: Record<string, BrokerageTopic> = {
  order_update: 'orders',
  position_update: 'positions',
  balance_update: 'balances',
};
const ALL_TOPICS: readonly BrokerageTopic[] = ['orders', 'positions', 'balances'];
const BLOCK_MS = 1_000;
const ENTRY_ID = /^\d+(-\d+)?$/;
/** Upstream sessions remembered for dedupe (a session lasts one leadership term or upstream connection). */
const MAX_SESSIONS = 64;
/** The applied seq of a session whose end marker was read: nothing of it comes after. */
const SESSION_ENDED = Number.MAX_SAFE_INTEGER;

interface LocalSubscription extends BrokerageSubscription {
  readonly topicSet: ReadonlySet<string>;
  /** The accounts a `connection_id` filter stands for (undefined: no such filter). */
  readonly connectionAccounts: ReadonlySet<string> | undefined;
}

/** A brokerage source fed by the relay's Redis Stream. */
export class RelayStream extends SafeEmitter<RelayStreamEvents> implements BrokerageSource {
  private readonly link: RedisLink;
  private readonly streamKey: string;
  private readonly headKey: string;
  private readonly batchSize: number;
  private readonly connectTimeoutMs: number;
  private currentState: ConnectionState = 'idle';
  private readonly subscriptions = new Set<LocalSubscription>();
  private readonly iterators = new Set<{ topics: Set<string>; iterator: UpdatesIterator }>();
  private lastId: string | undefined;
  private lastIndex: number | undefined;
  /** Per upstream session (the most recent ones), the highest seq applied: the dedupe and the resume point. */
  private readonly appliedSessions = new Map<string, number>();
  /** Entries dropped because they were already applied. */
  private duplicatesDropped = 0;
  private running: Promise<void> | undefined;
  private opened: { promise: Promise<void>; resolve: () => void; reject: (e: unknown) => void } | undefined;
  /** Why reading has not started yet: the cause of a connect timeout. */
  private lastFailure: StreamError | undefined;
  private readonly clock: Clock;
  private readonly random: RandomSource;
  private readonly pause: WakeableSleep;
  /** Entries read since start. */
  private entriesRead = 0;

  /** @internal Use {@link relayStream}. */
  constructor(private readonly options: RelayStreamOptions) {
    super();
    checkRedisTarget(options.redis);
    const key = options.key ?? DEFAULT_KEY;
    checkKey(key);
    const from = options.from ?? 'latest';
    if (from !== 'latest' && from !== 'earliest' && !(typeof from === 'string' && ENTRY_ID.test(from)))
      throw errorFactory.validation([
        { path: 'from', message: 'must be "latest", "earliest" or an entry id' },
      ]);
    const batchSize = options.batchSize ?? 1_000;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100_000)
      throw errorFactory.validation([{ path: 'batchSize', message: 'must be an integer from 1 to 100000' }]);
    const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    if (!Number.isInteger(connectTimeoutMs) || connectTimeoutMs < 1)
      throw errorFactory.validation([{ path: 'connectTimeoutMs', message: 'must be a positive integer' }]);
    const seams = seamIssues(options);
    if (seams.length > 0) throw errorFactory.validation(seams);
    setEmitterLogger(this, options.logger);
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? defaultRandom;
    this.pause = new WakeableSleep(this.clock);
    this.batchSize = batchSize;
    this.connectTimeoutMs = connectTimeoutMs;
    const keys = relayKeys(key);
    this.streamKey = keys.stream;
    this.headKey = keys.head;
    this.link = new RedisLink(options.redis, undefined, keys.lease, this.clock);
  }

  /** `idle` before `connect()`, `connecting`, `open` while reading, `waiting` after an interruption, `closed`. */
  get state(): ConnectionState {
    return this.currentState;
  }

  /** The id of the last entry read: pass it as `from` to continue after a restart. */
  get lastEntryId(): string | undefined {
    return this.lastId;
  }

  /** Entries read since start (updates and gap markers). */
  get entriesConsumed(): number {
    return this.entriesRead;
  }

  /**
   * Entries dropped because this reader had already applied them (same upstream session and seq):
   * after a failover the relay re-appends what the new primary lacked, some of which this reader
   * may have read from the old primary.
   */
  get duplicatesSkipped(): number {
    return this.duplicatesDropped;
  }

  /** Starts reading; resolves once the position in the stream is known (rejects after `connectTimeoutMs`). */
  connect(): Promise<void> {
    if (this.currentState === 'closed') return Promise.reject(errorFactory.streamClosedWhile('connecting'));
    if (this.currentState === 'open') return Promise.resolve();
    if (!this.opened) {
      let resolve!: () => void;
      let reject!: (e: unknown) => void;
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      this.opened = { promise, resolve, reject };
    }
    if (!this.running) {
      this.currentState = 'connecting';
      this.running = this.run();
    }
    let timer: unknown;
    return Promise.race([
      this.opened.promise,
      new Promise<never>((_, reject) => {
        // Past the deadline the consumer stops, as a brokerage stream does: nothing retries unseen.
        timer = this.clock.setTimeout(() => {
          const message = `Relay stream could not reach Redis within ${this.connectTimeoutMs} ms`;
          reject(errorFactory.relay('redis_unavailable', message, this.lastFailure));
          if (this.currentState !== 'open') void this.close();
        }, this.connectTimeoutMs);
      }),
    ]).finally(() => this.clock.clearTimeout(timer));
  }

  /**
   * Subscribes to topics; the filter applies to what this subscription delivers, locally (no round
   * trip to the relay): `account_id` compares each update's account, `connection_id` its account with
   * the connection's accounts from the `connectionAccounts` option (both given: both must match).
   */
  async subscribe(
    topics: readonly BrokerageTopic[],
    filter: BrokerageFilter = {},
  ): Promise<BrokerageSubscription> {
    checkTopics(topics);
    checkFilter(filter);
    const resolve = this.options.connectionAccounts;
    if (filter.connection_id !== undefined && typeof resolve !== 'function')
      throw errorFactory.validation([
        {
          path: 'connection_id',
          message:
            'updates carry no connection_id: a relay stream filters by connection through its connectionAccounts option',
        },
      ]);
    if (this.currentState === 'closed') throw errorFactory.streamClosedWhile('subscribing');
    const connectionAccounts =
      filter.connection_id === undefined || resolve === undefined
        ? undefined
        : await this.accountsOf(filter.connection_id, resolve);
    if (this.isClosed()) throw errorFactory.streamClosedWhile('subscribing');
    const list = [...topics];
    const frozen = { ...filter };
    const subscription: LocalSubscription = {
      topics: list,
      filter: frozen,
      topicSet: new Set(list),
      connectionAccounts,
      unsubscribe: async () => {
        this.subscriptions.delete(subscription);
      },
    };
    this.subscriptions.add(subscription);
    return subscription;
  }

  /** The accounts of a connection through the `connectionAccounts` option, checked, within `connectTimeoutMs`. */
  private async accountsOf(
    connectionId: string,
    resolve: NonNullable<RelayStreamOptions['connectionAccounts']>,
  ): Promise<ReadonlySet<string>> {
    let timer: unknown;
    try {
      const ids = await Promise.race([
        Promise.resolve().then(() => resolve(connectionId)),
        new Promise<never>((_, reject) => {
          timer = this.clock.setTimeout(
            () =>
              reject(
                errorFactory.validation([
                  {
                    path: 'connection_id',
                    message: `connectionAccounts did not answer within ${this.connectTimeoutMs} ms`,
                  },
                ]),
              ),
            this.connectTimeoutMs,
          );
        }),
      ]);
      if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string' || id === ''))
        throw errorFactory.validation([
          {
            path: 'connection_id',
            message: 'connectionAccounts must return account ids (non-empty strings)',
          },
        ]);
      return new Set(ids);
    } finally {
      this.clock.clearTimeout(timer);
    }
  }

  /** Live subscriptions. */
  listSubscriptions(): BrokerageSubscription[] {
    return [...this.subscriptions];
  }

  /** An async iterator of delivered updates (all topics by default). Never drops: watch `backlog`. */
  updates(options: { topics?: readonly BrokerageTopic[] } = {}): UpdatesIterator {
    if (options.topics) checkTopics(options.topics);
    const entry = {
      topics: new Set<string>(options.topics ?? ALL_TOPICS),
      iterator: undefined as unknown as UpdatesIterator,
    };
    entry.iterator = new BufferedIterator(new FifoBuffer<BrokerageUpdateMessage>(), () =>
      this.iterators.delete(entry),
    );
    if (this.currentState === 'closed') entry.iterator.end();
    else this.iterators.add(entry);
    return entry.iterator;
  }

  /** Stops reading for good: iterators end, subscriptions are dropped, `close` is emitted. */
  async close(): Promise<void> {
    if (this.currentState === 'closed') return;
    this.currentState = 'closed';
    this.pause.wake();
    this.link.close();
    await this.running?.catch(() => undefined);
    this.subscriptions.clear();
    for (const entry of [...this.iterators]) entry.iterator.end();
    safeEmit(this, 'close', { code: 1000, reason: 'closed' });
  }

  private async run(): Promise<void> {
    let attempt = 0;
    let interrupted = false;
    while (this.currentState !== 'closed') {
      try {
        if (this.lastId === undefined) await this.position();
        if (interrupted) {
          await this.resume();
          interrupted = false;
        }
        if (this.currentState !== 'open') this.markOpen();
        attempt = 0;
        const reply = await this.link.send(
          [
            'XREAD',
            'COUNT',
            String(this.batchSize),
            'BLOCK',
            String(BLOCK_MS),
            'STREAMS',
            this.streamKey,
            this.lastId as string,
          ],
          BLOCK_MS + 2_000,
        );
        this.deliver(streamEntriesOf(reply));
      } catch (error) {
        if (this.isClosed()) return;
        const relayError = asStreamError(error);
        this.lastFailure = relayError;
        this.report(relayError);
        // Refused for good (wrong password, no `redis` package): connect() learns why at once.
        if (this.currentState === 'connecting' && isPermanent(relayError)) {
          this.opened?.reject(relayError);
          this.opened = undefined;
          void this.close();
          return;
        }
        if (!isReplyError(error) && this.lastId !== undefined) interrupted = true;
        const delay = backoffDelay(RELAY_BACKOFF, attempt, this.random);
        attempt++;
        if (this.currentState === 'open') {
          this.currentState = 'waiting';
          safeEmit(this, 'reconnecting', {
            attempt,
            delay,
            closeCode: 1006,
            reason: relayError.message,
          } satisfies ReconnectInfo);
        }
        await this.pause.sleep(delay);
      }
    }
  }

  /** Re-reads the state (TypeScript narrows the field across awaits otherwise). */
  private isClosed(): boolean {
    return this.currentState === 'closed';
  }

  private markOpen(): void {
    if (this.isClosed()) return;
    this.currentState = 'open';
    this.opened?.resolve();
    this.opened = undefined;
    safeEmit(this, 'connected');
  }

  /** Finds where to start: the last entry (`latest`), the beginning, or the given id. */
  private async position(): Promise<void> {
    const from = this.options.from ?? 'latest';
    if (from === 'earliest') {
      this.lastId = '0-0';
      return;
    }
    if (from === 'latest') {
      const [last] = entriesOf(
        await this.link.send(['XREVRANGE', this.streamKey, '+', '-', 'COUNT', '1'], 5_000),
      );
      if (last) {
        this.lastId = last.id;
        this.lastIndex = indexOf(last);
      } else {
        // Empty (never written, or everything aged out): continue from the writer's counter.
        const head = await this.link.send(['HGET', this.headKey, 'index'], 5_000);
        this.lastId = '0-0';
        this.lastIndex = head === null || head === undefined ? undefined : Number(head);
      }
      return;
    }
    const [at] = entriesOf(await this.link.send(['XRANGE', this.streamKey, from, from], 5_000));
    this.lastId = from;
    this.lastIndex = at ? indexOf(at) : undefined;
    if (!at) {
      // The entry is gone: if older entries than those retained were asked for, some were trimmed.
      const [first] = entriesOf(
        await this.link.send(['XRANGE', this.streamKey, '-', '+', 'COUNT', '1'], 5_000),
      );
      if (first && compareIds(first.id, from) > 0) this.emitGap({ reason: 'seq' });
    }
  }

  /**
   * After an interruption. When the last entry read is still where it was (same id, same session
   * and seq), nothing was rolled back: read on from it; nothing lost (the next entry follows, or
   * there is none and the newest still is ours) means `resumed`. Otherwise a failover replaced the
   * stream (a new primary lacked the newest entries, then got them re-appended with new ids): the
   * position is found again by upstream `seq`, scanning back from the newest entry to the last one
   * already applied; entries already applied are dropped as they come again.
   */
  private async resume(): Promise<void> {
    const lastId = this.lastId as string;
    const [still] =
      lastId === '0-0'
        ? []
        : entriesOf(await this.link.send(['XRANGE', this.streamKey, lastId, lastId], 5_000));
    if (lastId !== '0-0' && (still === undefined || !this.isApplied(still))) {
      await this.resumeBySeq();
      return;
    }
    const entries = streamEntriesOf(
      await this.link.send(
        ['XREAD', 'COUNT', String(this.batchSize), 'STREAMS', this.streamKey, lastId],
        5_000,
      ),
    );
    let continuous: boolean;
    const first = entries[0];
    if (first)
      continuous =
        this.lastIndex === undefined || indexOf(first) === this.lastIndex + 1 || this.follows(first);
    else {
      const [last] = entriesOf(
        await this.link.send(['XREVRANGE', this.streamKey, '+', '-', 'COUNT', '1'], 5_000),
      );
      // No newer entry: nothing was lost unless the stream itself was lost (Redis restarted empty).
      continuous = this.lastIndex === undefined || (last !== undefined && indexOf(last) === this.lastIndex);
      if (!continuous && last === undefined) this.lastIndex = undefined;
    }
    this.markOpen();
    if (continuous) safeEmit(this, 'resumed');
    else {
      this.emitGap({ reason: 'seq' });
      this.lastIndex = undefined;
    }
    this.deliver(entries);
  }

  /** Most entries scanned back from the newest to find where a rolled-back stream continues. */
  private get maxScan(): number {
    return Math.max(10_000, this.batchSize * 10);
  }

  /** Finds the position again by upstream seq after a rollback (see {@link resume}). */
  private async resumeBySeq(): Promise<void> {
    const scanned: RawEntry[] = [];
    let end = '+';
    let anchor = false;
    let reachedStart = false;
    /** The newest entry when the scan began: reading continues after it. */
    let newest: string | undefined;
    while (!anchor && scanned.length < this.maxScan) {
      const page = entriesOf(
        await this.link.send(['XREVRANGE', this.streamKey, end, '-', 'COUNT', String(this.batchSize)], 5_000),
      );
      newest ??= page[0]?.id;
      for (const raw of page) {
        if (this.isApplied(raw)) {
          anchor = true;
          break;
        }
        scanned.push(raw);
      }
      const oldest = page[page.length - 1];
      if (page.length < this.batchSize || oldest === undefined) {
        reachedStart = true;
        break;
      }
      end = `(${oldest.id}`;
    }
    scanned.reverse();
    this.markOpen();
    this.lastIndex = undefined;
    // Nothing applied found in the scanned part: older entries may have been missed.
    if (anchor || (reachedStart && this.appliedSessions.size === 0)) safeEmit(this, 'resumed');
    else this.emitGap({ reason: 'seq' });
    // Nothing to deliver from the scan: reading continues after the newest entry the scan saw, not
    // after the newest one now (an entry appended meanwhile, such as a new session's start, would be
    // skipped: found by the relay simulation).
    if (scanned.length === 0) this.lastId = newest ?? '0-0';
    this.deliver(scanned);
  }

  /** True when an entry is one this reader already applied (same session, seq not above the last applied). */
  private isApplied(raw: RawEntry): boolean {
    const session = raw.fields.session_id ?? '';
    const applied = this.appliedSessions.get(session);
    if (applied === undefined) return false;
    const seq = Number(raw.fields.seq);
    return Number.isInteger(seq) && seq <= applied;
  }

  /** True when an update entry is the next seq of a session already being applied. */
  private follows(raw: RawEntry): boolean {
    const applied = this.appliedSessions.get(raw.fields.session_id ?? '');
    return applied !== undefined && Number(raw.fields.seq) === applied + 1;
  }

  /** Records what was applied of a session (a bounded map: the most recent sessions). */
  private markApplied(session: string, seq: number): void {
    const sessions = this.appliedSessions;
    const before = sessions.get(session);
    if (before !== undefined && before >= seq) return;
    sessions.delete(session);
    sessions.set(session, seq);
    if (sessions.size > MAX_SESSIONS) {
      const oldest = sessions.keys().next().value;
      if (oldest !== undefined) sessions.delete(oldest);
    }
  }

  private deliver(entries: readonly RawEntry[]): void {
    for (const raw of entries) {
      if (this.currentState === 'closed') return;
      this.entriesRead++;
      const index = indexOf(raw);
      const lastIndex = this.lastIndex;
      this.lastId = raw.id;
      if (index !== undefined) this.lastIndex = index;
      let entry: RelayEntry;
      try {
        entry = decodeEntry(raw);
      } catch (error) {
        // An update we cannot read is an update missed.
        this.report(asStreamError(error));
        this.emitGap({ reason: 'seq' });
        continue;
      }
      const session = entry.sessionId;
      const seq = entry.kind === 'update' ? entry.message.seq : (entry.gap.to ?? 0);
      const applied = this.appliedSessions.get(session);
      if (entry.kind === 'gap' && entry.gap.endedSession !== undefined) {
        this.sessionEnded(entry.gap, applied);
        continue;
      }
      // Already applied (a re-append after a failover, or read again after a rollback): dropped.
      if (applied !== undefined && seq <= applied) {
        this.duplicatesDropped++;
        continue;
      }
      if (entry.kind === 'gap') {
        this.markApplied(session, seq);
        this.emitGap(entry.gap);
        continue;
      }
      // Continuity by upstream seq within a session; by index only for a session not seen yet
      // (a new primary's indexes may restart lower: they say nothing about what was missed).
      if (applied !== undefined) {
        if (seq > applied + 1) this.emitGap({ reason: 'seq', from: applied + 1, to: seq - 1 });
      } else if (index !== undefined && lastIndex !== undefined && index > lastIndex + 1)
        this.emitGap({ reason: 'seq' });
      this.markApplied(session, seq);
      this.dispatch(entry.message, session);
    }
  }

  /**
   * A session's end marker: what this reader did not apply of it, from `from` (or past what it
   * applied, read from a primary that later lost it) to the session's unknown end, is one gap; the
   * session is closed, so a second marker or any later entry of it is dropped.
   */
  private sessionEnded(gap: GapInfo, applied: number | undefined): void {
    const session = gap.endedSession as string;
    if (applied === SESSION_ENDED) {
      this.duplicatesDropped++;
      return;
    }
    this.markApplied(session, SESSION_ENDED);
    this.emitGap({ ...gap, from: Math.max(gap.from ?? 1, (applied ?? 0) + 1) });
  }

  private dispatch(message: BrokerageUpdateMessage, sessionId: string): void {
    const topic = TOPIC_OF[message.action] as string;
    const accountId = (message.data as { account_id: string }).account_id;
    let wanted = false;
    for (const s of this.subscriptions)
      if (
        s.topicSet.has(topic) &&
        (s.filter.account_id === undefined || s.filter.account_id === accountId) &&
        (s.connectionAccounts === undefined || s.connectionAccounts.has(accountId))
      ) {
        wanted = true;
        break;
      }
    if (!wanted) return;
    for (const entry of this.iterators) if (entry.topics.has(topic)) entry.iterator.push(message);
    const meta: UpdateMeta = { seq: message.seq, user_id: message.user_id, session_id: sessionId };
    safeEmit(this, message.action, message.data, meta);
    safeEmit(this, 'update', message);
  }

  private emitGap(info: GapInfo): void {
    safeEmit(this, 'gap', info);
  }

  private report(error: StreamError): void {
    if (!safeEmit(this, 'error', error)) emitterLogger(this)?.warn?.(error.message, { error });
  }
}

/** Compares two stream ids (`ms-seq`). */
export function compareIds(a: string, b: string): number {
  const [am = '0', as = '0'] = a.split('-');
  const [bm = '0', bs = '0'] = b.split('-');
  const ms = BigInt(am) - BigInt(bm);
  if (ms !== 0n) return ms > 0n ? 1 : -1;
  const seq = BigInt(as) - BigInt(bs);
  return seq === 0n ? 0 : seq > 0n ? 1 : -1;
}

/** Redis refused the credentials, or the `redis` package is missing: retrying cannot help. */
function isPermanent(error: StreamError): boolean {
  if (error.code === 'redis_missing') return true;
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; depth++, e = e.cause)
    if (/\b(WRONGPASS|NOAUTH|NOPERM)\b/.test(e.message)) return true;
  return false;
}

function asStreamError(error: unknown): StreamError {
  if (error instanceof Error && 'closeCode' in error) return error as StreamError;
  return errorFactory.relay(
    'redis_unavailable',
    error instanceof Error ? error.message : String(error),
    error,
  );
}

/**
 * A consumer of the relay's Redis Stream that looks like a `BrokerageStream` to the rest of the SDK:
 * pass it as `user.live({ stream })`, subscribe, iterate `updates()`. Call `connect()` (or let a
 * live store do it) to start reading.
 */
export function relayStream(options: RelayStreamOptions): RelayStream {
  return new RelayStream(options);
}
