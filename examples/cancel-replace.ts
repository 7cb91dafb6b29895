/**
 * Cancel and replace. A replace (PATCH) creates a NEW order that points back at the old one with
 * `replaces_order_id`, and the old one ends `replaced`: keep the new `order_id`. A cancel answers
 * `pending_cancel`; the final `cancelled` arrives on the brokerage stream.
 */
import { ConnectTrade, type Order } from 'connect-trade';
import { authorizeSandboxConnection } from 'connect-trade/sandbox';

export async function main(): Promise<void> {
  const ct = new ConnectTrade();
  // A user and a linked broker. In production your user opens `authorization_url` and the
  // broker redirects to `redirect_url?connection_id=…`; the sandbox approves at once.
  const { user_id, user_secret } = await ct.users.create({ user_id: `cancel-replace-${Date.now()}` });
  const user = ct.forUser({ userId: user_id, userSecret: user_secret });
  const link = await user.connections.create({
    type: 'trade',
    broker: 'ALPACA',
    redirect_url: 'https://app.example.com/linked',
  });
  const { connectionId } = await authorizeSandboxConnection(link.authorization_url);
  const [account] = await user.accounts.list({ connection_id: connectionId });
  if (!account) throw new Error('The connection has no account');

  const stream = ct.stream();
  await stream.connect();
  await stream.subscribe(['orders'], { account_id: account.account_id });
  const statusOf = (orderId: string, status: Order['status']) =>
    new Promise<Order>((resolve) => {
      const listener = (order: Order) => {
        if (order.order_id !== orderId || order.status !== status) return;
        stream.off('order_update', listener);
        resolve(order);
      };
      stream.on('order_update', listener);
    });

  // A limit far below the market: it rests, working, until we change it.
  const original = await user.orders.create({
    account_id: account.account_id,
    broker: account.broker,
    symbol: 'AMZN',
    instrument: 'EQ',
    side: 'BUY',
    order_type: 'LMT',
    order_tif: 'GTC',
    order_qty: 5,
    order_limit_price: '1.00',
  });
  console.log(`placed ${original.order_id}: ${original.status} @ ${original.order_limit_price}`);

  // Replace: new price and quantity. The answer is the replacing order.
  const replacement = await user.orders.replace(account.account_id, original.order_id, {
    broker: account.broker,
    order_limit_price: '2.00',
    order_qty: 3,
  });
  console.log(
    `replaced by ${replacement.order_id} (replaces ${replacement.replaces_order_id}): ${replacement.order_qty} @ ${replacement.order_limit_price}`,
  );

  const [old] = (
    await user.orders.list({ account_id: account.account_id, status: 'closed' }).toArray({ max: 100 })
  ).filter((o) => o.order_id === original.order_id);
  console.log(`the original is now ${old?.status}`);
  if (old?.status !== 'replaced' || replacement.replaces_order_id !== original.order_id)
    throw new Error('the replace did not link the two orders');

  // Cancel: acknowledged as pending_cancel, confirmed on the stream.
  const cancelled = statusOf(replacement.order_id, 'cancelled');
  const ack = await user.orders.cancel(account.account_id, replacement.order_id);
  console.log(`cancel acknowledged: ${ack.status}`);
  const final = await within(10_000, 'the cancel confirmation', cancelled);
  console.log(`confirmed on the stream: ${final.status}`);
  await stream.close();
}

/** Rejects if `promise` has not settled within `ms`: a stuck step fails loudly instead of hanging. */
function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error('\nFAILED:', error);
    process.exit(1);
  },
);
