/**
 * Timer-driven behaviour under jest's modern fake timers, with an injected in-memory WebSocket
 * (real sockets and fake timers do not mix).
 */
import { BrokerageStream, MarketDataStream, StreamError, StreamTimeoutError } from '../../src/streams';
import type { ReconnectInfo } from '../../src/streams/connection-events';
import { brokerageScript, type FakeWebSocket, fakeWebSocketFactory } from './fake-websocket';

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

const flush = () => jest.advanceTimersByTimeAsync(0);
/** Advances in small steps: reconnects chain promises and timers, which one big jump can outrun. */
async function advance(ms: number, step = 50): Promise<void> {
  for (let t = 0; t < ms; t += step) await jest.advanceTimersByTimeAsync(Math.min(step, ms - t));
}

function brokerage(
  script = brokerageScript,
  extra: Partial<ConstructorParameters<typeof BrokerageStream>[0]> = {},
) {
  const fake = fakeWebSocketFactory('BrokerageServerMessage', script, (s) =>
    queueMicrotask(() => s.accept()),
  );
  const stream = new BrokerageStream({
    clientId: 'cid',
    clientSecret: 'secret_value',
    url: 'ws://fake',
    WebSocket: fake.Ctor,
    random: () => 0.999,
    ...extra,
  });
  const errors: unknown[] = [];
  const reconnects: ReconnectInfo[] = [];
  stream.on('error', (e) => errors.push(e));
  stream.on('reconnecting', (r) => reconnects.push(r));
  return { stream, sockets: fake.sockets, errors, reconnects };
}

test('no frame for heartbeatTimeout terminates the socket and reconnects; any frame keeps it alive', async () => {
  const { stream, sockets, errors, reconnects } = brokerage();
  const connected = stream.connect();
  await flush();
  await connected;
  const first = sockets[0] as FakeWebSocket;
  await advance(20_000);
  first.push({ action: 'heartbeat', time: '2026-11-25T14:30:15Z' });
  await advance(34_000); // 54 s since open, 34 s since the heartbeat
  expect(reconnects).toHaveLength(0);
  expect(first.pings).toBeGreaterThanOrEqual(3); // Node pings every 15 s
  await advance(1_001);
  expect(errors[0]).toBeInstanceOf(StreamTimeoutError);
  expect(first.closedWith).toBe(1006);
  expect(first.hasHandlers).toBe(false);
  expect(reconnects[0]?.closeCode).toBe(1006);
  await advance(1_000);
  expect(sockets).toHaveLength(2);
  expect(stream.state).toBe('open');
  await stream.close();
  expect(stream.activeTimers).toBe(0);
});

test('backoff grows exponentially under a ceiling (full jitter) and resets after a healthy period', async () => {
  let accept = false;
  const fake = fakeWebSocketFactory('BrokerageServerMessage', brokerageScript, (s) =>
    queueMicrotask(() => (accept ? s.accept() : s.drop(1006))),
  );
  const stream = new BrokerageStream({
    clientId: 'cid',
    clientSecret: 'secret_value',
    url: 'ws://fake',
    WebSocket: fake.Ctor,
    random: () => 0.999,
    connectTimeout: 600_000,
    reconnect: { initialDelay: 100, maxDelay: 1_000, healthyAfter: 5_000 },
  });
  const delays: number[] = [];
  stream.on('reconnecting', (r) => delays.push(r.delay));
  const connected = stream.connect();
  await advance(5_000);
  expect(delays.slice(0, 6)).toEqual([99, 199, 399, 799, 999, 999]);
  accept = true;
  await advance(1_000);
  await connected;
  // Dropped before the healthy period: the backoff keeps growing.
  const n = delays.length;
  (fake.sockets.at(-1) as FakeWebSocket).drop(1011);
  expect(delays[n]).toBe(999);
  await advance(1_000 + 5_000);
  (fake.sockets.at(-1) as FakeWebSocket).drop(1011);
  expect(delays[n + 1]).toBe(99);
  await stream.close();
});

