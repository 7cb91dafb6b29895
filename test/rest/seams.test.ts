/**
 * The injection seams (issue 21): a client given a `clock`, `random` and `idGenerator` waits,
 * jitters and names orders through them, and never through the platform's.
 */
import { type Clock, ConfigurationError, ConnectTrade } from '../../src';
import type { Order } from '../../src/types';
import { LIMIT_ORDER_REQUEST, orderFixture } from '../helpers/fixtures';

/** A clock whose timers fire only when `run()` is called; records every armed delay. */
function manualClock(): Clock & { delays: number[]; run(): void; now(): number } {
  const timers = new Map<number, () => void>();
  let next = 1;
  const delays: number[] = [];
  return {
    delays,
    now: () => 1_800_000_000_000,
    monotonicNow: () => 0,
    setTimeout(fn, ms) {
      delays.push(ms);
      timers.set(next, fn);
      return next++;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    run() {
      const due = [...timers.values()];
      timers.clear();
      for (const fn of due) fn();
    },
  };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

describe('injection seams', () => {
  it('names orders with the idGenerator and sleeps the Retry-After on the injected clock', async () => {
    const clock = manualClock();
    const sent: Record<string, unknown>[] = [];
    let calls = 0;
    const fetch = async (_url: string | URL | Request, init?: RequestInit) => {
      const body = JSON.parse(String(init?.body));
      sent.push(body);
      calls++;
      if (calls === 1)
        return json(429, { error: { code: 'rate_limited', message: 'slow down' } }, { 'retry-after': '7' });
      return json(200, orderFixture({ cl_order_id: body.cl_order_id }) as Order);
    };
    const realSetTimeout = jest.spyOn(globalThis, 'setTimeout');
    const ct = new ConnectTrade({
      clientId: 'id',
      clientSecret: 'secret',
      baseUrl: 'http://sandbox.invalid',
      fetch,
      clock,
      random: () => 0,
      idGenerator: () => 'sim_000001',
    });
    const u = ct.forUser({ userId: 'u1', userSecret: 'us' });
    const { cl_order_id: _omit, ...order } = LIMIT_ORDER_REQUEST as typeof LIMIT_ORDER_REQUEST & {
      cl_order_id?: string;
    };
    const placing = u.orders.create(order);
    // The 429 answer arrives, then the re-send waits 7 s on the injected clock, not a real timer.
    for (let i = 0; i < 50 && !clock.delays.includes(7_000); i++) await new Promise((r) => setImmediate(r));
    expect(clock.delays).toContain(7_000);
    expect(calls).toBe(1);
    clock.run();
    const placed = await placing;
    expect(placed.cl_order_id).toBe('sim_000001');
    expect(sent.map((b) => b.cl_order_id)).toEqual(['sim_000001', 'sim_000001']);
    expect(realSetTimeout.mock.calls.filter(([, ms]) => ms === 7_000)).toHaveLength(0);
    realSetTimeout.mockRestore();
  });

  it('rejects a clock of the wrong shape at construction', () => {
    expect(() => new ConnectTrade({ clock: { now: () => 0 } as unknown as Clock })).toThrow(
      ConfigurationError,
    );
    expect(() => new ConnectTrade({ random: 3 as unknown as () => number })).toThrow(
      /random must be a function/,
    );
  });
});
