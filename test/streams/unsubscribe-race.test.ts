/**
 * Found by the deterministic simulation (seed 1238662, test/sim/regressions.json): while the
 * stream was reconnecting, subscription B to `orders` was made and subscription A to `orders`
 * ended. A's unsubscribe did not count B (not yet answered), so it told the server to drop
 * `orders` right after B's subscribe: B resolved, yet never received an update.
 */
import { ConnectTrade } from '../../src';
import { type Sandbox, startSandbox } from '../../src/sandbox';
import { linkedUser, nextEvent } from '../live/sandbox-helpers';

describe('brokerage stream: an unsubscribe racing a subscribe to the same topic', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox({ tickMs: 0 });
  });
  afterAll(() => sb.close());

  it('keeps the topic for the subscription made meanwhile', async () => {
    const ct = new ConnectTrade({ ...sb.credentials, baseUrl: sb.url, streamUrl: sb.streamUrl });
    const { user, account } = await linkedUser(ct, 'race-user');
    const stream = ct.stream({ reconnect: { initialDelay: 100, maxDelay: 100 } });
    try {
      await stream.connect();
      const a = await stream.subscribe(['orders']);
      const reconnecting = nextEvent(stream, 'reconnecting');
      sb.faults.inject({ type: 'drop_streams', stream: 'brokerage' });
      await reconnecting;
      const b = stream.subscribe(['orders']);
      const unsubscribed = a.unsubscribe();
      await Promise.all([b, unsubscribed]);
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
