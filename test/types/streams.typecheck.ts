/**
 * Compile-only: the main entry's clients carry the streams on the right side of the scope split.
 */
import type { BarInterval, ConnectTrade } from '../../src/index';
import type { Known } from '../../src/types';

declare const ct: ConnectTrade;
const u = ct.forUser({ userId: 'u', userSecret: 's' });

export async function streamScopes() {
  const stream = ct.stream({ heartbeatTimeout: 20_000 });
  stream.on('order_update', (order, meta) => `${order.status}${meta.seq}`);
  const md = u.marketData('conn_1');
  const quotes = await md.subscribe('quotes', ['AAPL']);
  quotes.on('data', (q) => q.bid);
  // @ts-expect-error the brokerage stream uses platform credentials: not on the user client
  u.stream();
  // @ts-expect-error market data belongs to a user's connection: not on the platform client
  ct.marketData('conn_1');
  // @ts-expect-error the client's credentials are used; they cannot be overridden per stream
  ct.stream({ clientSecret: 'other' });
  // @ts-expect-error bars need an interval
  await md.subscribe('bars', ['AAPL'], {});
  // @ts-expect-error unknown channel
  await md.subscribe('news', ['AAPL']);
  // A bar interval is open (issue 14): the known ones are suggested, any other string compiles.
  await md.subscribe('bars', ['AAPL'], { interval: '2m' });
  await md.snapshotBars({ symbol: 'AAPL', interval: '3mo' });
  const known: Known<BarInterval>[] = ['1m', '5m', '15m', '1h', '1d'];
  // @ts-expect-error the known values are exactly the spec's: '2m' is not one of them
  const notKnown: Known<BarInterval> = '2m';
  return [known, notKnown];
}
