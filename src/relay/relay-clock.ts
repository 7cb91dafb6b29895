/**
 * The relay's clock and randomness (advanced options of `startRelay`, for deterministic simulation
 * and tests): by default `Date.now` and the platform's timers, looked up at each call (so fake
 * timers installed later still drive them), and `Math.random` for backoff jitter and the relay id.
 * The clock has the shape of the SDK's `Clock` minus `monotonicNow` (a `Clock` fits here); until
 * that single home lands on main this interface is the relay's own.
 */

/** A source of time and one-shot timers. */
export interface RelayClock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `fn` once after `ms`; returns a handle for {@link RelayClock.clearTimeout}. */
  setTimeout(fn: () => void, ms: number): unknown;
  /** Cancels a timer (an unknown or fired handle is ignored). */
  clearTimeout(handle: unknown): void;
}

/** The platform's clock (the default). */
export const platformClock: RelayClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** The default randomness: `Math.random`, read at each call. */
export const platformRandom = (): number => Math.random();
