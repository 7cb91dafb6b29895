/**
 * The brokerage stream: order, position and balance updates as events, with the two things a
 * robust consumer must handle. (1) `gap`: updates may have been missed (a skipped `seq`, or a
 * reconnect, since nothing is replayed), so resync from REST. (2) Reconnects happen by themselves,
 * with backoff and jitter, and subscriptions are replayed; `reconnecting` / `reconnected` report it.
 *
 * The dropped connection is injected through the sandbox's admin endpoint (`drop_streams`).
 */
import { ConnectTrade, type Order } from 'connect-trade';
import { authorizeSandboxConnection } from 'connect-trade/sandbox';

export async function main(): Promise<void> {
  const ct = new ConnectTrade();
  // A user and a linked broker. In production your user opens `authorization_url` and the
  // broker redirects to `redirect_url?connection_id=…`; the sandbox approves at once.
  const { user_id, user_secret } = await ct.users.create({ user_id: `streaming-${Date.now()}` });
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
  stream.on('order_update', (order, meta) =>
    console.log(`seq ${meta.seq} order ${order.cl_order_id}: ${order.status}`),
  );
  stream.on('position_update', (p, meta) =>
    console.log(`seq ${meta.seq} position ${p.symbol}: ${p.quantity}`),
  );
  stream.on('balance_update', (b, meta) => console.log(`seq ${meta.seq} balance: cash ${b.cash}`));
  stream.on('reconnecting', (info) =>
    console.log(`connection lost (${info.closeCode}), retry #${info.attempt} in ${info.delay} ms`),
  );
  stream.on('error', (error) => console.log(`stream error: ${error.message}`)); // non-fatal problems

  // On a gap, the local view may be stale: reload it from REST (here, just the open orders).
  const resynced: Promise<void> = new Promise((resolve) => {
    stream.on('gap', async (gap) => {
      console.log(`gap (${gap.reason}${gap.from ? `, from seq ${gap.from}` : ''}): resyncing from REST`);
      const open = await user.orders
        .list({ account_id: account.account_id, status: 'open' })
        .toArray({ max: 500 });
      console.log(`resynced: ${open.length} open order(s)`);
      resolve();
    });
  });

  await stream.connect();
  await stream.subscribe(['orders', 'positions', 'balances'], { account_id: account.account_id });

  const filled = (clOrderId: string) =>
    new Promise<Order>((resolve) => {
      const listener = (order: Order) => {
        if (order.cl_order_id !== clOrderId || order.status !== 'filled') return;
        stream.off('order_update', listener);
        resolve(order);
      };
      stream.on('order_update', listener);
    });

  const buy = (clOrderId: string) =>
    user.orders.create({
      account_id: account.account_id,
      broker: account.broker,
      cl_order_id: clOrderId,
      symbol: 'SPY',
      instrument: 'EQ',
      side: 'BUY',
      order_type: 'MKT',
      order_tif: 'DAY',
      order_qty: 2,
    });

  const first = filled('stream-1');
  await buy('stream-1');
  await within(10_000, 'the first fill', first);

  // Kill the socket: the stream reconnects, re-subscribes, and reports a gap.
  const reconnected = new Promise<void>((resolve) => stream.once('reconnected', resolve));
  await injectFault({ type: 'drop_streams', stream: 'brokerage' });
  await within(10_000, 'the reconnect', reconnected);
  await within(10_000, 'the resync', resynced);

  // Updates flow again on the new session.
  const second = filled('stream-2');
  await buy('stream-2');
  await within(10_000, 'the second fill', second);
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
