/**
 * `startRelay`: one relay process of a fleet. Every relay competes for the lease; the one holding
 * it (the leader) opens the brokerage stream and appends each update to the Redis Stream through
 * the fenced writer; the others (standbys) never open the upstream while the lease is valid, so
 * two relays never evict each other. Losing the lease (a refused renewal, Redis unreachable past
 * the holder's deadline, or a fenced write) closes the upstream at once.
 */

import { hostname } from 'node:os';
import { backoffDelay, RELAY_BACKOFF } from '../core/backoff';
import { type Clock, systemClock } from '../core/clock';
import { errorFactory, type StreamError } from '../core/errors';
import { defaultRandom, type RandomSource } from '../core/random';
import type { BrokerageStream } from '../streams/brokerage-stream';
import type { ConnectionState } from '../streams/connection-events';
import type { BrokerageUpdateMessage } from '../streams/messages';
import { SafeEmitter, safeEmit } from '../streams/safe-emitter';
import type { GapInfo } from '../streams/stream-core';
import { checkKey, DEFAULT_KEY, relayKeys } from './keys';
import { Lease, type LeaseOptions, leaseTiming } from './lease';
import { checkRedisTarget, RedisLink, type RedisTarget } from './redis-link';
import { seamIssues } from './seams';
import { WakeableSleep } from './wakeable-sleep';
import { type Replication, type Retention, StreamWriter } from './writer';

/** What the relay needs of a `ConnectTrade` client: its brokerage stream. */
export interface RelayUpstreamClient {
  /** A new brokerage stream with the client's credentials (one per leadership term). */
  stream(): BrokerageStream;
}

/** Options of {@link startRelay}. */
export interface RelayOptions {
  /** The platform client whose brokerage stream is relayed (a `ConnectTrade`). */
  client: RelayUpstreamClient;
  /** A Redis URL or a node-redis client (the relay opens its own connection from it). */
  redis: RedisTarget;
  /** Prefix of every Redis key the relay uses (default `connect-trade`). */
  key?: string;
  /** The leader lease (default `{ ttlMs: 5000 }`). */
  lease?: LeaseOptions;
  /** Retention of the Redis Stream (default: about 100 000 entries). */
  retention?: Retention;
  /** This relay's id in the lease (default: host name, pid and a random suffix). */
  id?: string;
  /** Most entries buffered while Redis is slow before updates are replaced by a `gap` entry (default 100 000). */
  maxBuffered?: number;
  /**
   * Replication-aware writes: after each append, `WAIT replicas timeoutMs`; an append not confirmed
   * in time stays buffered and is sent again (after a failover, to the new primary). Default
   * `{ replicas: 1, timeoutMs: 1000 }` on Sentinel and Cluster, `{ replicas: 0 }` (no WAIT) on a URL
   * or a plain client.
   */
  replication?: { replicas?: number; timeoutMs?: number };
  /**
   * Advanced (deterministic simulation, tests): the clock of the lease, its deadlines, retries and
   * command deadlines (the SDK's one `Clock`, as `ConnectTrade`'s). Default: the platform's.
   */
  clock?: Clock;
  /** Advanced: uniform in [0, 1), for backoff jitter and the default `id`'s suffix. Default: `Math.random`. */
  random?: RandomSource;
}

/** A relay's role. */
export type RelayRole = 'leader' | 'standby';

/** The relay's state: its role while running, `closed` after `close()`. */
export type RelayState = RelayRole | 'closed';

