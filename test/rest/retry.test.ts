/** The retry loop under fake timers: schedule, Retry-After, abort during backoff, timeouts, what is retried. */

import { retryDelay } from '../../src/core/backoff';
import {
  APIConnectionError,
  APITimeoutError,
  APIUserAbortError,
  BadRequestError,
  ConnectTrade,
  InternalServerError,
  RateLimitError,
} from '../../src/rest';
import { wasNeverSent } from '../../src/rest/retry';
import { API, CREDS } from '../helpers/rest';

type Step = { status: number; body?: string; headers?: Record<string, string> } | Error | 'hang';

/** A fetch double answering from a script; it records each call's time, url and init. */
function scriptedFetch(steps: Step[]) {
  const calls: { at: number; url: string; init: RequestInit }[] = [];
  const fetch = jest.fn(async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ at: Date.now(), url: String(url), init: init ?? {} });
    const step = steps.shift() ?? { status: 200, body: '[]' };
    if (step === 'hang')
      return new Promise<Response>((_, reject) =>
        init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))),
      );
    if (step instanceof Error) throw step;
    return new Response(step.body ?? '{"message":"x"}', { status: step.status, headers: step.headers ?? {} });
  });
  return { fetch, calls };
}

function client(fetch: typeof globalThis.fetch, options: { maxRetries?: number; timeout?: number } = {}) {
  return new ConnectTrade({
    clientId: CREDS.clientId,
    clientSecret: CREDS.clientSecret,
    baseUrl: API,
    fetch,
    ...options,
  });
}

function refused(): Error {
  return new TypeError('fetch failed', {
    cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
  });
}

beforeEach(() => {
  jest.useFakeTimers();
  jest.spyOn(Math, 'random').mockReturnValue(0.5);
});
afterEach(() => {
  jest.useRealTimers();
  jest.restoreAllMocks();
});

describe('backoff', () => {
  it('is exponential with full jitter, capped, and honours retry-after up to a cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => retryDelay(n, undefined, { random: () => 0.999999 }))).toEqual([
      499, 999, 1999, 3999, 7999, 7999, 7999,
    ]);
    expect(retryDelay(3, undefined, { random: () => 0 })).toBe(0);
    expect(retryDelay(1, '3')).toBe(3000);
    expect(retryDelay(1, '120')).toBeUndefined();
  });

  it('recognizes failures that prove nothing was sent', () => {
    expect(wasNeverSent(refused())).toBe(true);
    expect(wasNeverSent(new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } }))).toBe(false);
  });
});

describe('retry schedule', () => {
  it('GET: 503, 503, 200 with jittered exponential waits (250 ms then 500 ms at random 0.5)', async () => {
    const { fetch, calls } = scriptedFetch([{ status: 503 }, { status: 503 }, { status: 200, body: '[]' }]);
    const result = client(fetch).users.list();
    await jest.advanceTimersByTimeAsync(0);
    expect(calls).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(249);
    expect(calls).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(499);
    expect(calls).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(3);
    await expect(result).resolves.toEqual([]);
  });

  it('gives up after maxRetries (default 2) with the last error', async () => {
    const { fetch, calls } = scriptedFetch([{ status: 500 }, { status: 502 }, { status: 504 }]);
    const result = client(fetch)
      .users.list()
      .catch((e) => e);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(calls).toHaveLength(3);
    expect(await result).toMatchObject({ status: 504 });
    expect(await result).toBeInstanceOf(InternalServerError);
  });

  it.each([408, 429, 500, 502, 503, 504])('retries status %i', async (status) => {
    const { fetch, calls } = scriptedFetch([{ status }, { status: 200, body: '[]' }]);
    const result = client(fetch).users.list();
    await jest.advanceTimersByTimeAsync(10_000);
    await expect(result).resolves.toEqual([]);
    expect(calls).toHaveLength(2);
  });

  it('does not retry a 400', async () => {
    const { fetch, calls } = scriptedFetch([{ status: 400 }]);
    await expect(client(fetch).users.list()).rejects.toBeInstanceOf(BadRequestError);
    expect(calls).toHaveLength(1);
  });

  it('per-call maxRetries overrides the client', async () => {
    const { fetch, calls } = scriptedFetch([{ status: 503 }, { status: 503 }]);
    const result = client(fetch, { maxRetries: 5 })
      .users.list({ maxRetries: 1 })
      .catch((e) => e);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(await result).toBeInstanceOf(InternalServerError);
    expect(calls).toHaveLength(2);
  });

  it('honours retry-after (seconds) exactly instead of the backoff', async () => {
    const { fetch, calls } = scriptedFetch([
      { status: 429, headers: { 'retry-after': '3' } },
      { status: 200, body: '[]' },
    ]);
    const result = client(fetch).users.list();
    await jest.advanceTimersByTimeAsync(2_999);
    expect(calls).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(2);
    expect((calls[1]?.at ?? 0) - (calls[0]?.at ?? 0)).toBe(3_000);
    await expect(result).resolves.toEqual([]);
  });

  it('does not wait for a retry-after beyond the cap: the RateLimitError surfaces at once', async () => {
    const { fetch, calls } = scriptedFetch([{ status: 429, headers: { 'retry-after': '3600' } }]);
    const error = await client(fetch)
      .users.list()
      .catch((e) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.retryAfterMs).toBe(3_600_000);
    expect(calls).toHaveLength(1);
  });

  it('each attempt is a fresh request: same body, new signal', async () => {
    const { fetch, calls } = scriptedFetch([
      { status: 503 },
      { status: 200, body: JSON.stringify({ order_id: 'o' }) },
    ]);
    const u = client(fetch).forUser({ userId: CREDS.userId, userSecret: CREDS.userSecret });
    const result = u.orders.replace('acc_1', 'ord_1', {
      new_cl_order_id: 'n1',
      broker: 'ALPACA',
      order_qty: '5',
    });
    await jest.advanceTimersByTimeAsync(10_000);
    await result;
    expect(calls).toHaveLength(2);
    expect(calls[0]?.init.method).toBe('PATCH');
    expect(calls[1]?.init.body).toBe(calls[0]?.init.body);
    expect(JSON.parse(String(calls[1]?.init.body))).toEqual({
      new_cl_order_id: 'n1',
      broker: 'ALPACA',
      order_qty: '5',
    });
    expect(calls[1]?.init.signal).not.toBe(calls[0]?.init.signal);
    expect(calls[0]?.init.redirect).toBe('error');
  });
});

