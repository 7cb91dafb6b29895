/**
 * The order engine as a unit: no HTTP, no streams. A state with one funded account, a two-symbol
 * feed moved by hand, and the event hub recorded.
 */
import type { components } from '../../generated/schema';
import { OffsetClock } from '../../src/sandbox/clock';
import { dec, fmt } from '../../src/sandbox/decimal';
import { type AccountEvent, Hub } from '../../src/sandbox/events';
import { PriceFeed } from '../../src/sandbox/feed';
import { HttpError } from '../../src/sandbox/http-error';
import { OrderEngine } from '../../src/sandbox/order-engine';
import { SandboxState } from '../../src/sandbox/state';

type OrderRequest = components['schemas']['OrderRequest'];

function setup(options: { liquidity?: number; cash?: string; connectionType?: 'trade' | 'readonly' } = {}) {
  const state = new SandboxState();
  const feed = new PriceFeed(1, options.liquidity ?? 1000, { AAPL: '100.00', MSFT: '200.00' });
  const clock = new OffsetClock();
  const events = new Hub<AccountEvent>();
  const seen: AccountEvent[] = [];
  events.on((e) => seen.push(e));
  const engine = new OrderEngine(state, feed, clock, events);
  state.connections.set('conn_1', {
    connectionId: 'conn_1',
    userId: 'u1',
    type: options.connectionType ?? 'trade',
    broker: 'ALPACA',
    status: 'active',
    redirectUrl: 'https://app.example/cb',
    accountIds: ['acc_1'],
  });
  const account = {
    accountId: 'acc_1',
    accountNumber: 'PA00000001',
    userId: 'u1',
    connectionId: 'conn_1',
    broker: 'ALPACA',
    institutionName: 'test',
    cash: dec(options.cash ?? '100000'),
    positions: new Map(),
    transactions: [],
    updatedAtMs: 0,
  };
  state.accounts.set('acc_1', account);
  let n = 0;
  const request = (extra: Partial<OrderRequest> & Record<string, unknown> = {}): OrderRequest =>
    ({
      account_id: 'acc_1',
      cl_order_id: `cl_${++n}`,
      broker: 'ALPACA',
      symbol: 'AAPL',
      instrument: 'EQ',
      side: 'BUY',
      order_type: 'MKT',
      order_tif: 'DAY',
      order_qty: '10',
      ...extra,
    }) as OrderRequest;
  const statuses = (orderId: string) =>
    seen.flatMap((e) => (e.action === 'order_update' && e.data.order_id === orderId ? [e.data.status] : []));
  return { state, feed, clock, engine, account, seen, request, statuses };
}

