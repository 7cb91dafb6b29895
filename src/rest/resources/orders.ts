/** `u.orders`: placement (reconciled, never duplicated), listing (paginated), replacement, cancellation. */
import { type OperationId, operations } from '../../../generated/operations';
import type { operations as specOperations } from '../../../generated/schema';
import type { OrderOutcomeUnknownError } from '../../core/errors';
import { log, warnTo } from '../../core/logging';
import type { Order, OrderRequestBody } from '../../types';
import { APIPromise } from '../api-promise';
import type { CallResult } from '../call-result';
import { type DeferredModule, deferredIfLoaded, loadDeferred } from '../deferred/load';
import type { RequestOptions } from '../options';
import type { OrderRequest, ReplaceOrderParams } from '../orders/input';
import { findTodaysOrder, lookUpTodaysOrder } from '../orders/lookup';
import type { ValidationMode } from '../orders/validation';
import {
  type Cursor,
  checkPaginationBounds,
  mergeBounds,
  Page,
  type PageFetcher,
  PagePromise,
} from '../pagination';
import type { RestCore } from '../request';
import { requireId } from '../require-id';
import { expectArray, expectObject, expectString } from '../response';

/** Filters of `orders.list` (cursors are handled by the pages). */
export type OrderListParams = Omit<
  NonNullable<specOperations['listOrders']['parameters']['query']>,
  'next_cursor' | 'prev_cursor'
>;

// The spec's `paginated` column (generated/operations.ts) decides whether `list` follows cursors.
// GET /orders must be the one paginated operation: should the spec paginate another list (or stop
// paginating this one), this stops compiling, so that resource gets pages instead of silently
// returning the first one only.
type PaginatedOperation = {
  [K in OperationId]: (typeof operations)[K]['paginated'] extends true ? K : never;
}[OperationId];
const FOLLOW_CURSORS: [PaginatedOperation] extends ['listOrders']
  ? ['listOrders'] extends [PaginatedOperation]
    ? true
    : never
  : never = operations.listOrders.paginated;

/**
 * What `orders.reconcile` looks for: an order's account and client order id (`symbol`, when known,
 * narrows the listing). An {@link OrderOutcomeUnknownError} carries the first two as `accountId` /
 * `clOrderId` and can be passed as it is.
 */
export type OrderReconcileParams =
  | (Required<Pick<Order, 'account_id'>> & { cl_order_id: string; symbol?: Order['symbol'] | undefined })
  | Pick<OrderOutcomeUnknownError, 'accountId' | 'clOrderId'>;

/** A cursor field: a non-empty string, else none. */
const cursorOf = (value: unknown) => (typeof value === 'string' && value !== '' ? value : null);

/** Orders of one user. */
export class Orders {
  constructor(private readonly core: RestCore) {}

  /** Guessed values (sides, instruments, cl_order_id shape): warn through the logger, or reject when strict. */
  private mode(): ValidationMode {
    const { strictValidation, logger, idGenerator } = this.core.context.options;
    return { strict: strictValidation, warn: warnTo(logger), newId: idGenerator };
  }

  /**
   * Checks an order exactly as `create` does, without sending anything; resolves to the body
   * `create` would send (with its `cl_order_id`, generated when omitted), or rejects with a
   * ValidationError. Asynchronous because the checks and the spec's rule tables are loaded on
   * first use, keeping them out of the bundle of a page that never places an order.
   */
  async validate(order: OrderRequest): Promise<OrderRequestBody> {
    return (await loadDeferred()).orderChecks.validateOrder(order, this.mode());
  }

  /**
   * Places an order. Validates it first (nothing is sent when it is invalid), generates
   * `cl_order_id` when omitted, and retries only through reconciliation: one call never creates two orders.
   *
   * `.withResponse()` gives the response that produced the order: the `POST /orders` answer, or,
   * when placement found the order by reconciliation (after an ambiguous failure), the
   * `GET /orders` page that listed it (a 200 whose body is that page, and its request id).
   */
  create(order: OrderRequest, options: RequestOptions = {}): APIPromise<Order> {
    // Checks and places the order, its checks and placement loaded (a ValidationError is thrown, nothing sent).
    const place = ({ orderChecks, placeOrder }: DeferredModule): Promise<CallResult<Order>> => {
      const body = orderChecks.validateOrder(order, this.mode());
      checkPaginationBounds(options.pagination);
      const once = { ...options, maxRetries: 0 };
      return placeOrder(
        {
          send: () =>
            this.core.exchange('POST', '/orders', {
              init: { body },
              options: once,
              shape: (what, data) => {
                const answer = expectObject<Order>(what, data);
                // An answer without an order id is not an order: placement treats it as unread and looks the order up.
                expectString(what, answer, 'order_id');
                return answer;
              },
            }),
          find: () =>
            findTodaysOrder(
              (params, opts) => this.list(params, opts),
              { accountId: body.account_id, ref: body.cl_order_id, by: 'cl_order_id', symbol: body.symbol },
              { ...options, maxRetries: options.maxRetries ?? 1 },
              this.core.context.options.clock.now(),
            ),
        },
        {
          clOrderId: body.cl_order_id,
          accountId: body.account_id,
          maxRetries: options.maxRetries ?? this.core.context.options.maxRetries,
          signal: options.signal,
          logger: this.core.context.options.logger,
          tracing: this.core.context.tracing,
          clock: this.core.context.options.clock,
          random: this.core.context.options.random,
        },
      );
    };
    return APIPromise.from(() => {
      // The checks and placement load (on the first order) before anything is sent; once loaded,
      // an order costs no async frame or promise before its POST (bench/README.md).
      const loaded = deferredIfLoaded();
      return loaded ? place(loaded) : loadDeferred().then(place);
    });
  }

