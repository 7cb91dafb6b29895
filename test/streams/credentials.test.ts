/**
 * A credential fetch that fails for good rejects `connect()` at once, with that failure as `cause`;
 * one that may pass is retried, and the connect timeout then carries the last failure.
 */
import { inspect } from 'node:util';
import { ConfigurationError, errorFactory } from '../../src/core/errors';
import {
  BrokerageStream,
  MarketDataStream,
  StreamAuthenticationError,
  StreamTimeoutError,
} from '../../src/streams';
import type { ConnectionToken } from '../../src/types';
import { brokerageScript, type FakeWebSocket, fakeWebSocketFactory } from './fake-websocket';

const FAST = { initialDelay: 5, maxDelay: 20 };
const GOOD: ConnectionToken = { token: 'mdt_good_token', expires_at: '2099-01-01T00:00:00Z' };
const answered = (status: number, message: string) =>
  errorFactory.apiError({
    status,
    message,
    body: { message },
    headers: { 'content-type': 'application/json' },
  });

function marketScript(socket: FakeWebSocket, frame: Record<string, unknown>): void {
  if (frame.action === 'authenticate')
    socket.push({ action: 'authenticated', connection_id: 'conn_1', expires_at: '2099-01-01T00:00:00Z' });
}

function marketData(tokenProvider: () => Promise<ConnectionToken>, connectTimeout = 20_000) {
  const fake = fakeWebSocketFactory('MarketDataServerMessage', marketScript, (s) =>
    queueMicrotask(() => s.accept()),
  );
  const stream = new MarketDataStream({
    url: 'ws://fake',
    WebSocket: fake.Ctor,
    reconnect: FAST,
    connectTimeout,
    tokenProvider,
  });
  stream.on('error', () => {});
  return { stream, fake };
}

/** Rejects with what connect() rejected with, and how long it took. */
async function failure(connect: () => Promise<void>) {
  const started = Date.now();
  const error = await connect().then(
    () => {
      throw new Error('connect() resolved');
    },
    (e: unknown) => e as Error & { cause?: unknown; code?: string },
  );
  return { error, ms: Date.now() - started };
}

describe('market data: a credential fetch that fails for good', () => {
  it.each([
    ['a 404 (unknown connection)', () => Promise.reject(answered(404, 'connection conn_x not found'))],
    ['a 401', () => Promise.reject(answered(401, 'invalid user secret'))],
    ['a 403', () => Promise.reject(answered(403, 'not entitled to market data'))],
    ['a 400', () => Promise.reject(answered(400, 'bad connection id'))],
    ['a provider that throws', () => Promise.reject(new Error('vault sealed'))],
    [
      'a provider that throws synchronously',
      () => {
        throw new TypeError('provider bug');
      },
    ],
    ['a provider returning the wrong shape', async () => ({ access_token: 'x' }) as never],
    ['a provider returning nothing', async () => undefined as never],
  ])('%s rejects connect() at once with it as cause, and closes the stream', async (_, provider) => {
    let calls = 0;
    const { stream, fake } = marketData(async () => {
      calls++;
      return (provider as () => Promise<ConnectionToken>)();
    });
    const { error, ms } = await failure(() => stream.connect());
    expect(error).toBeInstanceOf(StreamAuthenticationError);
    expect(error.code).toBe('credentials_unavailable');
    expect(error.cause).toBeInstanceOf(Error);
    expect(error.message).toContain((error.cause as Error).message);
    expect(ms).toBeLessThan(2_000);
    expect(calls).toBe(1);
    expect(fake.sockets).toHaveLength(0);
    expect(stream.state).toBe('closed');
    expect(stream.activeTimers).toBe(0);
  });

  it('the malformed value is a ConfigurationError cause, and a 404 keeps its status', async () => {
    const shape = await failure(() => marketData(async () => ({ token: 5 }) as never).stream.connect());
    expect(shape.error.cause).toBeInstanceOf(ConfigurationError);
    const missing = await failure(() =>
      marketData(() => Promise.reject(answered(404, 'connection conn_x not found'))).stream.connect(),
    );
    expect(missing.error.cause).toMatchObject({ name: 'NotFoundError', status: 404 });
  });
});

describe('market data: transient failures are retried', () => {
  it.each([
    ['no answer', () => errorFactory.connection(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))],
    ['a timeout', () => errorFactory.timeout(5_000)],
    ['a 503', () => answered(503, 'upstream down')],
    ['a 429', () => answered(429, 'slow down')],
    [
      'a network error of your own fetch',
      () => new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }),
    ],
  ])('%s, then a token: connects', async (_, transient) => {
    let calls = 0;
    const { stream } = marketData(async () => {
      if (++calls < 3) throw transient();
      return GOOD;
    });
    await stream.connect();
    expect(calls).toBe(3);
    await stream.close();
  });

  it('failing until the deadline: a StreamTimeoutError whose cause is the last failure', async () => {
    let calls = 0;
    const { stream } = marketData(async () => {
      calls++;
      throw answered(503, `upstream down (${calls})`);
    }, 500);
    const { error } = await failure(() => stream.connect());
    expect(error).toBeInstanceOf(StreamTimeoutError);
    expect(error.message).toBe('connect timed out after 500 ms');
    expect(error.cause).toMatchObject({ name: 'InternalServerError', status: 503 });
    expect((error.cause as Error).message).toBe(`upstream down (${calls})`);
    expect(calls).toBeGreaterThan(1);
    expect(stream.state).toBe('closed');
  });
});

