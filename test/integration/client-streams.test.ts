import { ConfigurationError, ConnectTrade } from '../../src/index';
import { authorizeSandboxConnection } from '../../src/sandbox';
import { describeIntegration } from './harness';

// The harness's recorded sandbox: this file's traffic is checked against the spec too.
describeIntegration('ct.stream() and u.marketData() against the sandbox', (ctx) => {
  async function linkedUser(ct: ConnectTrade, id: string) {
    const { user_id, user_secret } = await ct.users.create({ user_id: id });
    const user = ct.forUser({ userId: user_id, userSecret: user_secret });
    const { authorization_url } = await user.connections.create({
      type: 'trade',
      redirect_url: 'http://127.0.0.1:9/linked',
    });
    const { connectionId } = await authorizeSandboxConnection(authorization_url);
    return { user, connectionId };
  }

  it('authenticates the brokerage stream with the client credentials and the configured URL', async () => {
    const ct = new ConnectTrade({ ...ctx.sb.credentials, baseUrl: ctx.sb.url, streamUrl: ctx.sb.streamUrl });
    const stream = ct.stream({ reconnect: { maxAttempts: 0 } });
    const authenticated = new Promise((resolve) => stream.once('authenticated', resolve));
    await stream.connect();
    await expect(authenticated).resolves.toMatchObject({ session_id: expect.any(String) });
    await stream.close();
  });

  it('rejects a stream without a client secret before opening a socket', () => {
    const ct = new ConnectTrade({
      clientId: 'id',
      clientSecret: undefined,
      baseUrl: ctx.sb.url,
      streamUrl: ctx.sb.streamUrl,
    });
    const saved = process.env.CONNECT_TRADE_CLIENT_SECRET;
    delete process.env.CONNECT_TRADE_CLIENT_SECRET;
    try {
      expect(() => new ConnectTrade({ clientId: 'id', baseUrl: ctx.sb.url }).stream()).toThrow(
        ConfigurationError,
      );
      expect(() => ct.stream()).toThrow(ConfigurationError);
    } finally {
      if (saved !== undefined) process.env.CONNECT_TRADE_CLIENT_SECRET = saved;
    }
  });

  it('gets the market-data token from connections.token by default and streams quotes', async () => {
    const ct = new ConnectTrade({
      ...ctx.sb.credentials,
      baseUrl: ctx.sb.url,
      marketDataUrl: ctx.sb.marketDataUrl,
    });
    const { user, connectionId } = await linkedUser(ct, 'md-user');
    const tokenSpy = jest.spyOn(user.connections, 'token');
    const md = user.marketData(connectionId);
    await md.connect();
    expect(tokenSpy).toHaveBeenCalledWith(connectionId);
    const quotes = await md.subscribe('quotes', ['AAPL']);
    const first = new Promise((resolve) => quotes.once('data', resolve));
    ctx.sb.feed.tick(1);
    await expect(first).resolves.toMatchObject({
      symbol: 'AAPL',
      bid: expect.stringMatching(/^\d+(\.\d+)?$/),
    });
    await md.close();
  });

  it('uses an explicit tokenProvider instead of the REST call', async () => {
    const ct = new ConnectTrade({
      ...ctx.sb.credentials,
      baseUrl: ctx.sb.url,
      marketDataUrl: ctx.sb.marketDataUrl,
    });
    const { user, connectionId } = await linkedUser(ct, 'md-user-2');
    const token = await user.connections.token(connectionId);
    const provider = jest.fn(async () => token);
    const tokenSpy = jest.spyOn(user.connections, 'token');
    const md = user.marketData(connectionId, { tokenProvider: provider });
    await md.connect();
    expect(provider).toHaveBeenCalledTimes(1);
    expect(tokenSpy).not.toHaveBeenCalled();
    await md.close();
  });
});
