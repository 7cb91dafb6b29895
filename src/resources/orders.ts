/** `u.orders`: placement (reconciled, never duplicated), listing (paginated), replacement, cancellation. */
import type { operations } from '../../generated/schema';
import { restErrorFactory as errorFactory } from '../core/errors';
import type { RequestOptions } from '../core/options';
import type { OrderRequest, ReplaceOrderParams } from '../core/order-input';
import { type Cursor, Page, PagePromise } from '../core/pagination';
import { placeOrder } from '../core/reconcile';
import { type RestCore, unwrap } from '../core/request';
import { expectArray, expectObject } from '../core/response';
import { checkSymbols, requireId, validateOrder, validateReplace } from '../core/validation';
import type { Order, OrderRequestBody } from '../types';

/** Filters of `orders.list` (cursors are handled by the pages). */
export type OrderListParams = Omit<
  NonNullable<operations['listOrders']['parameters']['query']>,
  'next_cursor' | 'prev_cursor'
>;

// Reconciliation reads at most this many orders looking for a cl_order_id.
const RECONCILE_SCAN_LIMIT = 5_000;

/** Midnight UTC of the day the call started (a few minutes earlier near midnight, for clock skew). */
function startOfToday(now: number): string {
  const day = new Date(now - 5 * 60_000);
  day.setUTCHours(0, 0, 0, 0);
  return day.toISOString();
}

function checkListParams(params: OrderListParams): void {
  checkSymbols(params.symbols);
  const { limit } = params;
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1 && limit <= 500))
    throw errorFactory.validation([{ path: 'limit', message: 'must be an integer from 1 to 500' }]);
}

/** Orders of one user. */
export class Orders {
  constructor(private readonly core: RestCore) {}

  /**
   * Checks an order exactly as `create` does, without sending anything; returns the body `create`
   * would send (with its `cl_order_id`, generated when omitted). Throws a ValidationError.
   */
  validate(order: OrderRequest): OrderRequestBody {
    return validateOrder(order);
  }

  /**
   * Places an order. Validates it first (nothing is sent when it is invalid), generates
   * `cl_order_id` when omitted, and retries only through reconciliation: one call never creates two orders.
   */
  async create(order: OrderRequest, options: RequestOptions = {}): Promise<Order> {
    const body = validateOrder(order);
    const once = { ...options, maxRetries: 0 };
    return placeOrder(
      {
        send: async () =>
          expectObject(
            'POST /orders',
            await unwrap(this.core.client.POST('/orders', { body, ...this.core.init('POST', once) })),
          ) as Order,
        find: async () => {
          const filters: OrderListParams = {
            account_id: body.account_id,
            status: 'all',
            symbols: [body.symbol],
            start_time: startOfToday(Date.now()),
            limit: 500,
          };
          let scanned = 0;
          for await (const candidate of this.list(filters, {
            ...options,
            maxRetries: options.maxRetries ?? 1,
          })) {
            if (candidate.cl_order_id === body.cl_order_id && candidate.account_id === body.account_id)
              return candidate;
            if (++scanned >= RECONCILE_SCAN_LIMIT) break;
          }
          return undefined;
        },
      },
      {
        clOrderId: body.cl_order_id,
        accountId: body.account_id,
        maxRetries: options.maxRetries ?? this.core.context.options.maxRetries,
        signal: options.signal,
      },
    );
  }

  /** Lists orders: await for the first page, `for await` for every order of every page. */
  list(params: OrderListParams = {}, options?: RequestOptions): PagePromise<Order> {
    checkListParams(params);
    const fetchPage = async (cursor: Cursor): Promise<Page<Order>> => {
      // A cursor already encodes the filters (PROTOCOL.md); only the page size travels with it.
      const query = cursor
        ? { ...cursor, ...(params.limit === undefined ? {} : { limit: params.limit }) }
        : params;
      const data = await unwrap(
        this.core.client.GET('/orders', { params: { query }, ...this.core.init('GET', options) }),
      );
      // Tolerated: a bare array is one, final page.
      if (Array.isArray(data)) return new Page<Order>(data, null, null, fetchPage);
      const page = expectObject('GET /orders', data);
      const cursorOf = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
      return new Page(
        expectArray<Order>('GET /orders orders', page.orders),
        cursorOf(page.next_cursor),
        cursorOf(page.prev_cursor),
        fetchPage,
      );
    };
    return new PagePromise(() => fetchPage(undefined));
  }

  /** Replaces (modifies) an open order; returns the replacing order. `new_cl_order_id` is generated when omitted. */
  async replace(
    accountId: string,
    orderId: string,
    params: ReplaceOrderParams,
    options?: RequestOptions,
  ): Promise<Order> {
    requireId('accountId', accountId);
    requireId('orderId', orderId);
    const body = validateReplace(params);
    const data = await unwrap(
      this.core.client.PATCH('/accounts/{account_id}/orders/{order_id}', {
        params: { path: { account_id: accountId, order_id: orderId } },
        body,
        ...this.core.init('PATCH', options),
      }),
    );
    return expectObject('PATCH order', data) as Order;
  }

  /** Cancels an open order; returns it (`pending_cancel` or `cancelled`). */
  async cancel(accountId: string, orderId: string, options?: RequestOptions): Promise<Order> {
    requireId('accountId', accountId);
    requireId('orderId', orderId);
    const data = await unwrap(
      this.core.client.DELETE('/accounts/{account_id}/orders/{order_id}', {
        params: { path: { account_id: accountId, order_id: orderId } },
        ...this.core.init('DELETE', options),
      }),
    );
    return expectObject('DELETE order', data) as Order;
  }
}
