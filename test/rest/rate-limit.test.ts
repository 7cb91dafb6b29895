/**
 * The client-side limiter (`rateLimit`, `maxConcurrency`) under jest's fake timers: fairness across
 * tenants, idle eviction and the hard cap, Retry-After after a 429, abort and timeout while queued,
 * the concurrency cap; then through a client: validation, no limiter unless configured, the
 * per-account bucket of trading calls, and an abort while queued.
 */

import { APITimeoutError, APIUserAbortError, ConfigurationError, ConnectTrade } from '../../src/rest';
import { clientInternals } from '../../src/rest/client';
import { RateLimiter } from '../../src/rest/rate-limit';
import { sendWithRetries } from '../../src/rest/retry';
import type { Transport, WireRequest, WireResponse } from '../../src/rest/transport';
import { CREDS } from '../helpers/rest';

const OK: WireResponse = { status: 200, headers: {}, text: '' };

function request(url: string, extra: Partial<WireRequest> = {}): WireRequest {
  return {
    url,
    method: 'GET',
    headers: {},
    body: undefined,
    timeout: 30_000,
    maxResponseBytes: 1e6,
    ...extra,
  };
}

/** A transport that answers at once (or as `answer` says) and records what reached it, in order. */
function instant(answer: (url: string) => WireResponse = () => OK): { transport: Transport; sent: string[] } {
  const sent: string[] = [];
  return {
    sent,
    transport: async (r) => {
      sent.push(r.url);
      return answer(r.url);
    },
  };
}

/** A transport whose attempts stay in flight until the test ends them. */
function held(): { transport: Transport; inFlight: { url: string; timeout: number; end: () => void }[] } {
  const inFlight: { url: string; timeout: number; end: () => void }[] = [];
  return {
    inFlight,
    transport: (r) =>
      new Promise((resolve) => inFlight.push({ url: r.url, timeout: r.timeout, end: () => resolve(OK) })),
  };
}

beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
afterEach(() => jest.useRealTimers());

