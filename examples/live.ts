/**
 * Live account state: `user.live()` loads orders, positions and balances over REST and keeps them
 * current from the brokerage stream, resyncing after every gap; `orders.submitAndWait` places an
 * order (never twice) and waits for it through the store.
 *
 * Reads CONNECT_TRADE_CLIENT_ID / _CLIENT_SECRET / _BASE_URL / _STREAM_URL like the SDK does;
 * `npm run examples` runs it against a local sandbox.
 */
import { ConnectTrade, type Position } from 'connect-trade';
import { authorizeSandboxConnection } from 'connect-trade/sandbox';

export async function main(): Promise<void> {
  const ct = new ConnectTrade();
  const stream = ct.stream(); // one brokerage socket per platform: share it between users' stores
  try {
    // A user and a linked broker. In production your user opens `authorization_url` and the
    // broker redirects to `redirect_url?connection_id=…`; the sandbox approves at once.
    const { user_id, user_secret } = await ct.users.create({ user_id: `live-${Date.now()}` });
    const user = ct.forUser({ userId: user_id, userSecret: user_secret });
    const link = await user.connections.create({
      type: 'trade',
      broker: 'ALPACA',
      redirect_url: 'https://app.example.com/linked',
    });
    const { connectionId } = await authorizeSandboxConnection(link.authorization_url);
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
    // The fill's position update follows the order's on the stream: wait for it, with a deadline.
    const position =
      live.positions.get(account, 'AAPL') ??
      (await new Promise<Position>((resolve, reject) => {
        const timer = setTimeout(() => {
          live.off('change', onChange);
          reject(new Error('no position update within 10 s'));
        }, 10_000);
        const onChange = () => {
          const held = live.positions.get(account, 'AAPL');
          if (!held) return;
          clearTimeout(timer);
          live.off('change', onChange);
          resolve(held);
        };
        live.on('change', onChange);
      }));
    console.log(`position: ${position.quantity} AAPL`);
    console.log(`by cl_order_id: ${live.orders.byClOrderId(filled.cl_order_id)?.order_id}`);
    console.log(`cash now ${live.balances.get(account)?.cash}`);
    await live.close();
  } finally {
    await stream.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error('\nFAILED:', error);
    process.exit(1);
  },
);
