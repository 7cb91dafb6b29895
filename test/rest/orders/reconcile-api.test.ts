/** `u.orders.reconcile`: find an order whose placement outcome is unknown, by its cl_order_id. */

import {
  InternalServerError,
  MalformedResponseError,
  OrderOutcomeUnknownError,
  PaginationError,
  ValidationError,
} from '../../../src/rest';
import { LIMIT_ORDER_REQUEST } from '../../helpers/fixtures';
import { api, offSpec, orderFixture, pageFixture, useNock, userClient } from '../../helpers/rest';

useNock();

beforeEach(() => jest.spyOn(Math, 'random').mockReturnValue(0)); // zero backoff waits
afterEach(() => jest.restoreAllMocks());

/** Serves GET /orders with `pages` in turn, recording each query. */
function listing(pages: unknown[]) {
  const queries: Record<string, string>[] = [];
  api()
    .get('/orders')
    .query(true)
    .times(pages.length)
    .reply(function () {
      queries.push(Object.fromEntries(new URL(this.req.path, 'http://x').searchParams));
      return [
        200,
        pages[queries.length - 1] as Record<string, unknown>,
        { 'x-request-id': `req_${queries.length}` },
      ];
    });
  return queries;
}

describe('orders.reconcile', () => {
  it("finds the order by cl_order_id among today's orders of the account, on a later page", async () => {
    const mine = orderFixture({ cl_order_id: 'cl_7', account_id: 'acc_1', order_id: 'ord_7' });
    const queries = listing([
      pageFixture([orderFixture({ cl_order_id: 'other', account_id: 'acc_1' })], 'c2', null),
      pageFixture([mine], null, 'c1'),
    ]);
    const { data, requestId } = await userClient()
      .orders.reconcile({ account_id: 'acc_1', cl_order_id: 'cl_7', symbol: 'AAPL' })
      .withResponse();
    expect(data).toEqual(mine);
    expect(requestId).toBe('req_2'); // the page that listed it
    expect(queries[0]).toMatchObject({ account_id: 'acc_1', status: 'all', symbols: 'AAPL', limit: '500' });
    expect(queries[0]?.start_time).toMatch(/T00:00:00\.000Z$/);
    expect(queries[1]).toMatchObject({ next_cursor: 'c2' });
  });

  it('takes the OrderOutcomeUnknownError create rejected with', async () => {
    // create: every POST is lost after the server may have applied it, and the lookups miss it.
    api()
      .post('/orders')
      .times(2)
      .replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    listing([pageFixture([], null, null), pageFixture([], null, null)]);
    const u = userClient({ maxRetries: 1 });
    const error = await u.orders.create({ ...LIMIT_ORDER_REQUEST, cl_order_id: 'cl_lost' }).catch((e) => e);
    expect(error).toBeInstanceOf(OrderOutcomeUnknownError);
    // Later the listing shows it: reconcile with the error itself.
    const placed = orderFixture({ cl_order_id: 'cl_lost', account_id: error.accountId });
    const queries = listing([pageFixture([placed], null, null)]);
    await expect(u.orders.reconcile(error)).resolves.toEqual(placed);
    expect(queries[0]).toMatchObject({ account_id: error.accountId, status: 'all' });
  });

  it('resolves to null when the listing ends without the order (withResponse: the last page)', async () => {
    listing([
      pageFixture([orderFixture({ cl_order_id: 'other', account_id: 'acc_1' })], 'c2', null),
      pageFixture([], null, 'c1'),
    ]);
    const { data, requestId } = await userClient()
      .orders.reconcile({ account_id: 'acc_1', cl_order_id: 'cl_missing' })
      .withResponse();
    expect(data).toBeNull();
    expect(requestId).toBe('req_2');
  });

  it('an order of another account with the same cl_order_id is not a match', async () => {
    listing([pageFixture([orderFixture({ cl_order_id: 'cl_7', account_id: 'acc_2' })], null, null)]);
    await expect(
      userClient().orders.reconcile({ account_id: 'acc_1', cl_order_id: 'cl_7' }),
    ).resolves.toBeNull();
  });

  it.each([
    ['nothing', undefined],
    ['null', null],
    ['a string', 'cl_7'],
    ['no account', { cl_order_id: 'cl_7' }],
    ['an empty cl_order_id', { account_id: 'acc_1', cl_order_id: '' }],
    ['an empty symbol', { account_id: 'acc_1', cl_order_id: 'cl_7', symbol: '' }],
    ['an error-like object without accountId', { clOrderId: 'cl_7' }],
  ])('%s: a ValidationError, nothing sent', async (_name, input) => {
    // No nock scope is set up: any request would fail with a connection error, not a ValidationError.
    await expect(userClient().orders.reconcile(input as never)).rejects.toBeInstanceOf(ValidationError);
  });

  it('a malformed page is a MalformedResponseError', async () => {
    listing([offSpec('orders is not a list', { orders: 'nope', next_cursor: null })]);
    await expect(
      userClient().orders.reconcile({ account_id: 'acc_1', cl_order_id: 'cl_7' }),
    ).rejects.toBeInstanceOf(MalformedResponseError);
  });

  it('a page holding a non-object order is a MalformedResponseError', async () => {
    listing([offSpec('an order that is null', { orders: [null], next_cursor: null, prev_cursor: null })]);
    await expect(
      userClient().orders.reconcile({ account_id: 'acc_1', cl_order_id: 'cl_7' }),
    ).rejects.toBeInstanceOf(MalformedResponseError);
  });

  it('a server that pages forever ends with a PaginationError within the lookup bounds', async () => {
    const pages = Array.from({ length: 3 }, (_, i) => pageFixture([], `c${i + 1}`, null));
    const queries = listing(pages);
    const error = await userClient()
      .orders.reconcile({ account_id: 'acc_1', cl_order_id: 'cl_7' }, { pagination: { maxPages: 3 } })
      .catch((e) => e);
    expect(error).toBeInstanceOf(PaginationError);
    expect(queries).toHaveLength(3);
  });

  it('a repeated cursor ends with a PaginationError', async () => {
    listing([pageFixture([], 'same', null), pageFixture([], 'same', null)]);
    await expect(
      userClient().orders.reconcile({ account_id: 'acc_1', cl_order_id: 'cl_7' }),
    ).rejects.toBeInstanceOf(PaginationError);
  });

  it('a failing listing surfaces its typed API error after its retries', async () => {
    api().get('/orders').query(true).times(2).reply(500, { message: 'down' });
    await expect(
      userClient().orders.reconcile({ account_id: 'acc_1', cl_order_id: 'cl_7' }, { maxRetries: 1 }),
    ).rejects.toBeInstanceOf(InternalServerError);
  });
});
