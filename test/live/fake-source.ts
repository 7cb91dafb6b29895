/** An in-memory REST "server" and a fake brokerage stream for unit tests of the live store. */

import EventEmitter from 'eventemitter3';
import type { LiveRest } from '../../src/live/snapshot';
import type { OrderListParams } from '../../src/rest/resources/orders';
import type { BrokerageSource } from '../../src/streams/brokerage-source';
import type { Balance, Order, Position } from '../../src/types';
import { orderFixture } from '../helpers/fixtures';

const OPEN = new Set(['pending', 'working', 'partially_filled', 'pending_cancel', 'pending_replace']);
const T0 = Date.parse(new Date().toISOString().slice(0, 10)) + 12 * 3_600_000;

/** An ISO time `s` seconds after noon UTC today. */
export const at = (s: number) => new Date(T0 + s * 1000).toISOString();

/** An order version (AAPL buy of 10 in acc_1 by default). */
export function order(over: Partial<Order> = {}): Order {
  return orderFixture({
    order_id: 'ord_1',
    cl_order_id: 'cl_1',
    order_limit_price: '100',
    created_at: at(0),
    updated_at: at(0),
    ...over,
  });
}

/** A position (10 AAPL in acc_1 by default). */
export function position(over: Partial<Position> = {}): Position {
  return {
    account_id: 'acc_1',
    symbol: 'AAPL',
    instrument: 'EQ',
    quantity: '10',
    average_price: '100',
    last_price: '100',
    market_value: '1000.00',
    unrealized_pl: '0.00',
    daily_pl: '0.00',
    total_pl: '0.00',
    ...over,
  } satisfies Position;
}

/** A balance of acc_1. */
export function balance(over: Partial<Balance> = {}): Balance {
  return {
    account_id: 'acc_1',
    account_number: 'PA1',
    currency: 'USD',
    cash: '1000.00',
    buying_power: '1000.00',
    equity: '1000.00',
    updated_at: at(0),
    ...over,
  } satisfies Balance;
}

/** The server side: what REST answers. `gate` (when set) holds every listing until resolved. */
export class FakeServer {
  orders = new Map<string, Order>();
  positions: Position[] = [];
  balances: Balance[] = [];
  listCalls: OrderListParams[] = [];
  gate: Promise<void> | undefined;
  failNext = 0;
  /** Fields every answer leaves out (a server that never sends an inferred field). */
  omit: string[] = [];
  /** What each of the `failNext` failing listings throws. */
  failWith: () => unknown = () => new Error('503 injected');

  put(o: Order): void {
    this.orders.set(o.order_id, o);
  }

  /** A copy of a record without the `omit` fields. */
  strip<T extends object>(record: T): T {
    if (this.omit.length === 0) return record;
    const copy = { ...record } as Record<string, unknown>;
    for (const field of this.omit) delete copy[field];
    return copy as T;
  }

  private async hold(): Promise<void> {
    if (this.gate) await this.gate;
    if (this.failNext > 0) {
      this.failNext--;
      throw this.failWith();
    }
  }

  readonly rest: LiveRest = {
    orders: {
      list: (params: OrderListParams = {}) => {
        this.listCalls.push(params);
        const server = this;
        return {
          async *[Symbol.asyncIterator]() {
            await server.hold();
            for (const o of [...server.orders.values()]) {
              if (params.account_id && o.account_id !== params.account_id) continue;
              if (params.status === 'open' && !OPEN.has(o.status)) continue;
              if (params.symbols && !params.symbols.includes(o.symbol)) continue;
              if (params.start_time && (o.created_at ?? '') < params.start_time) continue;
              if (params.end_time && (o.created_at ?? '') > params.end_time) continue;
              yield server.strip(o);
            }
          },
        } as never;
      },
    },
    // Plain promises stand in for the SDK's APIPromise (the store only awaits them).
    positions: {
      list: async (params: { account_id?: string } = {}) => {
        await this.hold();
        return this.positions
          .filter((p) => !params.account_id || p.account_id === params.account_id)
          .map((p) => this.strip(p));
      },
    } as never,
    balances: {
      list: async (params: { account_id?: string } = {}) => {
        await this.hold();
        return this.balances
          .filter((b) => !params.account_id || b.account_id === params.account_id)
          .map((b) => this.strip(b));
      },
    } as never,
    accounts: { list: async () => [] } as never,
  };
}

/** A stream that tests drive by hand: `push` an update, `gap`, `drop`/`reconnect`. */
export class FakeStream extends EventEmitter {
  state: BrokerageSource['state'] = 'idle';
  seq = 0;
  subscribeCalls = 0;
  unsubscribeCalls = 0;

  async connect(): Promise<void> {
    this.state = 'open';
  }

  async subscribe(topics: readonly string[]) {
    this.subscribeCalls++;
    return {
      topics: [...topics],
      filter: {},
      unsubscribe: async () => {
        this.unsubscribeCalls++;
      },
    };
  }

  async close(): Promise<void> {
    this.state = 'closed';
  }

  push(kind: 'order' | 'position' | 'balance', data: Order | Position | Balance, userId = 'user-1'): void {
    this.seq++;
    this.emit(`${kind}_update`, data, { seq: this.seq, user_id: userId, session_id: 'ses_1' });
  }

  drop(): void {
    this.state = 'waiting';
    this.emit('reconnecting', { attempt: 1, delay: 10, closeCode: 1006, reason: '' });
  }

  /** A source that recovered from an interruption without losing anything (e.g. a relay consumer). */
  resume(): void {
    this.state = 'open';
    this.emit('resumed');
  }

  reconnect(): void {
    this.state = 'open';
    this.emit('reconnected');
    this.emit('gap', { reason: 'reconnect', from: this.seq + 1 });
  }

  asLive(): BrokerageSource {
    return this as unknown as BrokerageSource;
  }
}
