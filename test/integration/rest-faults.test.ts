/**
 * The REST client against every REST fault of the sandbox: latency (and the per-attempt timeout),
 * failures of the next N requests (retried until they succeed, or a typed error after maxRetries),
 * and the lost ack on POST /orders (reconciliation: exactly one order, never two).
 */
import { APITimeoutError, InternalServerError, RateLimitError } from '../../src/index';
import type { SandboxTraffic } from '../../src/sandbox';
import { describeIntegration } from './harness';

describeIntegration('REST faults', (ctx) => {
  let setup: Awaited<ReturnType<typeof ctx.onboard>>;
  beforeAll(async () => {
    setup = await ctx.onboard();
  });
  afterEach(() => ctx.sb.faults.clear());

  /** Statuses the sandbox answered for one operation from `start` on. */
  const statuses = (operationId: string, start: number) =>
    ctx.traffic
      .slice(start)
      .filter((t): t is Extract<SandboxTraffic, { kind: 'rest' }> => t.kind === 'rest')
      .filter((t) => t.operationId === operationId)
      .map((t) => (t.dropped ? 'dropped' : t.status));

  const order = (cl_order_id: string) => ({
    account_id: setup.account.account_id,
    broker: setup.account.broker,
    cl_order_id,
    symbol: 'MSFT',
    instrument: 'EQ' as const,
    side: 'BUY' as const,
    order_type: 'LMT' as const,
    order_tif: 'GTC' as const,
    order_qty: '1',
    order_limit_price: '1.00',
  });

  async function countOrders(clOrderId: string): Promise<number> {
    const all = await setup.user.orders
      .list({ account_id: setup.account.account_id, status: 'all', limit: 500 })
      .toArray({ max: 1_000 });
    return all.filter((o) => o.cl_order_id === clOrderId).length;
  }

  it('latency delays the answer; an attempt slower than `timeout` is an APITimeoutError', async () => {
    ctx.sb.faults.latency(300, { method: 'GET', path: '/accounts' });
    const started = Date.now();
    await expect(setup.user.accounts.list()).resolves.toHaveLength(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    await expect(setup.user.accounts.list({}, { timeout: 100, maxRetries: 0 })).rejects.toBeInstanceOf(
      APITimeoutError,
    );
  });

  it('the next N requests failing with 503 are retried until one succeeds', async () => {
    const start = ctx.traffic.length;
    ctx.sb.faults.failNext(2, 503, { path: '/balances', retry_after: 0 });
    const balances = await setup.user.balances.list({ account_id: setup.account.account_id });
    expect(balances).toEqual([expect.objectContaining({ account_id: setup.account.account_id })]);
    expect(statuses('listBalances', start)).toEqual([503, 503, 200]);
  });

  it('retries back off by default (no retry-after) and still succeed', async () => {
    const start = ctx.traffic.length;
    ctx.sb.faults.failNext(1, 502, { path: '/positions' });
    await expect(setup.user.positions.list()).resolves.toEqual([]);
    expect(statuses('listPositions', start)).toEqual([502, 200]);
  });

  it('after maxRetries the typed error surfaces: InternalServerError (503), RateLimitError (429)', async () => {
    const start = ctx.traffic.length;
    ctx.sb.faults.failNext(3, 503, { path: '/transactions', retry_after: 0 });
    const error = await setup.user.transactions.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalServerError);
    expect(error).toMatchObject({ status: 503, code: 'sandbox_fault' });
    expect(statuses('listTransactions', start)).toEqual([503, 503, 503]);

    ctx.sb.faults.failNext(2, 429, { path: '/accounts', retry_after: 0 });
    const limited = await setup.user.accounts.list({}, { maxRetries: 1 }).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(RateLimitError);
    expect(limited).toMatchObject({ status: 429, retryAfterMs: 0 });
  });

  it('a lost ack on POST /orders: reconciliation returns the order that was created, exactly once', async () => {
    const start = ctx.traffic.length;
    ctx.sb.faults.dropNextResponse(1, { method: 'POST', path: '/orders' });
    const placed = await setup.user.orders.create(order('lost-ack-1'));
    expect(placed).toMatchObject({ cl_order_id: 'lost-ack-1', status: 'working' });
    expect(statuses('createOrder', start)).toEqual(['dropped']); // found, so never re-sent
    expect(await countOrders('lost-ack-1')).toBe(1);
  });

  it('a 503 before POST /orders was processed: not found, re-sent with the same cl_order_id, one order', async () => {
    const start = ctx.traffic.length;
    ctx.sb.faults.failNext(1, 503, { method: 'POST', path: '/orders', retry_after: 0 });
    const placed = await setup.user.orders.create(order('failed-once-1'));
    expect(placed.cl_order_id).toBe('failed-once-1');
    expect(statuses('createOrder', start)).toEqual([503, 200]);
    expect(await countOrders('failed-once-1')).toBe(1);
  });

  it('two lost acks in a row still make exactly one order', async () => {
    ctx.sb.faults.dropNextResponse(2, { method: 'POST', path: '/orders' });
    const placed = await setup.user.orders.create(order('lost-twice-1'));
    expect(placed.cl_order_id).toBe('lost-twice-1');
    expect(await countOrders('lost-twice-1')).toBe(1);
  });
});
