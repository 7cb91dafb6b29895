/**
 * Client-side rate limits (`rateLimit`, `maxConcurrency`): a token bucket per scope (the platform,
 * each user, each account's trading calls) and a cap on attempts in flight. Requests wait in one
 * queue per tenant and the queues are served round-robin, so one tenant's burst cannot starve the
 * others. request.ts loads this module only when a limit is configured: clients without limits
 * never run (or, in browsers, download up front) any of it.
 */
import type { parseRetryAfter, restErrorFactory } from './errors';
import type { RateLimitOptions, RateLimitRate } from './options';
import type { Transport, WireRequest, WireResponse } from './transport';

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

interface Bucket {
  tokens: number;
  at: number;
  used: number;
  /** When it last moved to the most-recently-used end of the Map. */
  moved: number;
  pausedUntil: number;
  /** Tokens per millisecond and capacity; none: the scope is only ever paused (after a 429). */
  readonly perMs: number;
  readonly burst: number;
}

interface Waiter {
  readonly keys: readonly string[];
  readonly start: () => void;
}

function rateOf(rate: RateLimitRate | undefined): { perMs: number; burst: number } {
  if (!rate) return { perMs: Number.POSITIVE_INFINITY, burst: Number.POSITIVE_INFINITY };
  const perSecond = rate.rps ?? (rate.perMinute ?? 0) / 60;
  return { perMs: perSecond / 1000, burst: rate.burst ?? Math.max(1, Math.ceil(perSecond)) };
}

/**
 * What the limiter needs from errors.ts, passed in rather than imported: a lazy chunk that imports
 * nothing shares no code with the entry, so bundlers leave the up-front bundle as it was.
 */
export interface LimiterErrors {
  readonly factory: Pick<typeof restErrorFactory, 'aborted' | 'timeout'>;
  readonly parseRetryAfter: typeof parseRetryAfter;
}

export class RateLimiter {
  /** Buckets in least-recently-used order (the first is evicted first). */
  readonly #buckets = new Map<string, Bucket>();
  /** Waiting attempts, one FIFO queue per tenant; the Map's order is the round-robin order. */
  readonly #queues = new Map<string, Waiter[]>();
  readonly #rates: Record<'p' | 'u' | 'a', { perMs: number; burst: number }>;
  readonly #max: number;
  readonly #idle: number;
  readonly #cap: number;
  #active = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #wakeAt = Number.POSITIVE_INFINITY;
  readonly #errors: LimiterErrors;