describe('abort and timeout', () => {
  it('an abort during the backoff wait ends the call at once, with no further attempt', async () => {
    const { fetch, calls } = scriptedFetch([{ status: 503 }, { status: 200, body: '[]' }]);
    const controller = new AbortController();
    const result = client(fetch)
      .users.list({ signal: controller.signal })
      .catch((e) => e);
    await jest.advanceTimersByTimeAsync(100); // inside the 250 ms wait
    controller.abort();
    await jest.advanceTimersByTimeAsync(0);
    expect(await result).toBeInstanceOf(APIUserAbortError);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(calls).toHaveLength(1);
  });

  it('an abort during an attempt is an APIUserAbortError (not retried)', async () => {
    const { fetch, calls } = scriptedFetch(['hang']);
    const controller = new AbortController();
    const result = client(fetch)
      .users.list({ signal: controller.signal })
      .catch((e) => e);
    await jest.advanceTimersByTimeAsync(10);
    controller.abort();
    expect(await result).toBeInstanceOf(APIUserAbortError);
    expect(calls).toHaveLength(1);
  });

  it('an already aborted signal sends nothing', async () => {
    const { fetch } = scriptedFetch([]);
    await expect(client(fetch).users.list({ signal: AbortSignal.abort() })).rejects.toBeInstanceOf(
      APIUserAbortError,
    );
    expect(fetch).not.toHaveBeenCalled();
  });

  it('the timeout applies per attempt, then retries (default 30 s)', async () => {
    const { fetch, calls } = scriptedFetch(['hang', 'hang', 'hang']);
    const result = client(fetch)
      .users.list()
      .catch((e) => e);
    await jest.advanceTimersByTimeAsync(29_999);
    expect(calls).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1 + 250);
    expect(calls).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(30_000 + 500 + 30_000);
    const error = await result;
    expect(error).toBeInstanceOf(APITimeoutError);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(error.message).toContain('30000 ms');
    expect(calls).toHaveLength(3);
  });
});

describe('non-idempotent POSTs', () => {
  it('POST /users is not retried once the request may have reached the server', async () => {
    for (const step of [
      { status: 503 },
      new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } }),
    ] as Step[]) {
      const { fetch, calls } = scriptedFetch([step, { status: 200, body: '{}' }]);
      const result = client(fetch)
        .users.create({ user_id: 'u1' })
        .catch((e) => e);
      await jest.advanceTimersByTimeAsync(10_000);
      expect(await result).toBeInstanceOf(step instanceof Error ? APIConnectionError : InternalServerError);
      expect(calls).toHaveLength(1);
    }
  });

  it('POST /connections is retried only when the connection was refused (nothing sent)', async () => {
    const { fetch, calls } = scriptedFetch([
      refused(),
      { status: 200, body: JSON.stringify({ authorization_url: 'https://x.example/a' }) },
    ]);
    const u = client(fetch).forUser({ userId: CREDS.userId, userSecret: CREDS.userSecret });
    const result = u.connections.create({ type: 'trade', redirect_url: 'https://app.example/x' });
    await jest.advanceTimersByTimeAsync(10_000);
    await expect(result).resolves.toEqual({ authorization_url: 'https://x.example/a' });
    expect(calls).toHaveLength(2);
  });

  it('POST /connections is not retried after a timeout', async () => {
    const { fetch, calls } = scriptedFetch(['hang', { status: 200, body: '{}' }]);
    const u = client(fetch, { timeout: 1_000 }).forUser({
      userId: CREDS.userId,
      userSecret: CREDS.userSecret,
    });
    const result = u.connections
      .create({ type: 'trade', redirect_url: 'https://app.example/x' })
      .catch((e) => e);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(await result).toBeInstanceOf(APITimeoutError);
    expect(calls).toHaveLength(1);
  });
});
