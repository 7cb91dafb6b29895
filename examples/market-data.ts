/**
 * The market-data stream: one per connection, authenticated with a short-lived token that the SDK
 * fetches (and refreshes when it expires) through `connections.token`. Each subscription is an event
 * emitter and an async iterable; iterators over quotes conflate (latest per symbol), so a slow
 * consumer sees fresh prices instead of an ever-growing backlog.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ConnectTrade } from 'connect-trade';
import { authorizeSandboxConnection } from 'connect-trade/sandbox';

export async function main(): Promise<void> {
  const ct = new ConnectTrade();
  // A user and a linked broker. In production your user opens `authorization_url` and the
  // broker redirects to `redirect_url?connection_id=…`; the sandbox approves at once.
  const { user_id, user_secret } = await ct.users.create({ user_id: `market-data-${Date.now()}` });
  const user = ct.forUser({ userId: user_id, userSecret: user_secret });
  const link = await user.connections.create({
    type: 'trade',
    broker: 'ALPACA',
    redirect_url: 'https://app.example.com/linked',
  });
  const { connectionId } = await authorizeSandboxConnection(link.authorization_url);

  const md = user.marketData(connectionId);
  md.on('reconnecting', (info) => console.log(`reconnecting (${info.closeCode})`));
  await md.connect();

  // History: the last five one-minute bars.
  const bars = await md.snapshotBars({ symbol: 'NVDA', interval: '1m', limit: 5 });
  for (const bar of bars)
    console.log(`NVDA ${bar.start} O ${bar.open} H ${bar.high} L ${bar.low} C ${bar.close}`);

  // Live quotes, consumed with for-await: a slow loop body never builds a backlog.
  const quotes = await md.subscribe('quotes', ['AAPL', 'TSLA']);
  // Trades, consumed with an event listener.
  const trades = await md.subscribe('trades', ['AAPL'], { session_filter: 'regular' });
  trades.on('data', (t) => console.log(`trade ${t.symbol} ${t.size} @ ${t.price}`));
  // Depth: the whole top-N book on every update.
  const depth = await md.subscribe('depth', ['SPY'], { levels: 3 });
  depth.on('data', (d) =>
    console.log(`SPY book: best bid ${d.bids[0]?.price} / best ask ${d.asks[0]?.price}`),
  );

  console.log(
    'subscriptions:',
    (await md.listSubscriptions()).map((s) => `${s.channel}:${s.symbols.join(',')}`).join(' '),
  );

  let seen = 0;
  for await (const quote of quotes) {
    console.log(`quote ${quote.symbol} ${quote.bid} / ${quote.ask}`);
    await sleep(50); // a deliberately slow consumer
    if (++seen === 6) break; // leaving the loop ends this iterator (the subscription stays)
  }

  await Promise.all([quotes.unsubscribe(), trades.unsubscribe(), depth.unsubscribe()]);
  await md.close();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error('\nFAILED:', error);
    process.exit(1);
  },
);
