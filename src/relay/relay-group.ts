/**
 * `relayGroup`: work-queue mode over the relay's Redis Stream, on a consumer group. Each entry goes
 * to one consumer of the group (`XREADGROUP`), is acknowledged (`XACK`) only after the handler
 * resolved, and is taken over by another consumer (`XAUTOCLAIM`) once it stayed unacknowledged
 * for `claimIdleMs` (its consumer died or hangs). Delivery is therefore AT LEAST ONCE: a consumer
 * that dies after the handler's side effect but before the XACK has the entry handled again
 * elsewhere. Handlers dedupe on `key` (`session_id:seq`, stable across redeliveries): e.g. insert
 * it with a unique constraint in the same transaction as the side effect.
 */

import { backoffDelay, RELAY_BACKOFF } from '../core/backoff';
import { type Clock, systemClock } from '../core/clock';
import { errorFactory, type StreamError } from '../core/errors';
import { defaultRandom, type RandomSource } from '../core/random';
import type { UpdateMeta } from '../streams/brokerage-stream';
import type { BrokerageUpdateMessage } from '../streams/messages';
import { SafeEmitter, safeEmit } from '../streams/safe-emitter';
import type { GapInfo } from '../streams/stream-core';
import { decodeEntry, entriesOf, idempotencyKey, indexOf, type RawEntry, streamEntriesOf } from './entries';
import { checkKey, DEFAULT_KEY, relayKeys } from './keys';
import { checkRedisTarget, isReplyError, RedisLink, type RedisTarget } from './redis-link';
import { GROUP_ACK, runScript } from './scripts';
import { seamIssues } from './seams';
import { WakeableSleep } from './wakeable-sleep';

/** What a handler is told besides the update. */
export interface RelayGroupContext {
  /** The idempotency key `session_id:seq` (a gap marker's: `session_id:gap:seq`): the same on every redelivery of this entry. */
  key: string;
  /** The Redis Stream entry id. */
  entryId: string;
  /** The update's seq, user and session (as a stream event's meta). */
  meta: UpdateMeta;
}

/** Options of {@link relayGroup}. */
export interface RelayGroupOptions {
  /** A Redis URL or a node-redis client (the group opens its own connection from it). */
  redis: RedisTarget;
  /** The relay's key prefix (default `connect-trade`). */
  key?: string;
  /** The consumer group (created when missing). */
  group: string;
  /** This consumer's name, unique in the group and stable across restarts (its pending entries are retried on start). */
  consumer: string;
  /** Processes one update; the entry is acknowledged once it resolves. A rejection leaves it pending (retried after `claimIdleMs`). */
  handler: (update: BrokerageUpdateMessage, context: RelayGroupContext) => void | Promise<void>;
  /**
   * Called for `session_start`/`gap` entries, and when entries were trimmed (retention) before the
   * group read them (updates may have been missed: reconcile over REST). Default: acknowledged as is.
   */
  onGap?: (gap: GapInfo, context: Omit<RelayGroupContext, 'meta'>) => void | Promise<void>;
  /** Idle time before another consumer claims an unacknowledged entry, in ms (default 30 000). */
  claimIdleMs?: number;
  /** Where a NEW group starts: `latest` (default) or `earliest`. An existing group keeps its position. */
  from?: 'latest' | 'earliest';
  /** Most entries per read (default 100). */
  batchSize?: number;
  /** Advanced (deterministic simulation, tests): the clock of its claims, deadlines and backoff (the SDK's one `Clock`). Default: the platform's. */
  clock?: Clock;
  /** Advanced (deterministic simulation, tests): uniform in [0, 1), for backoff jitter. Default: `Math.random`. */
  random?: RandomSource;
}

/** Events of a consumer group member. */
export interface RelayGroupEvents {
  /** A handler failed (the entry stays pending), Redis was unreachable, or an entry was malformed. */
  error: (error: unknown) => void;
}

/** Counters of a consumer group member. */
export interface RelayGroupStats {
  /** Entries handled and acknowledged. */
  acked: number;
  /** Handler failures (each entry is retried after `claimIdleMs`). */
  failed: number;
  /** Entries taken over from idle consumers (this one included, after a failure). */
  claimed: number;
  /** Entries acknowledged without calling the handler: their update was already handled (same session and seq). */
  duplicates: number;
}

