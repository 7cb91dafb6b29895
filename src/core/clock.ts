/**
 * The one clock of the SDK: every wait, deadline, timestamp and backoff sleep of the REST client,
 * both streams and the live store reads it. By default it is the platform's (`Date.now`,
 * `performance.now`, `setTimeout`), looked up at each call so fake timers installed later still
 * drive it. A deterministic simulation injects a virtual one (`ClientOptions.clock`).
 */

/** A source of time and one-shot timers. */
export interface Clock {
  /** Wall-clock milliseconds since the epoch (timestamps, `Retry-After` dates, "today"). */
  now(): number;
  /** Milliseconds that never go backwards, from an arbitrary origin (durations, deadlines). */
  monotonicNow(): number;
  /**
   * Runs `fn` once after `ms` milliseconds; returns a handle for {@link Clock.clearTimeout}. In
   * Node the platform's handle has `ref()` / `unref()`: callers that must not hold the process
   * open call `unref?.()` on it, so a virtual clock may return any object (or one with no-op
   * `ref`/`unref`).
   */
  setTimeout(fn: () => void, ms: number): unknown;
  /** Cancels a timer armed by {@link Clock.setTimeout} (unknown or fired handles are ignored). */
  clearTimeout(handle: unknown): void;
}

/** The platform's clock (the default). */
export const systemClock: Clock = {
  now: () => Date.now(),
  monotonicNow: () => globalThis.performance.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Throws a TypeError naming `name` unless `clock` has the four functions of a {@link Clock}. */
export function checkClock(clock: unknown, name = 'clock'): asserts clock is Clock {
  const c = clock as Record<string, unknown> | null;
  for (const key of ['now', 'monotonicNow', 'setTimeout', 'clearTimeout'])
    if (typeof c?.[key] !== 'function') throw new TypeError(`${name}.${key} must be a function`);
}
