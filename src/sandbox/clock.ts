/**
 * The sandbox's notion of "now": wall-clock time plus an offset that tests move forward with
 * {@link SandboxClock.advance}, so a 24-hour token expiry or a bar boundary needs no sleeping.
 */

/** Controls the simulated time of a sandbox. */
export interface SandboxClock {
  /** The current simulated time. */
  now(): Date;
  /** The current simulated time in epoch milliseconds. */
  nowMs(): number;
  /** Moves simulated time forward (token expiry, bar boundaries, sessionCloseAt run right away). */
  advance(ms: number): void;
}

/** A clock whose `advance` also notifies the sandbox so time-based events fire at once. */
export class OffsetClock implements SandboxClock {
  private offsetMs = 0;
  private lastMs = 0;
  /** Called after every `advance`, to run whatever became due. */
  onAdvance: () => void = () => {};

  now(): Date {
    return new Date(this.nowMs());
  }

  nowMs(): number {
    // Never go backwards (ties are fine: paging orders by their creation sequence, not by time).
    const ms = Math.max(Date.now() + this.offsetMs, this.lastMs);
    this.lastMs = ms;
    return ms;
  }

  /** Peeks at the time without consuming a millisecond (for checks, not for stamps). */
  peekMs(): number {
    return Math.max(Date.now() + this.offsetMs, this.lastMs);
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('advance(ms) needs a non-negative number');
    this.offsetMs += ms;
    this.onAdvance();
  }
}

/** RFC 3339 UTC with milliseconds, as every timestamp of the API. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** The `YYYY-MM-DD` date of an instant (UTC). */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
