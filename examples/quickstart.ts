/**
 * Quickstart: a user, a broker connection, accounts and balances, a limit order watched until it
 * fills, and a few seconds of live quotes. `npm run quickstart` runs it against a local sandbox.
 * Against the live API (real credentials in CONNECT_TRADE_*, a paper account), send your user to
 * `authorization_url` in step 2 instead of completing the link with `authorizeSandboxConnection`.
 */
import { ConnectTrade } from 'connect-trade';
import { authorizeSandboxConnection } from 'connect-trade/sandbox';

const TERMINAL = new Set(['filled', 'cancelled', 'rejected', 'expired', 'replaced']);

export async function main(): Promise<void> {
  // Credentials and URLs come from CONNECT_TRADE_CLIENT_ID / _CLIENT_SECRET / _BASE_URL /
  // _STREAM_URL / _MARKET_DATA_URL; pass them as options instead if you prefer.
  const ct = new ConnectTrade();

  step(1, 'Create a user');
  const { user_id, user_secret } = await ct.users.create({ user_id: `quickstart-${Date.now()}` });
  console.log(`   user ${user_id} (store its secret securely: it is returned only once)`);
  const user = ct.forUser({ userId: user_id, userSecret: user_secret });

  step(2, 'Connect a broker (the link page)');
  const link = await user.connections.create({
    type: 'trade',
    broker: 'ALPACA',
    redirect_url: 'https://app.example.com/linked',
  });
  // In production, send your user to link.authorization_url: they pick their broker and log in,
  // and the browser comes back to redirect_url?…&connection_id=…&status=success. The sandbox serves
  // the same kind of page (open the URL below in a browser before it is used: any username with
  // the password pass_good). Here the link is completed by the same GET + POST a browser sends:
  console.log(`   authorization URL (open it in a browser): ${link.authorization_url}`);
  const { connectionId, redirectUrl } = await authorizeSandboxConnection(link.authorization_url, {
    username: 'quickstart',
    password: 'pass_good',
  });
  console.log(`   the browser would now be at ${redirectUrl}`);
  console.log(`   connection ${connectionId}`);

  step(3, 'List accounts and balances');
  const [account] = await user.accounts.list({ connection_id: connectionId });
  if (!account) throw new Error('The connection has no account');
  const [balance] = await user.balances.list({ account_id: account.account_id });
  console.log(`   ${account.institution_name} ${account.account_number} (${account.account_id})`);
  console.log(`   cash ${balance?.cash} ${balance?.currency}, buying power ${balance?.buying_power}`);

  // Open the brokerage stream BEFORE placing the order, so no update can slip by unseen.
  const stream = ct.stream();
  await stream.connect();
  await stream.subscribe(['orders'], { account_id: account.account_id });
  const updates = stream.updates({ topics: ['orders'] });

  // The market-data stream gets its token from `user.connections.token(connectionId)` by itself.
  const marketData = user.marketData(connectionId);
  await marketData.connect();
  const [lastBar] = await marketData.snapshotBars({ symbol: 'AAPL', interval: '1m', limit: 1 });
  if (!lastBar) throw new Error('No AAPL price yet');

  step(4, 'Place a limit order');
  // A marketable limit (1% above the last price) so that it fills within a tick or two.
  const limit = (Number(lastBar.close) * 1.01).toFixed(2);
  const order = await user.orders.create({
    account_id: account.account_id,
    broker: account.broker,
    symbol: 'AAPL',
    instrument: 'EQ',
    side: 'BUY',
    order_type: 'LMT',
    order_tif: 'DAY',
    order_qty: '10',
    order_limit_price: limit,
  }); // cl_order_id is generated: the SDK uses it to make sure a retry never places a second order
  console.log(`   ${order.cl_order_id}: BUY 10 AAPL @ ${limit} -> ${order.status}`);

  step(5, 'Watch its order updates until it fills');
  let final = order;
  await within(
    10_000,
    'waiting for the order to fill',
    (async () => {
      for await (const update of updates) {
        if (update.action !== 'order_update' || update.data.order_id !== order.order_id) continue;
        final = update.data;
        console.log(
          `   seq ${update.seq}: ${final.status}, filled ${final.filled_qty} @ ${final.avg_fill_price ?? '-'}`,
        );
        if (TERMINAL.has(final.status)) break;
      }
    })(),
  );
  await stream.close();
  if (final.status !== 'filled') throw new Error(`The order ended ${final.status}, not filled`);

  step(6, 'Stream quotes for a few seconds');
  const quotes = await marketData.subscribe('quotes', ['AAPL', 'MSFT']);
  quotes.on('data', (q) =>
    console.log(`   ${q.symbol.padEnd(5)} bid ${q.bid}  ask ${q.ask}  last ${q.last}`),
  );
  await new Promise((resolve) => setTimeout(resolve, Number(process.env.QUICKSTART_QUOTES_MS ?? 3000)));
  await quotes.unsubscribe();
  await marketData.close();
  console.log('\nDone.');
}

/** Prints a numbered step heading. */
function step(n: number, title: string): void {
  console.log(`\n${n}. ${title}`);
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
