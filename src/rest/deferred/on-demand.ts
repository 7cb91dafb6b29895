/**
 * What the REST client loads on first use, as one chunk: the order checks with the spec's rule
 * tables, order placement with its reconciliation, and the client-side rate limiter. A page that
 * never places an order, filters by symbol or limits its rate never loads them. The modules stay
 * in their own folders and import each other and `core/` normally; only this list is deferred,
 * and only load.ts imports it (a chunk named on-demand in dist/).
 */

export { orderChecks } from '../orders/checks';
export { placeOrder } from '../orders/reconcile';
export { RateLimiter } from '../rate-limit';
