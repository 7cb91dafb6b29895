import type { Sandbox } from '../../src/sandbox';
import { assertMatchesSchema } from '../helpers/spec';
import { call, type Json, onboard, orderBody, testSandbox } from './helpers';

describe('sandbox GET /orders filters and cursors', () => {
  let sb: Sandbox;
  let who: { userId: string; userSecret: string };
  let placed: Json[];
  let second: { account_id: string; connection_id: string };

  beforeAll(async () => {
    sb = await testSandbox();
    const first = await onboard(sb, 'pager');
    who = first.who;
    // A second connection of the same user, with its own account.
    const connection = await call(sb, 'POST', '/connections', {
      who,
      body: { type: 'trade', redirect_url: 'https://app.example/cb' },
    });
    await sb.authorize(connection.body.connection_request_url);
    const accounts = (
      await call(sb, 'GET', `/accounts?connection_id=${connection.body.connection_id}`, { who })
    ).body;
    second = accounts[0];
    sb.feed.setPrice('AAPL', '10');
    sb.feed.setPrice('MSFT', '10');
    placed = [];
    for (let i = 0; i < 7; i++) {
      const body = orderBody(i < 5 ? first.account : (second as Json), {
        symbol: i % 2 === 0 ? 'AAPL' : 'MSFT',
        // Orders 0-2 fill (closed); 3-6 rest as far-away limits (open).
        ...(i >= 3 ? { order_type: 'LMT', order_limit_price: '1' } : {}),
      });
      placed.push((await call(sb, 'POST', '/orders', { who, body })).body);
    }
  });
  afterAll(() => sb.close());
  afterEach(() => expect(sb.violations).toEqual([]));

  async function page(query: string) {
    const response = await call(sb, 'GET', `/orders${query}`, { who });
    expect(response.status).toBe(200);
    assertMatchesSchema('OrderPage', response.body);
    return response.body as { orders: Json[]; next_cursor: string | null; prev_cursor: string | null };
  }
  const ids = (orders: Json[]) => orders.map((o) => o.order_id);
  const newestFirst = () => [...placed].reverse().map((o) => o.order_id);

  it('pages newest first with next_cursor until null, and back with prev_cursor', async () => {
    const one = await page('?limit=3');
    expect(ids(one.orders)).toEqual(newestFirst().slice(0, 3));
    expect(one.prev_cursor).toBeNull();
    const two = await page(`?limit=3&next_cursor=${one.next_cursor}`);
    expect(ids(two.orders)).toEqual(newestFirst().slice(3, 6));
    const three = await page(`?limit=3&next_cursor=${two.next_cursor}`);
    expect(ids(three.orders)).toEqual(newestFirst().slice(6));
    expect(three.next_cursor).toBeNull();
    const back = await page(`?limit=3&prev_cursor=${three.prev_cursor}`);
    expect(ids(back.orders)).toEqual(ids(two.orders));
    expect((await page('')).orders).toHaveLength(7); // default limit 50
  });

  it('filters by status group, single status, symbols, side, account and connection', async () => {
    expect(ids((await page('?status=open')).orders)).toEqual(newestFirst().slice(0, 4));
    expect(ids((await page('?status=closed')).orders)).toEqual(newestFirst().slice(4));
    expect((await page('?status=filled')).orders).toHaveLength(3);
    expect((await page('?status=working')).orders).toHaveLength(4);
    expect((await page('?status=all')).orders).toHaveLength(7);
    expect((await page('?symbols=MSFT')).orders.every((o) => o.symbol === 'MSFT')).toBe(true);
    expect((await page('?symbols=MSFT,AAPL')).orders).toHaveLength(7);
    expect((await page('?side=SELL')).orders).toEqual([]);
    expect((await page(`?account_id=${second.account_id}`)).orders).toHaveLength(2);
    expect((await page(`?connection_id=${second.connection_id}`)).orders).toHaveLength(2);
  });

  it('compares start_time and end_time with created_at, inclusive', async () => {
    const middle = placed[3];
    const exact = await page(`?start_time=${middle.created_at}&end_time=${middle.created_at}`);
    expect(ids(exact.orders)).toContain(middle.order_id);
    expect(exact.orders.every((o) => o.created_at === middle.created_at)).toBe(true);
    const from = await page(`?start_time=${middle.created_at}`);
    expect(from.orders.every((o) => o.created_at >= middle.created_at)).toBe(true);
    expect(ids(from.orders)).toEqual(expect.arrayContaining(placed.slice(3).map((o) => o.order_id)));
    const after = new Date(Date.parse(placed[6].created_at) + 1).toISOString();
    expect((await page(`?start_time=${after}`)).orders).toEqual([]);
  });

  it('keeps the filters in the cursor', async () => {
    const first = await page('?status=open&limit=2');
    const next = await page(`?next_cursor=${first.next_cursor}`);
    expect(ids(next.orders)).toEqual(newestFirst().slice(2, 4));
    expect(next.next_cursor).toBeNull();
  });

  it('answers 400 for a cursor it did not issue', async () => {
    const bad = await call(sb, 'GET', '/orders?next_cursor=garbage', { who });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('next_cursor');
  });
});
