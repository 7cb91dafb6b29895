/**
 * Scoped redaction: a request is scrubbed with the secrets it sent and those its client holds, no
 * process-global list grows with the number of users, and every string that reaches the caller
 * (keys, `code`, causes) is scrubbed.
 */
import { inspect } from 'node:util';
import { redactBodyIn, SecretScope } from '../../src/core/secret-scope';
import { AuthenticationError, BadRequestError, InternalServerError, NotFoundError } from '../../src/rest';
import { BrokerageStream } from '../../src/streams';
import { api, CREDS, platformClient, recordingLogger, useNock, userClient } from '../helpers/rest';

useNock();

function expectClean(error: unknown, secrets: readonly string[]) {
  const e = error as { code?: unknown; cause?: { message?: string } };
  const views = [
    String(error),
    JSON.stringify(error),
    inspect(error, { depth: 20, showHidden: true }),
    String(e.code),
    (error as Error).stack ?? '',
    String(e.cause?.message ?? ''),
  ];
  for (const view of views) for (const secret of secrets) expect(view).not.toContain(secret);
}

describe('a secret is scrubbed only from its owner’s messages', () => {
  it('another client’s secret (`nope`) leaves an unrelated 404 intact', async () => {
    const path = '/accounts/acc_1/orders/ord_nope';
    api().delete(path).reply(401, { message: 'bad secret nope' });
    const other = platformClient({ clientSecret: 'nope' }).forUser({ userId: 'u', userSecret: 'us_other' });
    await expect(other.orders.cancel('acc_1', 'ord_nope')).rejects.toBeInstanceOf(AuthenticationError);
    api().delete(path).reply(404, { message: 'order ord_nope not found' });
    const error = await userClient()
      .orders.cancel('acc_1', 'ord_nope')
      .catch((e) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.message).toBe('order ord_nope not found');
    expect(error.body).toEqual({ message: 'order ord_nope not found' });
  });

  it('long secrets of other clients, their users and streams do not touch this client’s errors', async () => {
    const foreign = ['cs_other_client_secret_1', 'us_other_user_secret_22', 'cs_stream_only_secret_3'];
    const ct = platformClient({ clientSecret: foreign[0] });
    api().get('/connections').reply(200, []);
    await ct.forUser({ userId: 'x', userSecret: foreign[1] as string }).connections.list();
    const stream = new BrokerageStream({ clientId: 'cid', clientSecret: foreign[2] as string });
    const text = `mentions ${foreign.join(' ')}`;
    api().get('/connections').reply(400, { message: text });
    const error = await userClient()
      .connections.list()
      .catch((e) => e);
    expect(error.message).toBe(text);
    await stream.close();
  });

  it('a client’s own short secret is redacted where it is a whole field, not inside other text', async () => {
    api().get('/connections').reply(401, { code: 'nope', message: 'conn_nope: bad' }, { 'x-echo': 'nope' });
    const u = platformClient({ clientSecret: 'nope' }).forUser({ userId: 'u', userSecret: 'us_short_test' });
    const error = await u.connections.list().catch((e) => e);
    expect(error.code).toBe('[REDACTED]');
    expect(error.headers['x-echo']).toBe('[REDACTED]');
    expect(error.message).toBe('conn_nope: bad');
  });
});