test('jitter draws uniformly below the ceiling', async () => {
  const { stream, sockets, reconnects } = brokerage(brokerageScript, { random: () => 0.25 });
  const connected = stream.connect();
  await flush();
  await connected;
  (sockets[0] as FakeWebSocket).drop(1006);
  expect(reconnects[0]?.delay).toBe(125); // 0.25 * 500 (default initialDelay)
  await stream.close();
});

test('connect() has its own timeout; afterwards nothing is left running', async () => {
  const { stream } = brokerage(() => {}, { connectTimeout: 2_000 });
  const result = stream.connect().catch((e) => e);
  await advance(2_001);
  const error = await result;
  expect(error).toBeInstanceOf(StreamTimeoutError);
  expect(error.message).toMatch(/connect timed out after 2000 ms/);
  expect(stream.state).toBe('closed');
  expect(stream.activeTimers).toBe(0);
});

test('an unanswered request times out', async () => {
  const script = (socket: FakeWebSocket, frame: Record<string, unknown>) => {
    if (frame.action === 'authenticate') socket.push({ action: 'authenticated', session_id: 's' });
  };
  const { stream } = brokerage(script, { requestTimeout: 3_000 });
  const connected = stream.connect();
  await flush();
  await connected;
  const result = stream.subscribe(['orders']).catch((e) => e);
  await advance(3_001);
  expect(await result).toBeInstanceOf(StreamTimeoutError);
  expect(stream.listSubscriptions()).toEqual([]);
  await stream.close();
});

test('the send queue is bounded in bytes while disconnected and flushed after re-authentication', async () => {
  let serverUp = true;
  const script = (socket: FakeWebSocket, frame: Record<string, unknown>) => {
    if (frame.action === 'authenticate')
      socket.push({ action: 'authenticated', connection_id: 'c', expires_at: '2099-01-01T00:00:00Z' });
    if (frame.action === 'list_subscriptions')
      socket.push({ action: 'subscriptions', request_id: frame.request_id, subscriptions: [] });
  };
  const fake = fakeWebSocketFactory('MarketDataServerMessage', script, (s) =>
    queueMicrotask(() => (serverUp ? s.accept() : s.drop(1006))),
  );
  const md = new MarketDataStream({
    url: 'ws://fake',
    WebSocket: fake.Ctor,
    tokenProvider: async () => ({ token: 'tok_abcdef', expires_at: '2099-01-01T00:00:00Z' }),
    maxQueueBytes: 80,
    random: () => 0.5,
  });
  const connected = md.connect();
  await advance(100);
  await connected;
  serverUp = false;
  (fake.sockets[0] as FakeWebSocket).drop(1006);
  const first = md.listSubscriptions(); // ~50 bytes: fits
  const second = md.listSubscriptions(); // would pass 80 bytes: refused at once
  const refused = await second.catch((e) => e);
  expect(refused).toBeInstanceOf(StreamError);
  expect(refused.code).toBe('queue_full');
  serverUp = true;
  await advance(2_000);
  await expect(first).resolves.toEqual([]);
  const last = fake.sockets.at(-1) as FakeWebSocket;
  expect(last.sent.map((f) => f.action)).toEqual(['authenticate', 'list_subscriptions']);
  await md.close();
});

test('maxAttempts exhausted: the stream stops with an error and rejects connect()', async () => {
  const fake = fakeWebSocketFactory('BrokerageServerMessage', brokerageScript, (s) =>
    queueMicrotask(() => s.drop(1006)),
  );
  const stream = new BrokerageStream({
    clientId: 'cid',
    clientSecret: 'secret_value',
    url: 'ws://fake',
    WebSocket: fake.Ctor,
    reconnect: { initialDelay: 10, maxDelay: 10, maxAttempts: 3 },
  });
  const closed = new Promise<{ error?: unknown }>((resolve) => stream.once('close', resolve));
  stream.on('error', () => {});
  const result = stream.connect().catch((e) => e);
  await advance(1_000);
  expect((await result).message).toMatch(/gave up after 3 attempts/);
  expect((await closed).error).toBeDefined();
  expect(fake.sockets).toHaveLength(4);
  expect(stream.activeTimers).toBe(0);
});
