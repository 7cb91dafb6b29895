/**
 * Client-side rate limits (`rateLimit`, `maxConcurrency`): a token bucket per scope (the platform,
 * each user, each account's trading calls) and a cap on attempts in flight. Requests wait in one
 * queue per tenant and the queues are served round-robin, so one tenant's burst cannot starve the
 * others. request.ts loads this module only when a limit is configured: clients without limits
 * never run (or, in browsers, download up front) any of it.
 */
import { type Clock, systemClock } from '../core/clock';

import { restErrorFactory as errorFactory } from '../core/errors';
import { parseRetryAfter } from '../core/retry-after';
import type { RateLimitOptions, RateLimitRate } from './options';
import { type BucketKind, type BucketUse, NONE, type Rate, TokenBuckets, UNLIMITED } from './token-buckets';
import type { RateLimitTenant, Transport, WireRequest, WireResponse } from './transport';

/** Who an attempt is charged to: its user (none: a platform operation) and, for a trading call, its account. */
export interface LimitScope {
  readonly user?: string | undefined;
  readonly account?: string | undefined;
}

/** Defaults of `rateLimit.idleTimeout` (ms) and `rateLimit.maxTenants`. */
export const DEFAULT_IDLE_TIMEOUT = 60_000;
export const DEFAULT_MAX_TENANTS = 10_000;
// A 429 without Retry-After still pauses its scope this long; a longer ask is capped (a broken
// server must not stall a tenant for days: its queued requests would only time out).
const DEFAULT_PAUSE = 1_000;
const MAX_PAUSE = 300_000;

const PLATFORM: RateLimitTenant = { user: undefined, account: undefined };

interface Waiter {
  readonly tenant: RateLimitTenant;
  readonly start: () => void;
}

function rateOf(rate: RateLimitRate | undefined): Rate {
  if (!rate) return { perMs: UNLIMITED, burst: UNLIMITED };
  const perSecond = rate.rps ?? (rate.perMinute ?? 0) / 60;
  return { perMs: perSecond / 1000, burst: rate.burst ?? Math.max(1, Math.ceil(perSecond)) };
}

/** The client-side limiter: token buckets per platform, user and account, and a concurrency cap. */
export class RateLimiter {
  /**
   * The buckets: the platform's (NONE: no limit and never paused), each user's and each account's.
   * An attempt finds its user's by the id it already has: no key is built per call.
   */
  readonly #buckets: TokenBuckets;
  #platform: number = NONE;
  readonly #platformRate: Rate;
  readonly #users: BucketKind;
  readonly #accounts: BucketKind;
  /** Waiting attempts, one FIFO queue per tenant; the Map's order is the round-robin order. */
  readonly #queues = new Map<string, Waiter[]>();
  readonly #max: number;
  #active = 0;
  #timer: unknown;
  readonly #clock: Clock;
  #wakeAt = UNLIMITED;

  constructor(options: RateLimitOptions = {}, maxConcurrency = UNLIMITED, clock: Clock = systemClock) {
    this.#clock = clock;
    this.#buckets = new TokenBuckets(
      options.idleTimeout ?? DEFAULT_IDLE_TIMEOUT,
      options.maxTenants ?? DEFAULT_MAX_TENANTS,
    );
    this.#platformRate = rateOf(options.platform);
    if (this.#platformRate.perMs !== UNLIMITED)
      this.#platform = this.#buckets.add(this.#platformRate, this.#clock.now());
    this.#users = this.#buckets.kind(rateOf(options.perUser));
    this.#accounts = this.#buckets.kind(rateOf(options.perAccountOrders));
    this.#max = maxConcurrency;
  }

  /** Buckets held (for tests and the bench: memory stays bounded). */
  get size(): number {
    return this.#buckets.size + (this.#platform === NONE ? 0 : 1);
  }