describe('a request is scrubbed with what it used', () => {
  it("a provider's secret, echoed in message, code, key and header, never reaches the caller", async () => {
    const secret = 'us_rotated_only_here_91ab';
    api()
      .get('/connections')
      .reply(
        401,
        { code: secret, message: `bad ${secret}`, details: { [secret]: 1, [`k-${CREDS.clientSecret}`]: 2 } },
        { 'x-echo': secret, [`x-${CREDS.clientSecret.toLowerCase()}`]: 'v' },
      );
    const u = platformClient().forUser({ userId: 'u', userSecret: () => secret });
    const error = await u.connections.list().catch((e) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.code).toBe('[REDACTED]');
    expect(error.body.details).toEqual({ '[REDACTED]': 1, 'k-[REDACTED]': 2 });
    expectClean(error, [secret, CREDS.clientSecret]);
    expectClean(error.headers, [secret, CREDS.clientSecret]);
  });

  it('a secret spelled with JSON escapes is still found (the body is scrubbed parsed, not as text)', async () => {
    const escaped = [...CREDS.userSecret]
      .map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
      .join('');
    api().get('/connections').reply(400, `{"code":"${escaped}","message":"x","${escaped}":true}`, {
      'content-type': 'application/json',
    });
    const error = await userClient()
      .connections.list()
      .catch((e) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expectClean(error, [CREDS.userSecret]);
  });

  it('tokens a user obtained are scrubbed from that user’s later errors', async () => {
    const token = 'md_token_obtained_5c2e';
    api().get('/connections/c1/token').reply(200, { token, expires_at: '2030-01-01T00:00:00Z' });
    api().get('/connections').reply(500, `upstream said ${token}`);
    const u = userClient({ maxRetries: 0 });
    expect((await u.connections.token('c1')).token).toBe(token);
    const error = await u.connections.list().catch((e) => e);
    expect(error).toBeInstanceOf(InternalServerError);
    expectClean(error, [token]);
  });

  it('log lines are scrubbed with the request’s secrets', async () => {
    const secret = 'us_logged_provider_secret';
    const logger = recordingLogger();
    api()
      .get('/connections')
      .reply(503, { message: `down for ${secret}` });
    const u = platformClient({ logger, maxRetries: 0 }).forUser({
      userId: 'u',
      userSecret: async () => secret,
    });
    await expect(u.connections.list()).rejects.toBeInstanceOf(InternalServerError);
    expect(logger.lines.length).toBeGreaterThan(0);
    expect(JSON.stringify(logger.lines)).not.toContain(secret);
  });

  it('a connection error whose cause names a secret is scrubbed, cause included', async () => {
    const secret = 'us_in_a_cause_message_77';
    const u = platformClient({
      maxRetries: 0,
      fetch: async () => {
        throw new TypeError(`socket closed while sending ${secret}`);
      },
    }).forUser({ userId: 'u', userSecret: async () => secret });
    const error = await u.connections.list().catch((e) => e);
    expect(error.name).toBe('APIConnectionError');
    expectClean(error, [secret]);
  });
});

describe('SecretScope', () => {
  it('keeps only its most recent values, and never shows them', () => {
    const scope = new SecretScope(undefined, [], 2);
    for (const v of ['first_secret', 'second_secret', 'third_secret']) scope.add(v);
    expect(scope.redact('first_secret second_secret third_secret')).toBe(
      'first_secret [REDACTED] [REDACTED]',
    );
    expect(inspect(scope, { showHidden: true })).not.toContain('secret_');
    expect(JSON.stringify({ scope })).not.toContain('secret_');
  });

  it('a body nested thousands deep is scrubbed without a stack overflow', () => {
    const deep = `${'['.repeat(5_000)}"x"${']'.repeat(5_000)}`;
    expect(() => redactBodyIn(new SecretScope(), deep)).not.toThrow();
  });
});

describe('forUser is small', () => {
  it('every user shares the platform client’s openapi-fetch client (no per-user client or middleware)', () => {
    const ct = platformClient();
    const cores = [
      ct.forUser({ userId: 'a', userSecret: 'us_aaaa' }),
      ct.forUser({ userId: 'b', userSecret: 'us_bbbb' }),
    ]
      .flatMap((u) => [u.orders, u.connections, u.accounts])
      .map((r) => (r as unknown as { core: { client: unknown } }).core);
    const usersCore = (ct.users as unknown as { core: { client: unknown } }).core;
    for (const core of cores) expect(core.client).toBe(usersCore.client);
  });
});
