import type { Sandbox } from '../../src/sandbox';
import { call, onboard, orderBody, TestSocket, testSandbox } from './helpers';

describe('sandbox brokerage stream', () => {
  let sb: Sandbox;
  const sockets: TestSocket[] = [];
  beforeAll(async () => {
    sb = await testSandbox({ heartbeatMs: 150, authTimeoutMs: 300 });
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
    expect(sb.violations).toEqual([]);
  });
  afterAll(() => sb.close());

  async function open(): Promise<TestSocket> {
    const socket = await TestSocket.open(sb.streamUrl, 'BrokerageServerMessage');
    sockets.push(socket);
    return socket;
  }
  async function authed(): Promise<TestSocket> {
    const socket = await open();
    socket.send({
      action: 'authenticate',
      client_id: sb.credentials.clientId,
      client_secret: sb.credentials.clientSecret,
    });
    await socket.action('authenticated');
    return socket;
  }

  it('rejects wrong credentials with unauthorized, then close 4001', async () => {
    const socket = await open();
    socket.send({ action: 'authenticate', client_id: sb.credentials.clientId, client_secret: 'wrong' });
    expect(await socket.action('error')).toMatchObject({ code: 'unauthorized' });
    expect((await socket.closed).code).toBe(4001);
  });

  it('answers protocol errors: not_authenticated, invalid_json, invalid_message, unknown_action, invalid_request', async () => {
    const socket = await open();
    socket.send({ action: 'subscribe', request_id: 'r1', topics: ['orders'] });
    expect(await socket.action('error')).toMatchObject({ code: 'not_authenticated', request_id: 'r1' });
    socket.send('{oops');
    expect(await socket.action('error')).toMatchObject({ code: 'invalid_json' });
    socket.send([1, 2]);
    expect(await socket.action('error')).toMatchObject({ code: 'invalid_message' });
    socket.send({ action: 'dance', request_id: 'r2' });
    expect(await socket.action('error')).toMatchObject({ code: 'unknown_action', request_id: 'r2' });
    socket.send({
      action: 'authenticate',
      client_id: sb.credentials.clientId,
      client_secret: sb.credentials.clientSecret,
    });
    await socket.action('authenticated');
    socket.send({ action: 'subscribe', request_id: 'r3', topics: ['weather'] });
    const error = await socket.action('error');
    expect(error).toMatchObject({ code: 'invalid_request', request_id: 'r3' });
    expect(error.message).toContain('topics');
  });

  it('streams order, position and balance updates with seq rising by one across topics', async () => {
    const { who, account } = await onboard(sb, 'streamer');
    const socket = await authed();
    socket.send({ action: 'subscribe', request_id: 'sub-1', topics: ['orders', 'positions', 'balances'] });
    expect(await socket.action('subscribed')).toEqual({
      action: 'subscribed',
      request_id: 'sub-1',
      topics: ['orders', 'positions', 'balances'],
    });
    sb.feed.setPrice('AAPL', '100');
    await call(sb, 'POST', '/orders', { who, body: orderBody(account, { order_qty: '3' }) });
    const working = await socket.next((f) => f.action === 'order_update' && f.data.status === 'working');
    const filled = await socket.next((f) => f.action === 'order_update' && f.data.status === 'filled');
    const position = await socket.action('position_update');
    const balance = await socket.action('balance_update');
    expect([working.seq, filled.seq, position.seq, balance.seq]).toEqual([1, 2, 3, 4]);
    expect(working.user_id).toBe('streamer');
    expect(position.data).toMatchObject({ symbol: 'AAPL', quantity: '3' });
    expect(balance.data).toMatchObject({ account_id: account.account_id, cash: '99700.00' });
  });

  it('filters by account and stops after unsubscribe', async () => {
    const mine = await onboard(sb, 'filter-me');
    const other = await onboard(sb, 'filter-other');
    const socket = await authed();
    socket.send({
      action: 'subscribe',
      request_id: 's',
      topics: ['orders'],
      account_id: mine.account.account_id,
    });
    await socket.action('subscribed');
    await call(sb, 'POST', '/orders', { who: other.who, body: orderBody(other.account, { order_qty: '1' }) });
    await call(sb, 'POST', '/orders', { who: mine.who, body: orderBody(mine.account, { order_qty: '1' }) });
    const update = await socket.action('order_update');
    expect(update.data.account_id).toBe(mine.account.account_id);
    expect(update.seq).toBe(1);
    socket.send({ action: 'unsubscribe', request_id: 'u', topics: ['orders'] });
    expect(await socket.action('unsubscribed')).toMatchObject({ request_id: 'u', topics: ['orders'] });
    socket.frames.length = 0;
    await call(sb, 'POST', '/orders', { who: mine.who, body: orderBody(mine.account, { order_qty: '1' }) });
    await new Promise((r) => setTimeout(r, 50));
    expect(socket.frames.filter((f) => f.action === 'order_update')).toEqual([]);
  });

  it('skips seq numbers when a seq gap is injected', async () => {
    const { who, account } = await onboard(sb, 'gappy');
    const socket = await authed();
    socket.send({ action: 'subscribe', request_id: 's', topics: ['balances'] });
    await socket.action('subscribed');
    await call(sb, 'POST', '/orders', { who, body: orderBody(account, { order_qty: '1' }) });
    expect((await socket.action('balance_update')).seq).toBe(1);
    // Sessions of earlier tests may still be closing (under load), so count at least this one.
    expect(sb.faults.seqGap(3)).toBeGreaterThanOrEqual(1);
    await call(sb, 'POST', '/orders', { who, body: orderBody(account, { order_qty: '1' }) });
    expect((await socket.action('balance_update')).seq).toBe(5);
  });

  it('closes the older session with session_replaced (4002) when a new one authenticates', async () => {
    const first = await authed();
    const second = await authed();
    expect(await first.action('error')).toMatchObject({ code: 'session_replaced' });
    expect((await first.closed).code).toBe(4002);
    expect(second.ws.readyState).toBe(second.ws.OPEN);
  });

  it('closes with auth_timeout (4008) when no authenticate arrives in time', async () => {
    const socket = await open();
    expect(await socket.action('error', 1000)).toMatchObject({ code: 'auth_timeout' });
    expect((await socket.closed).code).toBe(4008);
  });

  it('sends heartbeats when idle and answers pings', async () => {
    const socket = await authed();
    const heartbeat = await socket.action('heartbeat', 1000);
    expect(Date.parse(heartbeat.time)).not.toBeNaN();
    const pong = new Promise<void>((resolve) => socket.ws.once('pong', () => resolve()));
    socket.ws.ping();
    await pong;
  });
});