const BLOCK_MS = 1_000;
/** Idempotency keys a group remembers (its newest): far more than a failover can re-append. */
const DONE_KEYS = 100_000;
const NAME = /^[\w.:-]{1,200}$/;

/** A running member of a consumer group. */
export class RelayGroup extends SafeEmitter<RelayGroupEvents> {
  /** Counters. */
  readonly stats: RelayGroupStats = { acked: 0, failed: 0, claimed: 0, duplicates: 0 };
  private readonly link: RedisLink;
  private readonly streamKey: string;
  /** The group's done set: idempotency keys of handled updates (see GROUP_ACK). */
  private readonly doneKey: string;
  private readonly claimIdleMs: number;
  private readonly batchSize: number;
  private closed = false;
  private readonly loop: Promise<void>;
  private readonly clock: Clock;
  private readonly random: RandomSource;
  private readonly pause: WakeableSleep;
  /** Whether this member created the group (a new group's first read has nothing before it to check). */
  private createdGroup = false;
  /** Whether this member asked for new entries (`>`) before. */
  private readBefore = false;
  /** The first entry of the last new read, until it was checked (a check cut short is run again). */
  private unchecked: { entries: readonly RawEntry[]; firstRead: boolean } | undefined;
  /** Keys this member handled lately (insertion order: the oldest go first past DONE_KEYS). */
  private readonly handledHere = new Set<string>();

  /** @internal Use {@link relayGroup}. */
  constructor(private readonly options: RelayGroupOptions & { claimIdleMs: number; batchSize: number }) {
    super();
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? defaultRandom;
    this.pause = new WakeableSleep(this.clock);
    const keys = relayKeys(options.key ?? DEFAULT_KEY);
    this.link = new RedisLink(options.redis, undefined, keys.lease, this.clock);
    this.streamKey = keys.stream;
    this.doneKey = `${keys.stream.slice(0, keys.stream.lastIndexOf(':'))}:done:${options.group}`;
    this.claimIdleMs = options.claimIdleMs;
    this.batchSize = options.batchSize;
    this.loop = this.run();
  }