/** Figures of a relay, from {@link RelayHandle.metrics}. */
export interface RelayMetrics {
  role: RelayRole;
  /** This relay's id. */
  id: string;
  /** Who held the lease when last seen (`<id>:<fence>`), this relay included. */
  leaseHolder: string | undefined;
  /** The fencing token of this relay's current term (undefined on a standby). */
  fence: number | undefined;
  /** The upstream (brokerage stream) state, `none` on a standby. */
  upstream: ConnectionState | 'none';
  /** The current upstream session id. */
  sessionId: string | undefined;
  /** Entries appended in the last second or so. */
  entriesPerSecond: number;
  /** Entries appended since start. */
  entriesWritten: number;
  /** Entries Redis refused because this relay's fencing token was stale. */
  fencedWrites: number;
  /** Entries waiting to be written. */
  backlog: number;
  /** Terms this relay has led. */
  terms: number;
  /** Times the leader found its lease missing on a new primary and restored it (failovers survived). */
  leaseRestores: number;
  /** Times this relay's connection found a different primary than before. */
  primaryChanges: number;
}

/** Events of a relay. */
export interface RelayEvents {
  /** The role changed (`fence` is the new term's token when it became leader). */
  role: (role: RelayRole, info: { fence: number | undefined }) => void;
  /** The leader's upstream authenticated: a new session (its `session_start` entry follows). */
  session: (info: { sessionId: string; fence: number }) => void;
  /** A problem: Redis unreachable, a failed append (retried), an upstream error. The relay carries on. */
  error: (error: StreamError) => void;
}

const TOPICS = ['orders', 'positions', 'balances'] as const;

/** Why a leadership term ended. */
type TermEnd = 'lease_lost' | 'fenced' | 'upstream_closed' | 'closing';

/** One leadership term. */
interface Term {
  fence: number;
  token: string;
  stream: BrokerageStream;
  writer: StreamWriter;
  sessionId: string | undefined;
  /** Ends the term; resolves the loop waiting on it. */
  end: (reason: TermEnd) => void;
}

/** A running relay (from {@link startRelay}): `state`, `on('role')`, `metrics()`, `close()`. */
export class RelayHandle extends SafeEmitter<RelayEvents> {
  private readonly link: RedisLink;
  private readonly lease: Lease;
  private readonly id: string;
  private role: RelayRole = 'standby';
  private closed = false;
  private term: Term | undefined;
  private leaseHolder: string | undefined;
  private entriesWritten = 0;
  private fencedWrites = 0;
  private terms = 0;
  private leaseRestores = 0;
  private readonly replication: Replication;
  private readonly clock: Clock;
  private readonly random: RandomSource;
  private rate: { windowStart: number; count: number; perSecond: number };
  private readonly pause: WakeableSleep;
  private readonly loop: Promise<void>;

  /** @internal Use {@link startRelay}. */
  constructor(private readonly options: RelayOptions & { key: string; ttlMs: number }) {
    super();
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? defaultRandom;
    this.rate = { windowStart: this.clock.now(), count: 0, perSecond: 0 };
    this.pause = new WakeableSleep(this.clock);
    this.id = options.id ?? `${hostname()}-${process.pid}-${this.random().toString(36).slice(2, 8)}`;
    const keys = relayKeys(options.key);
    this.link = new RedisLink(options.redis, undefined, keys.lease, this.clock);
    this.lease = new Lease(this.link, keys, this.id, leaseTiming(options.ttlMs));
    const replicated = this.link.kind !== 'single';
    this.replication = {
      replicas: options.replication?.replicas ?? (replicated ? 1 : 0),
      timeoutMs: options.replication?.timeoutMs ?? 1_000,
    };
    this.loop = this.run();
  }

  /** `leader`, `standby` or `closed`. */
  get state(): RelayState {
    return this.closed ? 'closed' : this.role;
  }

  /** The relay's figures now. */
  metrics(): RelayMetrics {
    const term = this.term;
    const now = this.clock.now();
    const fresh = now - this.rate.windowStart < 2_000;
    return {
      role: this.role,
      id: this.id,
      leaseHolder: term ? term.token : this.leaseHolder,
      fence: term?.fence,
      upstream: term ? term.stream.state : 'none',
      sessionId: term?.sessionId,
      entriesPerSecond: fresh ? this.rate.perSecond : 0,
      entriesWritten: this.entriesWritten,
      fencedWrites: this.fencedWrites,
      backlog: term?.writer.backlog ?? 0,
      terms: this.terms,
      leaseRestores: this.leaseRestores,
      primaryChanges: this.link.primaryChanges,
    };
  }

