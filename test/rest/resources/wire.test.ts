/** Every operation's wire request (method, path, query, headers by scope, body) and response parsing. */
import {
  API,
  api,
  CREDS,
  fixture,
  listFixture,
  orderFixture,
  pageFixture,
  platformClient,
  useNock,
  userClient,
} from '../../helpers/rest';

useNock();

const PLATFORM_HEADERS = { 'client-id': CREDS.clientId, 'client-secret': CREDS.clientSecret };
const USER_HEADERS = { ...PLATFORM_HEADERS, 'user-id': CREDS.userId, 'user-secret': CREDS.userSecret };

/** Records the request headers that matter for auth and content type. */
function capture() {
  const seen: { headers: Record<string, string | undefined>; body: unknown; path: string }[] = [];
  const record = (
    req: { headers: Record<string, string | string[] | undefined>; path: string },
    body: unknown,
  ) => {
    const pick = (n: string) => {
      const v = req.headers[n];
      return Array.isArray(v) ? v.join(',') : v;
    };
    seen.push({
      path: req.path,
      body,
      headers: Object.fromEntries(
        ['client-id', 'client-secret', 'user-id', 'user-secret', 'content-type', 'x-extra']
          .map((n) => [n, pick(n)])
          .filter(([, v]) => v !== undefined),
      ),
    });
  };
  return { seen, record };
}

describe('platform operations send exactly client-id and client-secret', () => {
  it('users.create: POST /users with a JSON body; reads user-secret into user_secret', async () => {
    const { seen, record } = capture();
    api()
      .post('/users', { user_id: 'user-42' })
      .reply(function (_uri, body) {
        record(this.req as never, body);
        return [200, fixture('CreateUserResponse', { user_id: 'user-42', 'user-secret': 'us_new_secret_1' })];
      });
    const created = await platformClient().users.create({ user_id: 'user-42' });
    expect(created).toEqual({ user_id: 'user-42', user_secret: 'us_new_secret_1' });
    expect(seen[0]?.headers).toEqual({ ...PLATFORM_HEADERS, 'content-type': 'application/json' });
  });

  it('users.list: GET /users', async () => {
    const { seen, record } = capture();
    const users = listFixture('User', [
      { user_id: 'u1', created_at: '2026-11-25T14:30:00Z' },
      { user_id: 'u2' },
    ]);
    api()
      .get('/users')
      .reply(function (_uri, body) {
        record(this.req as never, body);
        return [200, users];
      });
    expect(await platformClient().users.list()).toEqual(users);
    expect(seen[0]?.headers).toEqual(PLATFORM_HEADERS);
  });

  it('users.delete: DELETE /users/{user_id} with the id encoded', async () => {
    const { seen, record } = capture();
    api()
      .delete('/users/a%2Fb')
      .reply(function (_uri, body) {
        record(this.req as never, body);
        return [200, fixture('DeleteUserResponse', { user_id: 'a/b', deleted: true })];
      });
    expect(await platformClient().users.delete('a/b')).toEqual({ user_id: 'a/b', deleted: true });
    expect(seen[0]?.headers).toEqual(PLATFORM_HEADERS);
  });
});

