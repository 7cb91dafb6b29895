import type { Sandbox } from '../../src/sandbox';
import { call, onboard, TestSocket, testSandbox } from './helpers';

describe('sandbox market-data stream', () => {
  let sb: Sandbox;
  let users = 0;
  const sockets: TestSocket[] = [];
  beforeAll(async () => {
    sb = await testSandbox({ seed: 3 });
  });
  afterEach(async () => {
    // Wait for every socket to be gone so the next test starts with no session left over.
    await Promise.all(
      sockets.splice(0).map((s) => {
        s.close();
        return s.closed;
      }),
    );
    expect(sb.violations).toEqual([]);
  });
  afterAll(() => sb.close());

  async function token() {
    users += 1;
    const { who, connectionId } = await onboard(sb, `md-${users}`);
    const response = await call(sb, 'GET', `/connections/${connectionId}/token`, { who });
    return { who, connectionId, token: response.body.token as string };
  }
  async function open(localAddress?: string): Promise<TestSocket> {
    const socket = await TestSocket.open(
      sb.marketDataUrl,
      'MarketDataServerMessage',
      localAddress ? { localAddress } : {},
    );
    sockets.push(socket);
    return socket;
  }
  async function authed() {
    const t = await token();
    const socket = await open();
    socket.send({ action: 'authenticate', token: t.token });
    const authenticated = await socket.action('authenticated');
    return { socket, authenticated, ...t };
  }

  it('refuses subscriptions of one connection from a second IP with ip_mismatch', async () => {
    const { socket: first, token: shared } = await authed(); // from 127.0.0.1
    first.send({ action: 'subscribe', request_id: 'a', channel: 'quotes', symbols: ['AAPL'] });
    await first.action('subscribed');
    // Linux routes all of 127.0.0.0/8 to loopback: 127.0.0.2 is "another IP" of this machine.
    const other = await open('127.0.0.2');
    other.send({ action: 'authenticate', token: shared });
    await other.action('authenticated');
    other.send({ action: 'subscribe', request_id: 'b', channel: 'trades', symbols: ['MSFT'] });
    expect(await other.action('error')).toMatchObject({ code: 'ip_mismatch', request_id: 'b' });
    // The same IP may open more sessions for the connection.
    const same = await open('127.0.0.1');
    same.send({ action: 'authenticate', token: shared });
    await same.action('authenticated');
    same.send({ action: 'subscribe', request_id: 'c', channel: 'trades', symbols: ['MSFT'] });
    expect(await same.action('subscribed')).toMatchObject({ request_id: 'c' });
  });

  it('authenticates with a connection token and rejects unknown or replaced tokens (4001)', async () => {
    const { authenticated, connectionId, who, token: first } = await authed();
    expect(authenticated.connection_id).toBe(connectionId);
    expect(Date.parse(authenticated.expires_at)).toBeGreaterThan(Date.now());
    await call(sb, 'GET', `/connections/${connectionId}/token`, { who }); // replaces `first`
    const stale = await open();
    stale.send({ action: 'authenticate', token: first });
    expect(await stale.action('error')).toMatchObject({ code: 'unauthorized' });
    expect((await stale.closed).code).toBe(4001);
    const bogus = await open();
    bogus.send({ action: 'subscribe', request_id: 'x', channel: 'quotes', symbols: ['AAPL'] });
    expect(await bogus.action('error')).toMatchObject({ code: 'not_authenticated', request_id: 'x' });
  });

  it('streams quotes and trades from the same feed the orders fill against', async () => {
    const { socket } = await authed();
    socket.send({ action: 'subscribe', request_id: 'q', channel: 'quotes', symbols: ['AAPL', 'MSFT'] });
    expect(await socket.action('subscribed')).toEqual({
      action: 'subscribed',
      request_id: 'q',
      channel: 'quotes',
      symbols: ['AAPL', 'MSFT'],
    });
    const initial = await socket.next((f) => f.channel === 'quotes' && f.data.symbol === 'AAPL');
    expect(initial.data.last).toBe(sb.feed.price('AAPL'));
    socket.send({ action: 'subscribe', request_id: 't', channel: 'trades', symbols: ['AAPL'] });
    await socket.action('subscribed');
    sb.feed.setPrice('AAPL', '123.45');
    const quote = await socket.next(
      (f) => f.channel === 'quotes' && f.data.symbol === 'AAPL' && f.data.last === '123.45',
    );
    expect(quote.data).toMatchObject({ bid: '123.44', ask: '123.46' });
    const trade = await socket.next((f) => f.channel === 'trades');
    expect(trade.data).toMatchObject({ symbol: 'AAPL', price: '123.45', session: 'regular' });
  });

  it('sends backfilled and live bars, and completes a bar when its interval passes', async () => {
    const { socket } = await authed();
    socket.send({
      action: 'subscribe',
      request_id: 'b',
      channel: 'bars',
      symbols: ['SPY'],
      interval: '1m',
      backfill: 3,
    });
    await socket.action('subscribed');
    const backfill = [];
    for (let i = 0; i < 3; i++)
      backfill.push(await socket.next((f) => f.channel === 'bars' && f.data.backfill === true));
    expect(backfill.map((b) => b.data.complete)).toEqual([true, true, true]);
    const starts = backfill.map((b) => Date.parse(b.data.start));
    expect(starts.slice(1).map((start, i) => start - (starts[i] ?? 0))).toEqual([60_000, 60_000]);
    await socket.next((f) => f.channel === 'bars' && f.data.complete === false);
    sb.feed.tick();
    sb.clock.advance(60_000);
    sb.feed.tick();
    const completed = await socket.next(
      (f) => f.channel === 'bars' && f.data.complete === true && !f.data.backfill,
    );
    expect(completed.data).toMatchObject({ symbol: 'SPY', interval: '1m' });
  });

  it('serves any <count><unit> bar interval, not only the known ones (issue 14)', async () => {
    const { socket } = await authed();
    socket.send({
      action: 'snapshot',
      request_id: 's2m',
      channel: 'bars',
      symbol: 'TSLA',
      interval: '2m',
      limit: 4,
    });
    const snapshot = await socket.action('snapshot');
    expect(snapshot.data).toHaveLength(4);
    const starts = snapshot.data.map((b: { start: string }) => Date.parse(b.start));
    expect(starts.slice(1).map((start: number, i: number) => start - (starts[i] ?? 0))).toEqual([
      120_000, 120_000, 120_000,
    ]);
    expect(snapshot.data.every((b: { interval: string }) => b.interval === '2m')).toBe(true);

    socket.send({
      action: 'subscribe',
      request_id: 'b2',
      channel: 'bars',
      symbols: ['SPY'],
      interval: '2m',
      backfill: 2,
    });
    await socket.action('subscribed');
    const backfilled = await socket.next((f) => f.channel === 'bars' && f.data.backfill === true);
    expect(backfilled.data).toMatchObject({ symbol: 'SPY', interval: '2m', complete: true });
    await socket.next((f) => f.channel === 'bars' && f.data.complete === false && f.data.interval === '2m');
    // The new interval is aggregated live: a bar completes once two minutes pass.
    sb.feed.tick();
    sb.clock.advance(120_000);
    sb.feed.tick();
    const completed = await socket.next(
      (f) => f.channel === 'bars' && f.data.complete === true && !f.data.backfill,
    );
    expect(completed.data).toMatchObject({ symbol: 'SPY', interval: '2m' });

    // What is not <count><unit> is refused by the spec; a longer interval than ten years by the emulator.
    socket.send({ action: 'snapshot', request_id: 'bad', channel: 'bars', symbol: 'TSLA', interval: 'soon' });
    expect(await socket.action('error')).toMatchObject({ code: 'invalid_request', request_id: 'bad' });
    socket.send({
      action: 'snapshot',
      request_id: 'long',
      channel: 'bars',
      symbol: 'TSLA',
      interval: '999mo',
    });
    expect(await socket.action('error')).toMatchObject({ code: 'invalid_request', request_id: 'long' });
  });

  it('serves depth levels and options chains with greeks', async () => {
    const { socket } = await authed();
    socket.send({ action: 'subscribe', request_id: 'd', channel: 'depth', symbols: ['NVDA'], levels: 3 });
    const depth = await socket.next((f) => f.action === 'update' && f.channel === 'depth');
    expect(depth.data.bids).toHaveLength(3);
    expect(depth.data.asks).toHaveLength(3);
    socket.send({
      action: 'subscribe',
      request_id: 'o',
      channel: 'options_chain',
      symbols: ['AAPL'],
      greeks: true,
    });
    const chain = await socket.next((f) => f.action === 'update' && f.channel === 'options_chain');
    expect(chain.data.underlying).toBe('AAPL');
    expect(chain.data.contracts.length).toBeGreaterThanOrEqual(10);
    const call0 = chain.data.contracts.find((c: { right: string }) => c.right === 'call');
    expect(Number(call0.delta)).toBeGreaterThan(0);
    expect(call0.symbol).toMatch(/^AAPL {2}\d{6}C\d{8}$/);
  });

  it('answers snapshot, list_subscriptions and unsubscribe', async () => {
    const { socket } = await authed();
    socket.send({
      action: 'snapshot',
      request_id: 'snap',
      channel: 'bars',
      symbol: 'TSLA',
      interval: '5m',
      limit: 10,
    });
    const snapshot = await socket.action('snapshot');
    expect(snapshot).toMatchObject({ request_id: 'snap', channel: 'bars', symbol: 'TSLA' });
    expect(snapshot.data).toHaveLength(10);
    const starts = snapshot.data.map((b: { start: string }) => Date.parse(b.start));
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    expect(snapshot.data.every((b: { complete: boolean }) => b.complete)).toBe(true);

    socket.send({ action: 'subscribe', request_id: 's1', channel: 'quotes', symbols: ['AAPL', 'MSFT'] });
    socket.send({ action: 'subscribe', request_id: 's2', channel: 'depth', symbols: ['AAPL'], levels: 2 });
    await socket.next((f) => f.request_id === 's2');
    socket.send({ action: 'list_subscriptions', request_id: 'l' });
    const list = await socket.action('subscriptions');
    expect(list.subscriptions).toEqual([
      { channel: 'quotes', symbols: ['AAPL', 'MSFT'] },
      { channel: 'depth', symbols: ['AAPL'], params: { levels: 2 } },
    ]);
    socket.send({ action: 'unsubscribe', request_id: 'u', channel: 'quotes', symbols: ['AAPL', 'MSFT'] });
    expect(await socket.action('unsubscribed')).toMatchObject({ request_id: 'u', channel: 'quotes' });
    socket.frames.length = 0;
    sb.feed.tick();
    await socket.next((f) => f.action === 'update' && f.channel === 'depth');
    expect(socket.frames.filter((f) => f.channel === 'quotes')).toEqual([]);
  });

  it('answers invalid requests with an error naming the problem', async () => {
    const { socket } = await authed();
    socket.send({ action: 'subscribe', request_id: 'z', channel: 'quotes', symbols: ['NOPE'] });
    expect(await socket.action('error')).toMatchObject({ code: 'invalid_request', request_id: 'z' });
    socket.send({ action: 'subscribe', request_id: 'y', channel: 'bars', symbols: ['AAPL'] });
    const missing = await socket.action('error');
    expect(missing.message).toContain('`interval`');
    socket.send({ action: 'subscribe', request_id: 'v', channel: 'weather', symbols: ['AAPL'] });
    const channel = await socket.action('error');
    expect(channel).toMatchObject({ code: 'invalid_request', request_id: 'v' });
    expect(channel.message).toContain('`channel`');
    socket.send({ action: 'subscribe', request_id: 'x', channel: 'depth', symbols: ['AAPL'], levels: 99 });
    const levels = await socket.action('error');
    expect(levels.message).toContain('`levels`');
    expect(levels.message).not.toContain('interval');
    socket.send({ action: 'teleport', request_id: 'w' });
    expect(await socket.action('error')).toMatchObject({ code: 'unknown_action' });
  });

  it('ends the session with token_expired (4003) when the token expires', async () => {
    const { socket } = await authed();
    sb.clock.advance(24 * 3_600_000);
    expect(await socket.action('error')).toMatchObject({ code: 'token_expired' });
    expect((await socket.closed).code).toBe(4003);
  });

  it('expires a token on demand (fault)', async () => {
    const { socket, connectionId, token: value } = await authed();
    expect(sb.faults.expireToken(connectionId)).toBe(1);
    expect(await socket.action('error')).toMatchObject({ code: 'token_expired' });
    expect((await socket.closed).code).toBe(4003);
    const again = await open();
    again.send({ action: 'authenticate', token: value });
    expect(await again.action('error')).toMatchObject({ code: 'token_expired' });
    expect((await again.closed).code).toBe(4003);
  });
});