  /** Attempts waiting their turn. */
  get queued(): number {
    let n = 0;
    for (const queue of this.#queues.values()) n += queue.length;
    return n;
  }

  /** The tenant of one REST call: its user and, for a trading call (not a read), its account. */
  tenantOf(user: string | undefined, method: string, path: string, accountId: unknown): RateLimitTenant {
    if (user === undefined) return PLATFORM;
    const account = method !== 'GET' && path.includes('/orders') ? accountId : undefined;
    return { user, account: typeof account === 'string' ? `${user}\n${account}` : undefined };
  }

  /**
   * The gate of one attempt (retry.ts asks it around every attempt, retries included), fast path:
   * synchronous, no timer, no promise. When nobody waits, a slot is free and every bucket of the
   * request's tenant has a token, takes them and the slot: true. Otherwise false, and the attempt
   * {@link wait}s.
   */
  enter(request: WireRequest): boolean {
    return (
      this.#queues.size === 0 &&
      this.#active < this.#max &&
      !request.signal?.aborted &&
      this.#takeNow(request.tenant ?? PLATFORM, this.#clock.now())
    );
  }

  /**
   * Waits for the tokens and a slot (fairly: one queue per tenant, served round-robin), then holds
   * them; resolves with the request to send, its timeout shortened by the wait. The caller's signal
   * removes it from the queue (APIUserAbortError); running out of time is an APITimeoutError.
   */
  wait(request: WireRequest): Promise<WireRequest> {
    const now = this.#clock.now();
    return this.#acquire(request.tenant ?? PLATFORM, request.signal, request.timeout).then(() => {
      const left = request.timeout - (this.#clock.now() - now);
      return left < request.timeout ? { ...request, timeout: Math.max(1, left) } : request;
    });
  }

  /**
   * The attempt that held a slot ended (no response: it failed): a 429 pauses its narrowest scope
   * for `Retry-After`, before the slot is freed (the next waiter must already see the pause).
   */
  leave(request: WireRequest, response?: WireResponse): void {
    if (response?.status === 429) this.#pause(request.tenant ?? PLATFORM, response.headers['retry-after']);
    this.#release();
  }

  /** `transport` behind the gate, every attempt charged to `scope` (tests). */
  wrap(transport: Transport, scope: LimitScope): Transport {
    const tenant: RateLimitTenant = {
      user: scope.user,
      account:
        scope.user !== undefined && scope.account !== undefined
          ? `${scope.user}\n${scope.account}`
          : undefined,
    };
    const held = (request: WireRequest): Promise<WireResponse> => {
      let sent: Promise<WireResponse>;
      try {
        sent = transport(request);
      } catch (error) {
        this.leave(request, undefined);
        return Promise.reject(error);
      }
      return sent.then(
        (response) => {
          this.leave(request, response);
          return response;
        },
        (error: unknown) => {
          this.leave(request, undefined);
          throw error;
        },
      );
    };
    return (request) => {
      const laned = { ...request, tenant };
      return this.enter(laned) ? held(laned) : this.wait(laned).then(held);
    };
  }

  #release(): void {
    this.#active--;
    if (this.#queues.size > 0) this.#pump();
  }

