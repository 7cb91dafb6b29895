import { inspect } from 'node:util';
import {
  BrokerageStream,
  ListenerError,
  StreamAuthenticationError,
  StreamClosedError,
  StreamProtocolError,
  StreamRequestError,
  StreamSessionReplacedError,
  ValidationError,
} from '../../src/streams';
import type { GapInfo } from '../../src/streams/stream-core';
import type { Order } from '../../src/types';
import { orderFixture } from '../helpers/fixtures';
import { brokerageAutoResponder, once, TestWsServer } from '../helpers/ws-server';

const order: Order = orderFixture({ order_id: 'ord_1', cl_order_id: 'ct_1' });
const position = {
  account_id: 'acc_1',
  symbol: 'AAPL',
  instrument: 'EQ',
  quantity: '10',
  average_price: '189.5',
  last_price: '190.25',
  market_value: '1902.5',
  unrealized_pl: '7.5',
  daily_pl: '2.5',
  total_pl: '7.5',
} as const;
const balance = {
  account_id: 'acc_1',
  account_number: 'PA1234',
  currency: 'USD',
  cash: '100000.00',
  buying_power: '200000.00',
  equity: '100000.00',
  updated_at: '2026-11-25T14:30:00Z',
};

let server: TestWsServer<'brokerage'>;
let stream: BrokerageStream | undefined;

beforeEach(async () => {
  server = await TestWsServer.start('brokerage', brokerageAutoResponder());
});
afterEach(async () => {
  await stream?.close();
  stream = undefined;
  await server.close();
});

function open(extra: Partial<ConstructorParameters<typeof BrokerageStream>[0]> = {}): BrokerageStream {
  stream = new BrokerageStream({
    clientId: 'cid_1',
    clientSecret: 'cs_secret_value',
    url: server.url,
    reconnect: { initialDelay: 5, maxDelay: 20 },
    ...extra,
  });
  return stream;
}

