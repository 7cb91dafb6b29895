/** Status → error class, error contents, configuration errors before I/O, and secret redaction. */
import { inspect } from 'node:util';
import {
  APIConnectionError,
  APIError,
  AuthenticationError,
  BadRequestError,
  ConfigurationError,
  ConflictError,
  ConnectTrade,
  ConnectTradeError,
  InternalServerError,
  MalformedResponseError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  UnprocessableEntityError,
} from '../../src/rest';
import {
  API,
  api,
  CREDS,
  fixture,
  platformClient,
  recordingLogger,
  useNock,
  userClient,
} from '../helpers/rest';

useNock();

describe('status to error class', () => {
  it.each([
    [400, BadRequestError],
    [401, AuthenticationError],
    [403, PermissionDeniedError],
    [404, NotFoundError],
    [409, ConflictError],
    [422, UnprocessableEntityError],
    [429, RateLimitError],
    [500, InternalServerError],
    [502, InternalServerError],
    [503, InternalServerError],
    [504, InternalServerError],
    [418, APIError],
  ])('%i → %p, with message, code, body and requestId', async (status, Class) => {
    const body = fixture('Error', { message: `boom ${status}`, code: 'some_code' });
    api().get('/users').reply(status, body, { 'x-request-id': 'req_123' });
    const error = await platformClient({ maxRetries: 0 })
      .users.list()
      .catch((e) => e);
    expect(error).toBeInstanceOf(Class);
    expect(error).toBeInstanceOf(APIError);
    expect(error.name).toBe(Class.name);
    expect(error).toMatchObject({
      status,
      message: `boom ${status}`,
      code: 'some_code',
      requestId: 'req_123',
      body,
    });
  });

  it('an HTML 502 from a proxy is still an InternalServerError with a readable message', async () => {
    api()
      .get('/users')
      .reply(502, '<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>', {
        'content-type': 'text/html',
      });
    const error = await platformClient({ maxRetries: 0 })
      .users.list()
      .catch((e) => e);
    expect(error).toBeInstanceOf(InternalServerError);
    expect(error.status).toBe(502);
    expect(error.message).toBe('502 502 Bad Gateway');
  });

  it('an empty error body still maps by status', async () => {
    api().get('/users').reply(404);
    const error = await platformClient()
      .users.list()
      .catch((e) => e);
    expect(error).toBeInstanceOf(NotFoundError);
  });

  it('a network failure is an APIConnectionError keeping its cause', async () => {
    api().get('/users').replyWithError({ code: 'ECONNRESET', message: 'socket hang up' });
    const error = await platformClient({ maxRetries: 0 })
      .users.list()
      .catch((e) => e);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(error.cause).toBeDefined();
  });
});