describe('user operations send all four headers', () => {
  it('connections.create: POST /connections', async () => {
    const { seen, record } = capture();
    const body = fixture('CreateConnectionRequest', {
      type: 'trade',
      redirect_url: 'https://app.example.com/done',
      broker: 'ALPACA',
    } as const);
    api()
      .post('/connections', body)
      .reply(function (_uri, b) {
        record(this.req as never, b);
        return [
          200,
          fixture('CreateConnectionResponse', {
            authorization_url: 'https://connect.example/authorize/abc',
            expires_at: '2026-11-25T15:30:00Z',
            connection_id: 'conn_1',
          }),
        ];
      });
    expect(await userClient().connections.create(body)).toEqual({
      authorization_url: 'https://connect.example/authorize/abc',
      expires_at: '2026-11-25T15:30:00Z',
      connection_id: 'conn_1',
    });
    expect(seen[0]?.headers).toEqual({ ...USER_HEADERS, 'content-type': 'application/json' });
  });

  it('connections.list, delete and token', async () => {
    const { seen, record } = capture();
    const connections = listFixture('Connection', [
      { connection_id: 'conn_1', broker: 'ALPACA', type: 'trade', status: 'active' },
    ]);
    api()
      .get('/connections')
      .reply(function () {
        record(this.req as never, undefined);
        return [200, connections];
      })
      .delete('/connections/conn_1')
      .reply(function () {
        record(this.req as never, undefined);
        return [200, fixture('DeleteConnectionResponse', { connection_id: 'conn_1', deleted: true })];
      })
      .get('/connections/conn_1/token')
      .reply(function () {
        record(this.req as never, undefined);
        return [
          200,
          fixture('ConnectionToken', { token: 'mdt_token_abcdef', expires_at: '2026-11-26T14:30:00Z' }),
        ];
      });
    const u = userClient();
    expect(await u.connections.list()).toEqual(connections);
    expect(await u.connections.delete('conn_1')).toEqual({ connection_id: 'conn_1', deleted: true });
    expect(await u.connections.token('conn_1')).toEqual({
      token: 'mdt_token_abcdef',
      expires_at: '2026-11-26T14:30:00Z',
    });
    expect(seen.map((s) => s.headers)).toEqual([USER_HEADERS, USER_HEADERS, USER_HEADERS]);
  });

  it('accounts.list, balances.list, transactions.list: filters as query parameters', async () => {
    const account = fixture('Account', {
      account_id: 'acc_1',
      account_number: 'PA1',
      institution_name: 'Alpaca',
      broker: 'ALPACA',
      connection_id: 'conn_1',
    });
    const balance = fixture('Balance', {
      account_id: 'acc_1',
      account_number: 'PA1',
      currency: 'USD',
      cash: '1',
      buying_power: '2',
      equity: '3',
      updated_at: '2026-11-25T14:30:00Z',
    });
    const tx = fixture('Transaction', {
      transaction_id: 't1',
      account_id: 'acc_1',
      type: 'DIVIDEND',
      amount: '1.5',
      currency: 'USD',
      date: '2026-11-25',
    });
    api()
      .matchHeader('user-secret', CREDS.userSecret)
      .get('/accounts')
      .query({ connection_id: 'conn_1', broker: 'ALPACA' })
      .reply(200, [account])
      .get('/balances')
      .query({ account_id: 'acc_1' })
      .reply(200, [balance])
      .get('/transactions')
      .query({ account_id: 'acc_1', start_date: '2026-11-01', end_date: '2026-11-25' })
      .reply(200, [tx]);
    const u = userClient();
    expect(await u.accounts.list({ connection_id: 'conn_1', broker: 'ALPACA' })).toEqual([account]);
    expect(await u.balances.list({ account_id: 'acc_1' })).toEqual([balance]);
    expect(
      await u.transactions.list({ account_id: 'acc_1', start_date: '2026-11-01', end_date: '2026-11-25' }),
    ).toEqual([tx]);
  });

  it('positions.list: symbols travel comma-separated (symbols=AAPL,MSFT)', async () => {
    const position = fixture('Position', {
      account_id: 'acc_1',
      symbol: 'AAPL',
      instrument: 'EQ',
      quantity: '10',
      average_price: '1',
      last_price: '2',
      market_value: '20',
      unrealized_pl: '10',
      daily_pl: '1',
      total_pl: '10',
    });
    let rawPath = '';
    api()
      .get('/positions')
      .query(true)
      .reply(function () {
        rawPath = this.req.path;
        return [200, [position]];
      });
    expect(await userClient().positions.list({ symbols: ['AAPL', 'MSFT'] })).toEqual([position]);
    expect(rawPath).toBe('/positions?symbols=AAPL,MSFT');
  });

  it('orders.create: POST /orders with the validated body and a generated cl_order_id', async () => {
    const { seen, record } = capture();
    const placed = orderFixture();
    api()
      .post('/orders')
      .reply(function (_uri, body) {
        record(this.req as never, body);
        return [200, placed];
      });
    const order = await userClient().orders.create({
      account_id: 'acc_1',
      broker: 'ALPACA',
      side: 'BUY',
      order_type: 'LMT',
      order_tif: 'DAY',
      instrument: 'EQ',
      symbol: 'AAPL',
      order_qty: 10,
      order_limit_price: 0.1,
    });
    expect(order).toEqual(placed);
    const sent = seen[0]?.body as Record<string, unknown>;
    expect(sent).toMatchObject({
      account_id: 'acc_1',
      order_qty: '10',
      order_limit_price: '0.1',
      order_type: 'LMT',
    });
    expect(sent.cl_order_id).toMatch(/^ct_[a-z0-9]{24}$/);
    fixture('OrderRequest', sent); // what we send is valid against the spec
    expect(seen[0]?.headers).toEqual({ ...USER_HEADERS, 'content-type': 'application/json' });
  });

  it('orders.list: every filter in the query; the page is parsed', async () => {
    const orders = [orderFixture(), orderFixture()];
    api()
      .get('/orders')
      .query({
        status: 'open',
        symbols: 'AAPL,MSFT',
        side: 'BUY',
        start_time: '2026-11-25T00:00:00Z',
        end_time: '2026-11-26T00:00:00Z',
        account_id: 'acc_1',
        connection_id: 'conn_1',
        limit: '2',
      })
      .reply(200, pageFixture(orders, 'c_2', null));
    const page = await userClient().orders.list({
      status: 'open',
      symbols: ['AAPL', 'MSFT'],
      side: 'BUY',
      start_time: '2026-11-25T00:00:00Z',
      end_time: '2026-11-26T00:00:00Z',
      account_id: 'acc_1',
      connection_id: 'conn_1',
      limit: 2,
    });
    expect(page.data).toEqual(orders);
    expect(page.nextCursor).toBe('c_2');
    expect(page.prevCursor).toBeNull();
    expect(page.hasNextPage()).toBe(true);
  });

  it('orders.replace: PATCH with decimals as strings; orders.cancel: DELETE', async () => {
    const replacing = orderFixture({ replaces_order_id: 'ord_1', order_limit_price: '188' });
    const cancelled = orderFixture({ status: 'pending_cancel' });
    let patchBody: unknown;
    api()
      .patch('/accounts/acc_1/orders/ord_1')
      .reply((_uri, body) => {
        patchBody = body;
        return [200, replacing];
      })
      .delete('/accounts/acc_1/orders/ord_1')
      .matchHeader('user-id', CREDS.userId)
      .reply(200, cancelled);
    const u = userClient();
    expect(
      await u.orders.replace('acc_1', 'ord_1', {
        new_cl_order_id: 'ct_r1',
        broker: 'ALPACA',
        order_limit_price: 188,
      }),
    ).toEqual(replacing);
    expect(patchBody).toEqual({ new_cl_order_id: 'ct_r1', broker: 'ALPACA', order_limit_price: '188' });
    fixture('ReplaceOrderRequest', patchBody);
    expect(await u.orders.cancel('acc_1', 'ord_1')).toEqual(cancelled);
  });

  it('tokens.create: POST /auth/tokens/user', async () => {
    let sent: unknown;
    api()
      .post('/auth/tokens/user')
      .matchHeader('user-secret', CREDS.userSecret)
      .reply((_uri, body) => {
        sent = body;
        return [
          200,
          fixture('UserToken', { access_token: 'eyJhbGciOiJIUzI1NiJ9.e30.c2ln', expires_in: '3600' }),
        ];
      });
    expect(await userClient().tokens.create({ scopes: ['read'] })).toEqual({
      access_token: 'eyJhbGciOiJIUzI1NiJ9.e30.c2ln',
      expires_in: '3600',
    });
    expect(sent).toEqual(fixture('CreateUserTokenRequest', { scopes: ['read'] }));
  });

  it('per-call headers are added, but never override authentication', async () => {
    const { seen, record } = capture();
    api()
      .get('/connections')
      .reply(function () {
        record(this.req as never, undefined);
        return [200, []];
      });
    await userClient().connections.list({ headers: { 'x-extra': '1', 'user-secret': 'forged' } });
    expect(seen[0]?.headers).toEqual({ ...USER_HEADERS, 'x-extra': '1' });
  });

  it('uses the base URL from CONNECT_TRADE_BASE_URL and credentials from the environment', async () => {
    const saved = { ...process.env };
    process.env.CONNECT_TRADE_BASE_URL = `${API}/`;
    process.env.CONNECT_TRADE_CLIENT_ID = 'env_client';
    process.env.CONNECT_TRADE_CLIENT_SECRET = 'env_secret_value';
    try {
      const { ConnectTrade } = await import('../../../src/rest');
      api()
        .get('/users')
        .matchHeader('client-id', 'env_client')
        .matchHeader('client-secret', 'env_secret_value')
        .reply(200, []);
      await new ConnectTrade({ fetch: (i, init) => fetch(i, init) }).users.list();
    } finally {
      process.env = saved;
    }
  });
});