describe('BrokerageStream over a loopback server', () => {
  test('authenticates at once on open and resolves connect() on authenticated', async () => {
    const s = open();
    const authenticated = once<{ session_id: string }>(s, 'authenticated');
    await s.connect();
    const socket = await server.socket(0);
    expect(socket.received[0]).toEqual({
      action: 'authenticate',
      client_id: 'cid_1',
      client_secret: 'cs_secret_value',
    });
    expect(await authenticated).toEqual({ session_id: 's_1' });
    expect(s.state).toBe('open');
  });

  test('subscribe resolves on subscribed, dispatches every update type with meta, unsubscribe sends topics', async () => {
    const s = open();
    await s.connect();
    const sub = await s.subscribe(['orders', 'positions', 'balances'], { account_id: 'acc_1' });
    const socket = await server.socket(0);
    expect(socket.received[1]).toMatchObject({
      action: 'subscribe',
      topics: ['orders', 'positions', 'balances'],
      account_id: 'acc_1',
    });

    const seen: unknown[] = [];
    s.on('order_update', (o, meta) => seen.push(['order', o.order_id, meta]));
    s.on('position_update', (p, meta) => seen.push(['position', p.symbol, meta.seq]));
    s.on('balance_update', (b, meta) => seen.push(['balance', b.cash, meta.seq]));
    const heartbeat = once(s, 'heartbeat');
    socket.send({ action: 'order_update', seq: 1, user_id: 'user-42', data: order });
    socket.send({ action: 'position_update', seq: 2, user_id: 'user-42', data: position });
    socket.send({ action: 'heartbeat', time: '2026-11-25T14:30:15Z' });
    const last = once(s, 'balance_update');
    socket.send({ action: 'balance_update', seq: 3, user_id: 'user-42', data: balance });
    await last;
    await heartbeat;
    expect(seen).toEqual([
      ['order', 'ord_1', { seq: 1, user_id: 'user-42', session_id: 's_1' }],
      ['position', 'AAPL', 2],
      ['balance', '100000.00', 3],
    ]);

    await sub.unsubscribe();
    expect(socket.received[2]).toMatchObject({
      action: 'unsubscribe',
      topics: ['orders', 'positions', 'balances'],
    });
  });

  test('updates() yields in order, never drops, and exposes its backlog', async () => {
    const s = open();
    await s.connect();
    const orders = s.updates({ topics: ['orders'] });
    const socket = await server.socket(0);
    for (let seq = 1; seq <= 50; seq++)
      socket.send({
        action: seq % 2 ? 'order_update' : 'position_update',
        seq,
        user_id: 'u',
        data: seq % 2 ? order : position,
      } as never);
    await new Promise((r) => setTimeout(r, 100));
    expect(orders.backlog).toBe(25);
    const seqs: number[] = [];
    for await (const update of orders) {
      seqs.push(update.seq);
      if (seqs.length === 25) break;
    }
    expect(seqs).toEqual(Array.from({ length: 25 }, (_, i) => i * 2 + 1));
    expect(orders.backlog).toBe(0);
  });

  test('a seq gap emits gap with the missed range', async () => {
    const s = open();
    await s.connect();
    const socket = await server.socket(0);
    const gap = once<GapInfo>(s, 'gap');
    socket.send({ action: 'order_update', seq: 1, user_id: 'u', data: order });
    socket.send({ action: 'order_update', seq: 5, user_id: 'u', data: order });
    expect(await gap).toEqual({ reason: 'seq', from: 2, to: 4 });
  });

  test('a request error rejects that request with a typed error; nothing is replayed for it', async () => {
    server.onSocket = (socket) =>
      socket.ws.on('message', (data) => {
        const frame = JSON.parse(String(data));
        if (frame.action === 'authenticate') socket.send({ action: 'authenticated', session_id: 's' });
        if (frame.action === 'subscribe')
          socket.send({
            action: 'error',
            request_id: frame.request_id,
            code: 'invalid_request',
            message: 'no such account',
          });
      });
    const s = open();
    await s.connect();
    const error = await s.subscribe(['orders'], { account_id: 'nope' }).catch((e) => e);
    expect(error).toBeInstanceOf(StreamRequestError);
    expect(error.code).toBe('invalid_request');
    expect(s.listSubscriptions()).toEqual([]);
  });

  test('invalid subscribe input is refused before anything is sent', async () => {
    const s = open();
    await s.connect();
    await expect(s.subscribe([])).rejects.toBeInstanceOf(ValidationError);
    await expect(s.subscribe(['orders', 'trades' as never])).rejects.toBeInstanceOf(ValidationError);
    await expect(s.subscribe(['orders'], { account_id: '' })).rejects.toBeInstanceOf(ValidationError);
    const socket = await server.socket(0);
    expect(socket.received.map((f) => f.action)).toEqual(['authenticate']);
  });

  test('close 4001 rejects connect() with StreamAuthenticationError and never reconnects', async () => {
    server.onSocket = (socket) => socket.ws.once('message', () => socket.close(4001, 'unauthorized'));
    const s = open();
    const closed = once<{ code: number; error: unknown }>(s, 'close');
    const errors: unknown[] = [];
    s.on('error', (e) => errors.push(e));
    await expect(s.connect()).rejects.toBeInstanceOf(StreamAuthenticationError);
    expect((await closed).code).toBe(4001);
    await new Promise((r) => setTimeout(r, 60));
    expect(server.sockets).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(StreamAuthenticationError);
    expect(s.state).toBe('closed');
  });

  test('an unauthorized error frame during authentication is fatal too', async () => {
    server.onSocket = (socket) =>
      socket.ws.once('message', () =>
        socket.send({ action: 'error', code: 'unauthorized', message: 'bad credentials' }),
      );
    const s = open();
    await expect(s.connect()).rejects.toBeInstanceOf(StreamAuthenticationError);
  });

  test('close 4002 (session replaced) stops with StreamSessionReplacedError and ends iterators', async () => {
    const s = open();
    await s.connect();
    const it = s.updates();
    const closed = once<{ code: number; error: unknown }>(s, 'close');
    s.on('error', () => {});
    (await server.socket(0)).close(4002, 'session_replaced');
    const info = await closed;
    expect(info.error).toBeInstanceOf(StreamSessionReplacedError);
    await expect(it.next()).rejects.toBeInstanceOf(StreamSessionReplacedError);
    await new Promise((r) => setTimeout(r, 60));
    expect(server.sockets).toHaveLength(1);
  });

  test.each([4003, 4008, 1011, 1012])(
    'close %i reconnects, re-authenticates, replays subscriptions and emits gap',
    async (code) => {
      const s = open();
      await s.connect();
      await s.subscribe(['orders'], { account_id: 'acc_1' });
      const first = await server.socket(0);
      first.send({ action: 'order_update', seq: 1, user_id: 'u', data: order });
      await once(s, 'order_update');
      const reconnecting = once<{ closeCode: number }>(s, 'reconnecting');
      const reconnected = once(s, 'reconnected');
      const gap = once<GapInfo>(s, 'gap');
      first.close(code, 'bye');
      expect((await reconnecting).closeCode).toBe(code);
      await reconnected;
      expect(await gap).toEqual({ reason: 'reconnect', from: 2 });
      const second = await server.socket(1);
      await second.next();
      expect(second.received[0]?.action).toBe('authenticate');
      const replay = await second.next();
      expect(replay).toMatchObject({ action: 'subscribe', topics: ['orders'], account_id: 'acc_1' });
      // seq restarts at 1 on the new session without a spurious gap.
      const gaps: unknown[] = [];
      s.on('gap', (g) => gaps.push(g));
      second.send({ action: 'order_update', seq: 1, user_id: 'u', data: order });
      await once(s, 'order_update');
      expect(gaps).toEqual([]);
    },
  );

  test('close 4029 waits for the longer rate-limit backoff', async () => {
    const s = open({ reconnect: { initialDelay: 5, maxDelay: 10, rateLimitedDelay: 300 } });
    await s.connect();
    const reconnecting = once<{ delay: number }>(s, 'reconnecting');
    (await server.socket(0)).close(4029, 'rate_limited');
    expect((await reconnecting).delay).toBeGreaterThanOrEqual(300);
    await new Promise((r) => setTimeout(r, 150));
    expect(server.sockets).toHaveLength(1);
    await server.socket(1, 2000);
  });

  test('the secret provider is called on every connect and secrets never show in inspect output', async () => {
    let calls = 0;
    const s = open({ clientSecret: async () => `rotated_secret_${++calls}` });
    await s.connect();
    (await server.socket(0)).close(1012, 'restart');
    await once(s, 'reconnected');
    const second = await server.socket(1);
    expect(second.received[0]?.client_secret).toBe('rotated_secret_2');
    expect(calls).toBe(2);
    expect(inspect(s, { depth: 10 })).not.toMatch(/rotated_secret|cs_secret_value/);
  });

  test('an answer arriving after a reconnect is ignored; requests of the dead socket reject', async () => {
    server.onSocket = (socket) =>
      socket.ws.on('message', (data) => {
        const frame = JSON.parse(String(data));
        if (frame.action === 'authenticate') socket.send({ action: 'authenticated', session_id: 's' });
        // The unsubscribe is never answered on the first socket.
        if (frame.action === 'subscribe')
          socket.send({ action: 'subscribed', request_id: frame.request_id, topics: frame.topics });
      });
    const s = open();
    await s.connect();
    const sub = await s.subscribe(['orders']);
    const unsubscribing = sub.unsubscribe();
    const first = await server.socket(0);
    const unsubscribe = await first.next().then(() => first.next());
    first.close(1011);
    await expect(unsubscribing).rejects.toBeInstanceOf(StreamClosedError);
    await once(s, 'reconnected');
    const second = await server.socket(1);
    const updates: unknown[] = [];
    s.on('update', (u) => updates.push(u));
    // The old request's answer, delivered late on the new socket, must not resolve anything or crash.
    second.send({ action: 'unsubscribed', request_id: unsubscribe.request_id, topics: ['orders'] });
    second.send({ action: 'order_update', seq: 1, user_id: 'u', data: order });
    await once(s, 'order_update');
    expect(updates).toHaveLength(1);
  });

  test('malformed frames become error events carrying the raw frame; the stream keeps working', async () => {
    const s = open();
    await s.connect();
    const socket = await server.socket(0);
    const errors: StreamProtocolError[] = [];
    s.on('error', (e) => errors.push(e as StreamProtocolError));
    socket.sendRaw('{not json');
    socket.sendRaw(JSON.stringify({ action: 'teleport', x: 1 }));
    socket.sendRaw(JSON.stringify({ action: 'order_update', seq: '1x', user_id: 'u', data: order }));
    socket.sendRaw(JSON.stringify({ action: 'order_update', seq: 1, user_id: 'u', data: 'x'.repeat(5000) }));
    socket.sendRaw('[1,2]');
    socket.send({ action: 'order_update', seq: 1, user_id: 'u', data: order });
    await once(s, 'order_update');
    expect(errors).toHaveLength(5);
    for (const e of errors) expect(e).toBeInstanceOf(StreamProtocolError);
    expect(errors[0]?.frame).toBe('{not json');
    expect(errors[1]?.message).toMatch(/Unknown action "teleport"/);
    expect(errors[2]?.message).toMatch(/seq/);
    expect(errors[3]?.frame.length).toBeLessThanOrEqual(513);
  });

  test('validate: true rejects a message with wrong nested field types', async () => {
    const s = open({ validate: true });
    await s.connect();
    const socket = await server.socket(0);
    const errors: StreamProtocolError[] = [];
    s.on('error', (e) => errors.push(e as StreamProtocolError));
    const bad = { ...order, status: 42 };
    socket.sendRaw(JSON.stringify({ action: 'order_update', seq: 1, user_id: 'u', data: bad }));
    socket.send({ action: 'order_update', seq: 2, user_id: 'u', data: order });
    const received = await once<Order>(s, 'order_update');
    expect(received.order_id).toBe('ord_1');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toMatch(/does not match the spec/);
  });

  test('a throwing listener is reported as ListenerError; other listeners and the stream carry on', async () => {
    const s = open();
    await s.connect();
    const socket = await server.socket(0);
    const errors: unknown[] = [];
    const got: number[] = [];
    s.on('order_update', () => {
      throw new Error('user bug');
    });
    s.on('order_update', (_o, meta) => got.push(meta.seq));
    s.on('error', (e) => {
      errors.push(e);
      throw new Error('the error listener is buggy too');
    });
    socket.send({ action: 'order_update', seq: 1, user_id: 'u', data: order });
    socket.send({ action: 'order_update', seq: 2, user_id: 'u', data: order });
    await new Promise((r) => setTimeout(r, 50));
    expect(got).toEqual([1, 2]);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toBeInstanceOf(ListenerError);
    expect(s.state).toBe('open');
  });

  test('requests made while disconnected are queued (bounded in bytes) and sent after authentication', async () => {
    const s = open({ maxQueueBytes: 64 });
    const subscribing = s.subscribe(['orders']);
    await s.connect();
    await subscribing;
    const socket = await server.socket(0);
    expect(socket.received.map((f) => f.action)).toEqual(['authenticate', 'subscribe']);
  });
});
