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
 * Loaded with the first order, before anything is sent (rest/deferred/), so a failed load is a
 * clean failure, never an ambiguous outcome.
 */

import { retryDelay, sleep } from '../../core/backoff';
import {
  APIError,
  APIUserAbortError,
  ConfigurationError,
  ConflictError,
  type ConnectTradeError,
  restErrorFactory as errorFactory,
  ValidationError,
} from '../../core/errors';
import { log } from '../../core/logging';
import type { Tracing } from '../../core/telemetry';
import type { Order } from '../../types';
import type { CallResult } from '../call-result';
import type { OnFirstUse } from '../on-first-use';
import { type AttemptOptions, classifyFailure, type FailureKind, retryDecision } from '../retry';

/** The rule's kind for a failure of `send()`: anything the server did not clearly answer is ambiguous. */
function kindOf(error: unknown): FailureKind | 'nothing-sent' {
  if (error instanceof ValidationError || error instanceof ConfigurationError) return 'nothing-sent';
  const kind = classifyFailure(error);
  // A definite answer is a non-retryable APIError (a 4xx). Everything else that is "final" for an
  // idempotent call (an unreadable 2xx, a refused redirect, an abort mid-flight) leaves the order's fate open.
  return kind === 'final' && !(error instanceof APIError) ? 'ambiguous' : kind;
}

/** The `retry-after` header of an API error. */
const retryAfterOf = (error: unknown) =>
  error instanceof APIError ? error.headers['retry-after'] : undefined;

/** What placement needs from the orders resource; each step gives the order with the response it was read from. */
export interface PlacementSteps {
  /** Sends POST /orders once (no transport-level retry) and checks the answer's shape. */
  send(): Promise<CallResult<Order>>;
  /** Looks the order up by its cl_order_id among today's orders (bounded in pages and time). */
  find(): Promise<CallResult<Order> | undefined>;
}

/** Placement settings of one call: the retry loop's own settings, plus the order's identity. */
export interface PlacementOptions
  extends Pick<AttemptOptions, 'maxRetries' | 'logger' | 'timers' | 'clock' | 'random'> {
  /** The caller's signal: no re-send or lookup starts after it aborts. */
  readonly signal?: AbortSignal | undefined;
  readonly clOrderId: string;
  readonly accountId: string;
  /** OpenTelemetry (its loader), when the client's `telemetry` option is set. */
  readonly tracing?: OnFirstUse<Tracing | undefined> | undefined;
}

/**
 * Places an order at most once, reconciling after ambiguous failures. Gives the order with the
 * response that produced it: the POST's answer, or the listing page where the lookup found it.
 */
export function placeOrder(steps: PlacementSteps, options: PlacementOptions): Promise<CallResult<Order>> {
  // Without telemetry, nothing is awaited before the POST.
  return options.tracing ? traced(options.tracing, steps, options) : place(steps, options);
}

async function traced(
  loader: NonNullable<PlacementOptions['tracing']>,
  steps: PlacementSteps,
  options: PlacementOptions,
): Promise<CallResult<Order>> {
  const tracing = await loader.ready();
  if (!tracing) return place(steps, options);
  // Telemetry: placement is the parent span `orders.create` (the POST attempts are its children),
  // and each lookup after an ambiguous failure an `orders.reconcile` span under it.
  const find = () => tracing.order('reconcile', options, () => steps.find());
  return tracing.order('create', options, () => place({ send: () => steps.send(), find }, options));
}

async function place(steps: PlacementSteps, options: PlacementOptions): Promise<CallResult<Order>> {
  const { clOrderId, accountId, signal } = options;
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
    const kind = kindOf(failure);
    if (kind === 'nothing-sent') throw definite(failure);
    if (failure instanceof APIUserAbortError) throw unknown(failure, 'aborted after sending');
    if (failure instanceof ConflictError && mayExist) {
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
    const decision = retryDecision(kind, 'order-placement');
    if (decision === 'stop') throw definite(failure);
    mayExist ||= decision === 'lookup';

    // Retry-After (any status) wins over the backoff; one asking for too long ends the re-sends.
    const retryAfter = retryAfterOf(failure);
    const delayMs =
      attempt < options.maxRetries
        ? retryDelay(attempt + 1, retryAfter, { random: options.random, now: options.clock?.now() })
        : undefined;
    if (delayMs !== undefined) {
      log(options.logger, 'warn', 'POST /orders failed; re-sending', {
        clOrderId,
        attempt: attempt + 1,
        delayMs,
        error: (failure as Error)?.name,
      });
      try {
        await sleep(delayMs, signal, options.clock ?? options.timers);
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
        if (found.cause instanceof APIUserAbortError) throw found;
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
): Promise<CallResult<Order> | undefined | Error> {
  try {
    return await steps.find();
  } catch (error) {
    return unknown(error, `the lookup failed (${(error as Error)?.name})`);
  }
}
