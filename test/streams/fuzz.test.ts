/**
 * Property-based fuzz of stream frames (issue 12): whatever a hostile server sends (random text,
 * random JSON, protocol-shaped frames with random field values, binary frames, any close code),
 * everything the streams emit or reject with is a ConnectTradeError, nothing throws out of the
 * socket handlers, and no promise rejection goes unhandled.
 *
 * The seed is fixed in CI (`CI=true`) and random otherwise; `FUZZ_SEED` forces one. fast-check
 * prints the seed and the shrunk counterexample on failure.
 */
import fc from 'fast-check';
import { ConnectTradeError } from '../../src/core/errors';
import { BrokerageStream, MarketDataStream } from '../../src/streams';
import { type FakeWebSocket, fakeWebSocketFactory } from './fake-websocket';

const seed = process.env.FUZZ_SEED
  ? Number(process.env.FUZZ_SEED)
  : process.env.CI
    ? 20261130
    : Math.floor(Math.random() * 2 ** 31);
const runs = 100;

type Hostile = { kind: 'text'; text: string } | { kind: 'binary' } | { kind: 'close'; code: number };

const anyValue = fc.oneof(
  fc.anything(),
  fc.integer(),
  fc.double(),
  fc.string(),
  fc.constantFrom(null, true, '17', '1e3', -1, 0, 2 ** 53 + 2, Number.MAX_VALUE),
);
const actions = fc.constantFrom(
  'authenticated',
  'subscribed',
  'unsubscribed',
  'order_update',
  'position_update',
  'balance_update',
  'heartbeat',
  'error',
  'update',
  'snapshot',
  'subscriptions',
  'teleport',
);
const shaped = fc
  .record(
    {
      action: actions,
      request_id: fc.oneof(fc.constantFrom('r1', 'r2', 'r3'), anyValue),
      seq: anyValue,
      user_id: anyValue,
      data: fc.oneof(anyValue, fc.record({ symbol: anyValue, underlying: anyValue, start: anyValue })),
      session_id: anyValue,
      connection_id: anyValue,
      expires_at: anyValue,
      code: fc.oneof(
        fc.constantFrom('unauthorized', 'token_expired', 'session_replaced', 'rate_limited'),
        anyValue,
      ),
      message: anyValue,
      topics: anyValue,
      channel: fc.oneof(fc.constantFrom('quotes', 'trades', 'bars', 'depth', 'options_chain'), anyValue),
      symbols: anyValue,
      symbol: anyValue,
      subscriptions: anyValue,
      time: anyValue,
    },
    { requiredKeys: ['action'] },
  )
  .map((frame) => JSON.stringify(frame));
const hostile: fc.Arbitrary<Hostile> = fc.oneof(
  { weight: 6, arbitrary: shaped.map((text) => ({ kind: 'text' as const, text })) },
  { weight: 2, arbitrary: fc.json().map((text) => ({ kind: 'text' as const, text })) },
  { weight: 1, arbitrary: fc.string().map((text) => ({ kind: 'text' as const, text })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'binary' as const }) },
  {
    weight: 1,
    arbitrary: fc
      .oneof(
        fc.constantFrom(1000, 1006, 1009, 1011, 4001, 4002, 4003, 4008, 4029),
        fc.integer({ min: 1000, max: 4999 }),
      )
      .map((code) => ({ kind: 'close' as const, code })),
  },
);

/** Answers authenticate and subscribe like the server, so the hostile frames land on an open stream. */
function script(kind: 'brokerage' | 'market-data') {
  return (socket: FakeWebSocket, frame: Record<string, unknown>) => {
    if (frame.action === 'authenticate')
      socket.push(
        kind === 'brokerage'
          ? { action: 'authenticated', session_id: 's_1' }
          : { action: 'authenticated', connection_id: 'c_1', expires_at: '2099-01-01T00:00:00Z' },
      );
  };
}

function deliver(socket: FakeWebSocket | undefined, frame: Hostile): void {
  if (socket?.readyState !== 1) return;
  if (frame.kind === 'text') socket?.onmessage?.({ data: frame.text });
  else if (frame.kind === 'binary') socket?.onmessage?.({ data: new Uint8Array([1, 2, 3]) });
  else socket?.drop(frame.code, 'fuzz');
}

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeAll(() => process.on('unhandledRejection', onUnhandled));
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
});

async function fuzz(kind: 'brokerage' | 'market-data', frames: Hostile[]): Promise<void> {
  const fake = fakeWebSocketFactory(
    kind === 'brokerage' ? 'BrokerageServerMessage' : 'MarketDataServerMessage',
    script(kind),
    (s) => queueMicrotask(() => s.accept()),
  );
  const common = {
    url: 'ws://fake',
    WebSocket: fake.Ctor,
    reconnect: { initialDelay: 1, maxDelay: 2 },
    requestTimeout: 50,
    handshakeTimeout: 50,
  };
  const stream =
    kind === 'brokerage'
      ? new BrokerageStream({ clientId: 'cid', clientSecret: 'secret_value', ...common })
      : new MarketDataStream({
          tokenProvider: async () => ({ token: 'tok_value', expires_at: '2099-01-01T00:00:00Z' }),
          ...common,
        });
  const untyped: unknown[] = [];
  const check = (e: unknown) => {
    if (!(e instanceof ConnectTradeError)) untyped.push(e);
  };
  (stream as BrokerageStream).on('error', check);
  try {
    await stream.connect().catch(check);
    // Requests in flight while the frames arrive: their outcome must be typed too.
    const pending: Promise<unknown>[] =
      stream instanceof BrokerageStream
        ? [stream.subscribe(['orders']), stream.subscribe(['balances'])]
        : [stream.subscribe('quotes', ['AAPL']), stream.listSubscriptions()];
    for (const p of pending) p.catch(check);
    const iterator = stream instanceof BrokerageStream ? stream.updates({ maxBacklog: 5 }) : undefined;
    for (const frame of frames) {
      deliver(fake.sockets.at(-1), frame);
      await Promise.resolve();
    }
    await new Promise((r) => setTimeout(r, 5));
    if (iterator) {
      await stream.close();
      try {
        for await (const _ of iterator);
      } catch (error) {
        check(error);
      }
    }
  } finally {
    await stream.close();
  }
  await Promise.allSettled([]);
  expect(untyped).toEqual([]);
  expect(stream.activeTimers).toBe(0);
}

test.each(['brokerage', 'market-data'] as const)(
  'fuzzed %s frames: only ConnectTradeErrors, no unhandled rejection (seed printed on failure)',
  async (kind) => {
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(hostile, { maxLength: 25 }), (frames) => fuzz(kind, frames)),
        { seed, numRuns: runs },
      );
    } catch (error) {
      throw new Error(`fuzz failed with seed ${seed} (rerun: FUZZ_SEED=${seed}):\n${String(error)}`);
    }
    // Let any stray rejection surface before checking.
    await new Promise((r) => setTimeout(r, 20));
    expect(unhandled).toEqual([]);
  },
  60_000,
);
