/**
 * The order lifecycle through the public SDK against the sandbox: a limit order filled and
 * reported on the brokerage stream, cancel, replace, a duplicate cl_order_id, broker rejections.
 */
import { type BrokerageStream, ConflictError, type Order } from '../../src/index';
import { describeIntegration, waitFor } from './harness';

/** The next order_update of one order matching `accept`. */
function orderUpdate(stream: BrokerageStream, orderId: string, accept: (o: Order) => boolean) {
  return waitFor<Order>(
    (l) => {
      stream.on('order_update', l);
      return () => stream.off('order_update', l);
    },
    (o) => o.order_id === orderId && accept(o),
  );
}

describeIntegration('order lifecycle through the SDK', (ctx) => {
  let stream: BrokerageStream;
  let setup: Awaited<ReturnType<typeof ctx.onboard>>;

  beforeAll(async () => {
    setup = await ctx.onboard();
    stream = setup.ct.stream({ reconnect: { maxAttempts: 0 } });
    await stream.connect();
    await stream.subscribe(['orders', 'positions', 'balances'], { account_id: setup.account.account_id });
  });
  afterAll(() => stream.close());

  const limitBuy = (price: string, extra: Record<string, unknown> = {}) =>
    setup.user.orders.create({
      account_id: setup.account.account_id,
      broker: setup.account.broker,
      symbol: 'AAPL',
      instrument: 'EQ',
      side: 'BUY',
      order_type: 'LMT',
      order_tif: 'GTC',
      order_qty: '10',
      order_limit_price: price,
      ...extra,
    });

  it('a limit order works until the price crosses, then fills: updates, position and balance on the stream', async () => {
    ctx.sb.feed.setPrice('AAPL', '200');
    const order = await limitBuy('150.00');
    expect(order).toMatchObject({ status: 'working', filled_qty: '0', order_limit_price: '150.00' });

    const seqs: number[] = [];
    stream.on('update', (m) => seqs.push(m.seq));
    const filled = orderUpdate(stream, order.order_id, (o) => o.status === 'filled');
    const position = waitFor<{ symbol: string; quantity: string }>((l) => {
      stream.on('position_update', l);
      return () => stream.off('position_update', l);
    });
    const balance = waitFor<{ cash: string }>((l) => {
      stream.on('balance_update', l);
      return () => stream.off('balance_update', l);
    });
    ctx.sb.feed.setPrice('AAPL', '149.50');
    await expect(filled).resolves.toMatchObject({ filled_qty: '10', avg_fill_price: '149.5' });
    await expect(position).resolves.toMatchObject({ symbol: 'AAPL', quantity: '10' });
    await expect(balance).resolves.toMatchObject({ cash: '98505.00' });
    // seq rises by one per update, across topics.
    expect(seqs.length).toBeGreaterThanOrEqual(3);
    expect(seqs).toEqual(seqs.map((_, i) => (seqs[0] ?? 0) + i));

    const positions = await setup.user.positions.list({ symbols: ['AAPL'] });
    expect(positions).toEqual([expect.objectContaining({ symbol: 'AAPL', quantity: '10' })]);
  });

  it('cancel answers pending_cancel; the next tick cancels, reported on the stream', async () => {
    const order = await limitBuy('1.00');
    const ack = await setup.user.orders.cancel(setup.account.account_id, order.order_id);
    expect(ack).toMatchObject({ order_id: order.order_id, status: 'pending_cancel' });
    const cancelled = orderUpdate(stream, order.order_id, (o) => o.status === 'cancelled');
    ctx.sb.feed.tick(1);
    await expect(cancelled).resolves.toMatchObject({ status: 'cancelled' });
    const closed = await setup.user.orders.list({ status: 'closed' }).toArray({ max: 100 });
    expect(closed.find((o) => o.order_id === order.order_id)?.status).toBe('cancelled');
  });

  it('replace creates a new order linked to the old one, which ends replaced', async () => {
    const order = await limitBuy('2.00');
    const replaced = orderUpdate(stream, order.order_id, (o) => o.status === 'replaced');
    const replacement = await setup.user.orders.replace(setup.account.account_id, order.order_id, {
      broker: setup.account.broker,
      order_limit_price: '3.00',
      order_qty: 4,
      new_cl_order_id: 'replacement-1',
    });
    expect(replacement).toMatchObject({
      cl_order_id: 'replacement-1',
      replaces_order_id: order.order_id,
      order_limit_price: '3.00',
      order_qty: '4',
      status: 'working',
    });
    expect(replacement.order_id).not.toBe(order.order_id);
    await expect(replaced).resolves.toMatchObject({ status: 'replaced' });
  });

  it('a duplicate cl_order_id is a ConflictError (409) and creates nothing', async () => {
    await limitBuy('1.00', { cl_order_id: 'dup-lifecycle' });
    const error = await limitBuy('1.00', { cl_order_id: 'dup-lifecycle' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ status: 409 });
    const all = await setup.user.orders.list({ status: 'all' }).toArray({ max: 500 });
    expect(all.filter((o) => o.cl_order_id === 'dup-lifecycle')).toHaveLength(1);
  });

  it('rejections carry the broker_message: unknown symbol, insufficient buying power', async () => {
    const unknown = await limitBuy('1.00', { symbol: 'ZZZZ' });
    expect(unknown).toMatchObject({ status: 'rejected', broker_message: expect.stringMatching(/ZZZZ/) });
    const tooBig = await limitBuy('100000.00', { order_qty: '1000' });
    expect(tooBig).toMatchObject({
      status: 'rejected',
      broker_message: expect.stringMatching(/Insufficient buying power/),
    });
  });
});
