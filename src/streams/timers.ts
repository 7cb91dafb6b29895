/**
 * Timers owned by one socket. Every timer a connection arms for a socket (liveness, pings, the
 * healthy-period reset) is registered here and cleared in one call when that socket dies, so a
 * reconnect can never leave a stale timer firing against the next socket.
 */

/** The timer functions the streams use; injectable so tests can count or fake them. */
export interface TimerApi {
  /** Schedules `fn` after `ms` milliseconds and returns a handle. */
  setTimeout(fn: () => void, ms: number): unknown;
  /** Cancels a handle returned by `setTimeout`. */
  clearTimeout(handle: unknown): void;
  /** Milliseconds since the epoch (liveness checks compare against it). */
  now(): number;
}

/**
 * The platform's timers (works in Node and browsers, and with jest's fake timers). They hold a Node
 * process open, as the socket does: an open stream (connecting, open or waiting to reconnect) keeps
 * a worker alive through an outage, and `close()` (or a fatal close) clears every one of them.
 */
export const defaultTimers: TimerApi = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  now: () => Date.now(),
};

/** A set of one-shot timers cleared together. */
export class TimerGroup {
  readonly #handles = new Set<unknown>();
  readonly #api: TimerApi;
  constructor(api: TimerApi) {
    this.#api = api;
  }

  /** Arms a one-shot timer that forgets itself when it fires. */
  set(fn: () => void, ms: number): unknown {
    const handle: unknown = this.#api.setTimeout(() => {
      this.#handles.delete(handle);
      fn();
    }, ms);
    this.#handles.add(handle);
    return handle;
  }

  /** Clears one timer armed by {@link set}. */
  clear(handle: unknown): void {
    if (handle !== undefined && this.#handles.delete(handle)) this.#api.clearTimeout(handle);
  }

  /** Clears every timer of the group. */
  clearAll(): void {
    for (const handle of this.#handles) this.#api.clearTimeout(handle);
    this.#handles.clear();
  }

  /** How many timers are armed (for leak tests). */
  get size(): number {
    return this.#handles.size;
  }
}
