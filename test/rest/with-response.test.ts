/**
 * `.withResponse()` and `.asResponse()` on every call (openai-node's APIPromise): single-response
 * calls, order placement (direct and reconciled) and paginated lists (openai-node's PagePromise).
 */

import {
  AuthenticationError,
  NotFoundError,
  OrderOutcomeUnknownError,
  Page,
  PagePromise,
  ValidationError,
} from '../../src/rest';
import { APIPromise } from '../../src/rest/api-promise';
import { LIMIT_ORDER_REQUEST } from '../helpers/fixtures';
import {
  api,
  fixture,
  orderFixture,
  pageFixture,
  platformClient,
  useNock,
  userClient,
} from '../helpers/rest';

useNock();

describe('withResponse / asResponse', () => {
  it('withResponse gives the value, the raw Response and the request id', async () => {
    api()
      .get('/users')
      .reply(200, [{ user_id: 'u1' }], { 'x-request-id': 'req_wr', 'x-extra': 'yes' });
    const call = platformClient().users.list();
    expect(call).toBeInstanceOf(APIPromise);
    const { data, response, requestId } = await call.withResponse();
    expect(data).toEqual([{ user_id: 'u1' }]);
    expect(requestId).toBe('req_wr');
    expect(response).toBeInstanceOf(Response);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-extra')).toBe('yes');
    expect(await response.json()).toEqual([{ user_id: 'u1' }]);
  });

  it('asResponse gives the raw Response, also for an empty 204', async () => {
    api().delete('/connections/c1').reply(204);
    const response = await userClient().connections.delete('c1').asResponse();
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
  });

  it('plain await still gives the value; an error status rejects every form with the typed error', async () => {
    api().get('/connections').reply(200, []);
    api()
      .get('/connections')
      .times(2)
      .reply(401, fixture('Error', { message: 'bad' }));
    const u = userClient();
    await expect(u.connections.list()).resolves.toEqual([]);
    await expect(u.connections.list().withResponse()).rejects.toBeInstanceOf(AuthenticationError);
    await expect(u.connections.list().asResponse()).rejects.toBeInstanceOf(AuthenticationError);
  });

  it('bad input rejects (nothing sent), as from an async method, on every form', async () => {
    const u = userClient();
    const call = u.connections.token('');
    expect(call).toBeInstanceOf(APIPromise);
    await expect(call).rejects.toBeInstanceOf(ValidationError);
    await expect(u.connections.token('').withResponse()).rejects.toBeInstanceOf(ValidationError);
  });

  it('then/catch/finally build plain promises (no second request)', async () => {
    api().get('/users').once().reply(200, []);
    const call = platformClient().users.list();
    const chained = call.then((users) => users.length);
    expect(chained).not.toBeInstanceOf(APIPromise);
    await expect(chained).resolves.toBe(0);
    const [{ data }, again] = await Promise.all([call.withResponse(), call]);
    expect(data).toEqual([]);
    expect(again).toEqual([]);
  });
});

const ORDER = LIMIT_ORDER_REQUEST;

