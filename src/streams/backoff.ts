/**
 * Reconnect delays: exponential with full jitter under a ceiling
 * (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/), so a fleet of
 * clients dropped together does not reconnect in lockstep.
 */

/** Reconnect policy. */
export interface ReconnectOptions {
  /** First delay ceiling in ms (default 500). */
  initialDelay?: number;
  /** Largest delay in ms (default 30 000). */
  maxDelay?: number;
  /** Consecutive failed attempts before giving up (default Infinity). */
  maxAttempts?: number;
  /** Connected this long (ms) counts as healthy and resets the backoff (default 10 000). */
  healthyAfter?: number;
  /** Extra delay in ms after a 4029 rate-limited close (default 30 000). */
  rateLimitedDelay?: number;
}

/** The policy with every default filled in. */
export type ResolvedReconnect = Required<ReconnectOptions>;

/** Fills defaults and rejects nonsense values. */
export function resolveReconnect(options: ReconnectOptions | undefined): ResolvedReconnect {
  const resolved = {
    initialDelay: options?.initialDelay ?? 500,
    maxDelay: options?.maxDelay ?? 30_000,
    maxAttempts: options?.maxAttempts ?? Number.POSITIVE_INFINITY,
    healthyAfter: options?.healthyAfter ?? 10_000,
    rateLimitedDelay: options?.rateLimitedDelay ?? 30_000,
  };
  for (const [key, value] of Object.entries(resolved))
    if (!(value >= 0)) throw new RangeError(`reconnect.${key} must be a non-negative number`);
  return resolved;
}

/** The delay before attempt `attempt` (0-based): uniform in [0, min(maxDelay, initialDelay * 2^attempt)]. */
export function backoffDelay(policy: ResolvedReconnect, attempt: number, random: () => number): number {
  const ceiling = Math.min(policy.maxDelay, policy.initialDelay * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}
