/**
 * 1,000 reconnect cycles must leave nothing behind: the same number of armed timers, the same
 * listeners, no handler on any dead socket, no in-flight request. Runs on an in-memory socket
 * with a counting timer API wrapped around the real timers (nothing global is patched).
 */
import { BrokerageStream, MarketDataStream } from '../../src/streams';
import type { TimerApi } from '../../src/streams/timers';
import { brokerageScript, type FakeWebSocket, fakeWebSocketFactory } from './fake-websocket';

function countingTimers(): TimerApi & { live: Set<unknown>; created: number } {
  const live = new Set<unknown>();
  const api = {
    live,
    created: 0,
    setTimeout(fn: () => void, ms: number) {
      api.created++;
      const handle: unknown = setTimeout(() => {
        live.delete(handle);
        fn();
      }, ms);
      live.add(handle);
      return handle;
    },
    clearTimeout(handle: unknown) {
      live.delete(handle);
      clearTimeout(handle as NodeJS.Timeout);
    },
    now: () => Date.now(),
  };
  return api;
}

const CYCLES = Number(process.env.CYCLES ?? 1000);

function listenerCounts(emitter: {
  eventNames(): (string | symbol)[];
  listenerCount(e: string | symbol): number;
}) {
  return Object.fromEntries(emitter.eventNames().map((e) => [String(e), emitter.listenerCount(e)]));
}

test(`brokerage: ${CYCLES} reconnect cycles leak no timers, listeners or socket handlers`, async () => {
  const timers = countingTimers();
  const fake = fakeWebSocketFactory('BrokerageServerMessage', brokerageScript, (s) =>
    queueMicrotask(() => s.accept()),
  );
  const stream = new BrokerageStream({
    clientId: 'cid',
    clientSecret: 'secret_value',
    url: 'ws://fake',
    WebSocket: fake.Ctor,
    timers,
    random: () => 0,
  });
  const gaps: unknown[] = [];
  stream.on('gap', (g) => gaps.push(g));
  stream.on('error', () => {});
  const updates = stream.updates({ topics: ['orders'] });
  await stream.connect();
  await stream.subscribe(['orders']);
  const baseline = { timers: timers.live.size, listeners: listenerCounts(stream) };
  expect(baseline.timers).toBe(3); // liveness, ping, healthy-period reset of the open socket

  for (let i = 0; i < CYCLES; i++) {
    const reconnected = new Promise<void>((resolve) => stream.once('reconnected', () => resolve()));
    (fake.sockets.at(-1) as FakeWebSocket).drop(1006);
    await reconnected;
    // Let the replayed subscribe's answer land.
    await new Promise((r) => setImmediate(r));
    if (i === 0 || i === CYCLES - 1) {
      expect(timers.live.size).toBe(baseline.timers);
      expect(listenerCounts(stream)).toEqual(baseline.listeners);
    }
  }
  expect(fake.sockets).toHaveLength(CYCLES + 1);
  expect(fake.sockets.slice(0, -1).filter((s) => s.hasHandlers)).toHaveLength(0);
  expect(gaps).toHaveLength(CYCLES);
  expect(stream.listSubscriptions()).toHaveLength(1);
  // Every socket got exactly authenticate + one replayed subscribe.
  expect((fake.sockets.at(-1) as FakeWebSocket).sent.map((f) => f.action)).toEqual([
    'authenticate',
    'subscribe',
  ]);
  expect(updates.backlog).toBe(0);
  await stream.close();
  expect(timers.live.size).toBe(0);
  expect((await updates.next()).done).toBe(true);
});

test(`market data: ${CYCLES} reconnect cycles leak no timers, listeners or subscription state`, async () => {
  const timers = countingTimers();
  const script = (socket: FakeWebSocket, frame: Record<string, unknown>) => {
    if (frame.action === 'authenticate')
      socket.push({ action: 'authenticated', connection_id: 'c', expires_at: '2099-01-01T00:00:00Z' });
    if (frame.action === 'subscribe')
      socket.push({
        action: 'subscribed',
        request_id: frame.request_id,
        channel: frame.channel,
        symbols: frame.symbols,
      });
  };
  const fake = fakeWebSocketFactory('MarketDataServerMessage', script, (s) =>
    queueMicrotask(() => s.accept()),
  );
  let tokens = 0;
  const md = new MarketDataStream({
    url: 'ws://fake',
    WebSocket: fake.Ctor,
    timers,
    random: () => 0,
    tokenProvider: async () => ({ token: `tok_${++tokens}_abc`, expires_at: '2099-01-01T00:00:00Z' }),
  });
  await md.connect();
  const quotes = await md.subscribe('quotes', ['AAPL']);
  const iterator = quotes[Symbol.asyncIterator]();
  const baseline = { timers: timers.live.size, listeners: listenerCounts(md), sub: listenerCounts(quotes) };
  for (let i = 0; i < CYCLES; i++) {
    const reconnected = new Promise<void>((resolve) => md.once('reconnected', () => resolve()));
    (fake.sockets.at(-1) as FakeWebSocket).drop(1011);
    await reconnected;
    await new Promise((r) => setImmediate(r));
  }
  expect(timers.live.size).toBe(baseline.timers);
  expect(listenerCounts(md)).toEqual(baseline.listeners);
  expect(listenerCounts(quotes)).toEqual(baseline.sub);
  expect(tokens).toBe(CYCLES + 1);
  expect(fake.sockets.slice(0, -1).filter((s) => s.hasHandlers)).toHaveLength(0);
  (fake.sockets.at(-1) as FakeWebSocket).push({
    action: 'update',
    channel: 'quotes',
    data: {
      symbol: 'AAPL',
      bid: '1',
      bid_size: '1',
      ask: '1',
      ask_size: '1',
      last: '1',
      last_size: '1',
      timestamp: '2026-11-25T14:30:00Z',
    },
  });
  expect((await iterator.next()).value?.symbol).toBe('AAPL');
  await md.close();
  expect(timers.live.size).toBe(0);
});