  #acquire(tenant: RateLimitTenant, signal: AbortSignal | undefined, timeout: number): Promise<void> {
    if (signal?.aborted) return Promise.reject(errorFactory.aborted(signal.reason));
    // One queue per narrowest scope (an account's trading calls, else the user, else the platform):
    // one paused account does not hold back its user's reads or other accounts.
    const queueKey =
      tenant.account !== undefined
        ? `a${tenant.account}`
        : tenant.user !== undefined
          ? `u${tenant.user}`
          : 'p';
    return new Promise<void>((resolve, reject) => {
      const leave = (error: unknown) => {
        const queue = this.#queues.get(queueKey);
        const at = queue ? queue.indexOf(waiter) : -1;
        if (!queue || at < 0) return;
        queue.splice(at, 1);
        if (queue.length === 0) this.#queues.delete(queueKey);
        done();
        reject(error);
      };
      const onAbort = () => leave(errorFactory.aborted(signal?.reason));
      const timer = this.#clock.setTimeout(() => leave(errorFactory.timeout(timeout)), timeout);
      const done = () => {
        this.#clock.clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const waiter: Waiter = {
        tenant,
        start: () => {
          done();
          resolve();
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const queue = this.#queues.get(queueKey);
      if (queue) queue.push(waiter);
      else this.#queues.set(queueKey, [waiter]);
      this.#pump();
    });
  }

  /** Starts every waiter that can start, one per tenant per turn, then sleeps until the next token. */
  #pump(): void {
    const now = this.#clock.now();
    const buckets = this.#buckets;
    let wake = buckets.wait(this.#platform, now);
    if (wake === 0)
      for (const [queueKey, queue] of this.#queues) {
        if (this.#active >= this.#max) break;
        const head = queue[0] as Waiter;
        const { tenant } = head;
        const user = this.#userBucket(tenant, now, 'peek');
        const account = this.#accountBucket(tenant, now, 'peek');
        const wait = Math.max(
          buckets.wait(this.#platform, now),
          buckets.wait(user, now),
          buckets.wait(account, now),
        );
        if (wait > 0) {
          // This tenant is over its own limit: the others still get their turn.
          wake = Math.min(wake || wait, wait);
          continue;
        }
        this.#active++;
        buckets.spend(this.#platform, now);
        buckets.spend(this.#userBucket(tenant, now, 'touch'), now);
        buckets.spend(this.#accountBucket(tenant, now, 'touch'), now);
        queue.shift();
        // Round-robin: a tenant that was served goes to the back of the line.
        this.#queues.delete(queueKey);
        if (queue.length > 0) this.#queues.set(queueKey, queue);
        head.start();
      }
    if (this.#queues.size > 0 && wake > 0 && now + wake < this.#wakeAt) {
      this.#clock.clearTimeout(this.#timer);
      this.#wakeAt = now + wake;
      this.#timer = this.#clock.setTimeout(() => {
        this.#wakeAt = UNLIMITED;
        this.#pump();
      }, wake);
    }
  }

  /**
   * The fast path's check and take in one pass (one Map lookup per limited scope): when every
   * bucket of `tenant` has a token now, takes them and a slot and returns true; otherwise takes nothing.
   */
  #takeNow(tenant: RateLimitTenant, now: number): boolean {
    const buckets = this.#buckets;
    const platform = this.#platform;
    if (!buckets.ready(platform, now)) return false;
    const user = this.#userBucket(tenant, now, 'touch');
    if (!buckets.ready(user, now)) return false;
    const account = this.#accountBucket(tenant, now, 'touch');
    if (!buckets.ready(account, now)) return false;
    buckets.spend(platform, now);
    buckets.spend(user, now);
    buckets.spend(account, now);
    this.#active++;
    return true;
  }

  /** A 429 pauses the attempt's narrowest scope (creating its bucket if the scope has no limit). */
  #pause(tenant: RateLimitTenant, retryAfter: string | undefined): void {
    const now = this.#clock.now();
    if (tenant.user === undefined && this.#platform === NONE)
      this.#platform = this.#buckets.add(this.#platformRate, now);
    const bucket =
      tenant.account !== undefined
        ? this.#accountBucket(tenant, now, 'create')
        : tenant.user !== undefined
          ? this.#userBucket(tenant, now, 'create')
          : this.#platform;
    const ms = Math.min(MAX_PAUSE, parseRetryAfter(retryAfter, now) ?? DEFAULT_PAUSE);
    this.#buckets.pause(bucket, now + ms, now);
  }

  #userBucket(tenant: RateLimitTenant, now: number, use: BucketUse): number {
    return tenant.user === undefined ? NONE : this.#buckets.find(this.#users, tenant.user, now, use);
  }

  #accountBucket(tenant: RateLimitTenant, now: number, use: BucketUse): number {
    return tenant.account === undefined ? NONE : this.#buckets.find(this.#accounts, tenant.account, now, use);
  }
}
