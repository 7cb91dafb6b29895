/**
 * Order safety against a hostile local server (issue 12 part 1). In every case below the POST may
 * have reached the server, so `orders.create` must resolve with the order or reject with an
 * OrderOutcomeUnknownError carrying `clOrderId` and `cause`; only definite answers on the first
 * attempt (400, 401, 409) keep their class, and carry `clOrderId` too.
 */
import type http from 'node:http';
import {
  APIConnectionError,
  APITimeoutError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  InternalServerError,
  MalformedResponseError,
  NotFoundError,
  OrderOutcomeUnknownError,
  PaginationError,
  RateLimitError,
} from '../../../src/rest';
import type { Order } from '../../../src/types';
import { LIMIT_ORDER_REQUEST, orderFixture } from '../../helpers/fixtures';
import { type HostileServer, hostileServer, json, type Seen } from '../../helpers/hostile-server';
import { recordingLogger } from '../../helpers/rest';

const REQUEST = LIMIT_ORDER_REQUEST;

/** What the POST handler does on one attempt (the order is committed first unless said otherwise). */
type PostMove =
  | 'ok'
  | 'lost-ack' // committed, socket destroyed before any answer
  | 'truncated' // committed, 200 with cut JSON
  | 'not-an-order' // committed, 200 with a body failing the shape check
  | 'stall-mid-body' // committed, 200 headers and half a body, then nothing
  | 'hang' // committed, never answers
  | { status: number; headers?: Record<string, string>; commit?: boolean };

/** What the GET /orders handler does. */
type GetMove = 'list' | 'hide' | 'endless' | ((seen: Seen, res: http.ServerResponse) => void);

let server: HostileServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  jest.restoreAllMocks();
});

/** A stateful hostile orders server: POSTs follow `posts` (then 'ok'), GETs follow `get`. */
async function ordersServer(posts: PostMove[], get: GetMove = 'list') {
  const orders: Order[] = [];
  let endless = 0;
  const s = await hostileServer((seen, res, socket) => {
    if (seen.method === 'POST' && seen.path === '/orders') {
      const move = posts.shift() ?? 'ok';
      const body = seen.body as { cl_order_id: string; account_id: string };
      if (orders.some((o) => o.cl_order_id === body.cl_order_id))
        return json(res, 409, { message: 'duplicate cl_order_id', code: 'conflict' });
      const order = orderFixture({ cl_order_id: body.cl_order_id, account_id: body.account_id });
      if (typeof move === 'object') {
        if (move.commit) orders.push(order);
        return json(res, move.status, { message: `status ${move.status}` }, move.headers);
      }
      orders.push(order);
      if (move === 'ok') return json(res, 200, order);
      if (move === 'lost-ack') return socket.destroy();
      if (move === 'truncated') return json(res, 200, JSON.stringify(order).slice(0, 40));
      if (move === 'not-an-order') return json(res, 200, { status: 'ok' });
      if (move === 'stall-mid-body') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '400' });
        return void res.write(JSON.stringify(order).slice(0, 30));
      }
      return; // hang
    }
    if (seen.method === 'GET' && seen.path === '/orders') {
      if (typeof get === 'function') return get(seen, res);
      if (get === 'endless')
        return json(res, 200, { orders: [], next_cursor: `c${++endless}`, prev_cursor: null });
      const visible = get === 'hide' ? [] : orders.filter((o) => o.account_id === seen.query.account_id);
      return json(res, 200, { orders: visible, next_cursor: null, prev_cursor: null });
    }
    json(res, 404, { message: 'no route' });
  });
  server = s;
  const count = (method: string) => s.seen.filter((r) => r.method === method && r.path === '/orders').length;
  return { s, orders, posts: () => count('POST'), gets: () => count('GET') };
}

/** Runs create and returns what it threw (failing the test if it resolved). */
async function createFails(s: HostileServer, options: Parameters<HostileServer['user']>[0] = {}, call = {}) {
  const error = await s
    .user(options)
    .orders.create({ ...REQUEST, cl_order_id: 'safe_1' }, call)
    .then(
      (order) => {
        throw new Error(`create resolved with ${order.order_id}`);
      },
      (e: unknown) => e,
    );
  return error as Error & { clOrderId?: string; cause?: unknown };
}

