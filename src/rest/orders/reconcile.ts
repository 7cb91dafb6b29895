/**
 * Safe order placement. `POST /orders` is never retried blindly: after an ambiguous failure
 * (timeout, reset, 408, 5xx, an unreadable 2xx) the order may exist, so we look for its
 * `cl_order_id` among today's orders and return it when found; only when it is absent do we
 * re-send, with the same `cl_order_id`, so the server's duplicate check (409) is a second line of
 * defence. Re-sends wait like every retry (core/backoff.ts, `Retry-After` honoured).
 *
 * The outcome rule: once a POST may have reached the server, the caller gets the order, or an
 * OrderOutcomeUnknownError carrying `clOrderId` and the underlying `cause`. Only answers with a
 * definite meaning keep their own class, and only while no earlier attempt may have placed the
 * order: a 4xx rejection (400, 401, 409...), 429 on every attempt, a connection that provably
 * never carried the request. Those carry `clOrderId` too.
 *
 * Loaded with the first order (core/order-placement.ts, before anything is sent). What it uses of
 * the client's core comes in a {@link PlacementKit}: this chunk imports no module of the up-front
 * bundle, which would otherwise be split into more chunks, each compressed on its own.
 */

import type { retryDelay, sleep } from '../../core/backoff';
import type { ConnectTradeError, restErrorFactory } from '../../core/errors';
import type { log } from '../../core/logging';
import type { Tracing } from '../../core/telemetry';
import type { Order } from '../../types';
import type { Exchange } from '../request';
import type { AttemptOptions, FailureKind } from '../retry';

/** What placement uses of the client's core (built by core/order-placement.ts). */
export interface PlacementKit {
  /** The rule's kind for a failure of `send()`: anything the server did not clearly answer is ambiguous. */
  kindOf(error: unknown): FailureKind | 'nothing-sent';
  /** The placement rule's decision for a kind (core/retry.ts `retryDecision`). */
  decide(kind: FailureKind): 'stop' | 'retry' | 'lookup';
  isUserAbort(error: unknown): boolean;
  isConflict(error: unknown): boolean;
  /** The `retry-after` header of an API error. */
  retryAfter(error: unknown): string | undefined;
  readonly errors: Pick<typeof restErrorFactory, 'orderOutcomeUnknown' | 'forOrder' | 'aborted'>;
  readonly retryDelay: typeof retryDelay;
  readonly sleep: typeof sleep;
  readonly log: typeof log;
}

/** What placement needs from the orders resource; each step gives the order with the response it was read from. */
export interface PlacementSteps {
  /** Sends POST /orders once (no transport-level retry) and checks the answer's shape. */
  send(): Promise<Exchange<Order>>;
  /** Looks the order up by its cl_order_id among today's orders (bounded in pages and time). */
  find(): Promise<Exchange<Order> | undefined>;
}

/** Placement settings of one call: the retry loop's own settings, plus the order's identity. */
export interface PlacementOptions extends Pick<AttemptOptions, 'maxRetries' | 'logger' | 'timers'> {
  /** The caller's signal: no re-send or lookup starts after it aborts. */
  readonly signal?: AbortSignal | undefined;
  readonly clOrderId: string;
  readonly accountId: string;
  /** OpenTelemetry (its loader), when the client's `telemetry` option is set. */
  readonly tracing?: (() => Tracing | undefined | Promise<Tracing | undefined>) | undefined;
}

/**
 * Places an order at most once, reconciling after ambiguous failures. Gives the order with the
 * response that produced it: the POST's answer, or the listing page where the lookup found it.
 */
export async function placeOrder(
  steps: PlacementSteps,
  options: PlacementOptions,
  kit: PlacementKit,
): Promise<Exchange<Order>> {
  const tracing = await options.tracing?.();
  if (!tracing) return place(steps, options, kit);
  // Telemetry: placement is the parent span `orders.create` (the POST attempts are its children),
  // and each lookup after an ambiguous failure an `orders.reconcile` span under it.
  const find = () => tracing.order('reconcile', options, () => steps.find());
  return tracing.order('create', options, () => place({ send: () => steps.send(), find }, options, kit));
}

async function place(
  steps: PlacementSteps,
  options: PlacementOptions,
  kit: PlacementKit,
): Promise<Exchange<Order>> {
  const { clOrderId, accountId, signal } = options;
  const { errors: errorFactory, retryDelay, sleep, log } = kit;
  let mayExist = false; // an earlier attempt may have placed the order
  const unknown = (cause: unknown, why?: string) =>
    errorFactory.orderOutcomeUnknown(clOrderId, accountId, cause, why);
  const definite = (error: unknown) =>
    mayExist ? unknown(error) : errorFactory.forOrder(error as ConnectTradeError, clOrderId);

  for (let attempt = 0; ; attempt++) {
    if (signal?.aborted) throw definite(errorFactory.aborted(signal.reason));
    let failure: unknown;
    try {
      return await steps.send();
    } catch (error) {
      failure = error;
    }
    const kind = kit.kindOf(failure);
    if (kind === 'nothing-sent') throw definite(failure);
    if (kit.isUserAbort(failure)) throw unknown(failure, 'aborted after sending');
    if (kit.isConflict(failure) && mayExist) {
      // An earlier attempt landed after all; the order should be listed by now.
      const found = await lookup(steps, unknown);
      if (found instanceof Error) throw found;
      if (found) return found;
      throw unknown(
        failure,
        'a re-send got 409 (an earlier attempt likely placed it), yet the lookup misses it',
      );
    }
    // Placement's options of the one rule: ambiguous → look up before re-sending; unsent / 429 → re-send.
    const decision = kit.decide(kind);
    if (decision === 'stop') throw definite(failure);
    mayExist ||= decision === 'lookup';

    // Retry-After (any status) wins over the backoff; one asking for too long ends the re-sends.
    const retryAfter = kit.retryAfter(failure);
    const delayMs = attempt < options.maxRetries ? retryDelay(attempt + 1, retryAfter) : undefined;
    if (delayMs !== undefined) {
      log(options.logger, 'warn', 'POST /orders failed; re-sending', {
        clOrderId,
        attempt: attempt + 1,
        delayMs,
        error: (failure as Error)?.name,
      });
      try {
        await sleep(delayMs, signal, options.timers);
      } catch (aborted) {
        throw definite(aborted);
      }
    }
    let lookupFailure: Error | undefined;
    if (mayExist) {
      const found = await lookup(steps, unknown);
      if (found instanceof Error) {
        // Aborted: stop now. Otherwise a failed lookup is not fatal while re-sends remain: the
        // re-send carries the same cl_order_id, and a 409 brings us back to the lookup.
        if (kit.isUserAbort(found.cause)) throw found;
        lookupFailure = found;
      } else if (found) return found;
    }
    if (delayMs === undefined) {
      if (!mayExist) throw definite(failure);
      throw lookupFailure ?? unknown(failure);
    }
  }
}

/**
 * The lookup, never throwing past placement's rule: the order, undefined (not listed), or the
 * OrderOutcomeUnknownError to raise if the lookup failed (its cause is the lookup's error).
 */
async function lookup(
  steps: PlacementSteps,
  unknown: (cause: unknown, why: string) => Error,
): Promise<Exchange<Order> | undefined | Error> {
  try {
    return await steps.find();
  } catch (error) {
    return unknown(error, `the lookup failed (${(error as Error)?.name})`);
  }
}
