/**
 * Order placement (core/reconcile.ts), loaded with the first order and before anything is sent, so
 * a failed load is a clean failure, never an ambiguous outcome. A page that never places an order
 * never loads it. The kit hands it what it uses of the client's core.
 */

import { retryDelay, sleep } from '../../core/backoff';
import {
  APIError,
  APIUserAbortError,
  ConfigurationError,
  ConflictError,
  restErrorFactory as errorFactory,
  ValidationError,
} from '../../core/errors';
import { log } from '../../core/logging';
import type { Order } from '../../types';
import { lazyModule } from '../lazy';
import type { Exchange } from '../request';
import { classifyFailure, retryDecision } from '../retry';
import type { PlacementKit, PlacementOptions, PlacementSteps } from './reconcile';

const KIT: PlacementKit = {
  kindOf(error) {
    if (error instanceof ValidationError || error instanceof ConfigurationError) return 'nothing-sent';
    const kind = classifyFailure(error);
    // A definite answer is a non-retryable APIError (a 4xx). Everything else that is "final" for an
    // idempotent call (an unreadable 2xx, a refused redirect, an abort mid-flight) leaves the order's fate open.
    return kind === 'final' && !(error instanceof APIError) ? 'ambiguous' : kind;
  },
  decide: (kind) => retryDecision(kind, 'order-placement'),
  isUserAbort: (error) => error instanceof APIUserAbortError,
  isConflict: (error) => error instanceof ConflictError,
  retryAfter: (error) => (error instanceof APIError ? error.headers['retry-after'] : undefined),
  errors: errorFactory,
  retryDelay,
  sleep,
  log,
};

/** Placement: a value once loaded, a promise the first time (await it either way). */
export const orderPlacement = lazyModule(async () => {
  const { placeOrder } = await import('./reconcile');
  return {
    /** Places an order at most once, reconciling after ambiguous failures. */
    placeOrder: (steps: PlacementSteps, options: PlacementOptions): Promise<Exchange<Order>> =>
      placeOrder(steps, options, KIT),
  };
});