function expectUnknown(error: unknown, cause: new (...args: never[]) => Error) {
  expect(error).toBeInstanceOf(OrderOutcomeUnknownError);
  expect(error).toMatchObject({ clOrderId: 'safe_1', accountId: 'acc_1' });
  expect((error as Error).cause).toBeInstanceOf(cause);
}

describe('orders.create: the order or an error carrying clOrderId', () => {
  beforeEach(() => jest.spyOn(Math, 'random').mockReturnValue(0)); // zero backoff waits

  describe('lost ack, then the lookup fails', () => {
    const failingLookups: [string, GetMove, new (...args: never[]) => Error][] = [
      ['503', (_s, res) => json(res, 503, { message: 'unavailable' }), InternalServerError],
      ['404', (_s, res) => json(res, 404, { message: 'gone' }), NotFoundError],
      ['a cut socket', (_s, res) => res.socket?.destroy(), APIConnectionError],
      ['malformed JSON', (_s, res) => json(res, 200, '{"orders": [{'), MalformedResponseError],
      ['a body of the wrong shape', (_s, res) => json(res, 200, { orders: 'nope' }), MalformedResponseError],
      ['endless empty pages with fresh cursors', 'endless', PaginationError],
    ];
    it.each(failingLookups)(
      'lookup answers %s: OrderOutcomeUnknownError with the id',
      async (_name, get, cause) => {
        const fake = await ordersServer(['lost-ack', 'lost-ack', 'lost-ack'], get);
        const error = await createFails(fake.s, { maxRetries: 2 });
        expect(error).toBeInstanceOf(OrderOutcomeUnknownError);
        expect(error).toMatchObject({ clOrderId: 'safe_1', accountId: 'acc_1' });
        // The last lookup's failure is the cause; exactly the one order exists.
        expect(error.cause).toBeInstanceOf(cause);
        expect(fake.orders).toHaveLength(1);
      },
    );

    it('a lookup that fails once is not fatal while re-sends remain: the 409 leads back to a lookup that finds it', async () => {
      let calls = 0;
      const fake = await ordersServer(['lost-ack'], (_seen, res) => {
        if (++calls <= 2) return json(res, 503, { message: 'unavailable' }); // first lookup, and its one retry
        json(res, 200, { orders: fake.orders, next_cursor: null, prev_cursor: null });
      });
      const order = await fake.s.user().orders.create({ ...REQUEST, cl_order_id: 'safe_1' });
      expect(order.cl_order_id).toBe('safe_1');
      expect(fake.orders).toHaveLength(1);
      expect(fake.posts()).toBe(2); // the re-send got 409
    });
  });

  describe('POST answers 2xx that cannot be read', () => {
    it.each(['truncated', 'not-an-order'] as const)(
      '%s: the order is found by the lookup and returned',
      async (move) => {
        const fake = await ordersServer([move]);
        const order = await fake.s.user().orders.create({ ...REQUEST, cl_order_id: 'safe_1' });
        expect(order).toEqual(fake.orders[0]);
        expect(fake.posts()).toBe(1);
        expect(fake.gets()).toBeGreaterThanOrEqual(1);
      },
    );

    it.each(['truncated', 'not-an-order'] as const)(
      '%s and the listing never shows it: OrderOutcomeUnknownError, never MalformedResponseError or ConflictError',
      async (move) => {
        const fake = await ordersServer([move], 'hide');
        const error = await createFails(fake.s);
        expectUnknown(error, ConflictError); // the re-sends met the duplicate check
        expect(error.message).toMatch(/re-send got 409/);
        expect(fake.orders).toHaveLength(1);
      },
    );

    it('with no retries at all, an unreadable 200 is still OrderOutcomeUnknownError (cause MalformedResponseError)', async () => {
      const fake = await ordersServer(['truncated'], 'hide');
      const error = await createFails(fake.s, { maxRetries: 0 });
      expectUnknown(error, MalformedResponseError);
    });
  });

  it('lost ack, the listing never shows it, re-sends get 409: OrderOutcomeUnknownError (cause ConflictError)', async () => {
    const fake = await ordersServer(['lost-ack'], 'hide');
    const error = await createFails(fake.s);
    expectUnknown(error, ConflictError);
    expect(fake.orders).toHaveLength(1);
    // The 409 proves an earlier attempt landed: no further re-send after it.
    expect(fake.posts()).toBe(2);
  });

  it('a 5xx then a definite 4xx on the re-send: the first may have landed, so OrderOutcomeUnknownError', async () => {
    const fake = await ordersServer([{ status: 503 }, { status: 401 }], 'hide');
    const error = await createFails(fake.s, { maxRetries: 1 });
    expectUnknown(error, AuthenticationError);
  });

  describe('timeouts and aborts after the POST was sent', () => {
    it('the body stalls mid-way until the timeout: looked up and found', async () => {
      const fake = await ordersServer(['stall-mid-body']);
      const order = await fake.s.user({ timeout: 300 }).orders.create({ ...REQUEST, cl_order_id: 'safe_1' });
      expect(order).toEqual(fake.orders[0]);
      expect(fake.posts()).toBe(1);
    });

    it('the body stalls and the listing never shows it: OrderOutcomeUnknownError (cause APITimeoutError or the 409)', async () => {
      const fake = await ordersServer(['stall-mid-body', 'stall-mid-body'], 'hide');
      const error = await createFails(fake.s, { timeout: 300, maxRetries: 1 });
      expect(error).toBeInstanceOf(OrderOutcomeUnknownError);
      expect(error.clOrderId).toBe('safe_1');
      expect(error.cause).toBeInstanceOf(ConflictError);
      const first = await createFails(fake.s, { timeout: 300, maxRetries: 0 });
      // maxRetries 0 and the same cl_order_id: the server now answers 409 at once, a definite first answer.
      expect(first).toBeInstanceOf(ConflictError);
      expect(first.clOrderId).toBe('safe_1');
    });

    it('a server that never answers, maxRetries 0: OrderOutcomeUnknownError (cause APITimeoutError)', async () => {
      const fake = await ordersServer(['hang'], 'hide');
      expectUnknown(await createFails(fake.s, { timeout: 200, maxRetries: 0 }), APITimeoutError);
    });

    it("the user's signal aborts while the POST is in flight: OrderOutcomeUnknownError (cause APIUserAbortError)", async () => {
      const fake = await ordersServer(['hang']);
      const controller = new AbortController();
      const pending = createFails(fake.s, {}, { signal: controller.signal });
      while (fake.posts() === 0) await new Promise((r) => setTimeout(r, 5));
      controller.abort();
      expectUnknown(await pending, APIUserAbortError);
      expect(fake.gets()).toBe(0); // aborted: no lookup either
    });

    it('aborted during the lookup: OrderOutcomeUnknownError (cause APIUserAbortError)', async () => {
      const controller = new AbortController();
      const fake = await ordersServer(['lost-ack'], () => controller.abort()); // the lookup never answers
      expectUnknown(await createFails(fake.s, {}, { signal: controller.signal }), APIUserAbortError);
    });

    it('aborted before anything was sent: APIUserAbortError with the id, nothing sent', async () => {
      const fake = await ordersServer([]);
      const controller = new AbortController();
      controller.abort();
      const error = await createFails(fake.s, {}, { signal: controller.signal });
      expect(error).toBeInstanceOf(APIUserAbortError);
      expect(error.clOrderId).toBe('safe_1');
      expect(fake.posts()).toBe(0);
    });
  });

  describe('definite answers on the first attempt keep their class and carry clOrderId', () => {
    it.each([
      [400, BadRequestError],
      [401, AuthenticationError],
      [409, ConflictError],
    ] as const)('%i', async (status, Class) => {
      const fake = await ordersServer([{ status }]);
      const error = await createFails(fake.s);
      expect(error).toBeInstanceOf(Class);
      expect(error).not.toBeInstanceOf(OrderOutcomeUnknownError);
      expect(error.clOrderId).toBe('safe_1');
      expect(JSON.parse(JSON.stringify(error))).toMatchObject({ clOrderId: 'safe_1' });
      expect(fake.posts()).toBe(1);
      expect(fake.gets()).toBe(0);
    });

    it('a refused connection (nothing reached the server) stays APIConnectionError, with the id', async () => {
      const fake = await ordersServer([]);
      const url = fake.s.url;
      await fake.s.close();
      server = undefined;
      const { ConnectTrade } = await import('../../../src/rest');
      const error = await new ConnectTrade({
        clientId: 'c',
        clientSecret: 'cs_long_secret_x',
        baseUrl: url,
        maxRetries: 1,
      })
        .forUser({ userId: 'u', userSecret: 'us_long_secret_y' })
        .orders.create({ ...REQUEST, cl_order_id: 'safe_1' })
        .then(
          () => undefined,
          (e: unknown) => e as APIConnectionError,
        );
      expect(error).toBeInstanceOf(APIConnectionError);
      expect(error).not.toBeInstanceOf(OrderOutcomeUnknownError);
      expect(error?.clOrderId).toBe('safe_1');
    });
  });
});

