import { BalanceBook, OrderBook, PositionBook } from '../../src/live/collections';
import type { Balance, Order, Position } from '../../src/types';
import { spec } from '../helpers/spec';

const orderExample: Order = spec.components.schemas.Order.examples[0];
const positionExample: Position = spec.components.schemas.Position.examples[0];
const balanceExample: Balance = spec.components.schemas.Balance.examples[0];

const order = (over: Partial<Order>): Order => ({
  ...orderExample,
  status: 'working',
  filled_qty: '0',
  fills: [],
  ...over,
});

describe('OrderBook', () => {
  it('finds an order by order_id, by cl_order_id, and by either through find()', () => {
    const book = new OrderBook();
    const placed = order({ order_id: 'o1', cl_order_id: 'c1' });
    expect(book.merge(placed).outcome).toBe('applied');
    expect(book.size).toBe(1);
    expect(book.get('o1')).toBe(placed);
    expect(book.byClOrderId('c1')).toBe(placed);
    expect(book.byClOrderId('c1', placed.account_id)).toBe(placed);
    expect(book.byClOrderId('c1', 'another-account')).toBeUndefined();
    expect(book.find('o1')).toBe(placed);
    expect(book.find('c1')).toBe(placed);
    expect([...book]).toEqual([placed]);
    expect([...book.values()]).toEqual([placed]);
  });

  it('keeps cl_order_id per account: two accounts may reuse one, the newest wins without an account', () => {
    const book = new OrderBook();
    const older = order({
      order_id: 'o1',
      cl_order_id: 'same',
      account_id: 'a1',
      created_at: '2026-11-25T14:00:00Z',
    });
    const newer = order({
      order_id: 'o2',
      cl_order_id: 'same',
      account_id: 'a2',
      created_at: '2026-11-25T15:00:00Z',
    });
    book.merge(newer);
    book.merge(older);
    expect(book.byClOrderId('same', 'a1')).toBe(older);
    expect(book.byClOrderId('same', 'a2')).toBe(newer);
    expect(book.byClOrderId('same')).toBe(newer);
  });

  it('does not apply a version that goes backwards, and keeps what it held', () => {
    const book = new OrderBook();
    const filled = order({
      order_id: 'o1',
      status: 'filled',
      filled_qty: '10',
      updated_at: '2026-11-25T14:31:00Z',
    });
    book.merge(filled);
    const back = book.merge(order({ order_id: 'o1', status: 'working', updated_at: '2026-11-25T14:32:00Z' }));
    expect(back.outcome).toBe('regression');
    expect(back.order).toBe(filled);
    expect(book.get('o1')).toBe(filled);
    expect(book.merge({ ...filled }).outcome).toBe('duplicate');
  });

  it('delete() forgets both indexes, but not a newer order holding the same cl_order_id key', () => {
    const book = new OrderBook();
    book.merge(order({ order_id: 'o1', cl_order_id: 'c1' }));
    book.delete('o1');
    expect(book.get('o1')).toBeUndefined();
    expect(book.byClOrderId('c1', orderExample.account_id)).toBeUndefined();
    book.delete('never-held');
    expect(book.size).toBe(0);

    const first = order({ order_id: 'o1', cl_order_id: 'c1' });
    const second = order({ order_id: 'o2', cl_order_id: 'c1' });
    book.merge(first);
    book.merge(second);
    book.delete('o1');
    expect(book.byClOrderId('c1', orderExample.account_id)).toBe(second);
  });
});

describe('PositionBook', () => {
  it('keys positions by account and symbol; the latest update wins', () => {
    const book = new PositionBook();
    expect(book.apply(positionExample)).toBe(true);
    expect(book.get(positionExample.account_id ?? '', positionExample.symbol)).toBe(positionExample);
    expect(book.get('other', positionExample.symbol)).toBeUndefined();
    const moved = { ...positionExample, quantity: '12', last_price: '191' };
    expect(book.apply(moved)).toBe(true);
    expect(book.get(positionExample.account_id ?? '', positionExample.symbol)).toBe(moved);
    expect(book.size).toBe(1);
    expect([...book]).toEqual([moved]);
  });

  it('reports an identical update as no change, and drops a position at quantity zero', () => {
    const book = new PositionBook();
    book.apply(positionExample);
    expect(book.apply({ ...positionExample })).toBe(false);
    expect(book.apply({ ...positionExample, quantity: '0.000' })).toBe(true);
    expect(book.size).toBe(0);
    expect(book.apply({ ...positionExample, quantity: '0' })).toBe(false);
  });

  it('keeps a position whose quantity is not a decimal rather than guessing (tolerant reader)', () => {
    const book = new PositionBook();
    expect(book.apply({ ...positionExample, quantity: 'n/a' })).toBe(true);
    expect(book.size).toBe(1);
  });
});

describe('BalanceBook', () => {
  it('applies a newer or equally timed changed version, never an older one', () => {
    const book = new BalanceBook();
    expect(book.apply(balanceExample)).toBe(true);
    const revalued = { ...balanceExample, equity: '100500.00' };
    expect(book.apply(revalued)).toBe(true);
    expect(book.apply({ ...revalued })).toBe(false);
    const older = { ...balanceExample, cash: '1', updated_at: '2026-11-25T14:00:00Z' };
    expect(book.apply(older)).toBe(false);
    expect(book.get(balanceExample.account_id ?? '')).toBe(revalued);
    const newer = { ...balanceExample, cash: '2', updated_at: '2026-11-25T15:00:00Z' };
    expect(book.apply(newer)).toBe(true);
    expect([...book.values()]).toEqual([newer]);
  });

  it('orders a version without updated_at (an inferred field) as the oldest', () => {
    const book = new BalanceBook();
    book.apply(balanceExample);
    const { updated_at: _dropped, ...withoutTime } = balanceExample;
    expect(book.apply({ ...withoutTime, cash: '3' } as Balance)).toBe(false);
    const fresh = new BalanceBook();
    expect(fresh.apply({ ...withoutTime, cash: '3' } as Balance)).toBe(true);
    expect(fresh.apply(balanceExample)).toBe(true);
  });
});
