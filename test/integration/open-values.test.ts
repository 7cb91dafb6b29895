/**
 * Issue 14 item 6, end to end: a guessed value (a side beyond BUY/SELL, another instrument, another
 * cl_order_id shape, a bar interval beyond the reference's examples) goes through the SDK with a
 * warning AND through the sandbox, which plays the vendor by the spec: the spec's schemas are open
 * for them (`anyOf: [known, accepted]`), so no layer refuses what a real broker may accept.
 */
import { describeIntegration } from './harness';

describeIntegration('guessed values against the sandbox', (ctx) => {
  const logger = () => {
    const warnings: string[] = [];
    return { warnings, logger: { warn: (message: string) => warnings.push(message) } };
  };

  it('an order with an unknown side, instrument and cl_order_id shape reaches the broker', async () => {
    const { warnings, logger: log } = logger();
    const { user, account } = await ctx.onboard(ctx.client({ logger: log }));
    const order = await user.orders.create({
      account_id: account.account_id,
      broker: account.broker,
      cl_order_id: 'desk 7/order 1',
      side: 'SELL_SHORT_EXEMPT',
      instrument: 'BOND',
      order_type: 'MKT',
      order_tif: 'DAY',
      symbol: 'AAPL',
      order_qty: '1',
    });
    // Accepted by the API; the emulated broker trades equities only, so it rejects the order itself.
    expect(order).toMatchObject({
      side: 'SELL_SHORT_EXEMPT',
      instrument: 'BOND',
      cl_order_id: 'desk 7/order 1',
    });
    expect(order.status).toBe('rejected');
    expect(order.broker_message).toContain('BOND');
    expect(warnings.join('\n')).toMatch(/side.*SELL_SHORT_EXEMPT/);
    expect(warnings.join('\n')).toMatch(/instrument.*BOND/);
    expect(warnings.join('\n')).toMatch(/cl_order_id/);
  });

  it('a 2m bar interval is subscribed to and snapshotted', async () => {
    const { warnings, logger: log } = logger();
    const { user, connectionId } = await ctx.onboard(ctx.client({ logger: log }));
    const md = user.marketData(connectionId);
    try {
      await md.connect();
      const bars = await md.subscribe('bars', ['AAPL'], { interval: '2m', backfill: 2 });
      const first = new Promise((resolve) => bars.once('data', resolve));
      ctx.sb.feed.tick(1);
      await expect(first).resolves.toMatchObject({ symbol: 'AAPL', interval: '2m' });
      const history = await md.snapshotBars({ symbol: 'AAPL', interval: '2m', limit: 3 });
      expect(history.map((b) => b.interval)).toEqual(['2m', '2m', '2m']);
      expect(Date.parse(history[1]?.start ?? '') - Date.parse(history[0]?.start ?? '')).toBe(120_000);
      // The client's logger is the stream's default: the guessed interval warns there.
      expect(warnings.filter((w) => w.includes(`"2m"`))).toHaveLength(2);
    } finally {
      await md.close();
    }
  });
});
