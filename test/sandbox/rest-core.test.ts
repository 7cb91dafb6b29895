import { performance } from 'node:perf_hooks';
import type { Sandbox } from '../../src/sandbox';
import { startSandbox } from '../../src/sandbox';
import { assertMatchesSchema } from '../helpers/spec';
import { call, onboard, testSandbox } from './helpers';

describe('sandbox REST: users, connections, accounts', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await testSandbox();
  });
  afterAll(() => sb.close());
  afterEach(() => expect(sb.violations).toEqual([]));

  it('starts in under a second and closes cleanly', async () => {
    const started = performance.now();
    const other = await startSandbox();
    const elapsed = performance.now() - started;
    await other.close();
    expect(elapsed).toBeLessThan(1000);
    expect(other.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(other.streamUrl).toBe(`${other.url.replace('http', 'ws')}/stream`);
    expect(other.marketDataUrl).toBe(`${other.url.replace('http', 'ws')}/mdstream`);
  });

  it('creates, lists and deletes users with platform credentials only', async () => {
    const created = await call(sb, 'POST', '/users', { body: { user_id: 'alice' } });
    expect(created.status).toBe(200);
    assertMatchesSchema('CreateUserResponse', created.body);
    expect(created.body.user_id).toBe('alice');
    expect(created.body.user_secret).toEqual(expect.any(String));
    expect(created.headers.get('x-request-id')).toMatch(/^req_/);

    const duplicate = await call(sb, 'POST', '/users', { body: { user_id: 'alice' } });
    expect(duplicate.status).toBe(409);
    assertMatchesSchema('Error', duplicate.body);

    const list = await call(sb, 'GET', '/users');
    expect(list.status).toBe(200);
    expect(list.body.map((u: { user_id: string }) => u.user_id)).toContain('alice');
    for (const user of list.body) assertMatchesSchema('User', user);

    const deleted = await call(sb, 'DELETE', '/users/alice');
    expect(deleted.body).toEqual({ user_id: 'alice', deleted: true });
    assertMatchesSchema('DeleteUserResponse', deleted.body);
    expect((await call(sb, 'DELETE', '/users/alice')).status).toBe(404);
  });

  it('answers 401 for missing or wrong platform credentials', async () => {
    const noSecret = await fetch(`${sb.url}/users`, { headers: { 'client-id': sb.credentials.clientId } });
    expect(noSecret.status).toBe(401);
    expect((await noSecret.json()).message).toContain('client-secret');
    const wrong = await call(sb, 'GET', '/users', { headers: { 'client-secret': 'nope' } });
    expect(wrong.status).toBe(401);
    assertMatchesSchema('Error', wrong.body);
  });

  it('answers 401 on user operations without valid user credentials', async () => {
    const { who } = await onboard(sb, 'bob');
    const missing = await call(sb, 'GET', '/accounts');
    expect(missing.status).toBe(401);
    expect(missing.body.message).toContain('user-id');
    const noSecret = await call(sb, 'GET', '/accounts', { who: { userId: who.userId } });
    expect(noSecret.status).toBe(401);
    expect(noSecret.body.message).toContain('user-secret');
    const wrong = await call(sb, 'GET', '/accounts', { who: { userId: who.userId, userSecret: 'bad' } });
    expect(wrong.status).toBe(401);
    const unknownUser = await call(sb, 'GET', '/accounts', { who: { userId: 'ghost', userSecret: 'x' } });
    expect(unknownUser.status).toBe(401);
  });

  it('connects a broker through the local authorization page and opens a funded paper account', async () => {
    const created = await call(sb, 'POST', '/users', { body: { user_id: 'carol' } });
    const who = { userId: 'carol', userSecret: created.body.user_secret };
    const connection = await call(sb, 'POST', '/connections', {
      who,
      body: { type: 'trade', redirect_url: 'https://app.example/done?state=xyz', broker: 'ALPACA' },
    });
    expect(connection.status).toBe(200);
    assertMatchesSchema('CreateConnectionResponse', connection.body);
    expect(connection.body.connection_request_url).toBe(
      `${sb.url}/authorize/${connection.body.connection_id}`,
    );

    const pending = await call(sb, 'GET', '/connections', { who });
    expect(pending.body[0]).toMatchObject({ status: 'pending', broker: 'ALPACA', connection_type: 'trade' });

    // Opening the page changes nothing; the login form's POST (what sandbox.authorize sends) links it.
    expect((await fetch(connection.body.connection_request_url)).status).toBe(200);
    expect((await call(sb, 'GET', '/connections', { who })).body[0].status).toBe('pending');
    const { redirectUrl } = await sb.authorize(connection.body.connection_request_url);
    const location = new URL(redirectUrl);
    expect(location.origin + location.pathname).toBe('https://app.example/done');
    expect(location.searchParams.get('state')).toBe('xyz');
    expect(location.searchParams.get('connection_id')).toBe(connection.body.connection_id);

    const connections = await call(sb, 'GET', '/connections', { who });
    expect(connections.body).toHaveLength(1);
    for (const c of connections.body) assertMatchesSchema('Connection', c);
    expect(connections.body[0].status).toBe('active');
    expect(connections.body[0].accounts).toHaveLength(1);

    const accounts = await call(sb, 'GET', '/accounts', { who });
    expect(accounts.body).toHaveLength(1);
    for (const a of accounts.body) assertMatchesSchema('Account', a);
    expect(accounts.body[0]).toMatchObject({
      broker: 'ALPACA',
      connection_id: connection.body.connection_id,
    });
    expect((await call(sb, 'GET', '/accounts?broker=OTHER', { who })).body).toEqual([]);

    const balances = await call(sb, 'GET', '/balances', { who });
    for (const b of balances.body) assertMatchesSchema('Balance', b);
    expect(balances.body[0]).toMatchObject({
      cash: '100000.00',
      buying_power: '100000.00',
      equity: '100000.00',
      currency: 'USD',
    });

    const positions = await call(sb, 'GET', '/positions', { who });
    expect(positions.body).toEqual([]);
    const transactions = await call(sb, 'GET', '/transactions', { who });
    expect(transactions.body).toHaveLength(1);
    assertMatchesSchema('Transaction', transactions.body[0]);
    expect(transactions.body[0]).toMatchObject({ type: 'DEPOSIT', amount: '100000.00' });

    expect((await call(sb, 'GET', '/balances?account_id=acc_nope', { who })).status).toBe(404);
  });

  it('issues 24-hour market-data tokens, one active per connection, and deletes connections', async () => {
    const { who, connectionId } = await onboard(sb, 'dave');
    const first = await call(sb, 'GET', `/connections/${connectionId}/token`, { who });
    expect(first.status).toBe(200);
    assertMatchesSchema('ConnectionToken', first.body);
    const ttl = Date.parse(first.body.expires_at) - Date.now();
    expect(ttl).toBeGreaterThan(24 * 3_600_000 - 60_000);
    expect(ttl).toBeLessThanOrEqual(24 * 3_600_000 + 1000);
    const second = await call(sb, 'GET', `/connections/${connectionId}/token`, { who });
    expect(second.body.token).not.toBe(first.body.token);

    expect((await call(sb, 'GET', '/connections/conn_nope/token', { who })).status).toBe(404);
    const deleted = await call(sb, 'DELETE', `/connections/${connectionId}`, { who });
    expect(deleted.body).toEqual({ connection_id: connectionId, deleted: true });
    assertMatchesSchema('DeleteConnectionResponse', deleted.body);
    expect((await call(sb, 'GET', '/accounts', { who })).body).toEqual([]);
    expect((await call(sb, 'DELETE', `/connections/${connectionId}`, { who })).status).toBe(404);
  });

  it('mints user access tokens', async () => {
    const { who } = await onboard(sb, 'erin');
    const token = await call(sb, 'POST', '/auth/tokens/user', { who, body: { scopes: ['read', 'trade'] } });
    expect(token.status).toBe(200);
    assertMatchesSchema('UserToken', token.body);
  });

  it('rejects requests that break the spec with a 400 naming the field', async () => {
    const missing = await call(sb, 'POST', '/users', { body: {} });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toContain('`user_id`');
    const extra = await call(sb, 'POST', '/users', { body: { user_id: 'x', admin: true } });
    expect(extra.body.message).toContain('`admin`');
    const { who } = await onboard(sb, 'frank');
    const badType = await call(sb, 'POST', '/connections', {
      who,
      body: { type: 'fax', redirect_url: 'https://a.b' },
    });
    expect(badType.status).toBe(400);
    expect(badType.body.message).toContain('`type`');
    const badLimit = await call(sb, 'GET', '/orders?limit=501', { who });
    expect(badLimit.status).toBe(400);
    expect(badLimit.body.message).toContain('`limit`');
    const badParam = await call(sb, 'GET', '/orders?colour=red', { who });
    expect(badParam.body.message).toContain('`colour`');
    const notJson = await fetch(`${sb.url}/users`, {
      method: 'POST',
      headers: {
        'client-id': sb.credentials.clientId,
        'client-secret': sb.credentials.clientSecret,
        'content-type': 'application/json',
      },
      body: '{nope',
    });
    expect(notJson.status).toBe(400);
    const unknownRoute = await call(sb, 'GET', '/nothing');
    expect(unknownRoute.status).toBe(404);
  });
});