describe('RateLimiter', () => {
  it('serves tenants round-robin: a later tenant is not starved by an earlier burst (platform bucket)', async () => {
    const limiter = new RateLimiter({ platform: { rps: 10, burst: 1 } });
    const { transport, sent } = instant();
    const all: Promise<unknown>[] = [];
    for (let i = 0; i < 40; i++) all.push(limiter.wrap(transport, { user: 'A' })(request(`A${i}`)));
    for (let i = 0; i < 4; i++) all.push(limiter.wrap(transport, { user: 'B' })(request(`B${i}`)));
    await jest.advanceTimersByTimeAsync(1_000);
    // 10/s: about 10 sent in the first second, and B's four among them, interleaved with A's.
    expect(sent.length).toBeGreaterThanOrEqual(9);
    expect(sent.length).toBeLessThanOrEqual(11);
    expect(sent.filter((u) => u.startsWith('B'))).toEqual(['B0', 'B1', 'B2', 'B3']);
    // A0 took the free token; from then on the two queues take turns.
    expect(sent.slice(0, 9)).toEqual(['A0', 'A1', 'B0', 'A2', 'B1', 'A3', 'B2', 'A4', 'B3']);
    await jest.advanceTimersByTimeAsync(4_000);
    await Promise.all(all);
    expect(sent).toHaveLength(44);
  });

  it('a limit that does not bind sends at once: the attempt reaches the transport synchronously (no timer, no await)', async () => {
    const limiter = new RateLimiter({ platform: { rps: 1e6 }, perUser: { rps: 1e6 } }, 8);
    const { transport, sent } = instant();
    const pending = limiter.wrap(transport, { user: 'A' })(request('fast'));
    // Nothing awaited yet, and no timer was armed.
    expect(sent).toEqual(['fast']);
    expect(jest.getTimerCount()).toBe(0);
    await expect(pending).resolves.toBe(OK);
    // An aborted signal still rejects, and sends nothing.
    const controller = new AbortController();
    controller.abort();
    await expect(
      limiter.wrap(transport, { user: 'A' })(request('aborted', { signal: controller.signal })),
    ).rejects.toBeInstanceOf(APIUserAbortError);
    expect(sent).toEqual(['fast']);
  });

  it('gates every attempt of sendWithRetries, retries included, charged to the tenant its request carries', async () => {
    const limiter = new RateLimiter({ perUser: { perMinute: 1 } });
    const sent: string[] = [];
    let failFirst = true;
    const transport: Transport = async (r) => {
      sent.push(r.url);
      if (r.url === 'A1' && failFirst) {
        failFirst = false;
        return { status: 503, headers: { 'retry-after': '0' }, text: '' };
      }
      return OK;
    };
    const send = (url: string, user: string) =>
      sendWithRetries(
        transport,
        {
          ...request(url, { timeout: 300_000 }),
          tenant: limiter.tenantOf(user, 'GET', '/accounts', undefined),
        },
        { maxRetries: 2, retry: 'idempotent', gate: limiter },
      );
    // A1's first attempt spends A's token; its retry (after the 503) waits a minute for the next.
    const a1 = send('A1', 'A');
    await jest.advanceTimersByTimeAsync(1_000);
    await send('B1', 'B');
    expect(sent).toEqual(['A1', 'B1']);
    expect(limiter.queued).toBe(1);
    await jest.advanceTimersByTimeAsync(60_000);
    await expect(a1).resolves.toBe(OK);
    expect(sent).toEqual(['A1', 'B1', 'A1']);
    // Every slot was given back.
    expect(limiter.queued).toBe(0);
    // A trading call's tenant names its account; a read's does not; a platform call has no user.
    expect(limiter.tenantOf('A', 'POST', '/accounts/{account_id}/orders', 'acc')).toEqual({
      user: 'A',
      account: 'A\nacc',
    });
    expect(limiter.tenantOf('A', 'GET', '/accounts/{account_id}/orders', 'acc').account).toBeUndefined();
    expect(limiter.tenantOf(undefined, 'GET', '/users', undefined)).toEqual({
      user: undefined,
      account: undefined,
    });
  });

  it('a tenant over its own bucket does not hold back the others', async () => {
    const limiter = new RateLimiter({ perUser: { perMinute: 1 } });
    const { transport, sent } = instant();
    const a = [1, 2, 3].map((i) =>
      limiter.wrap(transport, { user: 'A' })(request(`A${i}`, { timeout: 300_000 })),
    );
    const b = limiter.wrap(transport, { user: 'B' })(request('B1'));
    await jest.advanceTimersByTimeAsync(0);
    await b;
    expect(sent).toEqual(['A1', 'B1']);
    await jest.advanceTimersByTimeAsync(59_000);
    expect(sent).toEqual(['A1', 'B1']);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(sent).toEqual(['A1', 'B1', 'A2']);
    await jest.advanceTimersByTimeAsync(60_000);
    await Promise.all(a);
    expect(sent).toEqual(['A1', 'B1', 'A2', 'A3']);
  });

  it('caps attempts in flight (maxConcurrency) and shares the freed slots round-robin', async () => {
    const limiter = new RateLimiter({}, 2);
    const { transport, inFlight } = held();
    for (let i = 0; i < 5; i++) void limiter.wrap(transport, { user: 'A' })(request(`A${i}`));
    void limiter.wrap(transport, { user: 'B' })(request('B0'));
    await jest.advanceTimersByTimeAsync(0);
    expect(inFlight.map((f) => f.url)).toEqual(['A0', 'A1']);
    expect(limiter.queued).toBe(4);
    for (let i = 0; i < 3; i++) {
      inFlight[i]?.end();
      await jest.advanceTimersByTimeAsync(0);
    }
    // The freed slots alternate between the queues: B0 goes before A's later requests.
    expect(inFlight.map((f) => f.url)).toEqual(['A0', 'A1', 'A2', 'B0', 'A3']);
    expect(limiter.queued).toBe(1);
  });

  it('evicts idle tenants and never holds more than maxTenants buckets', async () => {
    const limiter = new RateLimiter({ perUser: { rps: 1 }, idleTimeout: 1_000, maxTenants: 100 });
    const { transport } = instant();
    for (let i = 0; i < 1_000; i++) await limiter.wrap(transport, { user: `u${i}` })(request('x'));
    // The platform scope has no limit here, so it holds no bucket: at most the cap.
    expect(limiter.size).toBe(100);
    await jest.advanceTimersByTimeAsync(1_000);
    await limiter.wrap(transport, { user: 'late' })(request('x'));
    expect(limiter.size).toBe(1);
  });

  it('keeps the bucket of a tenant still inside its window (the limit holds)', async () => {
    const limiter = new RateLimiter({ perUser: { perMinute: 1 }, idleTimeout: 1_000 });
    const { transport, sent } = instant();
    await limiter.wrap(transport, { user: 'A' })(request('A1'));
    await jest.advanceTimersByTimeAsync(500);
    void limiter.wrap(transport, { user: 'A' })(request('A2', { timeout: 300_000 }));
    await jest.advanceTimersByTimeAsync(30_000);
    await limiter.wrap(transport, { user: 'B' })(request('B1'));
    expect(sent).toEqual(['A1', 'B1']);
  });

  it('after a 429 pauses that scope for Retry-After; other tenants go on', async () => {
    const limiter = new RateLimiter({ perUser: { rps: 100 } });
    let first = true;
    const { transport, sent } = instant((url) => {
      if (url === 'A1' && first) {
        first = false;
        return { status: 429, headers: { 'retry-after': '5' }, text: '' };
      }
      return OK;
    });
    expect((await limiter.wrap(transport, { user: 'A' })(request('A1'))).status).toBe(429);
    const a2 = limiter.wrap(transport, { user: 'A' })(request('A2'));
    await limiter.wrap(transport, { user: 'B' })(request('B1'));
    await jest.advanceTimersByTimeAsync(4_990);
    expect(sent).toEqual(['A1', 'B1']);
    await jest.advanceTimersByTimeAsync(10);
    await a2;
    expect(sent).toEqual(['A1', 'B1', 'A2']);
  });

  it('a 429 on a trading call pauses that account only (HTTP-date Retry-After too)', async () => {
    const limiter = new RateLimiter({ perAccountOrders: { perMinute: 100 } });
    const retryAt = new Date(Date.now() + 3_000).toUTCString();
    const { transport, sent } = instant((url) =>
      url === 'acc1#1' ? { status: 429, headers: { 'retry-after': retryAt }, text: '' } : OK,
    );
    await limiter.wrap(transport, { user: 'A', account: 'acc1' })(request('acc1#1'));
    const again = limiter.wrap(transport, { user: 'A', account: 'acc1' })(request('acc1#2'));
    await limiter.wrap(transport, { user: 'A', account: 'acc2' })(request('acc2#1'));
    await limiter.wrap(transport, { user: 'A' })(request('read'));
    expect(sent).toEqual(['acc1#1', 'acc2#1', 'read']);
    await jest.advanceTimersByTimeAsync(3_000);
    await again;
    expect(sent).toEqual(['acc1#1', 'acc2#1', 'read', 'acc1#2']);
  });

  it('an abort while queued removes the request with the usual abort error; it is never sent', async () => {
    const limiter = new RateLimiter({}, 1);
    const { transport, inFlight } = held();
    void limiter.wrap(transport, { user: 'A' })(request('first'));
    const controller = new AbortController();
    const queued = limiter.wrap(transport, { user: 'A' })(request('second', { signal: controller.signal }));
    await jest.advanceTimersByTimeAsync(0);
    expect(limiter.queued).toBe(1);
    controller.abort();
    await expect(queued).rejects.toBeInstanceOf(APIUserAbortError);
    expect(limiter.queued).toBe(0);
    inFlight[0]?.end();
    await jest.advanceTimersByTimeAsync(0);
    expect(inFlight.map((f) => f.url)).toEqual(['first']);
    // An already-aborted signal never queues.
    await expect(
      limiter.wrap(transport, { user: 'A' })(request('third', { signal: AbortSignal.abort() })),
    ).rejects.toBeInstanceOf(APIUserAbortError);
  });

  it('time spent queued counts against the timeout', async () => {
    const limiter = new RateLimiter({ perUser: { rps: 1 } });
    const { transport, inFlight } = held();
    void limiter.wrap(transport, { user: 'A' })(request('first'));
    const late = limiter.wrap(transport, { user: 'A' })(request('late', { timeout: 500 }));
    void limiter.wrap(transport, { user: 'A' })(request('shortened', { timeout: 5_000 }));
    const expectation = expect(late).rejects.toBeInstanceOf(APITimeoutError);
    await jest.advanceTimersByTimeAsync(500);
    await expectation;
    await jest.advanceTimersByTimeAsync(500);
    // `shortened` waited 1 s for its token: its attempt has the 4 s left of its 5 s.
    expect(inFlight.map((f) => [f.url, f.timeout])).toEqual([
      ['first', 30_000],
      ['shortened', 4_000],
    ]);
  });
});

