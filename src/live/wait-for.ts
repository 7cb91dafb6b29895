/**
 * Waiting for an order to reach a state. Pushed versions (stream updates through the live store)
 * are checked as they arrive; whenever the source says pushes cannot be trusted (stream down,
 * resync under way, or no stream at all) the server is polled at a bounded interval instead, so a
 * wait survives reconnects and never depends on an update that may have been lost.
 */
import { type Clock, systemClock } from '../core/clock';
import { errorFactory } from '../core/errors';
import type { Order } from '../types';
import { isTerminal } from './order-merge';

/** What to wait for: `filled`, any final status (`terminal`), or your own test. */
export type WaitUntil = 'filled' | 'terminal' | ((order: Order) => boolean);

/** Options of `waitFor` and `submitAndWait`. */
export interface WaitOptions {
  /** Aborts the wait (rejects with APIUserAbortError); the order itself is not cancelled. */
  signal?: AbortSignal | undefined;
  /** Rejects with WaitTimeoutError after this many ms (default: no limit). */
  timeout?: number | undefined;
  /** REST polling interval in ms while updates cannot be trusted (default 1000; clamped to 50..30000). */
  pollInterval?: number | undefined;
}

/** Where a waiter gets versions of the order from. */
export interface WaitSource {
  /** The latest known version, if any. */
  current(): Order | undefined;
  /** Calls `listener` with every new version pushed; returns the remover. */
  listen(listener: (order: Order) => void): () => void;
  /** True while pushed versions may be missing, so polling is needed. */
  shouldPoll(): boolean;
  /** Asks the server for the current version. */
  poll(): Promise<Order | undefined>;
  /** Calls `listener` if the source closes for good; returns the remover. */
  onClose?(listener: () => void): () => void;
  /** The client's clock (polls and the timeout run on it); the platform's by default. */
  readonly clock?: Clock | undefined;
}

function matchesRef(order: Order, ref: string): boolean {
  return order.order_id === ref || order.cl_order_id === ref;
}

function checkOptions(options: WaitOptions): void {
  const { timeout, pollInterval } = options;
  if (timeout !== undefined && !(typeof timeout === 'number' && timeout >= 0 && Number.isFinite(timeout)))
    throw errorFactory.validation([
      { path: 'timeout', message: 'must be a non-negative finite number of ms' },
    ]);
  if (pollInterval !== undefined && !(typeof pollInterval === 'number' && pollInterval > 0))
    throw errorFactory.validation([{ path: 'pollInterval', message: 'must be a positive number of ms' }]);
}

/** Resolves with the first version of order `ref` that satisfies `until`. */
export function waitForOrder(
  ref: string,
  until: WaitUntil,
  source: WaitSource,
  options: WaitOptions = {},
): Promise<Order> {
  if (typeof ref !== 'string' || ref === '')
    return Promise.reject(errorFactory.validation([{ path: 'ref', message: 'must be a non-empty string' }]));
  if (until !== 'filled' && until !== 'terminal' && typeof until !== 'function')
    return Promise.reject(
      errorFactory.validation([{ path: 'until', message: "must be 'filled', 'terminal' or a function" }]),
    );
  try {
    checkOptions(options);
  } catch (error) {
    return Promise.reject(error);
  }
  const interval = Math.min(30_000, Math.max(50, options.pollInterval ?? 1000));
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(errorFactory.aborted(signal.reason));

  return new Promise<Order>((resolve, reject) => {
    let last: Order | undefined;
    let done = false;
    const clock = source.clock ?? systemClock;
    let pollTimer: unknown;
    let timeoutTimer: unknown;
    const cleanups: (() => void)[] = [];
    const finish = (error: unknown, order?: Order) => {
      if (done) return;
      done = true;
      clock.clearTimeout(pollTimer);
      clock.clearTimeout(timeoutTimer);
      for (const cleanup of cleanups) cleanup();
      if (error) reject(error);
      else resolve(order as Order);
    };
    const check = (order: Order | undefined) => {
      if (done || !order || !matchesRef(order, ref)) return;
      last = order;
      let satisfied: boolean;
      try {
        satisfied =
          until === 'filled'
            ? order.status === 'filled'
            : until === 'terminal'
              ? isTerminal(order)
              : until(order) === true;
      } catch (error) {
        finish(error);
        return;
      }
      if (satisfied) finish(undefined, order);
      else if (until === 'filled' && isTerminal(order)) finish(errorFactory.orderNotFilled(order));
    };
    const poll = async () => {
      if (done) return;
      if (source.shouldPoll()) {
        try {
          check(await source.poll());
        } catch {
          // A failed poll is retried at the next interval; the timeout bounds the whole wait.
        }
      }
      if (!done) pollTimer = clock.setTimeout(poll, interval);
    };

    cleanups.push(source.listen(check));
    if (source.onClose) cleanups.push(source.onClose(() => finish(errorFactory.liveClosed('while waiting'))));
    if (signal) {
      const onAbort = () => finish(errorFactory.aborted(signal.reason));
      signal.addEventListener('abort', onAbort, { once: true });
      cleanups.push(() => signal.removeEventListener('abort', onAbort));
    }
    if (options.timeout !== undefined) {
      const ms = options.timeout;
      timeoutTimer = clock.setTimeout(() => finish(errorFactory.waitTimeout(ref, ms, last)), ms);
    }
    check(source.current());
    if (!done) pollTimer = clock.setTimeout(poll, source.shouldPoll() ? 0 : interval);
  });
}