describe('brokerage: the client secret provider follows the same rule', () => {
  const brokerage = (clientSecret: () => string | Promise<string>) => {
    const fake = fakeWebSocketFactory('BrokerageServerMessage', brokerageScript, (s) =>
      queueMicrotask(() => s.accept()),
    );
    const stream = new BrokerageStream({
      clientId: 'cid',
      clientSecret,
      url: 'ws://fake',
      WebSocket: fake.Ctor,
      reconnect: FAST,
    });
    stream.on('error', () => {});
    return { stream, fake };
  };

  it.each([
    [
      'throws',
      () => {
        throw new Error('vault sealed');
      },
    ],
    ['rejects', () => Promise.reject(new Error('vault sealed'))],
    ['returns no secret', () => ''],
    ['returns a non-string', () => 42 as never],
  ])('a provider that %s rejects connect() at once with the cause', async (_, provider) => {
    const { stream, fake } = brokerage(provider);
    const { error, ms } = await failure(() => stream.connect());
    expect(error).toBeInstanceOf(StreamAuthenticationError);
    expect(error.cause).toBeInstanceOf(Error);
    expect(ms).toBeLessThan(2_000);
    expect(fake.sockets).toHaveLength(0);
    expect(stream.state).toBe('closed');
  });

  it('a provider whose vault is briefly unreachable is asked again', async () => {
    let calls = 0;
    const { stream } = brokerage(async () => {
      if (++calls === 1) throw Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' });
      return 'cs_rotated_secret';
    });
    await stream.connect();
    expect(calls).toBe(2);
    await stream.close();
  });
});

describe("stream errors are scrubbed with the stream's own credentials, and only those", () => {
  const SECRET = 'cs_stream_secret_9d2e';
  const TOKEN = 'mdt_stream_token_41ab';

  const views = (error: unknown) => {
    const e = error as { code?: unknown; cause?: { message?: string } };
    return [
      String(error),
      JSON.stringify(error),
      inspect(error, { depth: 10 }),
      String(e.code),
      String(e.cause?.message),
    ];
  };

  it('a brokerage error frame and a refusal echoing the client secret reach the caller redacted', async () => {
    const fake = fakeWebSocketFactory(
      'BrokerageServerMessage',
      () => {},
      (s) => queueMicrotask(() => s.accept()),
    );
    const stream = new BrokerageStream({
      clientId: 'cid',
      clientSecret: SECRET,
      url: 'ws://fake',
      WebSocket: fake.Ctor,
      reconnect: FAST,
    });
    const errors: unknown[] = [];
    stream.on('error', (e) => errors.push(e));
    const connecting = stream.connect().catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 20));
    const socket = fake.sockets[0] as FakeWebSocket;
    socket.push({ action: 'error', code: SECRET, message: `not for you: ${SECRET}` });
    socket.push({ action: 'error', code: 'unauthorized', message: `bad client_secret ${SECRET}` });
    const refused = await connecting;
    expect(refused).toBeInstanceOf(StreamAuthenticationError);
    expect(errors.length).toBeGreaterThan(0);
    for (const error of [refused, ...errors])
      for (const view of views(error)) expect(view).not.toContain(SECRET);
    expect((errors[0] as { code?: string }).code).toBe('[REDACTED]');
  });

  it("a market-data provider's failure naming a token it handed out earlier is scrubbed", async () => {
    let calls = 0;
    const { stream, fake } = marketData(async () => {
      if (++calls === 1) return { token: TOKEN, expires_at: '2099-01-01T00:00:00Z' };
      throw new Error(`token ${TOKEN} revoked`);
    });
    await stream.connect();
    const closed = new Promise<{ error?: unknown }>((resolve) => stream.once('close', resolve));
    (fake.sockets[0] as FakeWebSocket).drop(1006);
    const { error } = await closed;
    expect(error).toBeInstanceOf(StreamAuthenticationError);
    for (const view of views(error)) expect(view).not.toContain(TOKEN);
    expect((error as Error).message).toContain('[REDACTED] revoked');
  });

  it("another stream's secret leaves this stream's messages alone", async () => {
    const other = new BrokerageStream({ clientId: 'cid', clientSecret: 'cs_other_stream_secret' });
    const fake = fakeWebSocketFactory('BrokerageServerMessage', brokerageScript, (s) =>
      queueMicrotask(() => s.accept()),
    );
    const stream = new BrokerageStream({
      clientId: 'cid',
      clientSecret: SECRET,
      url: 'ws://fake',
      WebSocket: fake.Ctor,
      reconnect: FAST,
    });
    const errors: Error[] = [];
    stream.on('error', (e) => errors.push(e));
    await stream.connect();
    (fake.sockets[0] as FakeWebSocket).push({
      action: 'error',
      code: 'invalid_message',
      message: 'about cs_other_stream_secret',
    });
    expect(errors.map((e) => e.message)).toEqual(['about cs_other_stream_secret']);
    await stream.close();
    await other.close();
  });
});
