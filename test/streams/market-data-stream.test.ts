import {
  MarketDataStream,
  StreamProtocolError,
  type StreamRequestError,
  ValidationError,
} from '../../src/streams';
import type { Bar, Quote, Trade } from '../../src/types';
import { marketDataAutoResponder, once, type ServerSocket, TestWsServer } from '../helpers/ws-server';

const quote = (symbol: string, last: string): Quote => ({
  symbol,
  bid: '190.01',
  bid_size: '300',
  ask: '190.03',
  ask_size: '200',
  last,
  last_size: '100',
  timestamp: '2026-11-25T14:30:00.123Z',
});
const trade = (price: string): Trade => ({
  symbol: 'AAPL',
  price,
  size: '100',
  session: 'regular',
  timestamp: '2026-11-25T14:30:00.123Z',
});
const bar = (start: string, close: string): Bar => ({
  symbol: 'AAPL',
  interval: '1m',
  open: '190',
  high: '190.5',
  low: '189.9',
  close,
  volume: '12000',
  start,
  complete: false,
});

let server: TestWsServer<'market-data'>;
let md: MarketDataStream | undefined;
let tokens: string[];

beforeEach(async () => {
  server = await TestWsServer.start('market-data', marketDataAutoResponder());
  tokens = [];
});
afterEach(async () => {
  await md?.close();
  md = undefined;
  await server.close();
});

function open(extra: Partial<ConstructorParameters<typeof MarketDataStream>[0]> = {}): MarketDataStream {
  let n = 0;
  md = new MarketDataStream({
    url: server.url,
    reconnect: { initialDelay: 5, maxDelay: 20 },
    tokenProvider: async () => {
      const token = `mdt_token_${++n}`;
      tokens.push(token);
      return { token, expires_at: '2099-01-01T00:00:00Z' };
    },
    ...extra,
  });
  return md;
}

const tick = (ms = 30) => new Promise((r) => setTimeout(r, ms));

