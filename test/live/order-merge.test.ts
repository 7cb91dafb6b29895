import fc from 'fast-check';
import { isTerminal, mergeOrder } from '../../src/live/order-merge';
import type { Order } from '../../src/types';
import { assertMatchesSchema, spec } from '../helpers/spec';

const base: Order = spec.components.schemas.Order.examples[0];
const version = (over: Partial<Order>): Order => {
  const order = { ...base, status: 'working', filled_qty: '0', fills: [], ...over } satisfies Order;
  assertMatchesSchema('Order', order);
  return order;
};
const t = (s: number) => new Date(Date.UTC(2026, 10, 25, 14, 30, s)).toISOString();

describe('mergeOrder', () => {
  it('ignores a late working after filled', () => {
    const filled = version({ status: 'filled', filled_qty: '10', updated_at: t(5) });
    const late = version({ status: 'working', filled_qty: '0', updated_at: t(9) });
    expect(mergeOrder(filled, late)).toEqual({ order: filled, outcome: 'regression' });
  });

  it('never lets filled_qty decrease, even with a later updated_at', () => {
    const partial = version({ status: 'partially_filled', filled_qty: '6', updated_at: t(5) });
    const older = version({ status: 'partially_filled', filled_qty: '4', updated_at: t(6) });
    expect(mergeOrder(partial, older).order).toBe(partial);
  });

  it('lets the later updated_at win', () => {
    const a = version({ status: 'working', updated_at: t(1) });
    const b = version({ status: 'pending_cancel', updated_at: t(2) });
    expect(mergeOrder(a, b)).toEqual({ order: b, outcome: 'applied' });
    expect(mergeOrder(b, a)).toEqual({ order: b, outcome: 'stale' });
  });

  it('treats an identical version as a duplicate that changes nothing', () => {
    const a = version({ status: 'working', updated_at: t(1) });
    const result = mergeOrder(a, structuredClone(a));
    expect(result.outcome).toBe('duplicate');
    expect(result.order).toBe(a);
  });

  it('on equal updated_at prefers the version that filled more or finished', () => {
    const working = version({ status: 'working', updated_at: t(3) });
    const filled = version({ status: 'filled', filled_qty: '10', updated_at: t(3) });
    expect(mergeOrder(working, filled).order).toBe(filled);
    expect(mergeOrder(filled, working).order).toBe(filled);
  });

  it('keeps unknown statuses (they are treated as live)', () => {
    const a = version({ status: 'working', updated_at: t(1) });
    const b = { ...a, status: 'held_by_broker', updated_at: t(2) } as unknown as Order;
    expect(isTerminal(b)).toBe(false);
    expect(mergeOrder(a, b).order).toBe(b);
  });

  it('converges to the newest version whatever the delivery order and duplication', () => {
    // A realistic history: working -> partially filled (growing) -> filled, one second apart.
    const history = [
      version({ status: 'pending', updated_at: t(0) }),
      version({ status: 'working', updated_at: t(1) }),
      version({ status: 'partially_filled', filled_qty: '3', updated_at: t(2) }),
      version({ status: 'partially_filled', filled_qty: '7', updated_at: t(3) }),
      version({ status: 'filled', filled_qty: '10', updated_at: t(4) }),
    ];
    const deliveries = fc.array(fc.constantFrom(...history.keys()), { minLength: 1, maxLength: 20 });
    fc.assert(
      fc.property(deliveries, (indices) => {
        let current: Order | undefined;
        for (const i of indices) current = mergeOrder(current, history[i] as Order).order;
        expect(current).toBe(history[Math.max(...indices)]);
      }),
    );
  });
});
