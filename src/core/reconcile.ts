/**
 * Safe order placement. `POST /orders` is never retried blindly: after an ambiguous failure
 * (timeout, reset, 408, 5xx) the order may exist, so we look for its `cl_order_id` among today's
 * orders and return it when found; only when it is absent do we re-send, with the same
 * `cl_order_id`, so the server's duplicate check (409) is a second line of defence. A 409 on the
 * first attempt is a genuine conflict; on a later attempt it means an earlier attempt landed.
 */
import type { Order } from '../types';
import {
  APIConnectionError,
  APIError,
  ConflictError,
  restErrorFactory as errorFactory,
  RateLimitError,
} from './errors';
import { backoffDelay, RETRYABLE_STATUSES, sleep, wasNeverSent } from './retry';

/** What placement needs from the orders resource. */
export interface PlacementSteps {
  /** Sends POST /orders once (no transport-level retry). */
  send(): Promise<Order>;
  /** Looks the order up by its cl_order_id among today's orders. */
  find(): Promise<Order | undefined>;
}

/** Placement settings of one call. */
export interface PlacementOptions {
  readonly clOrderId: string;
  readonly accountId: string;
  readonly maxRetries: number;
  readonly signal?: AbortSignal | undefined;
}

function isRetryable(error: unknown): error is APIError | APIConnectionError {
  return (
    error instanceof APIConnectionError || (error instanceof APIError && RETRYABLE_STATUSES.has(error.status))
  );
}

/** True when the failure leaves open whether the server placed the order. */
function isAmbiguous(error: APIError | APIConnectionError): boolean {
  if (error instanceof RateLimitError) return false; // the server refused it unprocessed
  return !(error instanceof APIConnectionError && wasNeverSent(error.cause));
}

/** Places an order at most once, reconciling after ambiguous failures. */
export async function placeOrder(steps: PlacementSteps, options: PlacementOptions): Promise<Order> {
  let ambiguous = false;
  for (let attempt = 0; ; attempt++) {
    let failure: APIError | APIConnectionError;
    try {
      return await steps.send();
    } catch (error) {
      if (error instanceof ConflictError && attempt > 0 && ambiguous) {
        // An earlier attempt landed after all; the order must be listed by now.
        const found = await steps.find();
        if (found) return found;
      }
      if (!isRetryable(error)) throw error;
      failure = error;
    }
    ambiguous ||= isAmbiguous(failure);
    const retriesLeft = attempt < options.maxRetries;
    if (retriesLeft) {
      const retryAfter = failure instanceof RateLimitError ? failure.retryAfterMs : undefined;
      await sleep(backoffDelay(attempt + 1, retryAfter) ?? 0, options.signal);
    }
    if (ambiguous) {
      const found = await steps.find().catch((error) => {
        // A failed lookup is not fatal while retries remain: the re-send carries the same
        // cl_order_id, and a 409 brings us back here.
        if (!retriesLeft || error?.name === 'APIUserAbortError') throw error;
        return undefined;
      });
      if (found) return found;
    }
    if (!retriesLeft)
      throw ambiguous
        ? errorFactory.orderOutcomeUnknown(options.clOrderId, options.accountId, failure)
        : failure;
  }
}
