/**
 * The deadlines of getting connected: the callers of `connect()` waiting for the first
 * authentication with the `connectTimeout` that bounds their wait (armed once, by the first
 * caller), and the `handshakeTimeout` of each attempt (the first and every reconnect).
 */
import { streamErrorFactory as errorFactory, type StreamError } from '../core/errors';
import type { TimerGroup } from './timers';

/** Callers waiting for the stream to open. */
export class ConnectGate {
  #waiters: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  #timer: unknown;
  #attemptTimer: unknown;

  readonly #timeoutMs: number;
  readonly #attemptMs: number;

  readonly #timers: TimerGroup;
  readonly #expired: (error: StreamError) => void;
  readonly #lastFailure: () => unknown;

  constructor(
    timers: TimerGroup,
    options: { connectTimeout: number; handshakeTimeout: number },
    /** Called when the deadline passes with callers still waiting. */
    expired: (error: StreamError) => void,
    /** Why it has not connected yet (the last attempt's failure): the timeout's `cause`. */
    lastFailure: () => unknown = () => undefined,
  ) {
    this.#timers = timers;
    this.#expired = expired;
    this.#lastFailure = lastFailure;
    this.#timeoutMs = options.connectTimeout;
    this.#attemptMs = options.handshakeTimeout;
  }

  /** A promise settled by {@link open} or {@link fail}; arms the deadline if not armed yet. */
  wait(): Promise<void> {
    const promise = new Promise<void>((resolve, reject) => this.#waiters.push({ resolve, reject }));
    if (this.#timer === undefined)
      this.#timer = this.#timers.set(() => {
        this.#timer = undefined;
        this.#expired(errorFactory.streamTimeout('connect', this.#timeoutMs, this.#lastFailure()));
      }, this.#timeoutMs);
    return promise;
  }

  /** An attempt starts: `expired` is called unless {@link endAttempt} comes within `handshakeTimeout`. */
  startAttempt(expired: (ms: number) => void): void {
    this.endAttempt();
    this.#attemptTimer = this.#timers.set(() => {
      this.#attemptTimer = undefined;
      expired(this.#attemptMs);
    }, this.#attemptMs);
  }

  /** The attempt ended (authenticated, failed or abandoned). */
  endAttempt(): void {
    this.#timers.clear(this.#attemptTimer);
    this.#attemptTimer = undefined;
  }

  /** The stream opened: every caller resolves. */
  open(): void {
    this.#timers.clear(this.#timer);
    this.#timer = undefined;
    for (const waiter of this.#take()) waiter.resolve();
  }

  /** The stream stopped: every caller rejects. */
  fail(error: unknown): void {
    this.endAttempt();
    this.#timers.clear(this.#timer);
    this.#timer = undefined;
    for (const waiter of this.#take()) waiter.reject(error);
  }

  #take() {
    const waiters = this.#waiters;
    this.#waiters = [];
    return waiters;
  }
}
