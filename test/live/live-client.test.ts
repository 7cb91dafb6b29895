import { type ConnectTrade, OrderNotFilledError, ValidationError, WaitTimeoutError } from '../../src/index';
import { ConnectTrade as RestConnectTrade } from '../../src/rest';
import { type Sandbox, startSandbox } from '../../src/sandbox';
import { linkedUser, nextEvent, sandboxClient } from './sandbox-helpers';

describe('u.live() and u.orders.submitAndWait against the sandbox', () => {
  let sb: Sandbox;
  let ct: ConnectTrade;
  beforeAll(async () => {
    sb = await startSandbox({ tickMs: 0, symbols: { AAPL: '100' } });
    ct = sandboxClient(sb);
  });
  afterAll(() => sb.close());

  it('follows every account of a connection, resyncs after a dropped socket and closes its own stream', async () => {
    const { user, connectionId, account } = await linkedUser(ct, 'live-1');
    const live = await user.live({ connection_id: connectionId });
    expect(live.accountIds).toEqual([account.account_id]);
    expect(live.balances.get(account.account_id)?.cash).toBe('100000.00');
    const order = await user.orders.submitAndWait(
      {
        account_id: account.account_id,
        broker: account.broker,
        side: 'BUY',
        order_type: 'MKT',
        order_tif: 'DAY',
        instrument: 'EQ',
        symbol: 'AAPL',
        order_qty: '3',
      },
      'filled',
      { live, timeout: 3000 },
    );
    expect(live.orders.get(order.order_id)?.status).toBe('filled');
    expect(live.positions.get(account.account_id, 'AAPL')?.quantity).toBe('3');

    // Stream down: a limit order filled meanwhile is found by polling, then the resync agrees.
    const resting = await user.orders.create({
      account_id: account.account_id,
      broker: account.broker,
      side: 'BUY',
      order_type: 'LMT',
      order_limit_price: '90',
      order_tif: 'GTC',
      instrument: 'EQ',
      symbol: 'AAPL',
      order_qty: '2',
    });
    const stale = nextEvent(live, 'stale');
    sb.faults.inject({ type: 'stall_streams', stream: 'brokerage', ms: 400 });
    sb.faults.inject({ type: 'drop_streams', stream: 'brokerage' });
    await stale;
    const filled = live.waitFor(resting.cl_order_id, 'filled', { timeout: 5000, pollInterval: 50 });
    sb.feed.setPrice('AAPL', '89');
    await expect(filled).resolves.toMatchObject({ status: 'filled', filled_qty: '2' });
    await nextEvent(live, 'synced');
    expect(live.positions.get(account.account_id, 'AAPL')?.quantity).toBe('5');
    expect(live.stats.resyncs).toBeGreaterThanOrEqual(1);
    await live.close();
  });

  it('submitAndWait without a store polls REST; rejects unfilled and timed-out waits typed', async () => {
    const { user, account } = await linkedUser(ct, 'live-2');
    const base = {
      account_id: account.account_id,
      broker: account.broker,
      order_tif: 'DAY',
      instrument: 'EQ',
      symbol: 'AAPL',
      order_qty: '1',
    } as const;
    sb.feed.setPrice('AAPL', '100');
    const waiting = user.orders.submitAndWait(
      { ...base, side: 'BUY', order_type: 'LMT', order_limit_price: '99' },
      'filled',
      { pollInterval: 50, timeout: 5000 },
    );
    setTimeout(() => sb.feed.setPrice('AAPL', '98'), 100);
    await expect(waiting).resolves.toMatchObject({ status: 'filled' });

    await expect(
      user.orders.submitAndWait({ ...base, side: 'SELL', order_type: 'MKT', order_qty: '50' }, 'filled', {
        pollInterval: 50,
      }),
    ).rejects.toBeInstanceOf(OrderNotFilledError); // rejected: not enough shares held

    await expect(
      user.orders.submitAndWait(
        { ...base, side: 'BUY', order_type: 'LMT', order_limit_price: '1' },
        'filled',
        {
          pollInterval: 50,
          timeout: 200,
        },
      ),
    ).rejects.toBeInstanceOf(WaitTimeoutError);
  });

  it('validates live() options before any request', async () => {
    const { user } = await linkedUser(ct, 'live-3');
    const spy = jest.spyOn(user.accounts, 'list');
    await expect(user.live({ account_ids: [] })).rejects.toBeInstanceOf(ValidationError);
    await expect(user.live({ account_ids: [''] })).rejects.toBeInstanceOf(ValidationError);
    await expect(user.live({ connection_id: '' })).rejects.toBeInstanceOf(ValidationError);
    await expect(user.live({ maxOrders: 0 })).rejects.toBeInstanceOf(ValidationError);
    expect(spy).not.toHaveBeenCalled();
  });

  it('keeps connect-trade/rest free of live(): its user client has no live() or submitAndWait', () => {
    const rest = new RestConnectTrade({ ...sb.credentials, baseUrl: sb.url });
    const user = rest.forUser({ userId: 'x', userSecret: 's' });
    expect('live' in user).toBe(false);
    expect('submitAndWait' in user.orders).toBe(false);
  });
});