describe('MarketDataStream over a loopback server', () => {
  test('authenticates with the token and subscribes to every channel with its params', async () => {
    const s = open();
    await s.connect();
    const socket = await server.socket(0);
    expect(socket.received[0]).toEqual({ action: 'authenticate', token: 'mdt_token_1' });
    await s.subscribe('quotes', ['AAPL', 'MSFT']);
    await s.subscribe('bars', ['AAPL'], { interval: '1m', backfill: 50 });
    await s.subscribe('trades', ['AAPL'], { session_filter: 'extended' });
    await s.subscribe('depth', ['AAPL'], { levels: 5 });
    await s.subscribe('options_chain', ['AAPL'], { greeks: true, expiration: '2026-12-18' });
    expect(socket.received.slice(1).map(({ request_id: _, ...f }) => f)).toEqual([
      { action: 'subscribe', channel: 'quotes', symbols: ['AAPL', 'MSFT'] },
      { action: 'subscribe', channel: 'bars', symbols: ['AAPL'], interval: '1m', backfill: 50 },
      { action: 'subscribe', channel: 'trades', symbols: ['AAPL'], session_filter: 'extended' },
      { action: 'subscribe', channel: 'depth', symbols: ['AAPL'], levels: 5 },
      {
        action: 'subscribe',
        channel: 'options_chain',
        symbols: ['AAPL'],
        greeks: true,
        expiration: '2026-12-18',
      },
    ]);
  });

  test('routes every channel to its subscription and to stream events', async () => {
    const s = open();
    await s.connect();
    const socket = await server.socket(0);
    const subs = {
      quotes: await s.subscribe('quotes', ['AAPL']),
      trades: await s.subscribe('trades', ['AAPL']),
      bars: await s.subscribe('bars', ['AAPL'], { interval: '1m' }),
      depth: await s.subscribe('depth', ['AAPL']),
      options_chain: await s.subscribe('options_chain', ['AAPL']),
    };
    const got: Record<string, unknown[]> = {};
    for (const [channel, sub] of Object.entries(subs))
      sub.on('data', (d: unknown) => {
        got[channel] = [...(got[channel] ?? []), d];
      });
    const events: string[] = [];
    for (const channel of Object.keys(subs)) s.on(channel as 'quotes', () => events.push(channel));
    socket.send({ action: 'update', channel: 'quotes', data: quote('AAPL', '190.02') });
    socket.send({ action: 'update', channel: 'quotes', data: quote('MSFT', '400') }); // not subscribed
    socket.send({ action: 'update', channel: 'trades', data: trade('190.02') });
    socket.send({ action: 'update', channel: 'bars', data: bar('2026-11-25T14:30:00Z', '190.2') });
    socket.send({
      action: 'update',
      channel: 'depth',
      data: {
        symbol: 'AAPL',
        bids: [{ price: '190.01', size: '300' }],
        asks: [{ price: '190.03', size: '200' }],
        timestamp: '2026-11-25T14:30:00.123Z',
      },
    });
    socket.send({
      action: 'update',
      channel: 'options_chain',
      data: {
        underlying: 'AAPL',
        timestamp: '2026-11-25T14:30:00Z',
        contracts: [
          {
            symbol: 'AAPL  261218C00200000',
            expiration: '2026-12-18',
            strike: '200',
            right: 'call',
            bid: '3.1',
            ask: '3.2',
            last: '3.15',
            volume: '1200',
            open_interest: '5400',
            delta: '0.41',
          },
        ],
      },
    });
    socket.send({ action: 'heartbeat', time: '2026-11-25T14:30:15Z' });
    await once(s, 'heartbeat');
    expect(Object.fromEntries(Object.entries(got).map(([k, v]) => [k, v.length]))).toEqual({
      quotes: 1,
      trades: 1,
      bars: 1,
      depth: 1,
      options_chain: 1,
    });
    expect((got.quotes as Quote[])[0]?.last).toBe('190.02');
    expect(events).toEqual(['quotes', 'quotes', 'trades', 'bars', 'depth', 'options_chain']);
  });

  test('an answer whose payload breaks the protocol rejects its request with a StreamProtocolError, at once', async () => {
    server.onSocket = (socket: ServerSocket<'market-data'>) => {
      socket.ws.on('message', (data) => {
        const f = JSON.parse(String(data));
        const id = f.request_id;
        if (f.action === 'authenticate')
          socket.send({
            action: 'authenticated',
            connection_id: 'conn_1',
            expires_at: '2099-01-01T00:00:00Z',
          });
        const raw = (frame: object) => socket.sendRaw(JSON.stringify(frame));
        if (f.action === 'subscribe') raw({ action: 'subscribed', request_id: id, channel: f.channel });
        if (f.action === 'snapshot') raw({ action: 'snapshot', request_id: id, symbol: 'AAPL', data: {} });
        if (f.action === 'list_subscriptions')
          raw({ action: 'subscriptions', request_id: id, subscriptions: 'all' });
      });
    };
    const s = open({ requestTimeout: 60_000 });
    const errors: unknown[] = [];
    s.on('error', (e) => errors.push(e));
    await s.connect();
    const started = Date.now();
    const subscribe = s.subscribe('quotes', ['AAPL']).catch((e: unknown) => e);
    const snapshot = s.snapshotBars({ symbol: 'AAPL', interval: '1m' }).catch((e: unknown) => e);
    const list = s.listSubscriptions().catch((e: unknown) => e);
    const [a, b, c] = await Promise.all([subscribe, snapshot, list]);
    expect(a).toBeInstanceOf(StreamProtocolError);
    expect((a as Error).message).toMatch(/"subscribed" frame: "symbols" must be array/);
    expect(b).toBeInstanceOf(StreamProtocolError);
    expect((b as Error).message).toMatch(/"snapshot" frame: "data" must be array/);
    expect(c).toBeInstanceOf(StreamProtocolError);
    expect((c as Error).message).toMatch(/"subscriptions" frame: "subscriptions" must be array/);
    expect(Date.now() - started).toBeLessThan(30_000); // answered, not timed out
    expect(errors).toEqual([]); // the request's caller gets it
    // The refused subscribe is not replayed and the stream stays usable.
    expect(s.state).toBe('open');
  });

  test('snapshotBars and listSubscriptions match answers by request_id', async () => {
    server.onSocket = (socket: ServerSocket<'market-data'>) => {
      marketDataAutoResponder()(socket);
      socket.ws.on('message', (data) => {
        const f = JSON.parse(String(data));
        // Answer in reverse order to prove matching is by id, not by position.
        if (f.action === 'list_subscriptions')
          setTimeout(
            () =>
              socket.send({
                action: 'subscriptions',
                request_id: f.request_id,
                subscriptions: [{ channel: 'bars', symbols: ['AAPL'], params: { interval: '1m' } }],
              }),
            20,
          );
        if (f.action === 'snapshot')
          socket.send({
            action: 'snapshot',
            request_id: f.request_id,
            channel: 'bars',
            symbol: f.symbol,
            data: [bar('2026-11-24T00:00:00Z', '189')],
          });
      });
    };
    const s = open();
    await s.connect();
    const [list, history] = await Promise.all([
      s.listSubscriptions(),
      s.snapshotBars({ symbol: 'AAPL', interval: '1d', limit: 30 }),
    ]);
    expect(list).toEqual([{ channel: 'bars', symbols: ['AAPL'], params: { interval: '1m' } }]);
    expect(history[0]?.close).toBe('189');
    const socket = await server.socket(0);
    expect(socket.received.find((f) => f.action === 'snapshot')).toMatchObject({
      channel: 'bars',
      symbol: 'AAPL',
      interval: '1d',
      limit: 30,
    });
  });

  test('bad subscribe or snapshot input is refused before sending', async () => {
    const s = open();
    await s.connect();
    await expect(s.subscribe('bars', ['AAPL'], {} as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(s.subscribe('depth', ['AAPL'], { levels: 0 })).rejects.toBeInstanceOf(ValidationError);
    await expect(s.subscribe('quotes', [])).rejects.toBeInstanceOf(ValidationError);
    await expect(s.subscribe('quotes', ['AAPL'], { levels: 3 } as never)).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(s.snapshotBars({ symbol: 'AAPL', interval: '2 minutes' })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(s.snapshotBars({ symbol: 'AAPL', interval: '1d', limit: 0 })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await tick();
    expect((await server.socket(0)).received).toHaveLength(1);
  });

  test('unsubscribe only sends symbols no other subscription still needs', async () => {
    const s = open();
    await s.connect();
    const a = await s.subscribe('quotes', ['AAPL', 'MSFT']);
    await s.subscribe('quotes', ['MSFT']);
    await a.unsubscribe();
    const socket = await server.socket(0);
    expect(socket.received.at(-1)).toMatchObject({
      action: 'unsubscribe',
      channel: 'quotes',
      symbols: ['AAPL'],
    });
    expect(a.isActive).toBe(false);
  });

  test('token_expired + close 4003: a new token is fetched, then every subscription is replayed', async () => {
    const s = open();
    await s.connect();
    await s.subscribe('quotes', ['AAPL']);
    await s.subscribe('bars', ['AAPL'], { interval: '5m' });
    const first = await server.socket(0);
    const reconnected = once(s, 'reconnected');
    const gap = once(s, 'gap');
    const errors: unknown[] = [];
    s.on('error', (e) => errors.push(e));
    first.send({ action: 'error', code: 'token_expired', message: 'token expired' });
    first.close(4003, 'token_expired');
    await reconnected;
    expect(await gap).toEqual({ reason: 'reconnect' });
    const second = await server.socket(1);
    await second.next();
    await second.next();
    await second.next();
    expect(second.received[0]).toEqual({ action: 'authenticate', token: 'mdt_token_2' });
    expect(second.received.slice(1).map((f) => [f.channel, f.interval])).toEqual([
      ['quotes', undefined],
      ['bars', '5m'],
    ]);
    expect((errors[0] as StreamRequestError).code).toBe('token_expired');
  });

  test('a provider returning an expired or rejected token is asked again', async () => {
    const answers = [
      { token: 'mdt_first_token', expires_at: '2099-01-01T00:00:00Z' },
      { token: 'mdt_first_token', expires_at: '2099-01-01T00:00:00Z' }, // same token it just had rejected
      { token: 'mdt_second_token', expires_at: '2099-01-01T00:00:00Z' },
    ];
    const s = open({
      tokenProvider: async () =>
        answers.shift() ?? { token: 'mdt_stale_token', expires_at: '2000-01-01T00:00:00Z' },
    });
    await s.connect();
    (await server.socket(0)).close(4003, 'token_expired');
    await once(s, 'reconnected');
    expect((await server.socket(1)).received[0]).toEqual({
      action: 'authenticate',
      token: 'mdt_second_token',
    });
    expect(answers).toHaveLength(0);
  });

  test('iterators conflate quotes per symbol, bars per symbol+start, and trades keep a bounded FIFO', async () => {
    const s = open({ tradesBufferSize: 3 });
    await s.connect();
    const socket = await server.socket(0);
    const quotes = await s.subscribe('quotes', ['AAPL', 'MSFT']);
    const bars = await s.subscribe('bars', ['AAPL'], { interval: '1m' });
    const trades = await s.subscribe('trades', ['AAPL']);
    const qi = quotes[Symbol.asyncIterator]();
    const bi = bars[Symbol.asyncIterator]();
    const ti = trades[Symbol.asyncIterator]();
    for (let i = 1; i <= 100; i++) {
      socket.send({ action: 'update', channel: 'quotes', data: quote('AAPL', `${i}`) });
      socket.send({ action: 'update', channel: 'quotes', data: quote('MSFT', `${1000 + i}`) });
    }
    socket.send({ action: 'update', channel: 'bars', data: bar('2026-11-25T14:30:00Z', '1') });
    socket.send({ action: 'update', channel: 'bars', data: bar('2026-11-25T14:31:00Z', '2') });
    socket.send({ action: 'update', channel: 'bars', data: bar('2026-11-25T14:30:00Z', '3') });
    for (let i = 1; i <= 10; i++) socket.send({ action: 'update', channel: 'trades', data: trade(`${i}`) });
    socket.send({ action: 'heartbeat', time: '2026-11-25T14:30:15Z' });
    await once(s, 'heartbeat');
    expect(qi.backlog).toBe(2);
    expect((await qi.next()).value).toMatchObject({ symbol: 'AAPL', last: '100' });
    expect((await qi.next()).value).toMatchObject({ symbol: 'MSFT', last: '1100' });
    expect(bi.backlog).toBe(2);
    expect((await bi.next()).value).toMatchObject({ start: '2026-11-25T14:30:00Z', close: '3' });
    expect((await bi.next()).value).toMatchObject({ start: '2026-11-25T14:31:00Z', close: '2' });
    expect(ti.dropped).toBe(7);
    const prices = [
      (await ti.next()).value?.price,
      (await ti.next()).value?.price,
      (await ti.next()).value?.price,
    ];
    expect(prices).toEqual(['8', '9', '10']);
    // A value arriving while the consumer waits goes straight through.
    const pending = qi.next();
    socket.send({ action: 'update', channel: 'quotes', data: quote('AAPL', '101') });
    expect((await pending).value).toMatchObject({ last: '101' });
    await quotes.unsubscribe();
    expect((await qi.next()).done).toBe(true);
  });

  test('survives a server-side drop: reconnects, re-authenticates with a fresh token, resubscribes, data flows', async () => {
    const s = open();
    await s.connect();
    const quotes = await s.subscribe('quotes', ['AAPL']);
    (await server.socket(0)).terminate();
    await once(s, 'reconnected');
    const second = await server.socket(1);
    await second.next();
    await second.next();
    const data = once<Quote>(quotes, 'data');
    second.send({ action: 'update', channel: 'quotes', data: quote('AAPL', '200') });
    expect((await data).last).toBe('200');
    expect(tokens).toEqual(['mdt_token_1', 'mdt_token_2']);
  });
});

describe('leaving a for-await loop (issue 10 item 7)', () => {
  test('break unsubscribes on the server when no other reader holds the subscription', async () => {
    const stream = open();
    await stream.connect();
    const socket = await server.socket(0);
    const sub = await stream.subscribe('quotes', ['AAPL']);
    socket.send({ action: 'update', channel: 'quotes', data: quote('AAPL', '190.02') });
    for await (const q of sub) {
      expect(q.last).toBe('190.02');
      break;
    }
    const frame = await nextOf(socket, 'unsubscribe');
    expect(frame).toMatchObject({ channel: 'quotes', symbols: ['AAPL'] });
    expect(sub.isActive).toBe(false);
  });

  test('another iterator or a data listener keeps it subscribed', async () => {
    const stream = open();
    await stream.connect();
    const socket = await server.socket(0);
    const sub = await stream.subscribe('quotes', ['MSFT']);
    const first = sub[Symbol.asyncIterator]();
    const second = sub[Symbol.asyncIterator]();
    const listener = jest.fn();
    sub.on('data', listener);
    await first.return(); // what `break` calls
    await second.return();
    await new Promise((r) => setTimeout(r, 50));
    expect(sub.isActive).toBe(true); // the data listener still reads it
    expect(socket.received.filter((f) => f.action === 'unsubscribe')).toHaveLength(0);
    sub.off('data', listener);
    // The last reader leaves: now it goes.
    await sub[Symbol.asyncIterator]().return();
    await nextOf(socket, 'unsubscribe');
    expect(sub.isActive).toBe(false);
    expect(socket.received.filter((f) => f.action === 'unsubscribe')).toHaveLength(1);
  });
});

/** The next client frame with this action (bounded wait). */
async function nextOf(socket: ServerSocket<'market-data'>, action: string) {
  for (;;) {
    const frame = await socket.next(2_000);
    if (frame.action === action) return frame;
  }
}
