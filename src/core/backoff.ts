/**
 * The one backoff of the SDK: every wait between attempts (REST retries, order re-sends, stream
 * reconnects, live-store resyncs) is computed and slept here.
 *
 * Delays are exponential with full jitter under a ceiling
 * (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/), so a fleet of
 * clients failing together does not retry in lockstep. A server's `Retry-After` wins over the
 * computed delay, up to a cap: a server asking for longer than we are willing to wait gets no retry.
 * The sleep runs on an injectable timer API, so fake timers and tests drive it, and it ends at once
 * when the caller's AbortSignal aborts.
 */
import { restErrorFactory as errorFactory } from './errors';
import { defaultRandom } from './random';
import { parseRetryAfter } from './retry-after';

/** Exponential growth: the first delay ceiling and the largest one, in ms. */
export interface BackoffPolicy {
  readonly initialDelay: number;
  readonly maxDelay: number;
}

/** The timer functions a sleep uses (the platform's by default; tests inject fake or counting ones). */
export interface SleepTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** REST retries and order re-sends: 0.5 s first ceiling, 8 s largest, `Retry-After` honoured up to 60 s. */
export const REST_BACKOFF = { initialDelay: 500, maxDelay: 8_000, maxRetryAfter: 60_000 } as const;

/** Relay Redis retries (reads, group reads, lease acquisition): 100 ms first ceiling, 2 s largest. */
export const RELAY_BACKOFF = { initialDelay: 100, maxDelay: 2_000 } as const;

/** The delay before attempt `attempt` (0-based): uniform in [0, min(maxDelay, initialDelay * 2^attempt)). */
export function backoffDelay(
  policy: BackoffPolicy,
  attempt: number,
  random: () => number = defaultRandom,
): number {
  const ceiling = Math.min(policy.maxDelay, policy.initialDelay * 2 ** Math.min(Math.max(attempt, 0), 30));
  return Math.floor(random() * ceiling);
}

/**
 * The wait before retry number `retry` (1-based) of a REST call: the server's `Retry-After` when it
 * sent one, else the jittered backoff. `undefined` when the server asks for longer than
 * `maxRetryAfter` (the caller then stops retrying instead of hammering or hanging).
 */
export function retryDelay(
  retry: number,
  retryAfter: string | undefined,
  seams: DelaySeams = {},
  policy: BackoffPolicy & { readonly maxRetryAfter: number } = REST_BACKOFF,
): number | undefined {
  const asked = parseRetryAfter(retryAfter, seams.now ?? Date.now());
  if (asked !== undefined) return asked <= policy.maxRetryAfter ? asked : undefined;
  return backoffDelay(policy, retry - 1, seams.random);
}

/** What a retry delay reads besides the attempt: the jitter source and, for a `Retry-After` date, the time. */
export interface DelaySeams {
  /** Jitter, uniform in [0, 1) (default `Math.random`). */
  readonly random?: (() => number) | undefined;
  /** Now, in epoch ms (default `Date.now()`). */
  readonly now?: number | undefined;
}

/** Resolves after `ms`, or rejects with an APIUserAbortError as soon as the signal aborts. */
export function sleep(
  ms: number,
  signal?: AbortSignal,
  // The platform's own (and so jest's fake timers when installed).
  timers: SleepTimers = globalThis as unknown as SleepTimers,
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(errorFactory.aborted(signal.reason));
    const onAbort = () => {
      timers.clearTimeout(handle);
      reject(errorFactory.aborted(signal?.reason));
    };
    const handle = timers.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
