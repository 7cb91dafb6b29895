/**
 * Every CLI command against a sandbox, in both output modes, with exit codes; validation failures
 * send nothing; errors name class, status and request id; no secret leaks into any output.
 */
import { type ClientFrame, type ServerSocket, TestWsServer } from '../helpers/ws-server';
import { type CliSandbox, cli, jsonLines, startCliSandbox } from './helpers';

jest.setTimeout(30_000);

let s: CliSandbox;
const outputs: string[] = [];
beforeAll(async () => {
  s = await startCliSandbox();
});
afterAll(() => s?.sandbox.close());

async function run(argv: string[], options: Parameters<typeof cli>[1] = {}) {
  const result = await cli(argv, { env: s.env, ...options });
  if (
    !(argv[0] === 'users' && argv[1] === 'create') &&
    !(argv.includes('connections') && argv.includes('token'))
  )
    outputs.push(result.out, result.err);
  return result;
}
const json = async (argv: string[]) => {
  const r = await run(['--json', ...argv]);
  expect(r).toMatchObject({ code: 0, err: '' });
  return JSON.parse(r.out);
};
const ordersSent = () => s.traffic.filter((t) => t.kind === 'rest' && t.operationId === 'createOrder').length;
const place = (...extra: string[]) => [
  'orders',
  'place',
  '--account',
  s.accountId,
  '--broker',
  'ALPACA',
  '--symbol',
  'AAPL',
  '--side',
  'BUY',
  ...extra,
];

describe('users', () => {
  it('create, list (table and JSON), delete', async () => {
    const created = await json(['users', 'create', 'temp-user']);
    expect(created).toEqual({ user_id: 'temp-user', user_secret: expect.any(String) });
    const table = await run(['users', 'list']);
    expect(table.code).toBe(0);
    expect(table.out).toMatch(/user_id.*created_at/);
    expect(table.out).toContain('temp-user');
    expect((await json(['users', 'list'])).map((u: { user_id: string }) => u.user_id)).toContain('temp-user');
    expect(await json(['users', 'delete', 'temp-user'])).toEqual({ user_id: 'temp-user', deleted: true });
    const human = await run(['users', 'create', 'temp-2']);
    expect(human.out).toMatch(/^user_id\s+temp-2\nuser_secret\s+\S+/);
  });
});

describe('connections', () => {
  it('create, list, token, delete', async () => {
    const link = await json([
      'connections',
      'create',
      '--type',
      'market_data',
      '--redirect-url',
      'http://127.0.0.1/x',
    ]);
    expect(link.authorization_url).toMatch(/^http/);
    const list = await json(['connections', 'list']);
    expect(list.length).toBe(2);
    const human = await run(['connections', 'list']);
    expect(human.out).toContain(s.connectionId);
    expect(human.out).toMatch(/active/);
    const token = await json(['connections', 'token', s.connectionId]);
    expect(token).toEqual({ token: expect.any(String), expires_at: expect.any(String) });
    const pending = list.find((c: { connection_id: string }) => c.connection_id !== s.connectionId);
    expect(await json(['connections', 'delete', pending.connection_id])).toMatchObject({ deleted: true });
  });
});

describe('account data', () => {
  it('accounts, balances, positions, transactions in both modes', async () => {
    expect((await json(['accounts']))[0]).toMatchObject({ account_id: s.accountId, broker: 'ALPACA' });
    expect((await run(['accounts'])).out).toMatch(/account_id.*broker[\s\S]*ALPACA/);
    expect((await json(['balances', '--account', s.accountId]))[0]).toMatchObject({
      cash: expect.any(String),
    });
    expect((await run(['balances'])).out).toMatch(/cash[\s\S]*100000/);
    expect(await json(['positions'])).toEqual([]);
    expect((await run(['positions'])).out).toBe('No positions.\n');
    expect(Array.isArray(await json(['transactions', '--account', s.accountId]))).toBe(true);
    expect((await run(['transactions'])).code).toBe(0);
  });
});

