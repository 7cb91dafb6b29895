/** The public ways to complete a broker link in the sandbox (issue 10, item 6). */
import { ConnectTrade } from '../../src';
import { authorizeSandboxConnection, type Sandbox, startSandbox } from '../../src/sandbox';

let sb: Sandbox;
let user: ReturnType<ConnectTrade['forUser']>;
beforeAll(async () => {
  sb = await startSandbox({ tickMs: 0 });
  const ct = new ConnectTrade({ ...sb.credentials, baseUrl: sb.url });
  const { user_id, user_secret } = await ct.users.create({ user_id: 'linker' });
  user = ct.forUser({ userId: user_id, userSecret: user_secret });
});
afterAll(() => sb.close());

const link = (type: 'trade' | 'readonly' | 'market_data' = 'trade') =>
  user.connections.create({ type, broker: 'ALPACA', redirect_url: 'https://app.example/linked?state=s1' });

describe('sandbox.authorize (in process)', () => {
  it('activates the connection, opens its account and returns the id and the redirect', async () => {
    const { authorization_url } = await link();
    const result = await sb.authorize(authorization_url);
    expect(result.connectionId).toMatch(/^conn_/);
    const redirect = new URL(result.redirectUrl);
    expect(redirect.searchParams.get('connection_id')).toBe(result.connectionId);
    expect(redirect.searchParams.get('state')).toBe('s1');
    const connection = (await user.connections.list()).find((c) => c.connection_id === result.connectionId);
    expect(connection?.status).toBe('active');
    expect(await user.accounts.list({ connection_id: result.connectionId })).toHaveLength(1);
  });

  it('refuses what is not one of its authorization URLs', async () => {
    await expect(sb.authorize('not a url')).rejects.toThrow(TypeError);
    await expect(sb.authorize(`${sb.url}/connections`)).rejects.toThrow(/not a sandbox authorization URL/);
    await expect(sb.authorize(`${sb.url}/authorize/conn_nope`)).rejects.toThrow(/conn_nope.*not found/);
    await expect(sb.authorize('http://127.0.0.1:1/authorize/conn_1')).rejects.toThrow(/another server/);
  });
});

describe('authorizeSandboxConnection (any process)', () => {
  it('completes the link over HTTP', async () => {
    const { authorization_url } = await link('readonly');
    const { connectionId, redirectUrl } = await authorizeSandboxConnection(authorization_url);
    expect(redirectUrl).toContain(`connection_id=${connectionId}`);
    const [account] = await user.accounts.list({ connection_id: connectionId });
    expect(account?.connection_id).toBe(connectionId);
  });

  it('fails with the reason for an unknown connection, a URL that is not a sandbox page, or no answer', async () => {
    await expect(authorizeSandboxConnection(`${sb.url}/authorize/conn_ghost`)).rejects.toThrow(
      /did not authorize connection conn_ghost: the link page says not found \(status 404\)/,
    );
    await expect(authorizeSandboxConnection('https://connect.example/oauth?x=1')).rejects.toThrow(TypeError);
    await expect(authorizeSandboxConnection('http://127.0.0.1:1/authorize/conn_1')).rejects.toThrow(
      /could not reach/,
    );
    const never: typeof fetch = (_input, init) =>
      new Promise((_resolve, reject) =>
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)),
      );
    await expect(
      authorizeSandboxConnection(`${sb.url}/authorize/conn_1`, { fetch: never, timeoutMs: 50 }),
    ).rejects.toThrow(/could not reach/);
  });
});