describe('OrderEngine', () => {
  it('fills a market order at the current price when placed, books cash and position, publishes each step', () => {
    const { engine, account, seen, request, statuses } = setup();
    const order = engine.place('u1', request());
    expect(order).toMatchObject({ status: 'filled', filled_qty: '10', avg_fill_price: '100' });
    expect(order.fills).toHaveLength(1);
    expect(fmt(account.cash)).toBe('99000');
    expect(fmt(account.positions.get('AAPL')?.qty ?? 0n)).toBe('10');
    expect(statuses(order.order_id)).toEqual(['working', 'filled']);
    expect(seen.map((e) => e.action)).toEqual([
      'order_update',
      'order_update',
      'position_update',
      'balance_update',
    ]);
  });

  it('keeps a limit order working until the price crosses, then fills at the market price', () => {
    const { engine, feed, request, state } = setup();
    const order = engine.place('u1', request({ order_type: 'LMT', order_limit_price: '95' }));
    expect(order.status).toBe('working');
    feed.setPrice('AAPL', dec('96'));
    engine.matchAll();
    expect(state.orders.get(order.order_id)?.order.status).toBe('working');
    feed.setPrice('AAPL', dec('94.5'));
    engine.matchAll();
    expect(state.orders.get(order.order_id)?.order).toMatchObject({
      status: 'filled',
      avg_fill_price: '94.5',
    });
  });

  it('triggers a stop order only once the stop is hit', () => {
    const { engine, feed, request, state } = setup();
    const order = engine.place('u1', request({ order_type: 'STP', stop_price: '105' }));
    expect(order.status).toBe('working');
    feed.setPrice('AAPL', dec('105.01'));
    engine.matchAll();
    expect(state.orders.get(order.order_id)?.order.status).toBe('filled');
  });

  it('fills at most `liquidity` shares per match: partially filled, then filled', () => {
    const { engine, request, state } = setup({ liquidity: 4 });
    const order = engine.place('u1', request());
    expect(order).toMatchObject({ status: 'partially_filled', filled_qty: '4' });
    engine.matchAll();
    engine.matchAll();
    expect(state.orders.get(order.order_id)?.order).toMatchObject({ status: 'filled', filled_qty: '10' });
    expect(state.orders.get(order.order_id)?.order.fills.map((f) => f.qty)).toEqual(['4', '4', '2']);
  });

  it('IOC cancels what it could not fill at once; FOK fills in full or not at all', () => {
    const { engine, request } = setup({ liquidity: 4 });
    const ioc = engine.place('u1', request({ order_tif: 'IOC' }));
    expect(ioc).toMatchObject({ status: 'cancelled', filled_qty: '4' });
    const fok = engine.place('u1', request({ order_tif: 'FOK' }));
    expect(fok).toMatchObject({ status: 'cancelled', filled_qty: '0' });
    const small = engine.place('u1', request({ order_tif: 'FOK', order_qty: '3' }));
    expect(small.status).toBe('filled');
  });

  it('rejects what it cannot do, with a broker_message, and records the rejection', () => {
    const { engine, request } = setup({ cash: '500' });
    expect(engine.place('u1', request({ symbol: 'NOPE' }))).toMatchObject({
      status: 'rejected',
      broker_message: 'Unknown symbol: NOPE',
    });
    expect(engine.place('u1', request({ instrument: 'OPT' })).broker_message).toMatch(/equities/);
    expect(engine.place('u1', request({ side: 'SELL' })).broker_message).toMatch(/Insufficient position/);
    expect(engine.place('u1', request()).broker_message).toMatch(/Insufficient buying power/);
  });

  it('rejects every order of a readonly connection', () => {
    const { engine, request } = setup({ connectionType: 'readonly' });
    expect(engine.place('u1', request())).toMatchObject({ status: 'rejected', broker_message: /Read-only/ });
  });

  it('refuses a reused cl_order_id the same day (409), a foreign account (404) and a wrong broker (400)', () => {
    const { engine, request } = setup();
    engine.place('u1', request({ cl_order_id: 'same' }));
    const thrown = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        return error as HttpError;
      }
      throw new Error('did not throw');
    };
    expect(thrown(() => engine.place('u1', request({ cl_order_id: 'same' })))).toMatchObject({
      status: 409,
      code: 'duplicate_cl_order_id',
    });
    expect(thrown(() => engine.place('u2', request()))).toBeInstanceOf(HttpError);
    expect(thrown(() => engine.place('u2', request())).status).toBe(404);
    expect(thrown(() => engine.place('u1', request({ broker: 'OTHER' }))).status).toBe(400);
  });

  it('cancels in two steps: pending_cancel now, cancelled when cancels settle (before any fill)', () => {
    const { engine, request, state, feed } = setup();
    const order = engine.place('u1', request({ order_type: 'LMT', order_limit_price: '90' }));
    expect(engine.cancel('u1', 'acc_1', order.order_id).status).toBe('pending_cancel');
    feed.setPrice('AAPL', dec('80'));
    engine.settleCancels();
    engine.matchAll();
    expect(state.orders.get(order.order_id)?.order).toMatchObject({ status: 'cancelled', filled_qty: '0' });
    expect(() => engine.cancel('u1', 'acc_1', order.order_id)).toThrow(/cannot be cancelled/);
  });

  it('replaces with a new order (replaces_order_id) and marks the old one replaced', () => {
    const { engine, request, state } = setup();
    const old = engine.place('u1', request({ order_type: 'LMT', order_limit_price: '90' }));
    const next = engine.replace('u1', 'acc_1', old.order_id, {
      broker: 'ALPACA',
      new_cl_order_id: 'cl_new',
      order_limit_price: '91',
    } as components['schemas']['ReplaceOrderRequest']);
    expect(next).toMatchObject({
      replaces_order_id: old.order_id,
      cl_order_id: 'cl_new',
      order_limit_price: '91',
      order_qty: '10',
      status: 'working',
    });
    expect(state.orders.get(old.order_id)?.order.status).toBe('replaced');
  });

  it('expires session orders at the close and keeps GTC ones working', () => {
    const { engine, request, state } = setup();
    const day = engine.place('u1', request({ order_type: 'LMT', order_limit_price: '50' }));
    const gtc = engine.place('u1', request({ order_type: 'LMT', order_limit_price: '50', order_tif: 'GTC' }));
    engine.closeSession();
    expect(state.orders.get(day.order_id)?.order.status).toBe('expired');
    expect(state.orders.get(gtc.order_id)?.order.status).toBe('working');
  });

  it('reserves cash for open buy orders, so a second order cannot spend it again', () => {
    const { engine, request, account } = setup({ cash: '1500' });
    engine.place('u1', request({ order_type: 'LMT', order_limit_price: '90', order_qty: '15' }));
    expect(fmt(engine.reserved(account))).toBe('1350');
    expect(engine.place('u1', request({ order_qty: '2' })).broker_message).toMatch(
      /Insufficient buying power/,
    );
  });
});