  /**
   * Finds an order whose placement outcome is unknown: resolves to the order when today's orders
   * of its account list its `cl_order_id`, or to `null` when they do not (it was not placed, or the
   * listing lags: ask again before placing it anew). Pass the {@link OrderOutcomeUnknownError}
   * `create` rejected with, or `{ account_id, cl_order_id, symbol? }`. The lookup is the one
   * placement itself runs: at most 10 pages of 500 and 30 s (`options.pagination` overrides),
   * each request with its timeout and retries. `.withResponse()` gives the page that listed the
   * order, or the last page read.
   */
  reconcile(order: OrderReconcileParams, options: RequestOptions = {}): APIPromise<Order | null> {
    return APIPromise.from(() => {
      // A plain object or an error alike; anything else (null, a string) fails the id checks, nothing sent.
      const ref: Partial<Record<string, unknown>> = typeof order === 'object' && order !== null ? order : {};
      const byError = 'clOrderId' in ref;
      const accountId = requireId(
        byError ? 'accountId' : 'account_id',
        byError ? ref.accountId : ref.account_id,
      );
      const clOrderId = requireId(
        byError ? 'clOrderId' : 'cl_order_id',
        byError ? ref.clOrderId : ref.cl_order_id,
      );
      const symbol = byError || ref.symbol === undefined ? undefined : requireId('symbol', ref.symbol);
      checkPaginationBounds(options.pagination);
      return lookUpTodaysOrder(
        (params, opts) => this.list(params, opts),
        { accountId, ref: clOrderId, by: 'cl_order_id', symbol },
        options,
        this.core.context.options.clock.now(),
      );
    });
  }

  /**
   * Lists orders: await for the first page, `for await` for every order of every page;
   * `.withResponse()` gives the first page with its raw response (as openai-node's `PagePromise`).
   */
  list(params: OrderListParams = {}, options?: RequestOptions): PagePromise<Order> {
    checkPaginationBounds(options?.pagination);
    const bounds = mergeBounds(this.core.context.options.pagination, options?.pagination);
    const clock = this.core.context.options.clock;
    // Not async: once the checks are loaded, a page costs no async frame (bench/README.md).
    const exchangePage = (cursor: Cursor): Promise<CallResult<Page<Order>>> => {
      // The filter checks load with the first page (a bad filter: a ValidationError, nothing sent).
      const loaded = deferredIfLoaded();
      if (!loaded) return loadDeferred().then(() => exchangePage(cursor));
      const checks = loaded.orderChecks;
      try {
        if (cursor === undefined) checks.checkOrderListParams(params);
      } catch (error) {
        return Promise.reject(error);
      }
      // A cursor already encodes the filters (PROTOCOL.md); only the page size travels with it.
      const query = cursor
        ? { ...cursor, ...(params.limit === undefined ? {} : { limit: params.limit }) }
        : params;
      const init = { params: { query } };
      return this.core.exchange('GET', '/orders', {
        init,
        options,
        shape: (what, data, response) => {
          if (Array.isArray(data)) {
            // Tolerated: a bare list (orders/validation.ts `bareOrderList`), its cursor in the headers.
            const items = expectArray<Order>(what, data);
            const { next, warning } = checks.bareOrderList(response.headers, items.length, params.limit);
            if (warning) log(this.core.context.options.logger, 'warn', warning, { count: items.length });
            return new Page(items, next, null, fetchPage, {
              bounds,
              possiblyTruncated: !!warning,
              response,
              clock,
            });
          }
          const page = expectObject(what, data);
          return new Page(
            expectArray<Order>(`${what} orders`, page.orders),
            FOLLOW_CURSORS ? cursorOf(page.next_cursor) : null,
            FOLLOW_CURSORS ? cursorOf(page.prev_cursor) : null,
            fetchPage,
            { bounds, response, clock },
          );
        },
      });
    };
    const fetchPage: PageFetcher<Order> = (cursor) => APIPromise.from(() => exchangePage(cursor));
    return new PagePromise(() => exchangePage(undefined), clock);
  }

  /** Replaces (modifies) an open order; returns the replacing order. `new_cl_order_id` is generated when omitted. */
  replace(
    accountId: string,
    orderId: string,
    params: ReplaceOrderParams,
    options?: RequestOptions,
  ): APIPromise<Order> {
    return APIPromise.from(async () => {
      requireId('accountId', accountId);
      requireId('orderId', orderId);
      const body = (await loadDeferred()).orderChecks.validateReplace(params, this.mode());
      const init = { params: { path: { account_id: accountId, order_id: orderId } }, body };
      return this.core.exchange('PATCH', '/accounts/{account_id}/orders/{order_id}', {
        init,
        options,
        shape: expectObject<Order>,
      });
    });
  }

  /** Cancels an open order; returns it (`pending_cancel` or `cancelled`). */
  cancel(accountId: string, orderId: string, options?: RequestOptions): APIPromise<Order> {
    return APIPromise.defer(() => {
      requireId('accountId', accountId);
      requireId('orderId', orderId);
      const init = { params: { path: { account_id: accountId, order_id: orderId } } };
      return this.core.delete('/accounts/{account_id}/orders/{order_id}', init, options, expectObject<Order>);
    });
  }
}
