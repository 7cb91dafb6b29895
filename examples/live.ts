/**
 * Live account state: `user.live()` loads orders, positions and balances over REST and keeps them
 * current from the brokerage stream, resyncing after every gap; `orders.submitAndWait` places an
 * order (never twice) and waits for it through the store.
 *
 * Reads CONNECT_TRADE_CLIENT_ID / _CLIENT_SECRET / _BASE_URL / _STREAM_URL like the SDK does.
 * Without CONNECT_TRADE_BASE_URL it starts a local sandbox first: `npx tsx examples/live.ts`.
 */
import { ConnectTrade } from '../src/index';
import { startSandbox } from '../src/sandbox';

export async function main(): Promise<void> {
  const sandbox = process.env.CONNECT_TRADE_BASE_URL ? undefined : await startSandbox({ tickMs: 200 });
  const ct = sandbox
    ? new ConnectTrade({ ...sandbox.credentials, baseUrl: sandbox.url, streamUrl: sandbox.streamUrl })
    : new ConnectTrade();
  const stream = ct.stream(); // one brokerage socket per platform: share it between users' stores
  try {
    const { user_id, user_secret } = await ct.users.create({ user_id: `live-example-${Date.now()}` });
    const user = ct.forUser({ userId: user_id, userSecret: user_secret });
    const { authorization_url, connection_id } = await user.connections.create({
      type: 'trade',
      redirect_url: 'https://example.com/linked',
    });
    // A real user opens authorization_url in a browser; the sandbox authorizes at once.
    await fetch(authorization_url, { redirect: 'manual' });

    const live = await user.live({ ...(connection_id ? { connection_id } : {}), stream });
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
    await sandbox?.close();
  }
}

if (require.main === module)
  void main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