  /**
   * Stops after the handler in progress (if any) finishes, waiting at most 5 s for it (a hung
   * handler's entry stays pending and is claimed by another consumer after `claimIdleMs`).
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.pause.wake();
    let timer: unknown;
    await Promise.race([
      this.loop,
      new Promise<void>((resolve) => (timer = this.clock.setTimeout(resolve, 5_000))),
    ]);
    this.clock.clearTimeout(timer);
    this.link.close();
  }

  private async run(): Promise<void> {
    const { group, consumer } = this.options;
    let attempt = 0;
    let created = false;
    // Own pending entries first (a restart with the same name), then new ones.
    let ownPending = true;
    let claimCursor = '0-0';
    let nextClaimAt = 0;
    while (!this.closed) {
      try {
        if (!created) {
          await this.createGroup();
          created = true;
        }
        // A check cut short (Redis went away) is run again before anything else.
        if (this.unchecked) await this.checkTrimmed(this.unchecked);
        if (this.clock.now() >= nextClaimAt) {
          const reply = (await this.link.send(
            [
              'XAUTOCLAIM',
              this.streamKey,
              group,
              consumer,
              String(this.claimIdleMs),
              claimCursor,
              'COUNT',
              String(this.batchSize),
            ],
            5_000,
          )) as unknown[];
          const next = typeof reply?.[0] === 'string' ? reply[0] : '0-0';
          const claimed = entriesOf(reply?.[1]);
          this.stats.claimed += claimed.length;
          claimCursor = next;
          if (next === '0-0') nextClaimAt = this.clock.now() + Math.max(50, Math.floor(this.claimIdleMs / 2));
          // Redis 7 lists the pending entries that were trimmed (or deleted) before anyone
          // acknowledged them, and drops them from the pending list: their updates may never
          // have been handled.
          for (const id of Array.isArray(reply?.[2]) ? reply[2] : [])
            if (typeof id === 'string') await this.tellGap(`trimmed:${id}`, id);
          await this.checkTrimmed({ entries: claimed, firstRead: false });
          await this.process(claimed);
          continue;
        }
        const block = Math.max(1, Math.min(BLOCK_MS, nextClaimAt - this.clock.now()));
        const entries = streamEntriesOf(
          await this.link.send(
            [
              'XREADGROUP',
              'GROUP',
              group,
              consumer,
              'COUNT',
              String(this.batchSize),
              ...(ownPending ? [] : ['BLOCK', String(block)]),
              'STREAMS',
              this.streamKey,
              ownPending ? '0' : '>',
            ],
            block + 2_000,
          ),
        );
        if (ownPending && entries.length === 0) ownPending = false;
        await this.checkTrimmed({ entries, firstRead: !ownPending && !this.readBefore });
        // Only the creating member's very first new read may start at the oldest entry unannounced.
        if (!ownPending) this.readBefore = true;
        await this.process(entries);
        attempt = 0;
      } catch (error) {
        if (this.closed) return;
        if (isReplyError(error) && String((error as Error).message).startsWith('NOGROUP')) created = false;
        this.report(error);
        await this.pause.sleep(backoffDelay(RELAY_BACKOFF, attempt++, this.random));
      }
    }
  }

  private async createGroup(): Promise<void> {
    const start = this.options.from === 'earliest' ? '0' : '$';
    try {
      await this.link.send(
        ['XGROUP', 'CREATE', this.streamKey, this.options.group, start, 'MKSTREAM'],
        5_000,
      );
      this.createdGroup = true;
    } catch (error) {
      if (!(isReplyError(error) && String((error as Error).message).startsWith('BUSYGROUP'))) throw error;
    }
  }

  /**
   * Entries trimmed (retention) or deleted before the group read them are skipped by Redis without
   * a word: `XREADGROUP >` just goes on with the oldest entry left. Every entry carries `index`
   * (previous + 1), so an entry handed to this member (a new read, its own pending entries, claimed
   * ones) that does not follow the one before it in the batch is checked against the entry before
   * it in the stream, which the group has read already (an entry of a lower id is never delivered
   * later). Pending and claimed entries are checked too: the reply of a new read can be lost (a
   * dropped connection, a member that died) after Redis delivered it.
   * - it is the previous index: nothing was skipped;
   * - its index is lower still: entries in between were deleted: a gap;
   * - it is at least as high: the indexes restarted (a failover rolled the head back; the relay's
   *   own gap entries cover what it lost): nothing to say;
   * - there is none (this entry is the oldest left) and its index is above 1: what came before was
   *   trimmed, unread by this group unless the group is new and starts here (this member created
   *   it, and this is its first new read, even an empty one). A group that lags by about the retention may
   *   also be told of a gap for entries it had read just before they were trimmed (once too often).
   * A check cut short (Redis went away) is run again before anything else.
   * The gap goes to `onGap` (reason `seq`, key `session_id:trimmed:index`) before the entry. A
   * pending entry trimmed before it was acknowledged is told by XAUTOCLAIM (key `trimmed:<entry id>`).
   */
  private async checkTrimmed(batch: { entries: readonly RawEntry[]; firstRead: boolean }): Promise<void> {
    this.unchecked = batch;
    const { entries, firstRead } = batch;
    const gaps: RawEntry[] = [];
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i] as RawEntry;
      const index = indexOf(entry);
      if (index === undefined || index <= 1) continue;
      const before = i > 0 ? indexOf(entries[i - 1] as RawEntry) : undefined;
      if (before !== undefined && before >= index - 1) continue;
      const [previous] = entriesOf(
        await this.link.send(['XREVRANGE', this.streamKey, `(${entry.id}`, '-', 'COUNT', '1'], 5_000),
      );
      if (
        previous === undefined
          ? i === 0 && firstRead && this.createdGroup
          : (indexOf(previous) ?? 0) >= index - 1
      )
        continue;
      gaps.push(entry);
    }
    this.unchecked = undefined;
    for (const entry of gaps)
      await this.tellGap(`${entry.fields.session_id ?? ''}:trimmed:${indexOf(entry)}`, entry.id);
  }

  /** Tells `onGap` that entries were trimmed unhandled (a failing onGap is reported, not retried). */
  private async tellGap(key: string, entryId: string): Promise<void> {
    // Told once by this member (a check run again, then the same entry claimed, finds it twice).
    if (this.handledHere.has(key)) return;
    this.remember(key);
    try {
      await this.options.onGap?.({ reason: 'seq' }, { key, entryId });
    } catch (error) {
      this.report(error);
    }
  }

  private async process(entries: readonly RawEntry[]): Promise<void> {
    for (const raw of entries) {
      if (this.closed) return;
      let handled = true;
      let key: string | undefined;
      try {
        const entry = decodeEntry(raw);
        key = idempotencyKey(entry);
        if (this.handledHere.has(key) || (await this.alreadyDone(key))) {
          this.stats.duplicates++;
        } else if (entry.kind === 'gap') await this.options.onGap?.(entry.gap, { key, entryId: raw.id });
        else
          await this.options.handler(entry.message, {
            key,
            entryId: raw.id,
            meta: { seq: entry.message.seq, user_id: entry.message.user_id, session_id: entry.sessionId },
          });
      } catch (error) {
        // A malformed entry can never succeed: it is acknowledged (and reported) so it does not
        // come back forever. A failed handler leaves the entry pending for a retry.
        if ((error as StreamError)?.code !== 'malformed_entry') {
          handled = false;
          this.stats.failed++;
        }
        this.report(error);
      }
      if (handled) {
        if (key !== undefined) this.remember(key);
        if (key === undefined)
          await this.link.send(['XACK', this.streamKey, this.options.group, raw.id], 5_000);
        else
          await runScript(this.link, {
            script: GROUP_ACK,
            keys: [this.doneKey, this.streamKey],
            args: [this.options.group, raw.id, key, String(this.clock.now()), String(DONE_KEYS)],
            timeoutMs: 5_000,
          });
        this.stats.acked++;
      }
    }
  }

  /** Remembers a key this member handled, before its acknowledgement (which a failover may lose). */
  private remember(key: string): void {
    this.handledHere.add(key);
    if (this.handledHere.size > DONE_KEYS) {
      const oldest = this.handledHere.values().next().value;
      if (oldest !== undefined) this.handledHere.delete(oldest);
    }
  }

  /** Whether an update with this key was already handled by the group (the done set has it). */
  private async alreadyDone(key: string): Promise<boolean> {
    const score = await this.link.send(['ZSCORE', this.doneKey, key], 5_000);
    return score !== null && score !== undefined;
  }

  private report(error: unknown): void {
    safeEmit(this, 'error', error);
  }
}

