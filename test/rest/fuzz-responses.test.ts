/**
 * Property-based fuzz of REST responses (issue 12): whatever a hostile server answers to any
 * operation (any status, any body: random JSON, deep nesting, wrong shapes, truncated text, values
 * of the wrong type in the right places; odd headers), every call either resolves or rejects with
 * a ConnectTradeError, and no promise rejection goes unhandled. The live store gets the same
 * treatment for the orders, positions and balances its snapshot and stream hand it.
 *
 * The seed is fixed in CI (`CI=true`) and random otherwise; `FUZZ_SEED` forces one. fast-check
 * prints the seed and the shrunk counterexample on failure.
 */
import fc from 'fast-check';
import { ConnectTrade, ConnectTradeError, LiveStore } from '../../src/index';
import { FakeServer, FakeStream, order } from '../live/fake-source';

const seed = process.env.FUZZ_SEED
  ? Number(process.env.FUZZ_SEED)
  : process.env.CI
    ? 20261130
    : Math.floor(Math.random() * 2 ** 31);

const deep = (depth: number, open: string, close: string) => `${open.repeat(depth)}${close.repeat(depth)}`;

/** A value of the wrong type, or a plausible one. */
const anyValue = fc.oneof(
  fc.anything(),
  fc.constantFrom(null, true, '', '17', '1e3', '-0', 'NaN', -1, 0, 2 ** 53 + 2, Number.MAX_VALUE, [], {}),
  fc.string(),
);

/** An order whose fields are each kept, dropped or replaced by anything. */
const hostileOrder = fc
  .dictionary(
    fc.constantFrom(
      'order_id',
      'cl_order_id',
      'account_id',
      'symbol',
      'status',
      'filled_qty',
      'order_qty',
      'fills',
      'updated_at',
      'created_at',
      'legs',
      'avg_fill_price',
    ),
    fc.oneof(anyValue, fc.constant(undefined)),
  )
  .map((changes) => {
    const base: Record<string, unknown> = { ...order() };
    for (const [key, value] of Object.entries(changes))
      if (value === undefined) delete base[key];
      else base[key] = value;
    return base;
  });

/** A response body: any JSON, a structure of the right kind holding hostile items, or broken text. */
const body = fc.oneof(
  fc.json(),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.array(hostileOrder, { maxLength: 3 }).map((orders) => JSON.stringify(orders)),
  fc
    .record({ orders: fc.oneof(fc.array(hostileOrder, { maxLength: 3 }), anyValue), next_cursor: anyValue })
    .map((page) => JSON.stringify(page)),
  hostileOrder.map((o) => JSON.stringify(o)),
  fc.record({ message: anyValue, code: anyValue }).map((e) => JSON.stringify(e)),
  fc.constantFrom(
    '',
    '{"truncated": ',
    '<html><title>502</title></html>',
    deep(5_000, '[', ']'),
    `${deep(5_000, '{"a":', '}').replace(/}$/, '1}')}`,
    '\u0000\uffff',
    'null',
  ),
  fc.string(),
);

const status = fc.oneof(
  fc.constantFrom(200, 201, 204, 400, 401, 403, 404, 409, 422, 429, 500, 502, 503),
  fc.integer({ min: 200, max: 599 }),
);
const headers = fc.record(
  {
    'content-type': fc.constantFrom('application/json', 'text/html', 'text/plain', ''),
    'retry-after': fc.oneof(
      fc.constantFrom('0', '-1', 'soon', '1e400', 'Thu, 01 Jan 1970 00:00:00 GMT'),
      fc.string(),
    ),
    'x-request-id': fc.string(),
    'next-cursor': fc.string(),
    link: fc.string(),
  },
  { requiredKeys: [] },
);
const answer = fc.record({ status, body, headers });

type Answer = { status: number; body: string; headers: Record<string, string> };

/** A user client whose every request gets the next scripted answer (then the last one again). */
function scripted(answers: Answer[]) {
  let i = 0;
  const fetch = async () => {
    const next = answers[Math.min(i++, answers.length - 1)] as Answer;
    const noBody = next.status === 204;
    return new Response(noBody ? null : next.body, { status: next.status, headers: next.headers });
  };
  const ct = new ConnectTrade({
    clientId: 'cid_fuzz',
    clientSecret: 'cs_fuzz_secret_1',
    baseUrl: 'https://api.fuzz.invalid',
    fetch,
    maxRetries: 0,
    pagination: { maxPages: 3, maxTime: 2_000 },
  });
  return { ct, u: ct.forUser({ userId: 'user-1', userSecret: 'us_fuzz_secret_1' }) };
}

const ORDER_INPUT = {
  account_id: 'acc_1',
  broker: 'ALPACA',
  side: 'BUY',
  order_type: 'LMT',
  order_tif: 'DAY',
  instrument: 'EQ',
  symbol: 'AAPL',
  order_qty: 10,
  order_limit_price: 0.1,
} as const;