  /** Steps down (closing the upstream and releasing the lease) and stops. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.pause.wake();
    this.term?.end('closing');
    await this.loop; // a term ending with 'closing' releases the lease
    this.link.close();
  }

  private async run(): Promise<void> {
    const timing = this.lease.timing;
    let failures = 0;
    while (!this.closed) {
      let waitMs: number;
      try {
        // The term's clock starts when the acquisition is sent: connect first, so that connecting
        // (which can take a while) is not taken from the term.
        await this.link.ready();
        const sentAt = this.clock.now();
        const result = await this.lease.acquire();
        failures = 0;
        if (result.acquired) {
          const reason = await this.lead(result.fence, result.token, sentAt);
          // After the upstream itself refused us (4001/4002...), give the others a turn first.
          waitMs = reason === 'upstream_closed' ? timing.ttlMs : 0;
        } else {
          this.leaseHolder = result.holder;
          waitMs = Math.min(Math.max(result.remainingMs + 5, 5), timing.maxStandbyWaitMs);
        }
      } catch (error) {
        this.report(error);
        waitMs = Math.min(timing.maxStandbyWaitMs, backoffDelay(RELAY_BACKOFF, failures++, this.random));
        if (await this.recoverLostAcquisition()) waitMs = 0;
      }
      if (waitMs > 0 && !this.closed) await this.pause.sleep(waitMs);
    }
  }

  /**
   * An acquisition that timed out may still have run in Redis: if the lease is ours, lead with it
   * (after renewing, which restarts the term's clock) instead of leaving it to expire unused.
   */
  private async recoverLostAcquisition(): Promise<boolean> {
    try {
      const token = await this.lease.ownToken();
      if (token === undefined || this.closed) return false;
      await this.link.ready();
      const sentAt = this.clock.now();
      if (!(await this.lease.renew(token))) return false;
      const fence = Number(token.slice(token.lastIndexOf(':') + 1));
      await this.lead(fence, token, sentAt);
      return true;
    } catch (error) {
      this.report(error);
      return false;
    }
  }

