/** Accounts, balances, positions, transactions and orders of the authenticated user. */
import type { components } from '../../../generated/schema';
import { notFound } from '../http-error';
import { type OrderQuery, listOrders as queryOrders } from '../order-query';
import { balanceView, positionView } from '../portfolio';
import type { AccountRecord } from '../state';
import type { RestContext, RestRequest, RestResult } from './context';

type Schemas = components['schemas'];

/** The user's accounts narrowed by `account_id` (404 when it is not theirs) and `connection_id`. */
function scopedAccounts(ctx: RestContext, req: RestRequest): AccountRecord[] {
  const accountId = req.params.account_id as string | undefined;
  const connectionId = req.params.connection_id as string | undefined;
  const userId = req.userId as string;
  if (accountId !== undefined && ctx.state.accountsOf(userId, { accountId }).length === 0)
    throw notFound(`account ${accountId} not found`);
  if (connectionId !== undefined) {
    const connection = ctx.state.connections.get(connectionId);
    if (!connection || connection.userId !== userId) throw notFound(`connection ${connectionId} not found`);
  }
  return ctx.state.accountsOf(userId, {
    ...(accountId === undefined ? {} : { accountId }),
    ...(connectionId === undefined ? {} : { connectionId }),
  });
}

/** GET /accounts */
export function listAccounts(ctx: RestContext, req: RestRequest): RestResult {
  const filter: { connectionId?: string; broker?: string } = {};
  if (req.params.connection_id !== undefined) filter.connectionId = req.params.connection_id as string;
  if (req.params.broker !== undefined) filter.broker = req.params.broker as string;
  const accounts: Schemas['Account'][] = ctx.state.accountsOf(req.userId as string, filter).map((a) => ({
    account_id: a.accountId,
    account_number: a.accountNumber,
    institution_name: a.institutionName,
    broker: a.broker,
    connection_id: a.connectionId,
    account_type: 'cash',
  }));
  return { status: 200, body: accounts };
}

/** GET /balances */
export function listBalances(ctx: RestContext, req: RestRequest): RestResult {
  const body = scopedAccounts(ctx, req).map((a) => balanceView(a, ctx.feed, ctx.engine.reserved(a)));
  return { status: 200, body };
}

/** GET /positions */
export function listPositions(ctx: RestContext, req: RestRequest): RestResult {
  const symbols = req.params.symbols as string[] | undefined;
  const body = scopedAccounts(ctx, req).flatMap((a) =>
    [...a.positions.values()]
      .filter((p) => p.qty !== 0n && (!symbols || symbols.includes(p.symbol)))
      .map((p) => positionView(a, p, ctx.feed)),
  );
  return { status: 200, body };
}

/** GET /transactions */
export function listTransactions(ctx: RestContext, req: RestRequest): RestResult {
  const start = req.params.start_date as string | undefined;
  const end = req.params.end_date as string | undefined;
  const body = scopedAccounts(ctx, req).flatMap((a) =>
    a.transactions.filter((t) => (!start || t.date >= start) && (!end || t.date <= end)),
  );
  return { status: 200, body };
}

/** POST /orders */
export function createOrder(ctx: RestContext, req: RestRequest): RestResult {
  return { status: 200, body: ctx.engine.place(req.userId as string, req.body as Schemas['OrderRequest']) };
}

/** GET /orders */
export function listOrders(ctx: RestContext, req: RestRequest): RestResult {
  return { status: 200, body: queryOrders(ctx.state, req.userId as string, req.params as OrderQuery) };
}

/** PATCH /accounts/{account_id}/orders/{order_id} */
export function replaceOrder(ctx: RestContext, req: RestRequest): RestResult {
  const { account_id, order_id } = req.params as { account_id: string; order_id: string };
  const body = req.body as Schemas['ReplaceOrderRequest'];
  return { status: 200, body: ctx.engine.replace(req.userId as string, account_id, order_id, body) };
}

/** DELETE /accounts/{account_id}/orders/{order_id} */
export function cancelOrder(ctx: RestContext, req: RestRequest): RestResult {
  const { account_id, order_id } = req.params as { account_id: string; order_id: string };
  return { status: 200, body: ctx.engine.cancel(req.userId as string, account_id, order_id) };
}