describe('orders.create: the response that produced the order', () => {
  it('placed at once: the POST /orders answer and its request id', async () => {
    const placed = orderFixture({ cl_order_id: 'cl-direct' });
    api().post('/orders').reply(201, placed, { 'x-request-id': 'req_post' });
    const call = userClient().orders.create({ ...ORDER, cl_order_id: 'cl-direct' });
    expect(call).toBeInstanceOf(APIPromise);
    const { data, response, requestId } = await call.withResponse();
    expect(data).toEqual(placed);
    expect(requestId).toBe('req_post');
    expect(response.status).toBe(201);
    expect(response.headers.get('x-request-id')).toBe('req_post');
    expect(await response.json()).toEqual(placed);
    // The value is shared: no second request (nock would refuse one).
    await expect(call).resolves.toEqual(placed);
  });

  it('found by reconciliation after an ambiguous failure: the GET /orders page that listed it', async () => {
    const placed = orderFixture({ cl_order_id: 'cl-recon' });
    api()
      .post('/orders')
      .reply(503, fixture('Error', { message: 'busy' }), { 'x-request-id': 'req_503' });
    api()
      .get('/orders')
      .query(true)
      .reply(200, pageFixture([orderFixture(), placed], null, null), { 'x-request-id': 'req_lookup' });
    const { data, response, requestId } = await userClient({ maxRetries: 0 })
      .orders.create({ ...ORDER, cl_order_id: 'cl-recon' })
      .withResponse();
    expect(data).toEqual(placed);
    expect(requestId).toBe('req_lookup');
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.orders.map((o: { cl_order_id: string }) => o.cl_order_id)).toContain('cl-recon');
  });

  it('a placement that fails still rejects typed on every form; bad input sends nothing', async () => {
    api()
      .post('/orders')
      .reply(503, fixture('Error', { message: 'busy' }));
    api()
      .get('/orders')
      .query(true)
      .reply(200, pageFixture([], null, null));
    const u = userClient({ maxRetries: 0 });
    await expect(u.orders.create({ ...ORDER }).asResponse()).rejects.toBeInstanceOf(OrderOutcomeUnknownError);
    const bad = u.orders.create({ ...ORDER, order_qty: '-1' });
    expect(bad).toBeInstanceOf(APIPromise);
    await expect(bad.withResponse()).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('orders.list: a PagePromise', () => {
  it('withResponse gives the first page and its response; iterating the same call reuses that page', async () => {
    const [o1, o2, o3] = [orderFixture(), orderFixture(), orderFixture()];
    api()
      .get('/orders')
      .once()
      .reply(200, pageFixture([o1, o2], 'c2', null), { 'x-request-id': 'req_p1', 'x-page': 'one' })
      .get('/orders')
      .query({ next_cursor: 'c2' })
      .once()
      .reply(200, pageFixture([o3], null, 'c1'), { 'x-request-id': 'req_p2' });
    const call = userClient().orders.list();
    expect(call).toBeInstanceOf(PagePromise);
    expect(call).toBeInstanceOf(APIPromise);
    const { data: page, response, requestId } = await call.withResponse();
    expect(page).toBeInstanceOf(Page);
    expect(page.data.map((o) => o.order_id)).toEqual([o1.order_id, o2.order_id]);
    expect(page.nextCursor).toBe('c2');
    expect(requestId).toBe('req_p1');
    expect(response.status).toBe(200);
    expect(response.headers.get('x-page')).toBe('one');
    expect((await response.json()).next_cursor).toBe('c2');
    expect((await call.asResponse()).headers.get('x-request-id')).toBe('req_p1');
    const seen = [];
    for await (const order of call) seen.push(order.order_id);
    expect(seen).toEqual([o1.order_id, o2.order_id, o3.order_id]);
  });

  it('getNextPage is an APIPromise too: the next page with its own response', async () => {
    api()
      .get('/orders')
      .reply(200, pageFixture([orderFixture()], 'n2', null), { 'x-request-id': 'req_first' })
      .get('/orders')
      .query({ next_cursor: 'n2' })
      .reply(200, pageFixture([orderFixture()], null, 'p1'), { 'x-request-id': 'req_second' });
    const first = await userClient().orders.list();
    const next = first.getNextPage();
    expect(next).toBeInstanceOf(APIPromise);
    const { data, requestId } = await next.withResponse();
    expect(requestId).toBe('req_second');
    expect(data.prevCursor).toBe('p1');
    // Shared with a later call (nock answers the cursor once).
    await expect(first.getNextPage()).resolves.toBe(data);
  });

  it('an error status rejects withResponse and asResponse with the typed error', async () => {
    api()
      .get('/orders')
      .times(2)
      .reply(404, fixture('Error', { message: 'no such account' }));
    const u = userClient({ maxRetries: 0 });
    await expect(u.orders.list().withResponse()).rejects.toBeInstanceOf(NotFoundError);
    await expect(u.orders.list().asResponse()).rejects.toBeInstanceOf(NotFoundError);
  });
});