describe('orders', () => {
  it('place --yes (JSON and table), list, list --all with progress, replace, cancel', async () => {
    const filled = await json(place('--qty', '2', '--yes'));
    expect(filled).toMatchObject({ symbol: 'AAPL', side: 'BUY', order_type: 'MKT' });
    const human = await run(place('--qty', '1', '--type', 'LMT', '--limit-price', '1', '--yes'));
    expect(human.code).toBe(0);
    const orderId = /order_id\s+(\S+)/.exec(human.out)?.[1] ?? '';
    expect(orderId).not.toBe('');
    for (let i = 0; i < 4; i++)
      await json(place('--qty', '1', '--type', 'LMT', '--limit-price', '1', '--yes'));
    const firstPage = await run(['orders', 'list', '--limit', '2']);
    expect(firstPage.err).toContain('--all');
    const all = await run(['--json', 'orders', 'list', '--all', '--limit', '2', '--status', 'all']);
    expect(all.code).toBe(0);
    expect(JSON.parse(all.out)).toHaveLength(6);
    expect(all.err).toMatch(/fetched 2 orders \(1 page\)…\n[\s\S]*fetched 6 orders \(3 pages\)\n$/);
    const table = await run(['orders', 'list', '--status', 'open']);
    expect(table.out).toContain(orderId);
    const replaced = await json([
      'orders',
      'replace',
      s.accountId,
      orderId,
      '--broker',
      'ALPACA',
      '--limit-price',
      '2',
    ]);
    expect(replaced).toMatchObject({ replaces_order_id: orderId, order_limit_price: '2' });
    const cancelled = await json(['orders', 'cancel', s.accountId, replaced.order_id]);
    expect(['pending_cancel', 'cancelled']).toContain(cancelled.status);
  });

  it('a failing validation exits 2, names every problem and sends nothing', async () => {
    const before = s.traffic.length;
    const r = await run(place('--type', 'LMT', '--qty', '1.0000000001', '--yes'));
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^ValidationError: /);
    // Each issue once (the error's message lists them too; it is not printed on top).
    expect(r.err.split('order_limit_price: is required for LMT orders')).toHaveLength(2);
    expect(r.err.split('order_qty:')).toHaveLength(2);
    expect(r.err).toContain('- order_qty:');
    expect(s.traffic.length).toBe(before);
  });

  it('without --yes: a non-terminal is refused (exit 2, nothing sent); a terminal is asked', async () => {
    const before = ordersSent();
    const refused = await run(place('--qty', '1'));
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('pass --yes');
    const declined = await run(place('--qty', '1'), { isTTY: true, answer: false });
    expect(declined).toMatchObject({ code: 0, asked: ['Place this order?'] });
    expect(declined.err).toMatch(/Order preview[\s\S]*order_qty[\s\S]*Not placed/);
    expect(ordersSent()).toBe(before);
    const accepted = await run(place('--qty', '1'), { isTTY: true, answer: true });
    expect(accepted.code).toBe(0);
    expect(ordersSent()).toBe(before + 1);
  });
});

describe('market data', () => {
  it('quotes: one JSON line per quote, and a table on a terminal', async () => {
    const r = await run(['--json', 'quotes', 'AAPL', 'msft', '--count', '4']);
    expect(r.code).toBe(0);
    const lines = jsonLines(r.out);
    expect(lines).toHaveLength(4);
    for (const line of lines)
      expect(line).toMatchObject({
        event: 'quote',
        data: { symbol: expect.stringMatching(/^(AAPL|MSFT)$/) },
      });
    const tty = await run(['quotes', 'AAPL', '--count', '2'], { isTTY: true });
    expect(tty.out).toMatch(/symbol.*bid.*ask.*last/);
    expect(tty.out).toContain('\x1b[0J'); // the second frame redraws the first in place
  });

  it('bars: a text chart, or the bars as JSON', async () => {
    const bars = await json(['bars', 'AAPL', '--interval', '1d', '--limit', '12']);
    expect(bars).toHaveLength(12);
    const chart = await run(['bars', 'AAPL', '--limit', '12']);
    expect(chart.out).toMatch(/AAPL 1d\n/);
    expect(chart.out).toMatch(/[▁▂▃▄▅▆▇█]/);
    expect(chart.out).toContain('(12 bars');
  });
});

describe('watch', () => {
  it('streams order updates as JSON lines and resyncs after a dropped connection', async () => {
    const controller = new AbortController();
    let placed = false;
    let dropped = false;
    let seen = '';
    const watching = run(['--json', 'watch', 'orders'], {
      signal: controller.signal,
      onOut: (text) => {
        seen += text;
        if (!placed && seen.includes('"live"')) {
          placed = true;
          void s.ct.forUser({ userId: 'cli-user', userSecret: s.userSecret }).orders.create({
            account_id: s.accountId,
            broker: 'ALPACA',
            symbol: 'MSFT',
            instrument: 'EQ',
            side: 'BUY',
            order_type: 'MKT',
            order_tif: 'DAY',
            order_qty: 1,
          });
        }
        if (placed && !dropped && seen.includes('order_update')) {
          dropped = true;
          s.sandbox.faults.inject({ type: 'drop_streams', stream: 'brokerage' });
        }
        if (dropped && (seen.match(/"live"/g) ?? []).length >= 2) controller.abort();
      },
    });
    const r = await watching;
    expect(r.code).toBe(0);
    const events = jsonLines(r.out).map((l) => l.event);
    expect(events.slice(0, 3)).toEqual(['resync', 'snapshot', 'live']);
    expect(events).toContain('order_update');
    const after = events.slice(events.indexOf('order_update'));
    expect(after).toEqual(expect.arrayContaining(['reconnecting', 'resync', 'snapshot', 'live']));
  });

  it('human output off a terminal: one line per update', async () => {
    const u = s.ct.forUser({ userId: 'cli-user', userSecret: s.userSecret });
    const watching = run(['watch', 'orders', '--count', '1'], {
      onOut: (text) => {
        if (text.includes('live'))
          void u.orders.create({
            account_id: s.accountId,
            broker: 'ALPACA',
            symbol: 'AAPL',
            instrument: 'EQ',
            side: 'BUY',
            order_type: 'MKT',
            order_tif: 'DAY',
            order_qty: 1,
          });
      },
    });
    const r = await watching;
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/-- live\n[\s\S]*order ord_\d+ BUY AAPL/);
  });
});

