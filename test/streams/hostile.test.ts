/**
 * A hostile local server (issue 12, part 2): every state of the connection has a deadline on every
 * attempt, binary and oversize frames are reported, and absurd or disordered `seq` values are
 * protocol errors that never become the baseline.
 */
import {
  BrokerageStream,
  type BrokerageStreamOptions,
  StreamClosedError,
  type StreamError,
  StreamProtocolError,
  StreamTimeoutError,
} from '../../src/streams';
import type { GapInfo } from '../../src/streams/stream-core';
import type { Order } from '../../src/types';
import { orderFixture } from '../helpers/fixtures';
import { type ClientFrame, type ServerSocket, TestWsServer } from '../helpers/ws-server';

const order: Order = orderFixture();
let server: TestWsServer<'brokerage'>;
const streams: BrokerageStream[] = [];

/** Answers `authenticate` only on the sockets whose index is in `answer`. */
function authOn(answer: (index: number) => boolean) {
  let index = 0;
  return (socket: ServerSocket<'brokerage'>) => {
    const mine = index++;
    socket.ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as ClientFrame;
      if (frame.action === 'authenticate' && answer(mine))
        socket.send({ action: 'authenticated', session_id: `s_${mine}` });
      if (frame.action === 'subscribe')
        socket.send({ action: 'subscribed', request_id: frame.request_id, topics: frame.topics });
    });
  };
}

function open(extra: Partial<BrokerageStreamOptions> = {}) {
  const stream = new BrokerageStream({
    clientId: 'cid',
    clientSecret: 'secret_value',
    url: server.url,
    reconnect: { initialDelay: 10, maxDelay: 20 },
    ...extra,
  });
  streams.push(stream);
  const errors: StreamError[] = [];
  const gaps: GapInfo[] = [];
  let reconnects = 0;
  stream.on('error', (e) => errors.push(e));
  stream.on('gap', (g) => gaps.push(g));
  stream.on('reconnecting', () => reconnects++);
  return { stream, errors, gaps, reconnects: () => reconnects };
}

/** Polls `check` until it holds (bounded). */
async function until(check: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

afterEach(async () => {
  for (const s of streams.splice(0)) await s.close();
  await server?.close();
});

test('a server that answers pings but never `authenticated` after a reconnect: deadline, error, reconnect', async () => {
  server = await TestWsServer.start(
    'brokerage',
    authOn((i) => i === 0 || i >= 2),
  );
  const { stream, errors, reconnects } = open({ handshakeTimeout: 300, pingInterval: 50 });
  await stream.connect();
  (await server.socket(0)).terminate();
  // Socket #1 opens and answers pings (ws does) but never authenticates.
  await server.socket(1);
  await until(() => errors.some((e) => e instanceof StreamTimeoutError));
  const timeout = errors.find((e) => e instanceof StreamTimeoutError);
  expect(timeout?.message).toMatch(/authenticating timed out after 300 ms/);
  // The normal reconnect path: socket #2 authenticates and the stream is open again.
  await server.socket(2);
  await until(() => stream.state === 'open');
  expect(reconnects()).toBeGreaterThanOrEqual(2);
});

test('a credentials provider that never settles is a `connecting` deadline on every attempt', async () => {
  server = await TestWsServer.start(
    'brokerage',
    authOn(() => true),
  );
  let calls = 0;
  const { stream, errors } = open({
    handshakeTimeout: 200,
    connectTimeout: 60_000,
    clientSecret: () => (++calls === 1 ? new Promise<string>(() => {}) : 'secret_value'),
  });
  await stream.connect();
  expect(calls).toBe(2);
  expect(errors[0]).toBeInstanceOf(StreamTimeoutError);
  expect(errors[0]?.message).toMatch(/connecting timed out/);
});

test('a binary frame is an error event and a reconnect', async () => {
  server = await TestWsServer.start(
    'brokerage',
    authOn(() => true),
  );
  const { stream, errors, reconnects } = open();
  await stream.connect();
  (await server.socket(0)).ws.send(Buffer.from([1, 2, 3]));
  await server.socket(1);
  await until(() => stream.state === 'open' && reconnects() === 1);
  expect(errors).toHaveLength(1);
  expect(errors[0]).toBeInstanceOf(StreamProtocolError);
  expect(errors[0]?.message).toMatch(/Binary frame/);
});

test('a frame refused as too big (close 1009) is an error event and a reconnect', async () => {
  server = await TestWsServer.start(
    'brokerage',
    authOn(() => true),
  );
  const { stream, errors, reconnects } = open();
  await stream.connect();
  (await server.socket(0)).close(1009, 'message too big');
  await server.socket(1);
  await until(() => stream.state === 'open' && reconnects() === 1);
  expect(errors).toHaveLength(1);
  expect(errors[0]).toBeInstanceOf(StreamClosedError);
  expect(errors[0]?.closeCode).toBe(1009);
  expect(errors[0]?.code).toBe('message_too_big');
});

test.each([false, true])(
  '`seq` sent as a decimal string reads as the same number (validate: %s)',
  async (validate) => {
    server = await TestWsServer.start(
      'brokerage',
      authOn(() => true),
    );
    const { stream, errors, gaps } = open({ validate });
    await stream.connect();
    const seqs: number[] = [];
    stream.on('order_update', (_o, meta) => seqs.push(meta.seq));
    const socket = await server.socket(0);
    socket.sendRaw(JSON.stringify({ action: 'order_update', seq: '1', user_id: 'u', data: order }));
    socket.sendRaw(JSON.stringify({ action: 'order_update', seq: 2, user_id: 'u', data: order }));
    socket.sendRaw(JSON.stringify({ action: 'order_update', seq: '3', user_id: 'u', data: order }));
    await until(() => seqs.length === 3);
    expect(seqs).toEqual([1, 2, 3]);
    expect(errors).toHaveLength(0);
    expect(gaps).toHaveLength(0);
  },
);

test('an absurd seq is a protocol error and never becomes the baseline; repeats and steps back are reported', async () => {
  server = await TestWsServer.start(
    'brokerage',
    authOn(() => true),
  );
  const { stream, errors, gaps } = open();
  await stream.connect();
  const seqs: number[] = [];
  stream.on('order_update', (_o, meta) => seqs.push(meta.seq));
  const socket = await server.socket(0);
  const send = (seq: unknown) =>
    socket.sendRaw(JSON.stringify({ action: 'order_update', seq, user_id: 'u', data: order }));
  send(1);
  send(1e300); // an integer, but not a safe one
  send('123456789012345678'); // digits beyond Number.MAX_SAFE_INTEGER
  send(5_000_000); // far beyond the last
  send(2); // still in order: the absurd values did not move the baseline
  send(2); // a repeat
  send(1); // backwards
  send(4); // a real gap (3) is still seen
  await until(() => seqs.length === 3 && errors.length === 5);
  expect(seqs).toEqual([1, 2, 4]);
  for (const e of errors) expect(e).toBeInstanceOf(StreamProtocolError);
  expect(errors[0]?.message).toMatch(/safe integer/);
  expect(errors[1]?.message).toMatch(/safe integer/);
  expect(errors[2]?.message).toMatch(/implausibly far/);
  expect(errors[3]?.message).toMatch(/seq 2 repeats or goes backwards after 2/);
  expect(errors[4]?.message).toMatch(/seq 1 repeats or goes backwards after 2/);
  expect(gaps).toEqual([{ reason: 'seq', from: 3, to: 3 }]);
});
