/**
 * Production spellings are the sandbox's default (so the SDK's tolerant reader runs on every test),
 * the reference's are one option away; `POST /connections` takes `type` or `connection_type`, the
 * `readonly` type and an upper-case broker (issue 14, part 1, items 1 and 2).
 */
import type { Sandbox } from '../../src/sandbox';
import { assertMatchesSchema } from '../helpers/spec';
import { call, onboard, orderBody, testSandbox } from './helpers';

describe('field spellings the sandbox emits', () => {
  async function spellingsOf(sb: Sandbox) {
    const user = await call(sb, 'POST', '/users', { body: { user_id: 'speller' } });
    const secret = user.body.user_secret ?? user.body['user-secret'];
    const who = { userId: 'speller', userSecret: secret };
    const link = await call(sb, 'POST', '/connections', {
      who,
      body: { type: 'trade', redirect_url: 'https://app.example/cb', broker: 'ALPACA' },
    });
    const listed = await call(sb, 'GET', '/connections', { who });
    assertMatchesSchema('CreateUserResponse', user.body);
    assertMatchesSchema('CreateConnectionResponse', link.body);
    assertMatchesSchema('Connection', listed.body[0]);
    return {
      user: Object.keys(user.body).sort(),
      link: Object.keys(link.body).sort(),
      listed: Object.keys(listed.body[0]).sort(),
    };
  }

  it("emits production's names by default: user_secret, connection_request_url, connection_type", async () => {
    const sb = await testSandbox();
    try {
      expect(await spellingsOf(sb)).toEqual({
        user: ['user_id', 'user_secret'],
        link: ['connection_id', 'connection_request_url', 'expires_at'],
        listed: ['accounts', 'broker', 'connection_id', 'connection_type', 'status'],
      });
    } finally {
      await sb.close();
    }
  });

  it("emits the reference's names with spellings: 'reference'", async () => {
    const sb = await testSandbox({ spellings: 'reference' });
    try {
      expect(await spellingsOf(sb)).toEqual({
        user: ['user-secret', 'user_id'],
        link: ['authorization_url', 'connection_id', 'expires_at'],
        listed: ['accounts', 'broker', 'connection_id', 'status', 'type'],
      });
    } finally {
      await sb.close();
    }
  });

  it('refuses an unknown spellings value at start', async () => {
    await expect(testSandbox({ spellings: 'british' as never })).rejects.toThrow(/spellings/);
  });
});

describe('POST /connections: either name of the type, readonly, an upper-case broker', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await testSandbox();
  });
  afterAll(() => sb.close());

  it('accepts `connection_type: "readonly"` with an upper-case broker; the account cannot trade', async () => {
    const { who } = await onboard(sb, 'reader');
    const link = await call(sb, 'POST', '/connections', {
      who,
      body: { connection_type: 'readonly', broker: 'ALPACA', redirect_url: 'https://app.example/cb' },
    });
    expect(link.status).toBe(200);
    await sb.authorize(link.body.connection_request_url);
    const listed = await call(sb, 'GET', '/connections', { who });
    const readonly = listed.body.find(
      (c: { connection_id: string }) => c.connection_id === link.body.connection_id,
    );
    expect(readonly).toMatchObject({ connection_type: 'readonly', broker: 'ALPACA', status: 'active' });
    expect(readonly.accounts).toHaveLength(1);
    const account = { account_id: readonly.accounts[0].account_id, broker: 'ALPACA' };
    const order = await call(sb, 'POST', '/orders', { who, body: orderBody(account) });
    expect(order.status).toBe(200);
    expect(order.body).toMatchObject({
      status: 'rejected',
      broker_message: expect.stringMatching(/Read-only/),
    });
  });

  it('accepts `type` as before', async () => {
    const { who } = await onboard(sb, 'typer');
    const link = await call(sb, 'POST', '/connections', {
      who,
      body: { type: 'market_data', redirect_url: 'https://app.example/cb' },
    });
    expect(link.status).toBe(200);
  });

  it('refuses both names at once, and neither, with a 400', async () => {
    const { who } = await onboard(sb, 'both');
    const both = await call(sb, 'POST', '/connections', {
      who,
      body: { type: 'trade', connection_type: 'trade', redirect_url: 'https://app.example/cb' },
    });
    expect(both.status).toBe(400);
    const neither = await call(sb, 'POST', '/connections', {
      who,
      body: { redirect_url: 'https://app.example/cb' },
    });
    expect(neither.status).toBe(400);
    expect(neither.body.message).toMatch(/type/);
  });
});
