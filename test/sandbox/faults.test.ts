import type { Sandbox } from '../../src/sandbox';
import { assertMatchesSchema } from '../helpers/spec';
import { call, onboard, orderBody, TestSocket, testSandbox } from './helpers';

async function admin(
  sb: Sandbox,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${sb.url}/__sandbox${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: await response.json() };
}

describe('sandbox fault injection', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await testSandbox({ heartbeatMs: 100 });
  });
  afterEach(() => {
    sb.faults.clear();
    expect(sb.violations).toEqual([]);
  });
  afterAll(() => sb.close());

  it('fails the next N matching requests with a given status, then recovers', async () => {
    sb.faults.failNext(2, 503, { method: 'GET', path: '/users' });
    expect((await call(sb, 'POST', '/users', { body: { user_id: 'f-1' } })).status).toBe(200);
    const first = await call(sb, 'GET', '/users');
    expect(first.status).toBe(503);
    assertMatchesSchema('Error', first.body);
    expect(first.body.code).toBe('sandbox_fault');
    expect((await call(sb, 'GET', '/users')).status).toBe(503);
    expect((await call(sb, 'GET', '/users')).status).toBe(200);
  });

  it('sends retry-after with an injected 429', async () => {
    sb.faults.failNext(1, 429, { retry_after: 2, message: 'slow down' });
    const limited = await call(sb, 'GET', '/users');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    expect(limited.body.message).toBe('slow down');
  });

  it('adds latency to matching requests until cleared', async () => {
    sb.faults.latency(150, { path: '/users' });
    let started = performance.now();
    await call(sb, 'GET', '/users');
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    sb.faults.clear();
    started = performance.now();
    await call(sb, 'GET', '/users');
    expect(performance.now() - started).toBeLessThan(140);
  });

  it('adds latency to every request with the latencyMs option', async () => {
    const slow = await testSandbox({ latencyMs: 120 });
    try {
      const started = performance.now();
      await call(slow, 'GET', '/users');
      expect(performance.now() - started).toBeGreaterThanOrEqual(110);
    } finally {
      await slow.close();
    }
  });

  it('drops the response after committing the order (the lost ack)', async () => {
    const { who, account } = await onboard(sb, 'lost-ack');
    sb.faults.dropNextResponse(1, { method: 'POST', path: '/orders' });
    const body = orderBody(account);
    await expect(call(sb, 'POST', '/orders', { who, body })).rejects.toThrow();
    const list = await call(sb, 'GET', '/orders', { who });
    expect(list.body.orders.map((o: { cl_order_id: string }) => o.cl_order_id)).toEqual([body.cl_order_id]);
    // Retrying with the same cl_order_id is refused: the order exists.
    expect((await call(sb, 'POST', '/orders', { who, body })).status).toBe(409);
  });

  it('drops stream connections (the client sees 1006)', async () => {
    const socket = await TestSocket.open(sb.streamUrl, 'BrokerageServerMessage');
    await new Promise((r) => setTimeout(r, 20));
    expect(sb.faults.dropStreams('brokerage')).toBeGreaterThanOrEqual(1);
    expect((await socket.closed).code).toBe(1006);
  });

  it('stalls stream connections: no heartbeats, no pongs, until resumed', async () => {
    const socket = await TestSocket.open(sb.streamUrl, 'BrokerageServerMessage');
    socket.send({
      action: 'authenticate',
      client_id: sb.credentials.clientId,
      client_secret: sb.credentials.clientSecret,
    });
    await socket.action('authenticated');
    await socket.action('heartbeat', 1000);
    expect(sb.faults.stallStreams('all', 400)).toBeGreaterThanOrEqual(1);
    socket.frames.length = 0;
    let ponged = false;
    socket.ws.once('pong', () => {
      ponged = true;
    });
    socket.ws.ping();
    await new Promise((r) => setTimeout(r, 300));
    expect(ponged).toBe(false);
    expect(socket.frames).toEqual([]);
    await socket.action('heartbeat', 1000); // the stall ended by itself
    expect(ponged).toBe(true);
    socket.close();
  });

  it('injects faults from the startSandbox options', async () => {
    const faulty = await testSandbox({ faults: [{ type: 'fail', status: 500, count: 1 }] });
    try {
      expect((await call(faulty, 'GET', '/users')).status).toBe(500);
      expect((await call(faulty, 'GET', '/users')).status).toBe(200);
    } finally {
      await faulty.close();
    }
  });
});

describe('sandbox admin endpoint', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await testSandbox();
  });
  afterAll(() => sb.close());

  it('injects, lists and clears faults over HTTP', async () => {
    const bad = await admin(sb, 'POST', '/faults', { type: 'fail', status: 200 });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('status');
    expect((await admin(sb, 'POST', '/faults', { type: 'explode' })).status).toBe(400);
    const ok = await admin(sb, 'POST', '/faults', [
      { type: 'fail', status: 502, count: 3, path: '/users' },
      { type: 'latency', ms: 1 },
    ]);
    expect(ok).toEqual({ status: 200, body: { injected: 2, affected_streams: 0 } });
    expect((await call(sb, 'GET', '/users')).status).toBe(502);
    const listed = await admin(sb, 'GET', '/faults');
    expect(listed.body.faults).toEqual([
      { type: 'fail', status: 502, count: 2, path: '/users' },
      { type: 'latency', ms: 1 },
    ]);
    expect((await admin(sb, 'DELETE', '/faults')).body).toEqual({ cleared: true });
    expect((await call(sb, 'GET', '/users')).status).toBe(200);
  });

  it('controls prices, ticks, the session, the clock and resets state', async () => {
    expect((await admin(sb, 'POST', '/price', { symbol: 'AAPL', price: '150.25' })).body).toEqual({
      symbol: 'AAPL',
      price: '150.25',
    });
    expect(sb.feed.price('AAPL')).toBe('150.25');
    expect((await admin(sb, 'POST', '/price', { symbol: 'AAPL', price: 150 })).status).toBe(400);
    const ticked = await admin(sb, 'POST', '/tick', { count: 3 });
    expect(Object.keys(ticked.body.prices)).toContain('AAPL');
    const { who, account } = await onboard(sb, 'admin-user');
    await call(sb, 'POST', '/orders', {
      who,
      body: orderBody(account, { order_type: 'LMT', order_limit_price: '1' }),
    });
    expect((await admin(sb, 'POST', '/session/close')).body).toEqual({ closed: true });
    expect((await call(sb, 'GET', '/orders', { who })).body.orders[0].status).toBe('expired');
    const before = Date.parse((await admin(sb, 'GET', '')).body.now);
    const advanced = await admin(sb, 'POST', '/clock/advance', { ms: 3_600_000 });
    expect(Date.parse(advanced.body.now) - before).toBeGreaterThanOrEqual(3_600_000);
    expect((await admin(sb, 'POST', '/reset')).body).toEqual({ reset: true });
    expect((await call(sb, 'GET', '/users')).body).toEqual([]);
    expect((await admin(sb, 'GET', '/nothing')).status).toBe(404);
  });

  it('requires the admin token when one is configured', async () => {
    const guarded = await testSandbox({ adminToken: 'let-me-in' });
    try {
      expect((await admin(guarded, 'GET', '')).status).toBe(401);
      const allowed = await admin(guarded, 'GET', '', undefined, { 'x-sandbox-admin-token': 'let-me-in' });
      expect(allowed.status).toBe(200);
      expect(allowed.body.url).toBe(guarded.url);
    } finally {
      await guarded.close();
    }
  });
});