  /** Leads one term: opens the upstream, renews the lease, and returns why the term ended. */
  private async lead(fence: number, token: string, termStart: number): Promise<TermEnd> {
    const timing = this.lease.timing;
    let resolveEnded!: (reason: TermEnd) => void;
    const ended = new Promise<TermEnd>((r) => {
      resolveEnded = r;
    });
    const clock = this.clock;
    let timer: unknown;
    let deadlineTimer: unknown;
    let wakeRenew: (() => void) | undefined;
    const stream = this.options.client.stream();
    const writeTimeoutMs = Math.max(timing.commandTimeoutMs, 1_000);
    let writing: Promise<void> = Promise.resolve();
    const writer = new StreamWriter(this.link, {
      keys: relayKeys(this.options.key),
      token,
      fence,
      retention: this.options.retention ?? { maxLen: 100_000 },
      maxBuffered: this.options.maxBuffered ?? 100_000,
      commandTimeoutMs: writeTimeoutMs,
      events: {
        written: (count) => this.countWritten(count),
        fenced: (count) => {
          this.fencedWrites += count;
          term.end('fenced');
        },
        failed: (error) => this.report(error),
        leaseMissing: () => wakeRenew?.(),
      },
      replication: this.replication,
    });
    let done = false;
    const term: Term = {
      fence,
      token,
      stream,
      writer,
      sessionId: undefined,
      end: (reason) => {
        if (done) return;
        done = true;
        // The upstream goes first and at once: a relay that is no longer sure of its lease
        // must not keep the brokerage session (the next leader's would evict it, or vice versa).
        // Updates already received are still sent once: the fence decides whether they land.
        writing = writer.finish(writeTimeoutMs);
        stream.off('update', onUpdate);
        void stream.close().catch(() => undefined);
        clock.clearTimeout(timer);
        clock.clearTimeout(deadlineTimer);
        wakeRenew?.();
        if (this.term === term) this.term = undefined;
        if (this.leaseHolder === token) this.leaseHolder = undefined;
        if (reason !== 'closing') this.setRole('standby', undefined);
        resolveEnded(reason);
      },
    };
    const onUpdate = (message: BrokerageUpdateMessage) =>
      writer.append({
        sessionId: term.sessionId ?? '',
        seq: message.seq,
        action: message.action,
        userId: message.user_id,
        data: JSON.stringify(message.data),
      });
    stream.on('authenticated', ({ session_id }) => {
      term.sessionId = session_id;
      writer.push({ sessionId: session_id, seq: 0, action: 'session_start', userId: '', data: '{}' });
      safeEmit(this, 'session', { sessionId: session_id, fence });
    });
    stream.on('gap', (info: GapInfo) => {
      // A reconnect is already marked by the new session's session_start entry.
      if (info.reason !== 'seq') return;
      const to = info.to ?? info.from ?? 0;
      writer.push({
        sessionId: term.sessionId ?? '',
        seq: to,
        action: 'gap',
        userId: '',
        data: JSON.stringify({ from: info.from, to: info.to }),
      });
    });
    stream.on('update', onUpdate);
    stream.on('error', (error) => this.report(error));
    stream.on('close', () => term.end('upstream_closed'));

    this.term = term;
    this.terms++;
    this.leaseHolder = token;
    this.setRole('leader', fence);
    // close() may have been called while the lease was being acquired.
    if (this.closed) term.end('closing');

    // Renewal. The holder's deadline is measured from when the last successful renewal was SENT,
    // and enforced by its own timer: a renewal stuck on an unresponsive Redis cannot delay it.
    const armDeadline = (at: number) => {
      // A term that already ended (close() during the acquisition) arms nothing: a timer left
      // armed would outlive close() (found by the relay simulation).
      if (done) return;
      clock.clearTimeout(deadlineTimer);
      deadlineTimer = clock.setTimeout(
        () => {
          this.report(errorFactory.relay('lease_lost', 'Lease not renewed in time: stepping down'));
          term.end('lease_lost');
        },
        Math.max(0, at - clock.now()),
      );
    };
    // The term's clock started when the acquisition (or renewal) was sent, not when it answered.
    armDeadline(termStart + timing.ttlMs - timing.marginMs);
    const renewLoop = async (): Promise<void> => {
      let nextAt = termStart + timing.renewEveryMs;
      while (!done) {
        await new Promise<void>((resolve) => {
          wakeRenew = resolve;
          timer = clock.setTimeout(resolve, Math.max(0, nextAt - clock.now()));
        });
        wakeRenew = undefined;
        if (done) return;
        const sentAt = clock.now();
        try {
          const outcome = await this.lease.renewOrRestore(token);
          if (done) return;
          if (outcome === 'restored') this.leaseRestores++;
          if (outcome === 'lost') {
            this.report(errorFactory.relay('lease_lost', 'Lease taken over by another relay: stepping down'));
            term.end('lease_lost');
            return;
          }
          armDeadline(sentAt + timing.ttlMs - timing.marginMs);
          nextAt = sentAt + timing.renewEveryMs;
        } catch (error) {
          this.report(error);
          nextAt = clock.now() + timing.retryEveryMs;
        }
      }
    };
    const renewing = renewLoop();
    try {
      await stream.connect();
      await stream.subscribe([...TOPICS]);
    } catch (error) {
      if (!done) {
        this.report(error);
        term.end('upstream_closed');
      }
    }
    const reason = await ended;
    await renewing;
    // Before the lease is released: a standby's first entry must come after this term's last.
    await writing;
    // Stepping down on purpose hands the lease over at once; a lost lease is not ours to release.
    if (reason !== 'lease_lost' && reason !== 'fenced')
      await this.lease.release(token).catch(() => undefined);
    return reason;
  }

  private setRole(role: RelayRole, fence: number | undefined): void {
    if (this.role === role) return;
    this.role = role;
    safeEmit(this, 'role', role, { fence });
  }

