/** Orders pagination: both directions, empty pages with a cursor, repeated cursors, shared fetches, capped collect. */
import { PaginationError, ValidationError } from '../../src/rest';
import { api, orderFixture, pageFixture, useNock, userClient } from '../helpers/rest';

useNock();

const o1 = orderFixture();
const o2 = orderFixture();
const o3 = orderFixture();
const o4 = orderFixture();

describe('orders pagination', () => {
  it('for await walks every page forwards, following an empty page that still has a cursor', async () => {
    api()
      .get('/orders')
      .query({ status: 'open', limit: '2' })
      .reply(200, pageFixture([o1, o2], 'c2', null))
      .get('/orders')
      .query({ next_cursor: 'c2', limit: '2' })
      .reply(200, pageFixture([], 'c3', 'c1'))
      .get('/orders')
      .query({ next_cursor: 'c3', limit: '2' })
      .reply(200, pageFixture([o3], null, 'c2'));
    const seen = [];
    for await (const order of userClient().orders.list({ status: 'open', limit: 2 }))
      seen.push(order.order_id);
    expect(seen).toEqual([o1.order_id, o2.order_id, o3.order_id]);
  });

  it('getNextPage then getPreviousPage walks back with prev_cursor', async () => {
    api()
      .get('/orders')
      .reply(200, pageFixture([o1], 'n2', null))
      .get('/orders')
      .query({ next_cursor: 'n2' })
      .reply(200, pageFixture([o2], null, 'p1'))
      .get('/orders')
      .query({ prev_cursor: 'p1' })
      .reply(200, pageFixture([o1], 'n2', null));
    const first = await userClient().orders.list();
    expect(first.hasPreviousPage()).toBe(false);
    const second = await first.getNextPage();
    expect(second.data).toEqual([o2]);
    expect(second.hasNextPage()).toBe(false);
    const back = await second.getPreviousPage();
    expect(back.data).toEqual([o1]);
    await expect(second.getNextPage()).rejects.toBeInstanceOf(PaginationError);
    await expect(back.getPreviousPage()).rejects.toBeInstanceOf(PaginationError);
  });

  it('a repeated cursor ends iteration with a PaginationError instead of looping', async () => {
    api()
      .get('/orders')
      .reply(200, pageFixture([o1], 'same', null))
      .get('/orders')
      .query({ next_cursor: 'same' })
      .reply(200, pageFixture([o2], 'same', 'x'));
    const seen: string[] = [];
    const run = async () => {
      for await (const order of userClient().orders.list()) seen.push(order.order_id);
    };
    await expect(run()).rejects.toThrow(PaginationError);
    expect(seen).toEqual([o1.order_id, o2.order_id]);
  });

  it('concurrent getNextPage calls share one request', async () => {
    api()
      .get('/orders')
      .reply(200, pageFixture([o1], 'n2', null));
    api()
      .get('/orders')
      .query({ next_cursor: 'n2' })
      .once()
      .reply(200, pageFixture([o2], null, 'p'));
    const first = await userClient().orders.list();
    const [a, b, c] = await Promise.all([first.getNextPage(), first.getNextPage(), first.getNextPage()]);
    expect(a).toBe(b);
    expect(b).toBe(c);
  });

  it('awaiting the same PagePromise twice sends one request', async () => {
    api()
      .get('/orders')
      .once()
      .reply(200, pageFixture([o1], null, null));
    const pages = userClient().orders.list();
    expect(await pages).toBe(await pages);
  });

  it('toArray requires a cap and stops fetching once reached', async () => {
    api()
      .get('/orders')
      .reply(200, pageFixture([o1, o2], 'n2', null))
      .get('/orders')
      .query({ next_cursor: 'n2' })
      .reply(200, pageFixture([o3, o4], 'n3', 'p'));
    const u = userClient();
    await expect(u.orders.list().toArray({ max: 3 })).resolves.toEqual([o1, o2, o3]);
    await expect(u.orders.list().toArray({ max: 0 })).rejects.toBeInstanceOf(ValidationError);
    await expect(u.orders.list().toArray(undefined as never)).rejects.toBeInstanceOf(ValidationError);
  });

  it('a failed next page can be fetched again', async () => {
    api()
      .get('/orders')
      .reply(200, pageFixture([o1], 'n2', null))
      .get('/orders')
      .query({ next_cursor: 'n2' })
      .reply(400, { message: 'bad' })
      .get('/orders')
      .query({ next_cursor: 'n2' })
      .reply(200, pageFixture([o2], null, 'p'));
    const first = await userClient().orders.list();
    await expect(first.getNextPage()).rejects.toThrow('bad');
    await expect(first.getNextPage()).resolves.toMatchObject({ data: [o2] });
  });

  it('invalid filters are rejected before any request', async () => {
    // No interceptor: a request would fail as a connection error, not a ValidationError.
    const u = userClient();
    await expect(u.orders.list({ limit: 501 })).rejects.toThrow(ValidationError);
    await expect(u.orders.list({ symbols: [] })).rejects.toThrow(ValidationError);
    await expect(u.orders.list({ symbols: ['A,B'] })).rejects.toThrow(ValidationError);
    await expect(u.positions.list({ symbols: ['A,B'] })).rejects.toThrow(ValidationError);
    const all: unknown[] = [];
    await expect(
      (async () => {
        for await (const order of u.orders.list({ limit: 0 })) all.push(order);
      })(),
    ).rejects.toThrow(ValidationError);
  });
});
