/**
 * What happens to a subscription whose replay after a reconnect fails: a refusal ends it (its
 * handle leaves `listSubscriptions`, a market-data subscription's iterators finish with the error);
 * an unanswered replay keeps it and reconnects, so it is replayed again rather than silently lost.
 */
import { BrokerageStream, MarketDataStream, StreamRequestError, StreamTimeoutError } from '../../src/streams';
import { type ClientFrame, once, type ServerSocket, TestWsServer } from '../helpers/ws-server';

type Mode = 'answer' | 'refuse' | 'ignore';

/** A brokerage server whose subscribe answers, per socket index, are scripted. */
function brokerageServer(modes: Mode[]) {
  return TestWsServer.start('brokerage', (socket: ServerSocket<'brokerage'>) => {
    const mode = modes.shift() ?? 'answer';
    socket.ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as ClientFrame;
      if (frame.action === 'authenticate') socket.send({ action: 'authenticated', session_id: 's' });
      if (frame.action !== 'subscribe') return;
      if (mode === 'answer')
        socket.send({ action: 'subscribed', request_id: frame.request_id, topics: frame.topics });
      if (mode === 'refuse')
        socket.send({
          action: 'error',
          request_id: frame.request_id,
          code: 'invalid_request',
          message: 'no longer allowed',
        });
    });
  });
}

const fast = { reconnect: { initialDelay: 5, maxDelay: 10 }, requestTimeout: 300 };

describe('subscription replay after a reconnect', () => {
  let server: TestWsServer<'brokerage'> | TestWsServer<'market-data'>;
  let stream: BrokerageStream | MarketDataStream | undefined;
  afterEach(async () => {
    await stream?.close();
    await server.close();
  });

  it('a refused replay ends the brokerage subscription and reports the refusal', async () => {
    server = await brokerageServer(['answer', 'refuse']);
    const s = new BrokerageStream({ clientId: 'c', clientSecret: 'secret-1', url: server.url, ...fast });
    stream = s;
    await s.connect();
    await s.subscribe(['orders']);
    expect(s.listSubscriptions()).toHaveLength(1);
    const refused = once<StreamRequestError>(s, 'error');
    (await server.socket(0)).terminate();
    expect(await refused).toBeInstanceOf(StreamRequestError);
    expect(s.listSubscriptions()).toEqual([]);
  });

  it('an unanswered replay keeps the subscription and reconnects until it is confirmed', async () => {
    server = await brokerageServer(['answer', 'ignore', 'answer']);
    const s = new BrokerageStream({ clientId: 'c', clientSecret: 'secret-1', url: server.url, ...fast });
    stream = s;
    await s.connect();
    await s.subscribe(['orders']);
    const errors: unknown[] = [];
    s.on('error', (e) => errors.push(e));
    (await server.socket(0)).terminate();
    // The second socket never answers the replay; the stream must move on to a third one.
    const third = await server.socket(2, 5000);
    const replayed = await new Promise<ClientFrame>((resolve) =>
      third.ws.on('message', (d) => {
        const f = JSON.parse(d.toString()) as ClientFrame;
        if (f.action === 'subscribe') resolve(f);
      }),
    );
    expect(replayed.topics).toEqual(['orders']);
    expect(errors.some((e) => e instanceof StreamTimeoutError)).toBe(true);
    expect(s.listSubscriptions()).toHaveLength(1);
  });

  it('a refused market-data replay ends the subscription and finishes its iterators with the error', async () => {
    const modes: Mode[] = ['answer', 'refuse'];
    server = await TestWsServer.start('market-data', (socket: ServerSocket<'market-data'>) => {
      const mode = modes.shift() ?? 'answer';
      socket.ws.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as ClientFrame;
        if (frame.action === 'authenticate')
          socket.send({
            action: 'authenticated',
            connection_id: 'conn_1',
            expires_at: '2099-01-01T00:00:00Z',
          });
        if (frame.action !== 'subscribe') return;
        if (mode === 'answer')
          socket.send({
            action: 'subscribed',
            request_id: frame.request_id,
            channel: frame.channel,
            symbols: frame.symbols,
          });
        else
          socket.send({
            action: 'error',
            request_id: frame.request_id,
            code: 'ip_mismatch',
            message: 'other IP',
          });
      });
    });
    const md = new MarketDataStream({
      tokenProvider: async () => ({ token: 'tok-123456', expires_at: '2099-01-01T00:00:00Z' }),
      url: server.url,
      ...fast,
    });
    stream = md;
    md.on('error', () => {});
    await md.connect();
    const quotes = await md.subscribe('quotes', ['AAPL']);
    const iterator = quotes[Symbol.asyncIterator]();
    const next = iterator.next();
    (await server.socket(0)).terminate();
    await expect(next).rejects.toMatchObject({ code: 'ip_mismatch' });
    expect(quotes.isActive).toBe(false);
  });
});
