/**
 * Compile-only: `npm run typecheck` fails if any `@ts-expect-error` line below compiles, i.e. if
 * misuse the types should reject becomes possible. Never executed (no `.test.ts` suffix).
 */
import type { ClientOptions, ConnectTrade, OrderRequest, ReplaceOrderParams } from '../../src/rest';

declare const ct: ConnectTrade;
const u = ct.forUser({ userId: 'u', userSecret: async () => 'secret' });
ct.forUser({ userId: 'u', userSecret: 'secret' });
export const productionNames: ClientOptions = { connectionTypeField: 'connection_type' };
// @ts-expect-error connectionTypeField is 'type' or 'connection_type'
export const unknownName: ClientOptions = { connectionTypeField: 'kind' };

export async function scopes() {
  await ct.users.list();
  await u.orders.list();
  // @ts-expect-error platform operations do not exist on the user client
  await u.users.list();
  // @ts-expect-error user operations do not exist on the platform client
  await ct.orders.list();
  // @ts-expect-error user operations do not exist on the platform client
  await ct.connections.list();
  // @ts-expect-error forUser needs a userSecret
  ct.forUser({ userId: 'u' });
  // @ts-expect-error a user client cannot create another user client
  u.forUser({ userId: 'x', userSecret: 'y' });
}

const base = {
  account_id: 'a',
  broker: 'ALPACA',
  side: 'BUY',
  order_tif: 'DAY',
  instrument: 'EQ',
  symbol: 'AAPL',
} as const;

export const valid: OrderRequest[] = [
  { ...base, order_type: 'MKT', order_qty: '1' },
  { ...base, order_type: 'LMT', order_qty: 1, order_limit_price: 189.5 },
  { ...base, order_type: 'STP', order_notional: '100', stop_price: '185' },
  {
    ...base,
    order_type: 'STPLMT',
    order_qty: '1',
    stop_price: '185',
    order_limit_price: '184.5',
    cl_order_id: 'x',
  },
];

// @ts-expect-error an LMT order needs order_limit_price
export const lmtWithoutPrice: OrderRequest = { ...base, order_type: 'LMT', order_qty: '1' };
// A forbidden price field is an error whether it is a decimal string or a JS number (decimal fields
// accept numbers, which once turned the spec's `?: never` into `number | undefined`).
export const mktWithPrice: OrderRequest = {
  ...base,
  order_type: 'MKT',
  order_qty: '1',
  // @ts-expect-error a MKT order carries no limit price
  order_limit_price: '1',
};
export const mktWithNumericPrice: OrderRequest = {
  ...base,
  order_type: 'MKT',
  order_qty: '1',
  // @ts-expect-error a MKT order carries no limit price, not even as a number
  order_limit_price: 5,
};
// @ts-expect-error a MKT order carries no stop price, not even as a number
export const mktWithNumericStop: OrderRequest = { ...base, order_type: 'MKT', order_qty: '1', stop_price: 5 };
// @ts-expect-error a STP order needs stop_price
export const stpWithoutStop: OrderRequest = { ...base, order_type: 'STP', order_qty: '1' };
export const lmtWithStop: OrderRequest = {
  ...base,
  order_type: 'LMT',
  order_qty: '1',
  order_limit_price: '1',
  // @ts-expect-error a LMT order carries no stop price
  stop_price: '1',
};
export const lmtWithNumericStop: OrderRequest = {
  ...base,
  order_type: 'LMT',
  order_qty: '1',
  order_limit_price: 1,
  // @ts-expect-error a LMT order carries no stop price, not even as a number
  stop_price: 5,
};
export const stpWithNumericLimit: OrderRequest = {
  ...base,
  order_type: 'STP',
  order_qty: '1',
  stop_price: 5,
  // @ts-expect-error a STP order carries no limit price, not even as a number
  order_limit_price: 5,
};
// @ts-expect-error exactly one of order_qty and order_notional: not both
export const both: OrderRequest = { ...base, order_type: 'MKT', order_qty: '1', order_notional: '5' };
// @ts-expect-error exactly one of order_qty and order_notional: not neither
export const neither: OrderRequest = { ...base, order_type: 'MKT' };
// @ts-expect-error order_type is a closed set on input
export const badType: OrderRequest = { ...base, order_type: 'TRAIL', order_qty: '1' };
// @ts-expect-error order_tif is listed verbatim by the reference: a closed set on input
export const badTif: OrderRequest = { ...base, order_tif: 'GTD', order_type: 'MKT', order_qty: '1' };
// Side and instrument beyond the reference's examples are our guesses: open (known values still
// complete in editors; the runtime check warns, or rejects with strictValidation).
export const guessedSide: OrderRequest = {
  ...base,
  side: 'SELL_SHORT_EXEMPT',
  order_type: 'MKT',
  order_qty: '1',
};
export const guessedInstrument: OrderRequest = {
  ...base,
  instrument: 'BOND',
  order_type: 'MKT',
  order_qty: '1',
};

export const replace: ReplaceOrderParams = { broker: 'ALPACA', order_limit_price: 188 };
// @ts-expect-error at most one of order_qty and order_notional
export const replaceBoth: ReplaceOrderParams = { broker: 'ALPACA', order_qty: 1, order_notional: 2 };

export async function results() {
  const created = await ct.users.create({ user_id: 'u1' });
  const secret: string = created.user_secret;
  const page = await u.orders.list({ symbols: ['AAPL'] });
  const id: string | undefined = page.data[0]?.order_id;
  for await (const order of u.orders.list()) order.status satisfies string;
  // @ts-expect-error toArray requires its cap
  await u.orders.list().toArray();
  // orders.reconcile: by ids or by the OrderOutcomeUnknownError; the order or null.
  const found = await u.orders.reconcile({ account_id: 'acc_1', cl_order_id: 'cl_1' });
  // @ts-expect-error the result may be null (not listed)
  found.order_id;
  // @ts-expect-error the account is required
  await u.orders.reconcile({ cl_order_id: 'cl_1' });
  await u.orders.reconcile({} as import('../../src/rest').OrderOutcomeUnknownError);
  // @ts-expect-error symbols is a list, not a comma-joined string
  await u.positions.list({ symbols: 'AAPL,MSFT' });
  const auth = await u.connections.create({ type: 'trade', redirect_url: 'https://x.example' });
  const url: string = auth.authorization_url;
  // @ts-expect-error the variant spelling is normalized away
  auth.connection_request_url;
  await u.connections.create({ type: 'readonly', broker: 'ALPACA', redirect_url: 'https://x.example' });
  // @ts-expect-error the type is always passed as `type` (connectionTypeField picks the wire name)
  await u.connections.create({ connection_type: 'trade', redirect_url: 'https://x.example' });
  // @ts-expect-error not a connection type
  await u.connections.create({ type: 'write', redirect_url: 'https://x.example' });
  const [connection] = await u.connections.list();
  const kind: 'trade' | 'market_data' | 'readonly' | undefined = connection?.type;
  // @ts-expect-error per-call options are typed
  await u.accounts.list({}, { timeout: '5s' });
  return [secret, id, url, kind];
}