describe('re-sends back off and honour Retry-After', () => {
  it('a 503 with Retry-After: 1 is re-sent a second later, not at once', async () => {
    const logger = recordingLogger();
    const fake = await ordersServer([{ status: 503, headers: { 'retry-after': '1' } }]);
    const order = await fake.s.user({ logger }).orders.create({ ...REQUEST, cl_order_id: 'safe_1' });
    expect(order.cl_order_id).toBe('safe_1');
    const [first, second, extra] = fake.s.seen.filter((r) => r.method === 'POST').map((r) => r.at);
    expect(extra).toBeUndefined();
    expect((second ?? 0) - (first ?? 0)).toBeGreaterThanOrEqual(950);
    expect(logger.lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        fields: expect.objectContaining({ delayMs: 1000, clOrderId: 'safe_1' }),
      }),
    );
  });

  it('a 429 asking for longer than the cap (Retry-After: 120) is not re-sent at once: RateLimitError with the id', async () => {
    const fake = await ordersServer([
      { status: 429, headers: { 'retry-after': '120' } },
      { status: 429, headers: { 'retry-after': '120' } },
    ]);
    const error = await createFails(fake.s);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.clOrderId).toBe('safe_1');
    expect(fake.posts()).toBe(1);
  });

  it('without Retry-After, re-sends wait the jittered backoff (0.5 s then 1 s ceilings)', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0.5);
    const logger = recordingLogger();
    const fake = await ordersServer([{ status: 503 }, { status: 503 }, 'ok']);
    await fake.s.user({ logger }).orders.create({ ...REQUEST, cl_order_id: 'safe_1' });
    const [a = 0, b = 0, c = 0, extra] = fake.s.seen.filter((r) => r.method === 'POST').map((r) => r.at);
    expect(extra).toBeUndefined();
    expect(c).toBeGreaterThan(0);
    expect(b - a).toBeGreaterThanOrEqual(240);
    expect(c - b).toBeGreaterThanOrEqual(490);
    const delays = logger.lines
      .filter((l) => l.message.startsWith('POST /orders failed'))
      .map((l) => (l.fields as { delayMs: number }).delayMs);
    expect(delays).toEqual([250, 500]);
  });
});