  constructor(
    errors: LimiterErrors,
    options: RateLimitOptions = {},
    maxConcurrency = Number.POSITIVE_INFINITY,
  ) {
    this.#errors = errors;
    this.#rates = {
      p: rateOf(options.platform),
      u: rateOf(options.perUser),
      a: rateOf(options.perAccountOrders),
    };
    this.#max = maxConcurrency;
    this.#idle = options.idleTimeout ?? DEFAULT_IDLE_TIMEOUT;
    this.#cap = options.maxTenants ?? DEFAULT_MAX_TENANTS;
  }

  /** Buckets held (for tests and the bench: memory stays bounded). */
  get size(): number {
    return this.#buckets.size;
  }

  /** Attempts waiting their turn. */
  get queued(): number {
    let n = 0;
    for (const queue of this.#queues.values()) n += queue.length;
    return n;
  }

  /** {@link wrap} for one REST call: charged to its user and, for a trading call (not a read), to its account. */
  forCall(
    transport: Transport,
    user: string | undefined,
    method: string,
    path: string,
    params: { path?: Record<string, unknown> },
    body: unknown,
  ): Transport {
    const account =
      method !== 'GET' && path.includes('/orders')
        ? (params.path?.account_id ?? (body as { account_id?: unknown } | undefined)?.account_id)
        : undefined;
    return this.wrap(transport, { user, account: typeof account === 'string' ? account : undefined });
  }

  /**
   * `transport` behind the limiter: each attempt (retries included) waits for its scope's tokens
   * and a concurrency slot. Time spent waiting counts against the attempt's timeout; the caller's
   * signal removes it from the queue; a 429 pauses the attempt's narrowest scope for `Retry-After`.
   */
  wrap(transport: Transport, scope: LimitScope): Transport {
    const keys = ['p'];
    if (scope.user !== undefined) keys.push(`u${scope.user}`);
    if (scope.user !== undefined && scope.account !== undefined)
      keys.push(`a${scope.user}\n${scope.account}`);
    return (request) => {
      const now = Date.now();
      // Fast path, synchronous (no await, no timer, no closure): nobody waiting, a free slot, and
      // every bucket has a token. A limiter that never binds costs this much per attempt.
      if (
        this.#queues.size === 0 &&
        this.#active < this.#max &&
        !request.signal?.aborted &&
        this.#takeNow(keys, now)
      )
        return this.#send(transport, request, keys);
      return this.#acquire(keys, request.signal, request.timeout).then(() => {
        const left = request.timeout - (Date.now() - now);
        return this.#send(
          transport,
          left < request.timeout ? { ...request, timeout: Math.max(1, left) } : request,
          keys,
        );
      });
    };
  }

  /**
   * One attempt that holds a slot and its tokens: a 429 pauses its narrowest scope; the slot is
   * freed whatever happens. Plain `then`, not an async function: one promise fewer per attempt
   * (an async wrapper cost as much as the rest of the limiter in bench:ratelimit).
   */
  #send(transport: Transport, request: WireRequest, keys: readonly string[]): Promise<WireResponse> {
    let sent: Promise<WireResponse>;
    try {
      sent = transport(request);
    } catch (error) {
      this.#release();
      return Promise.reject(error);
    }
    return sent.then(
      (response) => {
        // Paused before the slot is freed: the next waiter must already see the pause.
        if (response.status === 429)
          this.#pause(keys[keys.length - 1] as string, response.headers['retry-after']);
        this.#release();
        return response;
      },
      (error: unknown) => {
        this.#release();
        throw error;
      },
    );
  }

  #release(): void {
    this.#active--;
    if (this.#queues.size > 0) this.#pump();
  }

  #acquire(keys: readonly string[], signal: AbortSignal | undefined, timeout: number): Promise<void> {
    if (signal?.aborted) return Promise.reject(this.#errors.factory.aborted(signal.reason));
    // One queue per narrowest scope (an account's trading calls, else the user, else the platform):
    // one paused account does not hold back its user's reads or other accounts.
    const tenant = keys[keys.length - 1] as string;
    return new Promise<void>((resolve, reject) => {
      const leave = (error: unknown) => {
        const queue = this.#queues.get(tenant);
        const at = queue ? queue.indexOf(waiter) : -1;
        if (!queue || at < 0) return;
        queue.splice(at, 1);
        if (queue.length === 0) this.#queues.delete(tenant);
        done();
        reject(error);
      };
      const onAbort = () => leave(this.#errors.factory.aborted(signal?.reason));
      const timer = setTimeout(() => leave(this.#errors.factory.timeout(timeout)), timeout);
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const waiter: Waiter = {
        keys,
        start: () => {
          done();
          resolve();
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const queue = this.#queues.get(tenant);
      if (queue) queue.push(waiter);
      else this.#queues.set(tenant, [waiter]);
      this.#pump();
    });
  }

  /** Starts every waiter that can start, one per tenant per turn, then sleeps until the next token. */
  #pump(): void {
    const now = Date.now();
    let wake = this.#wait(['p'], now);
    if (wake === 0)
      for (const [tenant, queue] of this.#queues) {
        if (this.#active >= this.#max) break;
        const head = queue[0] as Waiter;
        const wait = this.#wait(head.keys, now);
        if (wait > 0) {
          // This tenant is over its own limit: the others still get their turn.
          wake = Math.min(wake || wait, wait);
          continue;
        }
        this.#take(head.keys, now);
        queue.shift();
        // Round-robin: a tenant that was served goes to the back of the line.
        this.#queues.delete(tenant);
        if (queue.length > 0) this.#queues.set(tenant, queue);
        head.start();
      }
    if (this.#queues.size > 0 && wake > 0 && now + wake < this.#wakeAt) {
      clearTimeout(this.#timer);
      this.#wakeAt = now + wake;
      this.#timer = setTimeout(() => {
        this.#wakeAt = Number.POSITIVE_INFINITY;
        this.#pump();
      }, wake);
    }
  }

  /** Milliseconds until every bucket of `keys` has a token (0: now). */
  #wait(keys: readonly string[], now: number): number {
    let wait = 0;
    for (const key of keys) {
      const bucket = this.#bucket(key, now, false);
      if (!bucket) continue;
      wait = Math.max(wait, bucket.pausedUntil - now);
      if (bucket.perMs === Number.POSITIVE_INFINITY) continue;
      bucket.tokens = Math.min(bucket.burst, bucket.tokens + (now - bucket.at) * bucket.perMs);
      bucket.at = now;
      if (bucket.tokens < 1) wait = Math.max(wait, Math.ceil((1 - bucket.tokens) / bucket.perMs));
    }
    return wait;
  }

  /**
   * The fast path's check and take in one pass (one Map lookup per key): when every bucket of
   * `keys` has a token now, takes them and a slot and returns true; otherwise takes nothing.
   */
  #takeNow(keys: readonly string[], now: number): boolean {
    const found = this.#found;
    found.length = 0;
    for (const key of keys) {
      const bucket = this.#bucket(key, now, true);
      if (!bucket) continue;
      if (bucket.pausedUntil > now) return false;
      if (bucket.perMs !== Number.POSITIVE_INFINITY) {
        bucket.tokens = Math.min(bucket.burst, bucket.tokens + (now - bucket.at) * bucket.perMs);
        bucket.at = now;
        if (bucket.tokens < 1) return false;
      }
      found.push(bucket);
    }
    for (const bucket of found) {
      bucket.tokens -= 1;
      bucket.used = now;
    }
    found.length = 0;
    this.#active++;
    return true;
  }
  // The buckets #takeNow found, reused: the fast path allocates no array.
  readonly #found: Bucket[] = [];

  #take(keys: readonly string[], now: number): void {
    this.#active++;
    for (const key of keys) {
      const bucket = this.#bucket(key, now, true);
      if (!bucket) continue;
      bucket.tokens -= 1;
      bucket.used = now;
    }
  }

  #pause(key: string, retryAfter: string | undefined): void {
    const now = Date.now();
    const bucket = this.#bucket(key, now, true, true) as Bucket;
    const ms = Math.min(MAX_PAUSE, this.#errors.parseRetryAfter(retryAfter, now) ?? DEFAULT_PAUSE);
    bucket.pausedUntil = Math.max(bucket.pausedUntil, now + ms);
    bucket.used = now;
  }

  /**
   * The bucket of `key`, moved to the most-recently-used end (at most once a second). Unlimited
   * scopes get one only when paused. Creating one first drops idle buckets and, past `maxTenants`,
   * the least recently used (to within a second).
   */
  #bucket(key: string, now: number, touch: boolean, always = false): Bucket | undefined {
    let bucket = this.#buckets.get(key);
    if (bucket) {
      // Moved at most once a second (the LRU order is that precise): moving costs a Map delete
      // and insert, a third of the limiter's cost per attempt when done every time.
      if (touch && key !== 'p' && now - bucket.moved >= 1_000) {
        bucket.moved = now;
        this.#buckets.delete(key);
        this.#buckets.set(key, bucket);
      }
      return bucket;
    }
    const rate = this.#rates[key[0] as 'p' | 'u' | 'a'];
    if (!touch || (rate.perMs === Number.POSITIVE_INFINITY && !always)) return undefined;
    for (const [old, b] of this.#buckets) {
      if (old === 'p') continue;
      // Idle and refilled (so as good as new: dropping it loosens nothing); the cap drops regardless.
      const idle =
        now - b.used >= this.#idle && b.pausedUntil <= now && b.tokens + (now - b.at) * b.perMs >= b.burst;
      if (!idle && this.#buckets.size < this.#cap) break;
      this.#buckets.delete(old);
    }
    bucket = { tokens: rate.burst, at: now, used: now, moved: now, pausedUntil: 0, ...rate };
    this.#buckets.set(key, bucket);
    return bucket;
  }
}