  private countWritten(count: number): void {
    this.entriesWritten += count;
    const now = this.clock.now();
    this.rate.count += count;
    const elapsed = now - this.rate.windowStart;
    if (elapsed >= 1_000) {
      this.rate.perSecond = Math.round((this.rate.count * 1_000) / elapsed);
      this.rate.count = 0;
      this.rate.windowStart = now;
    }
  }

  private report(error: unknown): void {
    const streamError =
      error instanceof Error && 'closeCode' in error
        ? (error as StreamError)
        : errorFactory.relay('redis_unavailable', String((error as Error)?.message ?? error), error);
    if (this.listenerCount('error') > 0) safeEmit(this, 'error', streamError);
  }
}

/**
 * Starts a relay: it competes for the lease and, while it leads, relays the client's brokerage
 * stream into the Redis Stream `<key>:updates`. Run one in each of several processes for failover.
 */
export function startRelay(options: RelayOptions): RelayHandle {
  const issues: { path: string; message: string }[] = [];
  if (!options || typeof options.client?.stream !== 'function')
    issues.push({ path: 'client', message: 'must be a ConnectTrade client' });
  if (issues.length > 0) throw errorFactory.validation(issues);
  checkRedisTarget(options.redis);
  const key = options.key ?? DEFAULT_KEY;
  checkKey(key);
  const ttlMs = options.lease?.ttlMs ?? 5_000;
  if (!Number.isInteger(ttlMs) || ttlMs < 300 || ttlMs > 600_000)
    throw errorFactory.validation([
      { path: 'lease.ttlMs', message: 'must be an integer from 300 to 600000' },
    ]);
  checkRetention(options.retention);
  checkReplication(options.replication);
  const maxBuffered = options.maxBuffered;
  if (maxBuffered !== undefined && !(Number.isInteger(maxBuffered) && maxBuffered > 0))
    throw errorFactory.validation([{ path: 'maxBuffered', message: 'must be a positive integer' }]);
  const seams = seamIssues(options);
  if (seams.length > 0) throw errorFactory.validation(seams);
  if (options.id !== undefined && (typeof options.id !== 'string' || !/^[\w.-]{1,100}$/.test(options.id)))
    throw errorFactory.validation([
      { path: 'id', message: 'must be 1-100 letters, digits, "_", "." or "-"' },
    ]);
  return new RelayHandle({ ...options, key, ttlMs });
}

function checkReplication(replication: RelayOptions['replication']): void {
  if (replication === undefined) return;
  const issues: { path: string; message: string }[] = [];
  const { replicas, timeoutMs } = replication ?? {};
  if (replicas !== undefined && !(Number.isInteger(replicas) && replicas >= 0 && replicas <= 16))
    issues.push({ path: 'replication.replicas', message: 'must be an integer from 0 to 16' });
  if (timeoutMs !== undefined && !(Number.isInteger(timeoutMs) && timeoutMs >= 1 && timeoutMs <= 60_000))
    issues.push({ path: 'replication.timeoutMs', message: 'must be an integer from 1 to 60000' });
  if (issues.length > 0) throw errorFactory.validation(issues);
}

function checkRetention(retention: Retention | undefined): void {
  if (retention === undefined) return;
  const issues: { path: string; message: string }[] = [];
  const { maxLen, maxAgeMs } = retention;
  if (maxLen !== undefined && !(Number.isInteger(maxLen) && maxLen > 0))
    issues.push({ path: 'retention.maxLen', message: 'must be a positive integer' });
  if (maxAgeMs !== undefined && !(Number.isInteger(maxAgeMs) && maxAgeMs > 0))
    issues.push({ path: 'retention.maxAgeMs', message: 'must be a positive integer' });
  if (maxLen === undefined && maxAgeMs === undefined)
    issues.push({ path: 'retention', message: 'needs maxLen or maxAgeMs (retention must be bounded)' });
  if (issues.length > 0) throw errorFactory.validation(issues);
}
