/**
 * Error handling: every failure is a typed subclass of `ConnectTradeError`, so code branches on
 * `instanceof` rather than on message text. Bad input is refused before anything is sent; the server's
 * answers carry `status`, `code` and `requestId`; transient failures (503, 429, resets) are retried,
 * and an order whose answer is lost is reconciled, never placed twice.
 *
 * The 503, the 429 and the lost acknowledgement are injected through the sandbox's admin endpoint
 * (`/__sandbox/faults`).
 */
import {
  AuthenticationError,
  ConflictError,
  ConnectTrade,
  NotFoundError,
  RateLimitError,
  ValidationError,
} from 'connect-trade';
import { authorizeSandboxConnection } from 'connect-trade/sandbox';

export async function main(): Promise<void> {
  const ct = new ConnectTrade();
  // A user and a linked broker. In production your user opens `authorization_url` and the
  // broker redirects to `redirect_url?connection_id=…`; the sandbox approves at once.
  const { user_id, user_secret } = await ct.users.create({ user_id: `errors-${Date.now()}` });
  const user = ct.forUser({ userId: user_id, userSecret: user_secret });
  const link = await user.connections.create({
    type: 'trade',
    broker: 'ALPACA',
    redirect_url: 'https://app.example.com/linked',
  });
  const { connectionId } = await authorizeSandboxConnection(link.authorization_url);
  const [account] = await user.accounts.list({ connection_id: connectionId });
  if (!account) throw new Error('The connection has no account');
  const base = {
    account_id: account.account_id,
    broker: account.broker,
    symbol: 'AAPL',
    instrument: 'EQ',
    side: 'BUY',
    order_tif: 'DAY',
  } as const;

  // 1. Invalid input: a ValidationError listing every problem; no request leaves the process.
  try {
    // A number with 10 decimals cannot be sent exactly; LMT without a price is caught at compile time too.
    await user.orders.create({
      ...base,
      order_type: 'LMT',
      order_qty: 0.0000000001,
      order_limit_price: 'abc',
    });
    throw new Error('expected a ValidationError'); // reached only if the call succeeded
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    console.log(`ValidationError: ${error.issues.map((i) => `${i.path} ${i.message}`).join('; ')}`);
  }

  // 2. A duplicate cl_order_id: 409 ConflictError (it protects you from placing an order twice).
  const order = await user.orders.create({ ...base, order_type: 'MKT', order_qty: 1, cl_order_id: 'dup-1' });
  try {
    await user.orders.create({ ...base, order_type: 'MKT', order_qty: 1, cl_order_id: order.cl_order_id });
    throw new Error('expected a ConflictError');
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    console.log(`ConflictError ${error.status}: ${error.message}`);
  }

  // 3. A broker rejection is not an exception: the order exists, with status `rejected` and a reason.
  const rejected = await user.orders.create({ ...base, symbol: 'NOPE', order_type: 'MKT', order_qty: 1 });
  console.log(`rejected order: ${rejected.status} (${rejected.broker_message})`);

  // 4. Not found, and wrong credentials.
  try {
    await user.orders.cancel(account.account_id, 'no-such-order');
    throw new Error('expected a NotFoundError');
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    console.log(`NotFoundError ${error.status}: ${error.message}`);
  }
  try {
    await ct.forUser({ userId: user.userId, userSecret: 'wrong' }).accounts.list();
    throw new Error('expected an AuthenticationError');
  } catch (error) {
    if (!(error instanceof AuthenticationError)) throw error;
    console.log(`AuthenticationError ${error.status} (the secret never appears in the message)`);
  }

  // 5. Transient failures are retried with backoff: one 503, then success.
  await injectFault({ type: 'fail', status: 503, count: 1, method: 'GET', path: '/accounts' });
  const accounts = await user.accounts.list();
  console.log(`after one injected 503, accounts.list() succeeded: ${accounts.length} account(s)`);

  // 6. Past `maxRetries` the typed error surfaces; RateLimitError carries the server's retry-after.
  await injectFault({ type: 'fail', status: 429, count: 1, path: '/balances', retry_after: 1 });
  try {
    await user.balances.list({}, { maxRetries: 0 });
    throw new Error('expected a RateLimitError');
  } catch (error) {
    if (!(error instanceof RateLimitError)) throw error;
    console.log(`RateLimitError ${error.status}, retry after ${error.retryAfterMs} ms`);
  }

  // 7. Order safety: the server places the order but its answer is lost (the "lost ack"). The SDK
  // never blindly re-sends POST /orders: it looks the cl_order_id up among today's orders and
  // returns the order it finds, so exactly one order exists. Once the POST may have reached the
  // server, create() gives the order or an OrderOutcomeUnknownError (never another class) with
  // `clOrderId` to look up later: `catch (e) { if (e instanceof OrderOutcomeUnknownError) await u.orders.reconcile(e) }`
  // (the order, or null when today's orders do not list it).
  // `.withResponse()` gives the response that produced the order: here the GET /orders page the
  // lookup found it on (the POST's answer was lost), with that listing's request id.
  await injectFault({ type: 'drop_response', count: 1, method: 'POST', path: '/orders' });
  const {
    data: placed,
    response: from,
    requestId,
  } = await user.orders
    .create({
      account_id: account.account_id,
      broker: account.broker,
      symbol: 'MSFT',
      instrument: 'EQ',
      side: 'BUY',
      order_type: 'LMT',
      order_tif: 'GTC',
      order_qty: 1,
      order_limit_price: '1.00',
    })
    .withResponse();
  if (from.status !== 200 || !requestId) throw new Error('expected the lookup page as the response');
  const all = await user.orders.list({ account_id: account.account_id, status: 'all' }).toArray({ max: 500 });
  const copies = all.filter((o) => o.cl_order_id === placed.cl_order_id).length;
  if (copies !== 1) throw new Error(`expected exactly one order, found ${copies}`);
  // orders.reconcile runs the same lookup on demand: by the error create would reject with, or by ids.
  const again = await user.orders.reconcile({
    account_id: account.account_id,
    cl_order_id: placed.cl_order_id,
  });
  if (again?.order_id !== placed.order_id) throw new Error('expected reconcile to find the placed order');
  console.log(
    `lost ack on POST /orders: reconciled to ${placed.order_id}, exactly ${copies} order on the server (found by listing ${requestId})`,
  );
}

/** Injects a fault through the sandbox's admin endpoint (`/__sandbox`, not part of the Connect Trade API). */
async function injectFault(fault: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${process.env.CONNECT_TRADE_BASE_URL}/__sandbox/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(fault),
  });
  if (!response.ok) throw new Error(`Fault injection failed: ${response.status} ${await response.text()}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error('\nFAILED:', error);
    process.exit(1);
  },
);
