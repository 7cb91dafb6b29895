import {
  APIUserAbortError,
  LiveClosedError,
  OrderNotFilledError,
  ValidationError,
  WaitTimeoutError,
} from '../../src/core/errors';
import { type WaitSource, waitForOrder } from '../../src/live/wait-for';
import type { Order } from '../../src/types';
import { spec } from '../helpers/spec';

const example: Order = spec.components.schemas.Order.examples[0];
const version = (over: Partial<Order>): Order => ({
  ...example,
  order_id: 'o1',
  cl_order_id: 'c1',
  status: 'working',
  filled_qty: '0',
  fills: [],
  ...over,
});

/** A source whose pushes, trust and server answers the test drives. */
function fakeSource(initial?: Order) {
  const listeners = new Set<(order: Order) => void>();
  const closers = new Set<() => void>();
  const state = {
    current: initial,
    polling: false,
    polls: 0,
    server: initial as Order | undefined,
    failPolls: 0,
  };
  const source: WaitSource = {
    current: () => state.current,
    listen: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    shouldPoll: () => state.polling,
    poll: async () => {
      state.polls++;
      if (state.failPolls > 0) {
        state.failPolls--;
        throw new Error('503');
      }
      return state.server;
    },
    onClose: (listener) => {
      closers.add(listener);
      return () => closers.delete(listener);
    },
  };
  const push = (order: Order) => {
    state.current = order;
    for (const listener of [...listeners]) listener(order);
  };
  const close = () => {
    for (const closer of [...closers]) closer();
  };
  return { source, state, push, close, listeners, closers };
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('waitForOrder: bad arguments reject before anything waits', () => {
  it.each([
    ['', 'filled', {}],
    ['o1', 'done', {}],
    ['o1', 'filled', { timeout: -1 }],
    ['o1', 'filled', { timeout: Number.POSITIVE_INFINITY }],
    ['o1', 'filled', { pollInterval: 0 }],
  ])('ref %j, until %j, options %j', async (ref, until, options) => {
    const { source, listeners } = fakeSource();
    await expect(waitForOrder(ref, until as 'filled', source, options)).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect(listeners.size).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
  });
});

describe('waitForOrder on pushed versions', () => {
  it('resolves at once when the current version already satisfies the wait', async () => {
    const { source } = fakeSource(version({ status: 'filled', filled_qty: '10' }));
    await expect(waitForOrder('o1', 'filled', source)).resolves.toMatchObject({ status: 'filled' });
    expect(jest.getTimerCount()).toBe(0);
  });

  it('resolves on the first pushed version of that order (by order_id or cl_order_id) that matches', async () => {
    const { source, push, listeners } = fakeSource(version({}));
    const waiting = waitForOrder('c1', 'terminal', source);
    push(version({ order_id: 'other', cl_order_id: 'other', status: 'cancelled' }));
    push(version({ status: 'partially_filled', filled_qty: '1' }));
    push(version({ status: 'cancelled', filled_qty: '1' }));
    await expect(waitForOrder('o1', 'terminal', source)).resolves.toMatchObject({ status: 'cancelled' });
    await expect(waiting).resolves.toMatchObject({ order_id: 'o1', status: 'cancelled' });
    expect(listeners.size).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
  });

  it("rejects 'filled' with OrderNotFilledError when the order ends otherwise", async () => {
    const { source, push } = fakeSource(version({}));
    const waiting = waitForOrder('o1', 'filled', source);
    push(version({ status: 'rejected' }));
    await expect(waiting).rejects.toBeInstanceOf(OrderNotFilledError);
  });

  it("says why the broker ended the order, and types the failure's order as an Order", async () => {
    const { source, push } = fakeSource(version({}));
    const waiting = waitForOrder('o1', 'filled', source);
    push(version({ status: 'rejected', broker_message: 'insufficient buying power' }));
    const error = await waiting.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OrderNotFilledError);
    const failure = error as OrderNotFilledError;
    expect(failure.message).toBe('Order o1 ended rejected without filling: insufficient buying power');
    // Compile-time: `order` is an Order (its fields need no cast).
    const order: Order = failure.order;
    const said: string | undefined = failure.order.broker_message;
    expect([order.status, said]).toEqual(['rejected', 'insufficient buying power']);
    // No broker message: the message stays as it was.
    const quiet = fakeSource(version({}));
    const second = waitForOrder('o1', 'filled', quiet.source);
    quiet.push(version({ status: 'cancelled' }));
    await expect(second).rejects.toThrow(/^Order o1 ended cancelled without filling$/);
  });

  it('a timeout carries the last order seen, typed, and says its status', async () => {
    const { source } = fakeSource(version({ status: 'working' }));
    const waiting = waitForOrder('o1', 'filled', source, { timeout: 1_000 }).catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(1_000);
    const error = (await waiting) as WaitTimeoutError;
    expect(error).toBeInstanceOf(WaitTimeoutError);
    const last: Order | undefined = error.lastSeen;
    expect(last?.status).toBe('working');
    expect(error.message).toBe('Order o1 did not reach the awaited state within 1000 ms (last seen working)');
  });

  it('takes a predicate, and rejects with what the predicate throws', async () => {
    const { source, push } = fakeSource(version({}));
    const half = waitForOrder('o1', (o) => Number(o.filled_qty) >= 5, source);
    push(version({ status: 'partially_filled', filled_qty: '4' }));
    push(version({ status: 'partially_filled', filled_qty: '5' }));
    await expect(half).resolves.toMatchObject({ filled_qty: '5' });
    const broken = waitForOrder(
      'o1',
      () => {
        throw new RangeError('bad predicate');
      },
      source,
    );
    await expect(broken).rejects.toThrow(RangeError);
  });
});