describe('configuration errors come before any I/O', () => {
  // With net connect disabled and no interceptor, any request would fail with a connection error.
  it('missing client credentials', async () => {
    const ct = new ConnectTrade({
      baseUrl: API,
      clientId: '',
      clientSecret: '',
      fetch: (i, init) => fetch(i, init),
    });
    const saved = { ...process.env };
    delete process.env.CONNECT_TRADE_CLIENT_ID;
    delete process.env.CONNECT_TRADE_CLIENT_SECRET;
    try {
      await expect(ct.users.list()).rejects.toBeInstanceOf(ConfigurationError);
      await expect(new ConnectTrade({ baseUrl: API }).users.list()).rejects.toThrow(
        /CONNECT_TRADE_CLIENT_ID/,
      );
    } finally {
      process.env = saved;
    }
  });

  it('a user secret provider that returns nothing', async () => {
    const fetchSpy = jest.fn();
    const u = new ConnectTrade({
      baseUrl: API,
      clientId: 'a',
      clientSecret: 'bbbb',
      fetch: fetchSpy,
    }).forUser({
      userId: 'u',
      userSecret: async () => '',
    });
    await expect(u.connections.list()).rejects.toBeInstanceOf(ConfigurationError);
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('an async user secret provider is called on every request (rotation)', async () => {
    const secrets = ['us_rotating_one', 'us_rotating_two'];
    const u = platformClient().forUser({ userId: 'u', userSecret: async () => secrets.shift() ?? 'none' });
    api().get('/connections').matchHeader('user-secret', 'us_rotating_one').reply(200, []);
    api().get('/connections').matchHeader('user-secret', 'us_rotating_two').reply(200, []);
    await u.connections.list();
    await u.connections.list();
  });

  it('malformed options and forUser arguments', () => {
    expect(() => new ConnectTrade({ timeout: -1 })).toThrow(ConfigurationError);
    expect(() => new ConnectTrade({ maxRetries: 1.5 })).toThrow(ConfigurationError);
    expect(() => new ConnectTrade({ baseUrl: 'ftp://x' })).toThrow(ConfigurationError);
    expect(() => platformClient().forUser({ userId: '', userSecret: 'x' })).toThrow(ConfigurationError);
    expect(() => platformClient().forUser({ userId: 'u', userSecret: 5 as never })).toThrow(
      ConfigurationError,
    );
  });
});

describe('secrets never leak', () => {
  const SECRETS = [CREDS.clientSecret, CREDS.userSecret];
  const expectClean = (text: string) => {
    for (const secret of SECRETS) expect(text).not.toContain(secret);
  };

  it('not in String, JSON.stringify or util.inspect of an error whose body echoes them', async () => {
    api()
      .get('/connections')
      .reply(401, fixture('Error', { message: `bad secret ${CREDS.userSecret} for ${CREDS.clientSecret}` }), {
        'x-request-id': 'r1',
        'x-echo': CREDS.clientSecret,
      });
    const error = await userClient()
      .connections.list()
      .catch((e) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expectClean(String(error));
    expectClean(JSON.stringify(error));
    expectClean(inspect(error, { depth: 10 }));
    expectClean(error.stack ?? '');
  });

  it('not in util.inspect or JSON.stringify of the clients', () => {
    const ct = platformClient();
    const u = ct.forUser({ userId: CREDS.userId, userSecret: CREDS.userSecret });
    for (const value of [ct, u, ct.users, u.orders]) {
      expectClean(inspect(value, { depth: 20, showHidden: true }));
      expectClean(JSON.stringify(value));
    }
    expect(inspect(ct)).toContain(CREDS.clientId);
  });

  it('not in the log output, which records method, path, status, attempt, duration and request id', async () => {
    const logger = recordingLogger();
    api().get('/connections').reply(200, [], { 'x-request-id': 'req_ok' });
    api()
      .get('/connections')
      .reply(403, fixture('Error', { message: `nope ${CREDS.userSecret}` }), { 'x-request-id': 'req_no' });
    const u = userClient({ logger });
    await u.connections.list();
    await expect(u.connections.list()).rejects.toBeInstanceOf(PermissionDeniedError);
    expect(logger.lines[0]).toMatchObject({
      level: 'debug',
      fields: { method: 'GET', path: '/connections', status: 200, attempt: 1, requestId: 'req_ok' },
    });
    expect(logger.lines[0]?.fields).toHaveProperty('durationMs', expect.any(Number));
    expect(logger.lines[1]).toMatchObject({ level: 'warn', fields: { status: 403, requestId: 'req_no' } });
    expectClean(JSON.stringify(logger.lines));
  });

  it('a throwing logger does not break a request', async () => {
    const boom = () => {
      throw new Error('sink down');
    };
    api().get('/users').reply(200, []);
    const ct = platformClient({ logger: { debug: boom, info: boom, warn: boom, error: boom } });
    await expect(ct.users.list()).resolves.toEqual([]);
  });
});

describe('util.inspect of an error', () => {
  it('reads like a built-in error: stack, then the fields, without a JSON copy appended', async () => {
    api()
      .get('/users')
      .reply(404, fixture('Error', { message: 'no such user', code: 'not_found' }), { 'x-request-id': 'r9' });
    const error = await platformClient()
      .users.list()
      .catch((e) => e);
    const shown = inspect(error);
    expect(shown.startsWith('NotFoundError: no such user\n    at ')).toBe(true);
    expect(shown).not.toContain('{"name"');
    expect(shown).not.toMatch(/"message":/);
    expect(shown).toMatch(/status: 404/);
    expect(shown).toMatch(/requestId: 'r9'/);
    expect(shown).toMatch(/code: 'not_found'/);
  });

  it('shows the cause of a connection error on one line', async () => {
    api().get('/users').replyWithError({ code: 'ECONNRESET', message: 'socket hang up' });
    const error = await platformClient({ maxRetries: 0 })
      .users.list()
      .catch((e) => e);
    expect(inspect(error)).toMatch(/\[cause\]: .*socket hang up/);
  });
});

describe('AuthenticationError.reason', () => {
  it.each([
    [{ message: 'Insufficient entitlements for this operation' }, 'entitlement'],
    [{ message: 'Forbidden', code: 'insufficient_entitlements' }, 'entitlement'],
    [{ message: 'This broker is not enabled for your plan' }, 'entitlement'],
    [{ message: 'Invalid client credentials' }, 'credentials'],
    [{ message: 'missing header `user-secret`', code: 'unauthorized' }, 'credentials'],
    [{ message: 'Unauthorized' }, 'unknown'],
    [{ message: 'Nope', code: 'unauthorized' }, 'unknown'],
  ])('%j → %s', async (body, reason) => {
    api().get('/connections').reply(401, body);
    const error = await userClient()
      .connections.list()
      .catch((e) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.reason).toBe(reason);
  });

  it('an empty or non-JSON 401 is unknown, never "credentials"', async () => {
    api().get('/connections').reply(401, '');
    api().get('/connections').reply(401, '<html>401</html>');
    for (let i = 0; i < 2; i++) {
      const error = await userClient()
        .connections.list()
        .catch((e) => e);
      expect(error.reason).toBe('unknown');
    }
  });
});

describe('hostile error bodies stay typed', () => {
  const deep = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

  it('an error body nested 5,000 arrays deep is a BadRequestError from orders.create, its body kept as text', async () => {
    api().post('/orders').reply(400, deep(5_000), { 'content-type': 'application/json' });
    const error = await userClient()
      .orders.create({
        account_id: 'acc_1',
        broker: 'ALPACA',
        side: 'BUY',
        order_type: 'LMT',
        order_tif: 'DAY',
        instrument: 'EQ',
        symbol: 'AAPL',
        order_qty: 10,
        order_limit_price: 0.1,
      })
      .catch((e) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(typeof error.body).toBe('string');
    expect(() => JSON.stringify(error)).not.toThrow();
    expect(() => inspect(error)).not.toThrow();
  });

  it('a 2xx body nested deep, or of the wrong shape, is a MalformedResponseError', async () => {
    api().get('/users').reply(200, deep(5_000), { 'content-type': 'application/json' });
    api().get('/users').reply(200, '[1, null, "x"]', { 'content-type': 'application/json' });
    api().get('/users').reply(200, '{"truncated": ', { 'content-type': 'application/json' });
    for (let i = 0; i < 3; i++) {
      const error = await platformClient()
        .users.list()
        .catch((e) => e);
      expect(error).toBeInstanceOf(MalformedResponseError);
      expect(error).toBeInstanceOf(ConnectTradeError);
    }
  });
});
