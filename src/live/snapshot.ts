/**
 * The REST side of the live store: the snapshot it starts from and resyncs to (open orders plus
 * today's, positions, balances of each account, every page), and the one-order lookup used to
 * refresh an order the snapshot no longer lists and to poll while the stream is down.
 */
import { errorFactory } from '../core/errors';
import type { RequestOptions } from '../rest/options';
import { findTodaysOrder, LOOKUP_BOUNDS, startOfToday } from '../rest/orders/lookup';
import { mergeBounds } from '../rest/pagination';
import type { Accounts, Balances, Positions } from '../rest/resources/accounts';
import type { OrderListParams, Orders } from '../rest/resources/orders';
import type { Balance, Order, Position } from '../types';
import { placeRecord } from './inferred-fields';

/** What the live store needs from a user client (`ConnectTradeUser` satisfies it). */
export interface LiveRest {
  readonly orders: Pick<Orders, 'list'>;
  readonly positions: Pick<Positions, 'list'>;
  readonly balances: Pick<Balances, 'list'>;
  readonly accounts: Pick<Accounts, 'list'>;
}

/** Server state of some accounts at one moment. */
export interface Snapshot {
  orders: Order[];
  positions: Position[];
  balances: Balance[];
  /** Records that could not be placed (an order without `order_id`), dropped. */
  unplaced: number;
}

/** Every order of a listing, all pages, refusing to hold more than `cap`. */
async function collect(
  rest: LiveRest,
  params: OrderListParams,
  cap: number,
  options: RequestOptions,
): Promise<Order[]> {
  const out: Order[] = [];
  for await (const order of rest.orders.list({ limit: 500, ...params }, options)) {
    if (out.length >= cap)
      throw errorFactory.pagination(`More than ${cap} orders in one listing; raise maxOrders to load them`);
    out.push(order);
  }
  return out;
}

/** Loads the snapshot of the given accounts (open orders of any day, today's orders, positions, balances). */
export async function loadSnapshot(
  rest: LiveRest,
  {
    accountIds,
    cap,
    options = {},
    now,
  }: { accountIds: readonly string[]; cap: number; options?: RequestOptions; now?: number | undefined },
): Promise<Snapshot> {
  const since = startOfToday(now);
  const perAccount = await Promise.all(
    accountIds.map(async (account_id) => {
      const [open, today, positions, balances] = await Promise.all([
        collect(rest, { account_id, status: 'open' }, cap, options),
        collect(rest, { account_id, status: 'all', start_time: since }, cap, options),
        rest.positions.list({ account_id }, options),
        rest.balances.list({ account_id }, options),
      ]);
      // Every listing is for this account: a record lacking the inferred `account_id` belongs to it.
      const orders = [...open, ...today].map((o) => placeRecord('order', o, account_id));
      const placed = orders.filter((o): o is Order => o !== undefined);
      return {
        orders: placed,
        positions: positions
          .map((p) => placeRecord('position', p, account_id))
          .filter((p): p is NonNullable<typeof p> => p?.account_id === account_id),
        balances: balances
          .map((b) => placeRecord('balance', b, account_id))
          .filter((b): b is NonNullable<typeof b> => b?.account_id === account_id),
        unplaced: orders.length - placed.length,
      };
    }),
  );
  return {
    orders: perAccount.flatMap((a) => a.orders),
    positions: perAccount.flatMap((a) => a.positions),
    balances: perAccount.flatMap((a) => a.balances),
    unplaced: perAccount.reduce((sum, a) => sum + a.unplaced, 0),
  };
}

/**
 * The server's current version of one order. A known order is found exactly (the API has no
 * GET-by-id, but `start_time`/`end_time` are inclusive on `created_at`, so both set to its
 * creation time select it); an unknown reference is looked for among today's orders of the accounts.
 */
export async function fetchOrder(
  orders: Pick<Orders, 'list'>,
  {
    ref,
    known,
    accountIds,
    options = {},
  }: {
    ref: string;
    known: Order | undefined;
    accountIds: readonly string[];
    options?: RequestOptions;
  },
): Promise<Order | undefined> {
  if (known) {
    const params: OrderListParams = {
      account_id: known.account_id,
      status: 'all',
      symbols: [known.symbol],
      // Without the inferred `created_at` the lookup scans the account's orders of that symbol (bounded).
      ...(known.created_at ? { start_time: known.created_at, end_time: known.created_at } : {}),
      limit: 500,
    };
    const bounded = { ...options, pagination: mergeBounds(LOOKUP_BOUNDS, options.pagination) };
    for await (const order of orders.list(params, bounded))
      if (order.order_id === known.order_id) return placeRecord('order', order, known.account_id);
    return undefined;
  }
  const list = (params: OrderListParams, opts?: RequestOptions) => orders.list(params, opts);
  for (const accountId of accountIds) {
    const found = await findTodaysOrder(list, { accountId, ref, by: 'any-id' }, options);
    if (found) return found.data;
  }
  return undefined;
}