/**
 * Joins (creating if needed) a consumer group on the relay's Redis Stream and hands each entry to
 * `handler`, one at a time, acknowledging it when the handler resolves. At least once: dedupe on
 * `context.key`.
 */
export function relayGroup(options: RelayGroupOptions): RelayGroup {
  checkRedisTarget(options?.redis);
  const key = options.key ?? DEFAULT_KEY;
  checkKey(key);
  const issues: { path: string; message: string }[] = [];
  if (typeof options.group !== 'string' || !NAME.test(options.group))
    issues.push({ path: 'group', message: 'must be 1-200 letters, digits, "_", ".", ":" or "-"' });
  if (typeof options.consumer !== 'string' || !NAME.test(options.consumer))
    issues.push({ path: 'consumer', message: 'must be 1-200 letters, digits, "_", ".", ":" or "-"' });
  if (typeof options.handler !== 'function') issues.push({ path: 'handler', message: 'must be a function' });
  if (options.onGap !== undefined && typeof options.onGap !== 'function')
    issues.push({ path: 'onGap', message: 'must be a function' });
  const claimIdleMs = options.claimIdleMs ?? 30_000;
  if (!Number.isInteger(claimIdleMs) || claimIdleMs < 10)
    issues.push({ path: 'claimIdleMs', message: 'must be an integer of at least 10' });
  const batchSize = options.batchSize ?? 100;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000)
    issues.push({ path: 'batchSize', message: 'must be an integer from 1 to 10000' });
  if (options.from !== undefined && options.from !== 'latest' && options.from !== 'earliest')
    issues.push({ path: 'from', message: 'must be "latest" or "earliest"' });
  issues.push(...seamIssues(options));
  if (issues.length > 0) throw errorFactory.validation(issues);
  return new RelayGroup({ ...options, claimIdleMs, batchSize });
}
