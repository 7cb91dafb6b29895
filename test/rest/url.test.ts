/**
 * The query string (src/rest/url.ts): what openapi-fetch's serializer writes, each
 * `name=value` fragment encoded once per distinct value and reused, so a repeated query shape
 * costs no encoding per call (issue 25); the caches are bounded.
 */
import { createFinalURL, createQuerySerializer, defaultPathSerializer } from 'openapi-fetch';
import { ConfigurationError } from '../../src/core/errors';
import { ConnectTrade } from '../../src/rest';
import { queryCacheSize, queryString, queryStringStats, requestUrl } from '../../src/rest/url';

const reference = createQuerySerializer({ array: { style: 'form', explode: false } });

describe('queryString', () => {
  const queries: Record<string, unknown>[] = [
    {},
    { limit: 50 },
    { status: 'open', limit: 50 },
    { status: 'open', symbols: ['AAPL', 'MSFT'], start_time: '2026-11-25T00:00:00Z', limit: 50 },
    { symbols: 'AAPL,MSFT' }, // a string with a comma: encoded, unlike the array's separator
    { symbols: ['A,B', 'C'] }, // an item with a comma: encoded (not cached)
    { symbols: ['BRK.B', 'é/ü', 'a b&c=d'] },
    { n: [1, 2.5, -0, Number.NaN] },
    { a: true, b: false, c: 0, d: '', e: undefined, f: null, g: [] },
    { mixed: ['x', 1, null, undefined, true] },
    { '1': 'numeric key first', z: 'last' },
  ];

  it.each(queries.map((q) => [JSON.stringify(q), q]))('writes %s as openapi-fetch does', (_, query) => {
    const expected = reference(query as Record<string, unknown>);
    expect(queryString(query as Record<string, unknown>)).toBe(expected);
    // Twice: the cached fragments give the same string.
    expect(queryString(query as Record<string, unknown>)).toBe(expected);
  });

  it('refuses an object (no query parameter of the spec is one); through a client, a ConfigurationError, nothing sent', async () => {
    expect(() => queryString({ filter: { side: 'BUY' } })).toThrow(TypeError);
    let sent = 0;
    const u = new ConnectTrade({
      clientId: 'cid',
      clientSecret: 'cs-test-secret-000',
      baseUrl: 'https://api.test',
      fetch: async () => {
        sent++;
        return new Response('[]', { status: 200 });
      },
    }).forUser({ userId: 'u', userSecret: 'us-test-secret-000' });
    const params = { account_id: { id: 'acc_1' } } as unknown as { account_id: string };
    await expect(u.balances.list(params)).rejects.toThrow(ConfigurationError);
    expect(sent).toBe(0);
  });

  it('keeps apart values that are equal as keys but not on the wire', () => {
    expect(queryString({ x: ['AAPL', 'MSFT'] })).toBe('x=AAPL,MSFT');
    expect(queryString({ x: 'AAPL,MSFT' })).toBe('x=AAPL%2CMSFT');
    expect(queryString({ x: ['AAPL', 'MSFT'] })).toBe('x=AAPL,MSFT');
    expect(queryString({ x: 1 })).toBe('x=1');
    expect(queryString({ x: '1' })).toBe('x=1');
    expect(queryString({ y: 'open' })).toBe('y=open');
    expect(queryString({ x: 'open' })).toBe('x=open');
  });

  it('encodes a repeated value once, whatever the number of calls', () => {
    const before = queryStringStats.encoded;
    for (let i = 0; i < 1_000; i++) queryString({ status: 'cancelled', symbols: ['T1', 'T2'], limit: 7 });
    expect(queryStringStats.encoded - before).toBe(3);
  });

  it('stays bounded under ever new values (and encodes an evicted value again)', () => {
    queryString({ cursor: 'first' });
    for (let i = 0; i < 5_000; i++) queryString({ cursor: `c${i}`, [`name${i % 500}`]: i });
    expect(queryCacheSize()).toBeLessThanOrEqual(64 * 256 * 2);
    const before = queryStringStats.encoded;
    expect(queryString({ cursor: 'first' })).toBe('cursor=first');
    expect(queryStringStats.encoded - before).toBe(1);
  });
});

describe('requestUrl', () => {
  const cases: [string, { path?: Record<string, unknown>; query?: Record<string, unknown> }][] = [
    ['/orders', {}],
    ['/orders', { query: { status: 'open', limit: 50 } }],
    ['/accounts/{account_id}/orders/{order_id}', { path: { account_id: 'acc 1/é', order_id: 'ord?#&' } }],
    ['/accounts/{account_id}/orders/{order_id}', { path: { account_id: 'acc_1' } }], // one left as written
    ['/users/{user_id}/tokens', { path: { user_id: 42 }, query: { scope: 'trade read' } }],
  ];
  it.each(cases)('%s %j: as openapi-fetch builds it', (path, params) => {
    const expected = createFinalURL(path, {
      baseUrl: 'https://api.test/v1',
      params,
      querySerializer: reference,
      pathSerializer: defaultPathSerializer,
    });
    expect(requestUrl('https://api.test/v1', path, params)).toBe(expected);
  });
});

describe('the calls users make: per-call query work does not grow with the number of calls', () => {
  const urls: string[] = [];
  const answers: Record<string, string> = {
    '/orders': JSON.stringify({ orders: [], next_cursor: null, prev_cursor: null }),
    '/positions': '[]',
    '/balances': '[]',
  };
  const u = new ConnectTrade({
    clientId: 'cid',
    clientSecret: 'cs-test-secret-000',
    baseUrl: 'https://api.test',
    maxRetries: 0,
    fetch: async (input) => {
      const url = String(input);
      urls.push(url);
      const path = new URL(url).pathname;
      return new Response(answers[path] ?? '{}', {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    },
  }).forUser({ userId: 'u', userSecret: 'us-test-secret-000' });

  // Values no other test uses, so the first call of each shape encodes them.
  const calls: [string, () => PromiseLike<unknown>, string][] = [
    [
      'orders.list({ status, symbols, start_time, limit })',
      () =>
        u.orders.list({
          status: 'expired',
          symbols: ['QS1', 'QS2'],
          start_time: '2026-01-02T03:04:05Z',
          limit: 41,
        }),
      'https://api.test/orders?status=expired&symbols=QS1,QS2&start_time=2026-01-02T03%3A04%3A05Z&limit=41',
    ],
    [
      'positions.list({ symbols })',
      () => u.positions.list({ symbols: ['QS3', 'QS4'] }),
      'https://api.test/positions?symbols=QS3,QS4',
    ],
    [
      'balances.list({ account_id })',
      () => u.balances.list({ account_id: 'acc_qs_1' }),
      'https://api.test/balances?account_id=acc_qs_1',
    ],
  ];

  it.each(calls)('%s: its fragments are encoded on the first call only', async (_, call, url) => {
    urls.length = 0;
    const before = queryStringStats.encoded;
    await call();
    const first = queryStringStats.encoded - before;
    expect(first).toBeGreaterThan(0);
    // Counted apart from the cache's own counter too: no percent-encoding at all after the first call.
    const encode = jest.spyOn(globalThis, 'encodeURIComponent');
    try {
      for (let i = 0; i < 200; i++) await call();
      expect(encode).not.toHaveBeenCalled();
    } finally {
      encode.mockRestore();
    }
    expect(queryStringStats.encoded - before).toBe(first);
    expect(urls).toHaveLength(201);
    expect(new Set(urls)).toEqual(new Set([url]));
  });
});
