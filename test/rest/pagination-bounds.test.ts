/**
 * Every automatic pagination is bounded in pages and in total time (issue 12 part 2), and a bare
 * list from GET /orders is read with its cursor headers or flagged as possibly truncated (issue 14).
 */

import { loadSnapshot } from '../../src/live/snapshot';
import { ConfigurationError, PaginationError, ValidationError } from '../../src/rest';
import type { Order } from '../../src/types';
import { api, orderFixture, pageFixture, recordingLogger, useNock, userClient } from '../helpers/rest';

useNock();

/** GET /orders answering empty pages with fresh cursors, forever; returns how many it answered. */
function endlessPages(options: { delayMs?: number } = {}) {
  let served = 0;
  api()
    .get('/orders')
    .query(true)
    .delay(options.delayMs ?? 0)
    .times(2_000)
    .optionally()
    .reply(() => [200, pageFixture([], `c${++served}`, null)]);
  return { served: () => served };
}

async function drain(iterable: AsyncIterable<unknown>): Promise<unknown> {
  try {
    for await (const _ of iterable);
    return undefined;
  } catch (error) {
    return error;
  }
}

describe('pagination bounds', () => {
  it('for await stops at the client-wide maxPages with a PaginationError', async () => {
    const pages = endlessPages();
    const error = await drain(userClient({ pagination: { maxPages: 5 } }).orders.list());
    expect(error).toBeInstanceOf(PaginationError);
    expect((error as Error).message).toMatch(/5 pages.*maxPages/);
    expect(pages.served()).toBe(5);
  });

  it('a per-call bound overrides the client one', async () => {
    const pages = endlessPages();
    const u = userClient({ pagination: { maxPages: 50 } });
    expect(await drain(u.orders.list({}, { pagination: { maxPages: 2 } }))).toBeInstanceOf(PaginationError);
    expect(pages.served()).toBe(2);
  });

  it('an explicit undefined per call does not erase the client bound', async () => {
    const pages = endlessPages();
    const u = userClient({ pagination: { maxPages: 3 } });
    expect(await drain(u.orders.list({}, { pagination: { maxPages: undefined } }))).toBeInstanceOf(
      PaginationError,
    );
    expect(pages.served()).toBe(3);
  });

  it('the defaults bound a walk too (1 000 pages)', async () => {
    let served = 0; // a fetch double, not nock: a thousand pages quickly
    const fetch = async () =>
      new Response(JSON.stringify(pageFixture([], `c${++served}`, null)), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    expect(await drain(userClient({ fetch }).orders.list())).toBeInstanceOf(PaginationError);
    expect(served).toBe(1_000);
  });

  it('iterating a Page (not the PagePromise) is bounded the same way', async () => {
    const pages = endlessPages();
    const first = await userClient({ pagination: { maxPages: 3 } }).orders.list();
    expect(await drain(first)).toBeInstanceOf(PaginationError);
    expect(pages.served()).toBe(3);
  });

  it('iterPages() walks whole pages under the same bounds (the CLI --all uses it)', async () => {
    const pages = endlessPages();
    const first = await userClient({ pagination: { maxPages: 4 } }).orders.list();
    const walked: unknown[] = [];
    const error = await drain(
      (async function* () {
        for await (const page of first.iterPages()) walked.push(page);
        yield;
      })(),
    );
    expect(error).toBeInstanceOf(PaginationError);
    expect(walked[0]).toBe(first);
    expect(walked).toHaveLength(4);
    expect(pages.served()).toBe(4);
  });

  it('toArray({ max }) counting items ends on endless empty pages (maxPages), and takes its own bounds', async () => {
    const pages = endlessPages();
    const u = userClient({ pagination: { maxPages: 4 } });
    await expect(u.orders.list().toArray({ max: 10 })).rejects.toBeInstanceOf(PaginationError);
    expect(pages.served()).toBe(4);
    await expect(u.orders.list().toArray({ max: 10, maxPages: 2 })).rejects.toThrow(/2 pages/);
    expect(pages.served()).toBe(6);
  });

  it('maxTime ends a walk whose pages keep coming slowly, including a page still in flight', async () => {
    const pages = endlessPages({ delayMs: 80 });
    const error = await drain(userClient({ pagination: { maxTime: 200 } }).orders.list());
    expect(error).toBeInstanceOf(PaginationError);
    expect((error as Error).message).toMatch(/maxTime \(200 ms\)/);
    expect(pages.served()).toBeLessThanOrEqual(4);
    await expect(
      userClient().orders.list().toArray({ max: 5, maxTime: 50, maxPages: 100 }),
    ).rejects.toBeInstanceOf(PaginationError);
  });

  it('a walk that ends within its bounds is unaffected', async () => {
    const [a, b] = [orderFixture(), orderFixture()];
    api()
      .get('/orders')
      .reply(200, pageFixture([a], 'n2', null))
      .get('/orders')
      .query({ next_cursor: 'n2' })
      .reply(200, pageFixture([b], null, 'p1'));
    const items = await userClient({ pagination: { maxPages: 2 } })
      .orders.list()
      .toArray({ max: 10 });
    expect(items).toEqual([a, b]);
    expect(items.possiblyTruncated).toBe(false);
  });

  it('malformed bounds are a ConfigurationError and nothing is sent', async () => {
    expect(() => userClient({ pagination: { maxPages: 0 } })).toThrow(ConfigurationError);
    expect(() => userClient({ pagination: { maxTime: -1 } })).toThrow(ConfigurationError);
    expect(() => userClient().orders.list({}, { pagination: { maxPages: 1.5 } })).toThrow(ConfigurationError);
  });

  it('toArray() without max says what to pass', async () => {
    const error = await userClient()
      .orders.list()
      .toArray(undefined as never)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(/toArray\(\{ max: 1000 \}\)/);
  });

  it("the live snapshot's listing is bounded by the client's pagination bounds", async () => {
    const pages = endlessPages();
    const u = userClient({ pagination: { maxPages: 3 } });
    const rest = {
      orders: u.orders,
      positions: { list: async () => [] },
      balances: { list: async () => [] },
      accounts: { list: async () => [] },
    };
    await expect(loadSnapshot(rest as never, { accountIds: ['acc_1'], cap: 100_000 })).rejects.toBeInstanceOf(
      PaginationError,
    );
    expect(pages.served()).toBeLessThanOrEqual(6); // two listings (open, today's), 3 pages each at most
  });
});

describe('a bare list from GET /orders', () => {
  const orders = (n: number): Order[] => Array.from({ length: n }, () => orderFixture());

  it.each([
    ['next-cursor', { 'next-cursor': 'h2' }],
    ['x-next-cursor', { 'x-next-cursor': 'h2' }],
    ['Link rel=next', { link: '<https://api.example/orders?next_cursor=h2&limit=2>; rel="next"' }],
  ])('follows the cursor of a %s header', async (_name, headers) => {
    const [a, b, c] = orders(3);
    api()
      .get('/orders')
      .query({ limit: '2' })
      .reply(200, [a, b], headers)
      .get('/orders')
      .query({ next_cursor: 'h2', limit: '2' })
      .reply(200, [c]);
    const seen: Order[] = [];
    const result = userClient().orders.list({ limit: 2 });
    for await (const order of result) seen.push(order);
    expect(seen).toEqual([a, b, c]);
    expect(result.possiblyTruncated).toBe(false);
  });

  it('a Link header without rel=next is not followed', async () => {
    const [a] = orders(1);
    api().get('/orders').reply(200, [a], { link: '<https://api.example/orders?next_cursor=p0>; rel="prev"' });
    const page = await userClient().orders.list();
    expect(page.hasNextPage()).toBe(false);
  });

  it('exactly `limit` long with no cursor: the page is possiblyTruncated, a warning is logged, toArray and iterators say so', async () => {
    const list = orders(3);
    api().get('/orders').query({ limit: '3' }).times(3).reply(200, list);
    const logger = recordingLogger();
    const u = userClient({ logger });
    const page = await u.orders.list({ limit: 3 });
    expect(page.possiblyTruncated).toBe(true);
    expect(page.hasNextPage()).toBe(false);
    expect(logger.lines).toContainEqual(
      expect.objectContaining({ level: 'warn', message: expect.stringMatching(/more orders may exist/) }),
    );
    const iterated = u.orders.list({ limit: 3 });
    expect(iterated.possiblyTruncated).toBe(false);
    for await (const _ of iterated);
    expect(iterated.possiblyTruncated).toBe(true);
    const collected = await u.orders.list({ limit: 3 }).toArray({ max: 100 });
    expect(collected).toEqual(list);
    expect(collected.possiblyTruncated).toBe(true);
  });

  it('the server default page size (50) counts when no limit was sent', async () => {
    api().get('/orders').reply(200, orders(50));
    expect((await userClient().orders.list()).possiblyTruncated).toBe(true);
  });

  it('shorter than `limit`: final, not flagged, no warning', async () => {
    api().get('/orders').query({ limit: '3' }).reply(200, orders(2));
    const logger = recordingLogger();
    const items = await userClient({ logger }).orders.list({ limit: 3 }).toArray({ max: 10 });
    expect(items).toHaveLength(2);
    expect(items.possiblyTruncated).toBe(false);
    expect(logger.lines.filter((l) => l.level === 'warn')).toEqual([]);
  });
});
