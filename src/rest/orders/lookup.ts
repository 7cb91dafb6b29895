/**
 * The one "find today's order" of the SDK. The API has no GET-by-cl_order_id, so order placement
 * (after a lost acknowledgement) and the live store (an order it does not know yet) both look
 * through today's orders of an account. The walk is bounded in pages and in time
 * ({@link LOOKUP_BOUNDS}): a server that pages forever ends it with a PaginationError instead of
 * an endless loop.
 */
import type { operations } from '../../../generated/schema';
import type { Order } from '../../types';
import type { CallResult } from '../call-result';
import type { RequestOptions } from '../options';
import { mergeBounds, type PagePromise, type PaginationBounds, pageResponse } from '../pagination';
import type { WireResponse } from '../transport';

/** The filters of `GET /orders` a lookup sends (cursors are the pages' business). */
export type OrderLookupParams = Omit<
  NonNullable<operations['listOrders']['parameters']['query']>,
  'next_cursor' | 'prev_cursor'
>;

/** Lists orders, every page (`u.orders.list` satisfies it). */
export type OrderLister = (params: OrderLookupParams, options?: RequestOptions) => PagePromise<Order>;

/**
 * Bounds of one lookup: 10 pages of 500 orders, 30 s. Tighter than a listing's defaults because a
 * lookup runs inside another call (placement, a resync); `options.pagination` overrides them.
 */
export const LOOKUP_BOUNDS = { maxPages: 10, maxTime: 30_000 } as const satisfies PaginationBounds;

/** Midnight UTC of the day `now` falls in, five minutes earlier near midnight (clock skew with the server). */
export function startOfToday(now: number = Date.now()): string {
  const day = new Date(now - 5 * 60_000);
  day.setUTCHours(0, 0, 0, 0);
  return day.toISOString();
}

/** What to look for. */
export interface TodaysOrderQuery {
  readonly accountId: string;
  /** The reference: a `cl_order_id`, or (with `by: 'any-id'`) an `order_id` or a `cl_order_id`. */
  readonly ref: string;
  readonly by: 'cl_order_id' | 'any-id';
  /** Narrows the listing when known. */
  readonly symbol?: string | undefined;
}

/**
 * Today's order of an account matching the reference, with the response of the page that listed
 * it, or undefined when the listing ends without it. Throws what the listing throws (API errors, a
 * PaginationError when a bound is hit).
 */
export async function findTodaysOrder(
  list: OrderLister,
  query: TodaysOrderQuery,
  options: RequestOptions = {},
  now: number = Date.now(),
): Promise<CallResult<Order> | undefined> {
  const { data, response } = await lookUpTodaysOrder(list, query, options, now);
  return data ? { data, response } : undefined;
}

/**
 * Like {@link findTodaysOrder}, but always with a response: the page that listed the order, or the
 * last page read when the listing ends without it (`data` null then). `orders.reconcile` gives it.
 */
export async function lookUpTodaysOrder(
  list: OrderLister,
  query: TodaysOrderQuery,
  options: RequestOptions = {},
  now: number = Date.now(),
): Promise<CallResult<Order | null>> {
  const params: OrderLookupParams = {
    account_id: query.accountId,
    status: 'all',
    ...(query.symbol === undefined ? {} : { symbols: [query.symbol] }),
    start_time: startOfToday(now),
    limit: 500,
  };
  const matches = (o: Order) =>
    o.cl_order_id === query.ref || (query.by === 'any-id' && o.order_id === query.ref);
  const bounded = { ...options, pagination: mergeBounds(LOOKUP_BOUNDS, options.pagination) };
  // account_id is inferred in the spec (issue 14): a listing that omits it is filtered by account already.
  // Page by page, to report the response of the page that listed the order (placement's
  // `withResponse`). maxTime counts from the first page on; that fetch has its own timeout.
  let last: WireResponse | undefined;
  for await (const page of (await list(params, bounded)).iterPages()) {
    last = pageResponse(page) as WireResponse;
    for (const order of page.data)
      if (matches(order) && (order.account_id ?? query.accountId) === query.accountId)
        return { data: order, response: last };
  }
  // A listing always reads at least one page, so `last` is set.
  return { data: null, response: last as WireResponse };
}