const operations: Record<string, (c: ReturnType<typeof scripted>) => Promise<unknown>> = {
  'users.list': ({ ct }) => ct.users.list(),
  'users.create': ({ ct }) => ct.users.create({ user_id: 'u2' }),
  'users.delete': ({ ct }) => ct.users.delete('u2'),
  'connections.create': ({ u }) =>
    u.connections.create({ type: 'trade', redirect_url: 'https://app.example/cb', broker: 'ALPACA' }),
  'connections.list': ({ u }) => u.connections.list(),
  'connections.delete': ({ u }) => u.connections.delete('conn_1'),
  'connections.token': ({ u }) => u.connections.token('conn_1'),
  'accounts.list': ({ u }) => u.accounts.list(),
  'balances.list': ({ u }) => u.balances.list(),
  'positions.list': ({ u }) => u.positions.list({ symbols: ['AAPL'] }),
  'transactions.list': ({ u }) => u.transactions.list(),
  'orders.list': ({ u }) => u.orders.list({ limit: 2 }).then((page) => page.data),
  'orders.list all': ({ u }) => u.orders.list({ limit: 2 }).toArray({ max: 10 }),
  'orders.create': ({ u }) => u.orders.create(ORDER_INPUT),
  'orders.replace': ({ u }) => u.orders.replace('acc_1', 'ord_1', { broker: 'ALPACA', order_qty: 5 }),
  'orders.cancel': ({ u }) => u.orders.cancel('acc_1', 'ord_1'),
  'tokens.create': ({ u }) => u.tokens.create({ scopes: ['read'] }),
};

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeAll(() => process.on('unhandledRejection', onUnhandled));
afterAll(() => process.off('unhandledRejection', onUnhandled));

describe('hostile REST responses', () => {
  it('every operation resolves or rejects with a ConnectTradeError, whatever the server answers', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...Object.keys(operations)),
        fc.array(answer, { minLength: 1, maxLength: 4 }),
        async (name, answers) => {
          const outcome = await (operations[name] as (c: ReturnType<typeof scripted>) => Promise<unknown>)(
            scripted(answers),
          ).then(
            () => undefined,
            (error: unknown) => error,
          );
          if (outcome !== undefined && !(outcome instanceof ConnectTradeError))
            throw new Error(`${name} rejected with a non-SDK error: ${String(outcome)}`);
        },
      ),
      { seed, numRuns: 300 },
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(unhandled).toEqual([]);
  });

  it('the named cases: a 5,000-deep error body from orders.create, an order with filled_qty null', async () => {
    const deepError = await scripted([{ status: 400, body: deep(5_000, '[', ']'), headers: {} }])
      .u.orders.create(ORDER_INPUT)
      .catch((e: unknown) => e);
    expect(deepError).toBeInstanceOf(ConnectTradeError);
    const nullFill = JSON.stringify({ orders: [{ ...order(), filled_qty: null }], next_cursor: null });
    await expect(
      scripted([{ status: 200, body: nullFill, headers: {} }]).u.orders.list(),
    ).resolves.toBeDefined();
  });
});

describe('hostile orders, positions and balances in the live store', () => {
  it('a snapshot and stream of malformed records never make the store throw anything but a ConnectTradeError', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(hostileOrder, { maxLength: 4 }),
        fc.array(hostileOrder, { maxLength: 4 }),
        fc.array(fc.dictionary(fc.string(), anyValue), { maxLength: 2 }),
        async (snapshot, updates, records) => {
          const server = new FakeServer();
          for (const o of snapshot) server.put(o as never);
          server.positions = records as never;
          server.balances = records as never;
          const stream = new FakeStream();
          const errors: unknown[] = [];
          const opened = await LiveStore.open({
            rest: server.rest,
            stream: stream.asLive(),
            userId: 'user-1',
            accountIds: ['acc_1'],
            ownsStream: true,
          }).then(
            (store) => store,
            (error: unknown) => error,
          );
          if (!(opened instanceof LiveStore)) {
            if (!(opened instanceof ConnectTradeError))
              throw new Error(`open rejected with ${String(opened)}`);
            return;
          }
          opened.on('error', (e) => errors.push(e));
          for (const u of updates) stream.push('order', u as never);
          for (const r of records) {
            stream.push('position', r as never);
            stream.push('balance', r as never);
          }
          await new Promise((resolve) => setImmediate(resolve));
          await opened.close();
          for (const e of errors)
            if (!(e instanceof ConnectTradeError)) throw new Error(`emitted ${String(e)}`);
        },
      ),
      { seed, numRuns: 150 },
    );
    expect(unhandled).toEqual([]);
  });

  it('an order with filled_qty null in the snapshot: the store opens, and a later fill applies', async () => {
    const server = new FakeServer();
    server.put({ ...order(), filled_qty: null } as never);
    const stream = new FakeStream();
    const live = await LiveStore.open({
      rest: server.rest,
      stream: stream.asLive(),
      userId: 'user-1',
      accountIds: ['acc_1'],
      ownsStream: true,
    });
    expect(live.orders.get('ord_1')).toBeDefined();
    stream.push('order', order({ status: 'filled', filled_qty: '10', updated_at: '2099-01-01T00:00:00Z' }));
    await new Promise((resolve) => setImmediate(resolve));
    expect(live.orders.get('ord_1')?.status).toBe('filled');
    await live.close();
  });
});
