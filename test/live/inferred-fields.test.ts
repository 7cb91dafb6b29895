/**
 * Fields our spec marks `x-source: inferred` (no vendor text shows them) are required in the
 * generated types, but a server may omit them: the live store normalizes them at the reader and
 * never crashes, files a record under `undefined`, or lets an undated version win.
 */
import { LiveStore } from '../../src/index';
import type { Balance, Order, Position } from '../../src/types';
import { at, balance, FakeServer, FakeStream, order, position } from './fake-source';

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

/** A record without `field` (the way a server that never sends it would deliver it). */
function without<T extends object>(record: T, ...fields: string[]): T {
  const copy = { ...record } as Record<string, unknown>;
  for (const field of fields) delete copy[field];
  return copy as T;
}

async function open(server: FakeServer, stream: FakeStream, accountIds = ['acc_1']) {
  return LiveStore.open({
    rest: server.rest,
    stream: stream.asLive(),
    userId: 'user-1',
    accountIds,
    ownsStream: true,
  });
}

describe('live store: inferred fields missing', () => {
  it('REST snapshot records without account_id are filed under the account they were listed for', async () => {
    const server = new FakeServer();
    server.put(order());
    server.put(order({ order_id: 'ord_b', cl_order_id: 'cl_b', account_id: 'acc_2' }));
    server.positions = [position(), position({ account_id: 'acc_2', symbol: 'MSFT' })];
    server.balances = [balance(), balance({ account_id: 'acc_2', cash: '2.00' })];
    server.omit = ['account_id', 'instrument', 'market_value', 'updated_at'];
    const live = await open(server, new FakeStream(), ['acc_1', 'acc_2']);
    try {
      expect(live.orders.get('ord_1')?.account_id).toBe('acc_1');
      expect(live.orders.byClOrderId('cl_1', 'acc_1')?.order_id).toBe('ord_1');
      expect(live.positions.get('acc_1', 'AAPL')?.quantity).toBe('10');
      expect(live.orders.get('ord_b')?.account_id).toBe('acc_2');
      expect(live.positions.get('acc_2', 'AAPL')).toBeUndefined();
      expect(live.positions.get('acc_2', 'MSFT')?.market_value).toBeUndefined();
      expect(live.balances.get('acc_1')?.cash).toBe('1000.00');
      expect(live.balances.get('acc_2')?.cash).toBe('2.00');
    } finally {
      await live.close();
    }
  });

  it('a snapshot order without order_id or timestamps does not crash the store; the unkeyable one is counted', async () => {
    const server = new FakeServer();
    server.put(without(order({ order_id: 'ord_2', cl_order_id: 'cl_2' }), 'created_at', 'updated_at'));
    server.put(without(order({ cl_order_id: 'cl_nokey' }), 'order_id'));
    const live = await open(server, new FakeStream());
    try {
      expect([...live.orders].map((o) => o.order_id)).toEqual(['ord_2']);
      // The unkeyable order is listed twice (open orders, today's orders): dropped both times.
      expect(live.stats.ignored).toBe(2);
      expect(live.orders.find('cl_2')?.order_id).toBe('ord_2');
    } finally {
      await live.close();
    }
  });

  it('stream updates without account_id are keyed by the one account the store follows', async () => {
    const server = new FakeServer();
    const stream = new FakeStream();
    const live = await open(server, stream);
    try {
      stream.push('order', without(order({ status: 'working' }), 'account_id'));
      stream.push(
        'position',
        without(position({ quantity: '5' }), 'account_id', 'instrument', 'market_value'),
      );
      stream.push('balance', without(balance({ cash: '7.00' }), 'account_id'));
      await flush();
      expect(live.orders.get('ord_1')?.account_id).toBe('acc_1');
      expect(live.positions.get('acc_1', 'AAPL')?.quantity).toBe('5');
      expect(live.balances.get('acc_1')?.cash).toBe('7.00');
      expect(live.stats.ignored).toBe(0);
    } finally {
      await live.close();
    }
  });

  it('with several accounts, an update without account_id (or an order without order_id) is ignored and counted, not thrown', async () => {
    const server = new FakeServer();
    const stream = new FakeStream();
    const live = await open(server, stream, ['acc_1', 'acc_2']);
    const errors: unknown[] = [];
    live.on('error', (e) => errors.push(e));
    try {
      expect(() => {
        stream.push('order', without(order(), 'account_id'));
        stream.push('position', without(position(), 'account_id') as Position);
        stream.push('balance', without(balance(), 'account_id') as Balance);
        stream.push('order', without(order({ order_id: 'x' }), 'order_id') as Order);
      }).not.toThrow();
      await flush();
      expect(live.orders.size).toBe(0);
      expect(live.positions.size).toBe(0);
      expect(live.balances.size).toBe(0);
      expect(live.stats).toMatchObject({ updates: 4, ignored: 4 });
      expect(errors).toEqual([]);
    } finally {
      await live.close();
    }
  });

  it('a version without updated_at orders as the oldest: it never replaces a dated one', async () => {
    const server = new FakeServer();
    server.put(order({ status: 'working', updated_at: at(5) }));
    server.balances = [balance({ cash: '1.00', updated_at: at(5) })];
    const stream = new FakeStream();
    const live = await open(server, stream);
    try {
      stream.push('order', without(order({ status: 'pending_cancel' }), 'updated_at'));
      stream.push('balance', without(balance({ cash: '2.00' }), 'updated_at'));
      await flush();
      expect(live.orders.get('ord_1')?.status).toBe('working');
      expect(live.balances.get('acc_1')?.cash).toBe('1.00');
      // A dated version replaces an undated one.
      stream.push('order', order({ status: 'filled', filled_qty: '10', updated_at: at(6) }));
      await flush();
      expect(live.orders.get('ord_1')?.status).toBe('filled');
    } finally {
      await live.close();
    }
  });

  it('two undated versions tie: the one that filled more wins, a repeat is a duplicate', async () => {
    const server = new FakeServer();
    server.put(without(order({ status: 'working' }), 'updated_at'));
    const stream = new FakeStream();
    const live = await open(server, stream);
    try {
      stream.push('order', without(order({ status: 'partially_filled', filled_qty: '4' }), 'updated_at'));
      await flush();
      expect(live.orders.get('ord_1')?.filled_qty).toBe('4');
      stream.push('order', without(order({ status: 'partially_filled', filled_qty: '4' }), 'updated_at'));
      await flush();
      expect(live.stats.ignored).toBe(1);
    } finally {
      await live.close();
    }
  });
});