describe('waitForOrder: deadlines, aborts and closes', () => {
  it('rejects with WaitTimeoutError carrying the last version seen, and clears every timer', async () => {
    const { source, listeners } = fakeSource(version({ status: 'partially_filled', filled_qty: '2' }));
    const waiting = waitForOrder('o1', 'filled', source, { timeout: 5_000 });
    jest.advanceTimersByTime(5_000);
    const error = await waiting.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect((error as WaitTimeoutError).message).toMatch(/within 5000 ms/);
    expect(JSON.stringify(error)).toContain('partially_filled');
    expect(listeners.size).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('rejects with APIUserAbortError on abort (already aborted, or later)', async () => {
    const { source } = fakeSource(version({}));
    await expect(
      waitForOrder('o1', 'filled', source, { signal: AbortSignal.abort() }),
    ).rejects.toBeInstanceOf(APIUserAbortError);
    const controller = new AbortController();
    const waiting = waitForOrder('o1', 'filled', source, { signal: controller.signal });
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(APIUserAbortError);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('rejects with LiveClosedError when the source closes for good', async () => {
    const { source, close, closers } = fakeSource(version({}));
    const waiting = waitForOrder('o1', 'filled', source);
    close();
    await expect(waiting).rejects.toBeInstanceOf(LiveClosedError);
    expect(closers.size).toBe(0);
  });
});

describe('waitForOrder polls only while pushes cannot be trusted', () => {
  it('does not poll while the source is trusted', async () => {
    const { source, state, push } = fakeSource(version({}));
    const waiting = waitForOrder('o1', 'filled', source, { pollInterval: 100 });
    await jest.advanceTimersByTimeAsync(1_000);
    expect(state.polls).toBe(0);
    push(version({ status: 'filled', filled_qty: '10' }));
    await expect(waiting).resolves.toMatchObject({ status: 'filled' });
  });

  it('polls at once and then every interval while untrusted, surviving failed polls', async () => {
    const { source, state } = fakeSource(version({}));
    state.polling = true;
    state.failPolls = 2;
    const waiting = waitForOrder('o1', 'filled', source, { pollInterval: 200, timeout: 10_000 });
    await jest.advanceTimersByTimeAsync(0);
    expect(state.polls).toBe(1);
    await jest.advanceTimersByTimeAsync(200);
    expect(state.polls).toBe(2);
    state.server = version({ status: 'filled', filled_qty: '10' });
    await jest.advanceTimersByTimeAsync(200);
    expect(state.polls).toBe(3);
    await expect(waiting).resolves.toMatchObject({ status: 'filled' });
    expect(jest.getTimerCount()).toBe(0);
  });

  it('clamps the poll interval to at least 50 ms', async () => {
    const { source, state } = fakeSource(version({}));
    state.polling = true;
    const waiting = waitForOrder('o1', 'filled', source, { pollInterval: 1, timeout: 500 });
    const settled = waiting.catch(() => undefined);
    await jest.advanceTimersByTimeAsync(500);
    await settled;
    expect(state.polls).toBeGreaterThanOrEqual(10);
    expect(state.polls).toBeLessThanOrEqual(11);
  });
});
