/** Safe order placement: lost acknowledgements and retries never create a second order. */

import { ConflictError, OrderOutcomeUnknownError, RateLimitError, ValidationError } from '../../../src/rest';
import type { Order } from '../../../src/types';
import { LIMIT_ORDER_REQUEST } from '../../helpers/fixtures';
import { api, fixture, orderFixture, pageFixture, useNock, userClient } from '../../helpers/rest';

useNock();

beforeEach(() => jest.spyOn(Math, 'random').mockReturnValue(0)); // zero backoff waits
afterEach(() => jest.restoreAllMocks());

const REQUEST = LIMIT_ORDER_REQUEST;

type Outcome = 'ok' | 'commit-then-reset' | 'reset-before-commit' | 'commit-then-500' | '429';

/** A stateful fake of the orders endpoints: it keeps the orders, dedupes cl_order_id (409), and follows a script. */
function fakeOrdersServer(script: Outcome[], options: { listLagsOnce?: boolean } = {}) {
  const orders: Order[] = [];
  const posts: Record<string, unknown>[] = [];
  const lists: Record<string, string>[] = [];
  let lagging = options.listLagsOnce ?? false;
  api()
    .post('/orders')
    .times(script.length)
    .reply((_uri, body, callback) => {
      const reset = () =>
        callback(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), [0, '']);
      const answer = (...reply: [number, unknown, Record<string, string>?]) => callback(null, reply as never);
      const request = fixture('OrderRequest', body as Record<string, unknown>) as Record<string, string>;
      posts.push(request);
      const outcome = script.shift();
      if (orders.some((o) => o.cl_order_id === request.cl_order_id))
        return answer(409, fixture('Error', { message: 'duplicate cl_order_id', code: 'conflict' }));
      if (outcome === '429')
        return answer(429, fixture('Error', { message: 'slow down' }), { 'retry-after': '0' });
      if (outcome === 'reset-before-commit') return reset();
      const order = orderFixture({
        cl_order_id: request.cl_order_id ?? '',
        account_id: request.account_id ?? '',
      });
      orders.push(order);
      if (outcome === 'commit-then-reset') return reset();
      if (outcome === 'commit-then-500')
        return answer(500, fixture('Error', { message: 'upstream timeout' }));
      return answer(200, order);
    })
    .get('/orders')
    .query(true)
    .times(10)
    .optionally()
    .reply(function () {
      const query = Object.fromEntries(new URL(this.req.path, 'http://x').searchParams);
      lists.push(query);
      const visible = lagging ? [] : orders.filter((o) => o.account_id === query.account_id);
      lagging = false;
      return [200, pageFixture(visible, null, null)];
    });
  return { orders, posts, lists };
}

describe('orders.create reconciliation', () => {
  it('the server commits but the response is lost: the order is found by cl_order_id, exactly one exists', async () => {
    const server = fakeOrdersServer(['commit-then-reset']);
    const order = await userClient().orders.create(REQUEST);
    expect(server.orders).toHaveLength(1);
    expect(order).toEqual(server.orders[0]);
    expect(server.posts).toHaveLength(1);
    expect(server.lists[0]).toMatchObject({
      account_id: 'acc_1',
      status: 'all',
      symbols: 'AAPL',
      limit: '500',
    });
    expect(server.lists[0]?.start_time).toMatch(/T00:00:00\.000Z$/);
  });

  it('the order is not listed yet: re-sent with the same cl_order_id, the 409 leads back to the listing', async () => {
    const server = fakeOrdersServer(['commit-then-500', 'ok'], { listLagsOnce: true });
    const order = await userClient().orders.create(REQUEST);
    expect(server.orders).toHaveLength(1);
    expect(order).toEqual(server.orders[0]);
    expect(server.posts).toHaveLength(2);
    expect(server.posts[1]?.cl_order_id).toBe(server.posts[0]?.cl_order_id);
  });

  it('the request never committed: re-sent once with the same cl_order_id', async () => {
    const server = fakeOrdersServer(['reset-before-commit', 'ok']);
    const order = await userClient().orders.create({ ...REQUEST, cl_order_id: 'my_id_1' });
    expect(server.orders).toHaveLength(1);
    expect(order.cl_order_id).toBe('my_id_1');
    expect(server.posts.map((p) => p.cl_order_id)).toEqual(['my_id_1', 'my_id_1']);
  });

  it('a 409 on the first attempt is a ConflictError, with no lookup', async () => {
    const server = fakeOrdersServer(['ok', 'ok']);
    const u = userClient();
    await u.orders.create({ ...REQUEST, cl_order_id: 'dup_1' });
    await expect(u.orders.create({ ...REQUEST, cl_order_id: 'dup_1' })).rejects.toBeInstanceOf(ConflictError);
    expect(server.orders).toHaveLength(1);
    expect(server.lists).toHaveLength(0);
  });

  it('a 429 is re-sent without a lookup (the server refused it unprocessed)', async () => {
    const server = fakeOrdersServer(['429', 'ok']);
    await userClient().orders.create(REQUEST);
    expect(server.orders).toHaveLength(1);
    expect(server.lists).toHaveLength(0);
  });

  it('429 on every attempt surfaces the RateLimitError', async () => {
    fakeOrdersServer(['429', '429', '429']);
    await expect(userClient().orders.create(REQUEST)).rejects.toBeInstanceOf(RateLimitError);
  });

  it('ambiguous failures on every attempt and no order found: OrderOutcomeUnknownError naming the cl_order_id', async () => {
    const server = fakeOrdersServer(['reset-before-commit', 'reset-before-commit', 'reset-before-commit']);
    const error = await userClient()
      .orders.create({ ...REQUEST, cl_order_id: 'lost_1' })
      .catch((e) => e);
    expect(error).toBeInstanceOf(OrderOutcomeUnknownError);
    expect(error).toMatchObject({ clOrderId: 'lost_1', accountId: 'acc_1' });
    expect(server.posts).toHaveLength(3);
    expect(server.lists).toHaveLength(3); // looked up after every ambiguous failure, the last included
    expect(server.orders).toHaveLength(0);
  });

  it('an invalid order sends nothing', async () => {
    await expect(userClient().orders.create({ ...REQUEST, order_qty: '-1' })).rejects.toBeInstanceOf(
      ValidationError,
    );
  });
});
