/**
 * Scoped redaction: a request is scrubbed with the secrets it sent and those its client holds, no
 * process-global list grows with the number of users, and every string that reaches the caller
 * (keys, `code`, causes) is scrubbed.
 */
import { spawnSync } from 'node:child_process';
import { inspect } from 'node:util';
import { ambientSecretCount, registerSecret } from '../../src/core/redact';
import { SecretScope } from '../../src/core/secret-scope';
import { AuthenticationError, BadRequestError, InternalServerError } from '../../src/rest';
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

describe('no global list of user secrets', () => {
  it('forUser and secret providers leave the ambient registry as it was', async () => {
    const ct = platformClient();
    const before = ambientSecretCount();
    for (let i = 0; i < 500; i++) ct.forUser({ userId: `u${i}`, userSecret: `us_string_secret_${i}` });
    const provided = Array.from({ length: 20 }, (_, i) => `us_provided_secret_${i}`);
    for (const secret of provided) {
      api().get('/connections').matchHeader('user-secret', secret).reply(200, []);
      await ct.forUser({ userId: 'p', userSecret: async () => secret }).connections.list();
    }
    expect(ambientSecretCount()).toBe(before);
  });

  it('a value registered again (a provider asked on every reconnect) stays one entry', () => {
    const owner = {};
    const before = ambientSecretCount();
    for (let i = 0; i < 1_000; i++) registerSecret('ambient_same_secret_value', owner);
    expect(ambientSecretCount()).toBe(before + 1);
  });

  it('an ambient secret goes away with its owner (WeakRef)', () => {
    // A child process with --expose-gc, so the collection is real and deterministic enough.
    const script = `
      const { registerSecret, ambientSecretCount, redact } = require('./src/core/redact.ts');
      (function () { for (let i = 0; i < 100; i++) registerSecret('owned_secret_' + i, { i }); })();
      const held = {}; registerSecret('held_secret_x', held);
      const before = ambientSecretCount();
      (async () => {
        // Each turn starts a new job: a WeakRef's target is only kept alive until its job ends.
        for (let i = 0; i < 20 && ambientSecretCount() > 1; i++) {
          await new Promise((r) => setTimeout(r, 10)); global.gc();
          await new Promise((r) => setTimeout(r, 10)); redact('x');
        }
        console.log(JSON.stringify({ before, after: ambientSecretCount(), held: redact('a held_secret_x b'), owner: typeof held }));
      })();`;
    const out = spawnSync(process.execPath, ['--expose-gc', '--require', 'tsx/cjs', '-e', script], {
      cwd: `${__dirname}/../..`,
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(out.stderr).toBe('');
    const result = JSON.parse(out.stdout.trim().split('\n').pop() ?? '{}');
    expect(result.before).toBe(101);
    expect(result.after).toBe(1);
    expect(result.held).toBe('a [REDACTED] b');
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
    expect(() => new SecretScope().redactBody(deep)).not.toThrow();
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
