/**
 * Issue 14 item 3 at the REST level: every field our spec infers (no vendor text shows it) may be
 * missing from a response. The spec leaves each optional, so a record without it is valid (the
 * fixture is checked against the spec), the SDK's response check passes it, and the value comes back:
 * with the field filled when the query answers it (a list for one account / connection), else
 * without it. Order.order_id stays required (see the README's table).
 */
import type { Order } from '../../../src/types';
import { api, fixture, orderFixture, useNock, userClient } from '../../helpers/rest';
import { spec } from '../../helpers/spec';

useNock();

const example = (name: string) => structuredClone(spec.components.schemas[name].examples[0]);
function without<T extends object>(record: T, field: string): T {
  const copy = { ...record } as Record<string, unknown>;
  delete copy[field];
  return copy as T;
}

describe('REST responses without an inferred field', () => {
  it.each([
    ['Balance', 'account_id', '/balances'],
    ['Balance', 'updated_at', '/balances'],
    ['Position', 'account_id', '/positions'],
    ['Position', 'instrument', '/positions'],
    ['Position', 'market_value', '/positions'],
    ['Account', 'connection_id', '/accounts'],
    ['Transaction', 'transaction_id', '/transactions'],
    ['Transaction', 'currency', '/transactions'],
  ] as const)('%s.%s: valid by the spec, returned without it', async (schema, field, path) => {
    const record = fixture(schema, without(example(schema), field));
    api().get(path).reply(200, [record]);
    const u = userClient();
    const list = path.slice(1) as 'balances' | 'positions' | 'accounts' | 'transactions';
    const items = (await u[list].list()) as unknown as Record<string, unknown>[];
    expect(items).toEqual([record]);
    expect(items[0]).not.toHaveProperty(field);
  });

  it.each([
    ['balances', 'account_id', { account_id: 'acc_9' }, 'acc_9'],
    ['positions', 'account_id', { account_id: 'acc_9' }, 'acc_9'],
    ['accounts', 'connection_id', { connection_id: 'conn_9' }, 'conn_9'],
  ] as const)(
    '%s listed for one %s: a record without it gets the one asked for',
    async (list, field, query, value) => {
      const schema = { balances: 'Balance', positions: 'Position', accounts: 'Account' }[list];
      const own = { ...example(schema), [field]: 'kept_own' };
      api()
        .get(`/${list}`)
        .query(query)
        .reply(200, [fixture(schema as 'Balance', without(example(schema), field)), own]);
      const items = (await userClient()[list].list(query as never)) as unknown as Record<string, unknown>[];
      expect(items.map((i) => i[field])).toEqual([value, 'kept_own']);
    },
  );

  it.each(['created_at', 'updated_at'])(
    'Order.%s: orders list and create return the order without it',
    async (field) => {
      const order = fixture('Order', without(orderFixture(), field) as Order);
      api()
        .get('/orders')
        .query(true)
        .reply(200, { orders: [order], next_cursor: null, prev_cursor: null });
      api().post('/orders').reply(200, order);
      const u = userClient();
      const page = await u.orders.list({ account_id: order.account_id });
      expect(page.data).toEqual([order]);
      const created = await u.orders.create({
        account_id: order.account_id,
        broker: order.broker,
        cl_order_id: order.cl_order_id,
        side: 'BUY',
        instrument: 'EQ',
        order_type: 'MKT',
        order_tif: 'DAY',
        symbol: order.symbol,
        order_qty: '1',
      });
      expect(created).not.toHaveProperty(field);
      expect(created.order_id).toBe(order.order_id);
    },
  );

  it('the spec marks exactly these inferred fields optional, and keeps Order.order_id required', () => {
    const s = spec.components.schemas;
    for (const [schema, field] of [
      ['Balance', 'account_id'],
      ['Balance', 'updated_at'],
      ['Position', 'account_id'],
      ['Position', 'instrument'],
      ['Position', 'market_value'],
      ['Account', 'connection_id'],
      ['Order', 'created_at'],
      ['Order', 'updated_at'],
      ['Transaction', 'transaction_id'],
      ['Transaction', 'currency'],
    ] as const) {
      expect(s[schema].properties[field]['x-source']).toBe('inferred');
      expect(s[schema].required).not.toContain(field);
    }
    expect(s.Order.required).toContain('order_id');
  });
});