describe('through a client', () => {
  const base = { clientId: CREDS.clientId, clientSecret: CREDS.clientSecret, baseUrl: 'https://api.test' };

  it.each([
    [{ rateLimit: { perUser: { rps: 0 } } }],
    [{ rateLimit: { perUser: { rps: -1 } } }],
    [{ rateLimit: { perUser: { rps: Number.NaN } } }],
    [{ rateLimit: { perUser: {} } }],
    [{ rateLimit: { perUser: { rps: 1, perMinute: 60 } } }],
    [{ rateLimit: { perUser: { rps: 1, burst: 0.5 } } }],
    [{ rateLimit: { perTenant: { rps: 1 } } }],
    [{ rateLimit: { idleTimeout: 0 } }],
    [{ rateLimit: { maxTenants: Number.POSITIVE_INFINITY } }],
    [{ rateLimit: 5 }],
    [{ maxConcurrency: 0 }],
    [{ maxConcurrency: 1.5 }],
  ])('rejects %j with a ConfigurationError', (bad) => {
    expect(() => new ConnectTrade({ ...base, ...(bad as object) })).toThrow(ConfigurationError);
  });

  it('has no limiter unless one is configured', () => {
    expect(clientInternals(new ConnectTrade(base)).context.limiter).toBeUndefined();
    expect(clientInternals(new ConnectTrade({ ...base, maxConcurrency: 4 })).context.limiter).toBeDefined();
  });

  it('charges trading calls to their account; reads and other accounts are not held back', async () => {
    const sent: string[] = [];
    const fetch = async (url: string | URL | Request, init?: RequestInit) => {
      sent.push(`${init?.method} ${new URL(String(url)).pathname}`);
      return new Response('[]', { status: 200, headers: { 'content-type': 'application/json' } });
    };
    const ct = new ConnectTrade({
      ...base,
      fetch,
      timeout: 300_000,
      rateLimit: { perAccountOrders: { perMinute: 1 } },
    });
    const u = ct.forUser({ userId: 'A', userSecret: CREDS.userSecret });
    const settle = (p: Promise<unknown>) =>
      p.then(
        () => undefined,
        () => undefined,
      );
    await settle(u.orders.cancel('acc1', 'o1'));
    const second = settle(u.orders.cancel('acc1', 'o2'));
    await settle(u.orders.cancel('acc2', 'o3'));
    await settle(u.accounts.list());
    expect(sent).toEqual([
      'DELETE /accounts/acc1/orders/o1',
      'DELETE /accounts/acc2/orders/o3',
      'GET /accounts',
    ]);
    await jest.advanceTimersByTimeAsync(60_000);
    await second;
    expect(sent.at(-1)).toBe('DELETE /accounts/acc1/orders/o2');
  });

  it('a client derived with withOptions shares the platform bucket and the concurrency cap; rateLimit overrides get their own', async () => {
    const sent: string[] = [];
    const fetch = async (url: string | URL | Request, init?: RequestInit) => {
      sent.push(`${(init?.headers as Record<string, string>)?.['x-from']} ${new URL(String(url)).pathname}`);
      return new Response('[]', { status: 200, headers: { 'content-type': 'application/json' } });
    };
    const ct = new ConnectTrade({
      ...base,
      fetch,
      timeout: 300_000,
      rateLimit: { platform: { perMinute: 1 } },
      maxConcurrency: 3,
    });
    const derived = ct.withOptions({ defaultHeaders: { 'x-from': 'derived' }, timeout: 300_000 });
    const own = ct.withOptions({
      defaultHeaders: { 'x-from': 'own' },
      rateLimit: { platform: { perMinute: 1 } },
    });
    expect(clientInternals(derived).context.limiter).toBe(clientInternals(ct).context.limiter);
    expect(clientInternals(own).context.limiter).not.toBe(clientInternals(ct).context.limiter);
    await ct.users.list();
    // The parent spent the platform's one token a minute: the derived client waits for the next.
    const waiting = derived.users.list();
    await jest.advanceTimersByTimeAsync(1_000);
    // A client whose rateLimit was overridden has its own bucket (it is not held back).
    await own.users.list();
    expect(sent).toEqual(['undefined /users', 'own /users']);
    await jest.advanceTimersByTimeAsync(60_000);
    await waiting;
    expect(sent.at(-1)).toBe('derived /users');
  });

  it('a call aborted while queued rejects with APIUserAbortError and is never sent', async () => {
    let calls = 0;
    const fetch = async () => {
      calls++;
      return new Response('[]', { status: 200, headers: { 'content-type': 'application/json' } });
    };
    const ct = new ConnectTrade({ ...base, fetch, rateLimit: { perUser: { perMinute: 1 } } });
    const u = ct.forUser({ userId: 'A', userSecret: CREDS.userSecret });
    await u.accounts.list();
    const controller = new AbortController();
    const queued = u.accounts.list({}, { signal: controller.signal });
    await jest.advanceTimersByTimeAsync(100);
    controller.abort();
    await expect(queued).rejects.toBeInstanceOf(APIUserAbortError);
    await jest.advanceTimersByTimeAsync(120_000);
    expect(calls).toBe(1);
  });
});
