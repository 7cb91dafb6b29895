/** Spec-checked sample payloads shared by tests (no nock here: stream and live tests import it too). */
import type { OrderRequest } from '../../src/rest';
import type { Order } from '../../src/types';
import { assertMatchesSchema } from './spec';

let orderSeq = 0;
/** A valid Order (checked against the spec). */
export function orderFixture(overrides: Partial<Order> = {}): Order {
  orderSeq++;
  const order = {
    order_id: `ord_${orderSeq}`,
    cl_order_id: `ct_${orderSeq}`,
    account_id: 'acc_1',
    broker: 'ALPACA',
    symbol: 'AAPL',
    instrument: 'EQ',
    side: 'BUY',
    order_type: 'LMT',
    order_tif: 'DAY',
    order_qty: '10',
    order_limit_price: '189.5',
    filled_qty: '0',
    status: 'working',
    fills: [],
    created_at: '2026-11-25T14:30:00Z',
    updated_at: '2026-11-25T14:30:00Z',
    ...overrides,
  } as Order;
  assertMatchesSchema('Order', order);
  return order;
}

/** A valid limit-order request (add a `cl_order_id` when the test needs a known one). */
export const LIMIT_ORDER_REQUEST = {
  account_id: 'acc_1',
  broker: 'ALPACA',
  side: 'BUY',
  order_type: 'LMT',
  order_tif: 'DAY',
  instrument: 'EQ',
  symbol: 'AAPL',
  order_qty: '10',
  order_limit_price: '189.5',
} as const satisfies OrderRequest;
