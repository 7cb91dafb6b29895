import type { Sandbox } from '../../src/sandbox';
import { assertMatchesSchema } from '../helpers/spec';
import { call, type Json, onboard, orderBody, testSandbox } from './helpers';

type Account = { account_id: string; broker: string; connection_id: string };

describe('sandbox order engine', () => {
  let sb: Sandbox;
  let who: { userId: string; userSecret: string };
  let account: Account;
  let users = 0;

  beforeAll(async () => {
    sb = await testSandbox({ seed: 7 });
  });
  afterAll(() => sb.close());
  beforeEach(async () => {
    // A fresh user and account per test, with round prices.
    users += 1;
    ({ who, account } = await onboard(sb, `trader-${users}`));
    for (const symbol of ['AAPL', 'MSFT', 'TSLA']) sb.feed.setPrice(symbol, '100');
  });
  afterEach(() => expect(sb.violations).toEqual([]));

  async function place(extra: Record<string, unknown> = {}) {
    const response = await call(sb, 'POST', '/orders', { who, body: orderBody(account, extra) });
    if (response.status === 200) assertMatchesSchema('Order', response.body);
    return response;
  }
  async function orders(query = '') {
    const response = await call(sb, 'GET', `/orders${query}`, { who });
    expect(response.status).toBe(200);
    assertMatchesSchema('OrderListResponse', response.body);
    return response.body as { orders: Json[]; next_cursor: string | null; prev_cursor: string | null };
  }
  async function order(orderId: string) {
    return (await orders('?status=all&limit=500')).orders.find((o) => o.order_id === orderId);
  }
  async function balance() {
    return (await call(sb, 'GET', `/balances?account_id=${account.account_id}`, { who })).body[0];
  }

  it('fills a market order at the current price and books cash, position and transaction', async () => {
    const { body } = await place({ order_qty: '10' });
    expect(body).toMatchObject({ status: 'filled', filled_qty: '10', avg_fill_price: '100', symbol: 'AAPL' });
    expect(body.fills).toEqual([
      { fill_id: expect.any(String), qty: '10', price: '100', time: expect.any(String) },
    ]);
    expect(await balance()).toMatchObject({
      cash: '99000.00',
      buying_power: '99000.00',
      equity: '100000.00',
    });
    const positions = (await call(sb, 'GET', '/positions?symbols=AAPL,MSFT', { who })).body;
    expect(positions).toHaveLength(1);
    assertMatchesSchema('Position', positions[0]);
    expect(positions[0]).toMatchObject({
      symbol: 'AAPL',
      quantity: '10',
      average_price: '100',
      market_value: '1000.00',
    });
    sb.feed.setPrice('AAPL', '101.5');
    const moved = (await call(sb, 'GET', '/positions', { who })).body[0];
    expect(moved).toMatchObject({ last_price: '101.5', unrealized_pl: '15.00', market_value: '1015.00' });
    const transactions = (await call(sb, 'GET', '/transactions', { who })).body;
    expect(transactions.map((t: { type: string }) => t.type)).toEqual(['DEPOSIT', 'BUY']);
    expect(transactions[1]).toMatchObject({
      symbol: 'AAPL',
      quantity: '10',
      price: '100',
      amount: '-1000.00',
    });
  });

  it('fills a notional market order for the matching fractional quantity', async () => {
    sb.feed.setPrice('AAPL', '300');
    const { body } = await place({ order_qty: undefined, order_notional: '1000' });
    expect(body).toMatchObject({ status: 'filled', filled_qty: '3.333333', order_notional: '1000' });
  });

  it('works a limit order until the price crosses, and fills at the better price', async () => {
    const { body } = await place({ order_type: 'LMT', order_limit_price: '96' });
    expect(body.status).toBe('working');
    sb.feed.setPrice('AAPL', '97');
    expect((await order(body.order_id)).status).toBe('working');
    sb.feed.setPrice('AAPL', '95');
    expect(await order(body.order_id)).toMatchObject({ status: 'filled', avg_fill_price: '95' });
  });

  it('triggers stop and stop-limit orders when the price crosses the stop', async () => {
    await place({ order_qty: '20' });
    const stop = (await place({ side: 'SELL', order_type: 'STP', stop_price: '90' })).body;
    expect(stop.status).toBe('working');
    const stopLimit = (await place({ order_type: 'STPLMT', stop_price: '105', order_limit_price: '106' }))
      .body;
    expect(stopLimit.status).toBe('working');
    sb.feed.setPrice('AAPL', '107'); // stop hit, limit not reached yet
    expect((await order(stopLimit.order_id)).status).toBe('working');
    sb.feed.setPrice('AAPL', '105.5');
    expect(await order(stopLimit.order_id)).toMatchObject({ status: 'filled', avg_fill_price: '105.5' });
    sb.feed.setPrice('AAPL', '89');
    expect(await order(stop.order_id)).toMatchObject({ status: 'filled', avg_fill_price: '89' });
  });

  it('fills a large order partially over several ticks', async () => {
    sb.feed.setPrice('MSFT', '10');
    const { body } = await place({ order_qty: '2500', symbol: 'MSFT' });
    expect(body).toMatchObject({ status: 'partially_filled', filled_qty: '1000' });
    sb.feed.tick();
    expect(await order(body.order_id)).toMatchObject({ status: 'partially_filled', filled_qty: '2000' });
    sb.feed.tick();
    const done = await order(body.order_id);
    expect(done).toMatchObject({ status: 'filled', filled_qty: '2500' });
    expect(done.fills.map((f: { qty: string }) => f.qty)).toEqual(['1000', '1000', '500']);
  });

  it('IOC fills what it can and cancels the rest; FOK is all or nothing', async () => {
    sb.feed.setPrice('TSLA', '10');
    const ioc = (await place({ order_qty: '1500', order_tif: 'IOC', symbol: 'TSLA' })).body;
    expect(ioc).toMatchObject({ status: 'cancelled', filled_qty: '1000' });
    expect(ioc.broker_message).toContain('IOC');
    const iocAway = (await place({ order_tif: 'IOC', order_type: 'LMT', order_limit_price: '50' })).body;
    expect(iocAway).toMatchObject({ status: 'cancelled', filled_qty: '0' });
    const fokBig = (await place({ order_qty: '1500', order_tif: 'FOK', symbol: 'TSLA' })).body;
    expect(fokBig).toMatchObject({ status: 'cancelled', filled_qty: '0' });
    expect(fokBig.broker_message).toContain('FOK');
    const fokSmall = (await place({ order_qty: '500', order_tif: 'FOK' })).body;
    expect(fokSmall).toMatchObject({ status: 'filled', filled_qty: '500' });
  });

  it('expires DAY orders at the simulated session close and keeps GTC orders', async () => {
    const day = (await place({ order_type: 'LMT', order_limit_price: '50' })).body;
    const gtc = (await place({ order_type: 'LMT', order_limit_price: '50', order_tif: 'GTC' })).body;
    sb.feed.closeSession();
    expect(await order(day.order_id)).toMatchObject({ status: 'expired' });
    expect((await order(day.order_id)).broker_message).toContain('session close');
    expect((await order(gtc.order_id)).status).toBe('working');
  });

  it('expires DAY orders when simulated time passes sessionCloseAt', async () => {
    const timed = await testSandbox({ sessionCloseAt: Date.now() + 3_600_000 });
    try {
      const t = await onboard(timed, 'timed');
      const placed = await call(timed, 'POST', '/orders', {
        who: t.who,
        body: orderBody(t.account, { order_type: 'LMT', order_limit_price: '1' }),
      });
      expect(placed.body.status).toBe('working');
      timed.clock.advance(3_600_000);
      const list = await call(timed, 'GET', '/orders', { who: t.who });
      expect(list.body.orders[0].status).toBe('expired');
    } finally {
      await timed.close();
    }
  });

  it('replaces an order with a new one and marks the old one replaced', async () => {
    const old = (await place({ order_type: 'LMT', order_limit_price: '90', order_tif: 'GTC' })).body;
    const patch = {
      new_cl_order_id: `${old.cl_order_id}-r`,
      broker: account.broker,
      order_limit_price: '91',
      order_qty: '5',
    };
    const replaced = await call(sb, 'PATCH', `/accounts/${account.account_id}/orders/${old.order_id}`, {
      who,
      body: patch,
    });
    expect(replaced.status).toBe(200);
    assertMatchesSchema('Order', replaced.body);
    expect(replaced.body).toMatchObject({
      replaces_order_id: old.order_id,
      cl_order_id: patch.new_cl_order_id,
      order_limit_price: '91',
      order_qty: '5',
      order_tif: 'GTC',
      status: 'working',
    });
    expect(replaced.body.order_id).not.toBe(old.order_id);
    expect((await order(old.order_id)).status).toBe('replaced');
    const again = await call(sb, 'PATCH', `/accounts/${account.account_id}/orders/${old.order_id}`, {
      who,
      body: { ...patch, new_cl_order_id: 'another' },
    });
    expect(again.status).toBe(400);
    const dup = await call(sb, 'PATCH', `/accounts/${account.account_id}/orders/${replaced.body.order_id}`, {
      who,
      body: patch,
    });
    expect(dup.status).toBe(409);
    const wrongField = await call(
      sb,
      'PATCH',
      `/accounts/${account.account_id}/orders/${replaced.body.order_id}`,
      {
        who,
        body: { new_cl_order_id: 'x1', broker: account.broker, stop_price: '80' },
      },
    );
    expect(wrongField.status).toBe(400);
    expect(wrongField.body.message).toContain('stop_price');
  });

  it('cancels through pending_cancel, then cancelled on the next tick', async () => {
    const placed = (await place({ order_type: 'LMT', order_limit_price: '50' })).body;
    const cancel = await call(sb, 'DELETE', `/accounts/${account.account_id}/orders/${placed.order_id}`, {
      who,
    });
    expect(cancel.status).toBe(200);
    assertMatchesSchema('Order', cancel.body);
    expect(cancel.body.status).toBe('pending_cancel');
    expect((await orders('?status=open')).orders.map((o) => o.order_id)).toContain(placed.order_id);
    sb.feed.tick();
    expect((await order(placed.order_id)).status).toBe('cancelled');
    const twice = await call(sb, 'DELETE', `/accounts/${account.account_id}/orders/${placed.order_id}`, {
      who,
    });
    expect(twice.status).toBe(400);
    expect(twice.body.code).toBe('order_not_open');
    const missing = await call(sb, 'DELETE', `/accounts/${account.account_id}/orders/ord_nope`, { who });
    expect(missing.status).toBe(404);
  });

  it('answers 409 for a duplicate cl_order_id on the same account and day', async () => {
    const body = orderBody(account);
    expect((await call(sb, 'POST', '/orders', { who, body })).status).toBe(200);
    const dup = await call(sb, 'POST', '/orders', { who, body });
    expect(dup.status).toBe(409);
    assertMatchesSchema('Error', dup.body);
    expect(dup.body.message).toContain(body.cl_order_id);
  });

  it('rejects with a broker_message: insufficient buying power, unknown symbol, short of shares', async () => {
    const tooBig = (await place({ order_qty: '1001', symbol: 'SPY' })).body; // 1001 x 560 > 100000
    expect(tooBig.status).toBe('rejected');
    expect(tooBig.broker_message).toMatch(/buying power/i);
    const unknown = (await place({ symbol: 'ZZZZ' })).body;
    expect(unknown).toMatchObject({ status: 'rejected', broker_message: 'Unknown symbol: ZZZZ' });
    const naked = (await place({ side: 'SELL' })).body;
    expect(naked.status).toBe('rejected');
    expect(naked.broker_message).toMatch(/position/i);
    // Open buy orders hold buying power back.
    await place({ order_type: 'LMT', order_limit_price: '99', order_qty: '900' });
    expect((await balance()).buying_power).toBe('10900.00');
  });

  it('realizes P&L on a sale and drops a closed position', async () => {
    await place({ order_qty: '10' });
    sb.feed.setPrice('AAPL', '110');
    const sold = (await place({ side: 'SELL', order_qty: '10' })).body;
    expect(sold.status).toBe('filled');
    expect((await call(sb, 'GET', '/positions', { who })).body).toEqual([]);
    expect(await balance()).toMatchObject({ cash: '100100.00', equity: '100100.00' });
  });

  it('answers 400 naming the field for orders that break the spec', async () => {
    const noLimit = await place({ order_type: 'LMT' });
    expect(noLimit.status).toBe(400);
    expect(noLimit.body.message).toContain('`order_limit_price`');
    const both = await place({ order_notional: '100' });
    expect(both.body.message).toMatch(/exactly one of `order_qty`, `order_notional`/);
    const mktWithLimit = await place({ order_limit_price: '5' });
    expect(mktWithLimit.body.message).toContain('`order_limit_price`');
    const badType = await place({ order_type: 'TRAILING' });
    expect(badType.body.message).toContain('`order_type`');
    const badQty = await place({ order_qty: '1e3' });
    expect(badQty.body.message).toContain('`order_qty`');
    const zero = await place({ order_qty: '0' });
    expect(zero.status).toBe(400);
    const otherAccount = await place({ account_id: 'acc_nope' });
    expect(otherAccount.status).toBe(404);
  });

  it('replays the same prices for the same seed', async () => {
    const a = await testSandbox({ seed: 99 });
    const b = await testSandbox({ seed: 99 });
    const c = await testSandbox({ seed: 100 });
    try {
      for (const s of [a, b, c]) s.feed.tick(25);
      expect(a.feed.symbols().map(a.feed.price)).toEqual(b.feed.symbols().map(b.feed.price));
      expect(a.feed.symbols().map(a.feed.price)).not.toEqual(c.feed.symbols().map(c.feed.price));
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });
});
