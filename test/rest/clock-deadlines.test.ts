/**
 * The client's `clock` drives every REST deadline (issue 21): the node:http transport's
 * per-attempt timeout and a page walk's `pagination.maxTime` run on it, not on the platform's timers.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { APITimeoutError, type Clock, ConnectTrade, PaginationError } from '../../src/rest';
import { orderFixture } from '../helpers/fixtures';

/** A clock that moves only when `advance(ms)` is called, firing the timers that fall due. */
function steppedClock(): Clock & { advance(ms: number): void; armed: number[] } {
  const timers = new Map<number, { at: number; fn: () => void }>();
  let now = 0;
  let next = 1;
  const armed: number[] = [];
  return {
    armed,
    now: () => 1_800_000_000_000 + now,
    monotonicNow: () => now,
    setTimeout(fn, ms) {
      armed.push(ms);
      timers.set(next, { at: now + ms, fn });
      return next++;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    advance(ms) {
      now += ms;
      for (const [id, t] of [...timers]) {
        if (t.at > now) continue;
        timers.delete(id);
        t.fn();
      }
    },
  };
}

/** Lets pending I/O callbacks and promise chains run (real turns of the event loop). */
async function turns(n = 20): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
}

const CREDS = { clientId: 'cid_test_1', clientSecret: 'cs_SECRET_client_7f3a9c' } as const;

describe('REST deadlines on the injected clock', () => {
  let server: Server | undefined;
  afterEach(async () => {
    const s = server;
    server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  });

  it("the node:http transport's per-attempt timeout is a timer on the clock", async () => {
    let arrived!: () => void;
    const received = new Promise<void>((r) => {
      arrived = r;
    });
    server = createServer(() => arrived()); // never answers
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
    const clock = steppedClock();
    const realSetTimeout = jest.spyOn(globalThis, 'setTimeout');
    // No `fetch`: in Node the client picks the node:http transport.
    const ct = new ConnectTrade({
      ...CREDS,
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      timeout: 600_000,
      maxRetries: 0,
      clock,
    });
    let settled = false;
    const call = ct.users.list().finally(() => {
      settled = true;
    });
    call.catch(() => {});
    await received;
    await turns();
    expect(settled).toBe(false);
    expect(clock.armed).toContain(600_000);
    expect(realSetTimeout.mock.calls.filter(([, ms]) => ms === 600_000)).toHaveLength(0);
    realSetTimeout.mockRestore();
    clock.advance(599_999);
    await turns();
    expect(settled).toBe(false);
    clock.advance(1);
    await expect(call).rejects.toBeInstanceOf(APITimeoutError);
  });

  /** A client whose GET /orders serves page 1 (with a next cursor) when `release()` is called, and never page 2. */
  function pagedClient(clock: Clock) {
    let fetches = 0;
    let release!: () => void;
    const first = new Promise<void>((r) => {
      release = r;
    });
    const fetch = async (_url: string | URL | Request, init?: RequestInit): Promise<Response> => {
      fetches++;
      if (fetches === 1) {
        await first;
        const page = { orders: [orderFixture({ order_id: 'ord_1' })], next_cursor: 'c2', prev_cursor: null };
        return new Response(JSON.stringify(page), { headers: { 'content-type': 'application/json' } });
      }
      // Page 2 never comes; the attempt's abort signal (its timeout) ends it.
      return new Promise((_, reject) =>
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)),
      );
    };
    const ct = new ConnectTrade({ ...CREDS, baseUrl: 'http://api.invalid', fetch, timeout: 600_000, clock });
    const u = ct.forUser({ userId: 'u1', userSecret: 'us_SECRET_user_4f9a1c' });
    return { u, release, fetches: () => fetches };
  }

  it('pagination.maxTime ends a walk whose next page is in flight, on the clock', async () => {
    const clock = steppedClock();
    const { u, release, fetches } = pagedClient(clock);
    const seen: string[] = [];
    let failure: unknown;
    const walk = (async () => {
      for await (const order of u.orders.list({}, { pagination: { maxTime: 5_000 } }))
        seen.push(order.order_id);
    })().catch((e) => {
      failure = e;
    });
    release();
    for (let i = 0; i < 50 && fetches() < 2; i++) await turns(1);
    expect(seen).toEqual(['ord_1']);
    expect(clock.armed).toContain(5_000);
    clock.advance(4_999);
    await turns();
    expect(failure).toBeUndefined();
    clock.advance(1);
    await walk;
    expect(failure).toBeInstanceOf(PaginationError);
    expect((failure as Error).message).toMatch(/maxTime \(5000 ms\)/);
  });

  it("pagination.maxTime counts the first page's fetch on the clock: time spent there leaves none for page 2", async () => {
    const clock = steppedClock();
    const { u, release, fetches } = pagedClient(clock);
    const walk = u.orders
      .list({}, { pagination: { maxTime: 5_000 } })
      .toArray({ max: 10 })
      .catch((e) => e);
    await turns();
    clock.advance(6_000); // virtual time passes while page 1 is in flight
    release();
    const error = await walk;
    expect(error).toBeInstanceOf(PaginationError);
    expect(fetches()).toBe(1); // page 2 was never requested
  });
});
