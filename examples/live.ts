/**
 * Live account state: `user.live()` loads orders, positions and balances over REST and keeps them
 * current from the brokerage stream, resyncing after every gap; `orders.submitAndWait` places an
 * order (never twice) and waits for it through the store.
 *
 * Reads CONNECT_TRADE_CLIENT_ID / _CLIENT_SECRET / _BASE_URL / _STREAM_URL like the SDK does;
 * `npm run examples` runs it against a local sandbox.
 */
import { ConnectTrade } from 'connect-trade';
import { onboard, runExample } from './support';

export async function main(): Promise<void> {
  const ct = new ConnectTrade();
  const stream = ct.stream(); // one brokerage socket per platform: share it between users' stores
  try {
    const { user, connectionId } = await onboard(ct, 'live');
    const live = await user.live({ connection_id: connectionId, stream });
    live.on('stale', ({ reason }) => console.log(`stale (${reason}): resyncing`));
    live.on('synced', () => console.log('synced'));
    live.on('order', (o) =>
      console.log(`order ${o.cl_order_id}: ${o.status} ${o.filled_qty}/${o.order_qty}`),
    );

    const account = live.accountIds[0];
    const [details] = await user.accounts.list();
    if (!account || !details) throw new Error('no account');
    console.log(`following ${live.accountIds.length} account(s); cash ${live.balances.get(account)?.cash}`);

    const filled = await user.orders.submitAndWait(
      {
        account_id: account,
        broker: details.broker,
        symbol: 'AAPL',
        instrument: 'EQ',
        side: 'BUY',
        order_type: 'MKT',
        order_tif: 'DAY',
        order_qty: '5',
      },
      'filled',
      { live, timeout: 30_000 },
    );
    console.log(`filled ${filled.filled_qty} AAPL at ${filled.avg_fill_price}`);
    console.log(`position: ${live.positions.get(account, 'AAPL')?.quantity} AAPL`);
    console.log(`by cl_order_id: ${live.orders.byClOrderId(filled.cl_order_id)?.order_id}`);
    console.log(`cash now ${live.balances.get(account)?.cash}`);
    await live.close();
  } finally {
    await stream.close();
  }
}

runExample(module, main);
