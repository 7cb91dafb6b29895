/**
 * Cancel and replace. A replace (PATCH) creates a NEW order that points back at the old one with
 * `replaces_order_id`, and the old one ends `replaced`: keep the new `order_id`. A cancel answers
 * `pending_cancel`; the final `cancelled` arrives on the brokerage stream.
 */
import { ConnectTrade, type Order } from 'connect-trade';
import { onboard, runExample, within } from './support';

export async function main(): Promise<void> {
  const ct = new ConnectTrade();
  const { user, account } = await onboard(ct, 'cancel-replace');

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

runExample(module, main);