describe('the lookup is bounded', () => {
  beforeEach(() => jest.spyOn(Math, 'random').mockReturnValue(0));

  it('a server paging forever with fresh empty cursors: a bounded number of GETs, then OrderOutcomeUnknownError', async () => {
    const fake = await ordersServer(['lost-ack'], 'endless');
    const error = await createFails(fake.s, { maxRetries: 2 });
    expectUnknown(error, PaginationError);
    // 3 lookups (after each ambiguous attempt and the 409s) of at most 10 pages each.
    expect(fake.gets()).toBeLessThanOrEqual(30);
    expect(fake.gets()).toBeGreaterThanOrEqual(10);
  });

  it('the lookup bounds are configurable per call (pagination.maxPages)', async () => {
    const fake = await ordersServer(['lost-ack'], 'endless');
    const error = await createFails(fake.s, { maxRetries: 0 }, { pagination: { maxPages: 3 } });
    expectUnknown(error, PaginationError);
    expect(fake.gets()).toBe(3);
  });

  it('a lookup slower than pagination.maxTime ends with PaginationError in the cause', async () => {
    let page = 0;
    const fake = await ordersServer(['lost-ack'], (_seen, res) => {
      const cursor = `c${++page}`;
      setTimeout(() => json(res, 200, { orders: [], next_cursor: cursor, prev_cursor: null }), 60);
    });
    const error = await createFails(
      fake.s,
      { maxRetries: 0 },
      { pagination: { maxTime: 200, maxPages: 1000 } },
    );
    expectUnknown(error, PaginationError);
    expect((error.cause as Error).message).toMatch(/maxTime/);
    expect(fake.gets()).toBeLessThanOrEqual(5);
  });
});