describe('errors and exit codes', () => {
  it('an API error exits 1 and prints class, status, message and request id', async () => {
    const r = await run(['orders', 'cancel', s.accountId, 'ord_missing']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^NotFoundError: .+\n {2}status: {5}404\n[\s\S]* {2}request id: \S+/);
  });

  it('bad credentials: AuthenticationError, exit 1, the secret not echoed', async () => {
    const r = await run(['users', 'list'], {
      env: { ...s.env, CONNECT_TRADE_CLIENT_SECRET: 'wrong-secret-value' },
    });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^AuthenticationError/);
    expect(r.err).not.toContain('wrong-secret-value');
  });

  it('usage errors exit 2: unknown command, unknown option, bad values, missing credentials', async () => {
    expect((await run(['nope'])).code).toBe(2);
    expect((await run(['accounts', '--colour'])).code).toBe(2);
    expect((await run(['orders', 'list', '--limit', 'x'])).err).toContain(
      '--limit must be a positive integer',
    );
    expect((await run(['watch', 'trades'])).code).toBe(2);
    const missing = await run(['accounts'], { env: { ...s.env, CONNECT_TRADE_USER_SECRET: '' } });
    expect(missing).toMatchObject({ code: 2 });
    expect(missing.err).toMatch(/^ConfigurationError: No user secret/);
    expect((await run(['--help'])).code).toBe(0);
  });

  it('--sandbox starts and seeds its own emulator', async () => {
    const r = await cli(['--sandbox', '--json', 'accounts'], { env: {} });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual([expect.objectContaining({ broker: 'ALPACA' })]);
    const users = await cli(['--sandbox', '--user', 'alice', '--json', 'users', 'list'], { env: {} });
    expect(JSON.parse(users.out)).toEqual([expect.objectContaining({ user_id: 'alice' })]);
  });

  it('a live view whose stream is replaced (4002) exits 1 with StreamSessionReplacedError', async () => {
    const other = s.ct.stream();
    let connecting: Promise<void> | undefined;
    try {
      let replaced = false;
      const r = await run(['watch', 'orders'], {
        onOut: (text) => {
          if (!replaced && text.includes('live')) {
            replaced = true;
            // A second session with the same credentials: the server closes the first with 4002.
            connecting = other.connect();
          }
        },
      });
      expect(replaced).toBe(true);
      expect({ code: r.code, err: r.err }).toEqual({
        code: 1,
        err: expect.stringMatching(/^StreamSessionReplacedError: /m),
      });
      await connecting; // the new session is the one that stays
    } finally {
      await other.close();
    }
  });

  it('a live quote view whose stream stops for good (4001) exits 1 instead of waiting forever', async () => {
    // A market-data server that accepts the subscription, then refuses the session for good.
    const server = await TestWsServer.start('market-data', (socket: ServerSocket<'market-data'>) => {
      socket.ws.on('message', (data) => {
        const frame = JSON.parse(String(data)) as ClientFrame;
        if (frame.action === 'authenticate')
          socket.send({
            action: 'authenticated',
            connection_id: 'conn_1',
            expires_at: '2099-01-01T00:00:00Z',
          });
        if (frame.action === 'subscribe') {
          socket.send({
            action: 'subscribed',
            request_id: frame.request_id,
            channel: frame.channel,
            symbols: frame.symbols,
          });
          setTimeout(() => socket.ws.close(4001, 'unauthorized'), 20);
        }
      });
    });
    try {
      const r = await run(['quotes', 'AAPL'], {
        env: { ...s.env, CONNECT_TRADE_MARKET_DATA_URL: server.url },
        // Before the fix the command waited forever; this bounds the test (it would then exit 0).
        signal: AbortSignal.timeout(15_000),
      });
      expect({ code: r.code, err: r.err }).toEqual({
        code: 1,
        err: expect.stringMatching(/^StreamAuthenticationError: /m),
      });
    } finally {
      await server.close();
    }
  });

  it('a sandbox that cannot start (port in use) is a runtime failure (1), a bad flag a usage one (2)', async () => {
    const taken = new URL(s.sandbox.url).port;
    const busy = await run(['sandbox', '--port', taken]);
    expect(busy.code).toBe(1);
    expect(busy.err).toMatch(/EADDRINUSE/);
    expect((await run(['sandbox', '--port', 'x'])).code).toBe(2);
  });

  it('no output of any command above contained a secret', () => {
    const all = outputs.join('\n');
    expect(all.length).toBeGreaterThan(1_000);
    expect(all).not.toContain(s.env.CONNECT_TRADE_CLIENT_SECRET);
    expect(all).not.toContain(s.userSecret);
  });
});
