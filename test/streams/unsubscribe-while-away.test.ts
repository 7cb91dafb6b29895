/**
 * Found by the deterministic simulation (seed 53, test/sim/regressions.json): while a stream was
 * reconnecting, subscription A ended, then subscription B to the same symbol was made. A's
 * unsubscribe waited in the queue and reached the new session after the replay of B's subscribe:
 * the server dropped the symbol, and B, confirmed, never received another update. An unsubscribe
 * while away has nothing to drop (the next session starts with the replay alone), so none is sent.
 */
import { ConnectTrade } from '../../src';
import { type Sandbox, startSandbox } from '../../src/sandbox';
import { linkedUser, nextEvent } from '../live/sandbox-helpers';

describe('an unsubscribe made while reconnecting, then a subscribe to the same symbol or topic', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox({ tickMs: 0 });
  });
  afterAll(() => sb.close());

  const reconnect = { initialDelay: 100, maxDelay: 100 };

  it('market data: the new subscription keeps receiving quotes of the symbol', async () => {
    const ct = new ConnectTrade({ ...sb.credentials, baseUrl: sb.url, streamUrl: sb.streamUrl });
    const { user, connectionId } = await linkedUser(ct, 'md-away-user');
    const stream = user.marketData(connectionId, { url: sb.marketDataUrl, reconnect });
    try {
      await stream.connect();
      const a = await stream.subscribe('quotes', ['AAPL']);
      const reconnecting = nextEvent(stream, 'reconnecting');
      sb.faults.inject({ type: 'drop_streams', stream: 'market_data' });
      await reconnecting;
      const unsubscribed = a.unsubscribe();
      const b = await stream.subscribe('quotes', ['AAPL', 'MSFT']);
      await unsubscribed;
      const quotes: string[] = [];
      b.on('data', (q) => quotes.push(q.symbol));
      // Let any frame still queued reach the server, then move prices: B must get AAPL's quote.
      await new Promise((r) => setTimeout(r, 200));
      quotes.length = 0;
      const next = nextEvent(b, 'data', 5_000);
      sb.feed.tick(1);
      await next;
      await new Promise((r) => setTimeout(r, 100));
      expect(quotes).toContain('AAPL');
      expect(await stream.listSubscriptions()).toEqual([{ channel: 'quotes', symbols: ['AAPL', 'MSFT'] }]);
    } finally {
      await stream.close();
    }
  });

  it('brokerage: the new subscription keeps receiving order updates', async () => {
    const ct = new ConnectTrade({ ...sb.credentials, baseUrl: sb.url, streamUrl: sb.streamUrl });
    const { user, account } = await linkedUser(ct, 'away-user');
    const stream = ct.stream({ reconnect });
    try {
      await stream.connect();
      const a = await stream.subscribe(['orders']);
      const reconnecting = nextEvent(stream, 'reconnecting');
      sb.faults.inject({ type: 'drop_streams', stream: 'brokerage' });
      await reconnecting;
      const unsubscribed = a.unsubscribe();
      await stream.subscribe(['orders']);
      await unsubscribed;
      await new Promise((r) => setTimeout(r, 200));
      const update = nextEvent(stream, 'order_update', 5_000);
      await user.orders.create({
        account_id: account.account_id,
        broker: account.broker,
        side: 'BUY',
        order_type: 'MKT',
        order_tif: 'DAY',
        instrument: 'EQ',
        symbol: 'AAPL',
        order_qty: '1',
      });
      await expect(update).resolves.toMatchObject({ account_id: account.account_id });
    } finally {
      await stream.close();
    }
  });
});
