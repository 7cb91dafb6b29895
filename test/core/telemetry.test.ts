/**
 * OpenTelemetry (issue 13, Telemetry): with `telemetry` set, each REST attempt is a client span with
 * the HTTP semantic-convention attributes, `orders.create` and `orders.reconcile` are parent spans,
 * and streams record connect, reconnect and gap. Spans are read back from the SDK's in-memory exporter.
 */
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NotFoundError } from '../../src/rest';
import { BrokerageStream } from '../../src/streams';
import type { GapInfo } from '../../src/streams/stream-core';
import { LIMIT_ORDER_REQUEST, orderFixture } from '../helpers/fixtures';
import { type HostileServer, hostileServer, json } from '../helpers/hostile-server';
import { brokerageAutoResponder, once, TestWsServer } from '../helpers/ws-server';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const tracer = provider.getTracer('test');
const contextManager = new AsyncLocalStorageContextManager();

let server: HostileServer | undefined;
beforeAll(() => context.setGlobalContextManager(contextManager.enable()));
afterAll(async () => {
  context.disable();
  trace.disable();
  await provider.shutdown();
});
beforeEach(() => {
  exporter.reset();
  jest.spyOn(Math, 'random').mockReturnValue(0); // zero backoff waits
});
afterEach(async () => {
  jest.restoreAllMocks();
  await server?.close();
  server = undefined;
});

const spans = (name?: string): ReadableSpan[] =>
  exporter.getFinishedSpans().filter((s) => name === undefined || s.name === name);
const parentOf = (span: ReadableSpan): string | undefined => span.parentSpanContext?.spanId;
const idOf = (span: ReadableSpan | undefined): string | undefined => span?.spanContext().spanId;

const REQUEST = { ...LIMIT_ORDER_REQUEST, cl_order_id: 'otel_1' };

describe('REST attempts', () => {
  test('each attempt is a client span: method, url.template, server, status, resend count, request id', async () => {
    let gets = 0;
    server = await hostileServer((seen, res) => {
      if (seen.path !== '/orders') return json(res, 404, { message: 'no route' });
      if (++gets === 1) return json(res, 503, { message: 'busy' });
      json(res, 200, { orders: [], next_cursor: null, prev_cursor: null }, { 'x-request-id': 'req_42' });
    });
    await server.user({ telemetry: { tracer } }).orders.list({ account_id: 'acc_1' });
    const attempts = spans('GET /orders');
    expect(attempts).toHaveLength(2);
    const port = Number(new URL(server.url).port);
    expect(attempts[0]?.kind).toBe(SpanKind.CLIENT);
    expect(attempts[0]?.attributes).toEqual({
      'http.request.method': 'GET',
      'url.template': '/orders',
      'server.address': '127.0.0.1',
      'server.port': port,
      'http.response.status_code': 503,
      'error.type': '503',
    });
    expect(attempts[0]?.status.code).toBe(SpanStatusCode.ERROR);
    expect(attempts[1]?.attributes).toEqual({
      'http.request.method': 'GET',
      'url.template': '/orders',
      'server.address': '127.0.0.1',
      'server.port': port,
      'http.request.resend_count': 1,
      'http.response.status_code': 200,
      'connect_trade.request_id': 'req_42',
    });
    expect(attempts[1]?.status.code).toBe(SpanStatusCode.UNSET);
  });

  test('the span carries the path template, never the parameter values; a 404 is an error span', async () => {
    server = await hostileServer((_seen, res) => json(res, 404, { message: 'gone' }));
    const call = server.user({ telemetry: { tracer } }).connections.token('conn_private_77');
    await expect(call).rejects.toBeInstanceOf(NotFoundError);
    const [span] = spans();
    expect(span?.name).toBe('GET /connections/{connection_id}/token');
    expect(span?.attributes['url.template']).toBe('/connections/{connection_id}/token');
    expect(span?.attributes['http.response.status_code']).toBe(404);
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    expect(JSON.stringify(span?.attributes)).not.toContain('conn_private_77');
  });

  test('a connection failure ends the attempt span with the error type', async () => {
    server = await hostileServer((_seen, _res, socket) => socket.destroy());
    const call = server.user({ telemetry: { tracer }, maxRetries: 0 }).orders.list({ account_id: 'acc_1' });
    await expect(call).rejects.toThrow();
    const [span] = spans('GET /orders');
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    // The network code of the dropped socket (undici's fetch), not a free-text message.
    expect(span?.attributes['error.type']).toBe('UND_ERR_SOCKET');
    expect(span?.attributes['http.response.status_code']).toBeUndefined();
  });

  test('telemetry: true sends spans to the global tracer provider', async () => {
    trace.setGlobalTracerProvider(provider);
    server = await hostileServer((_seen, res) =>
      json(res, 200, { orders: [], next_cursor: null, prev_cursor: null }),
    );
    await server.user({ telemetry: true }).orders.list({ account_id: 'acc_1' });
    expect(spans('GET /orders')).toHaveLength(1);
    expect(spans('GET /orders')[0]?.instrumentationScope.name).toBe('connect-trade');
  });
});

describe('order placement', () => {
  test('orders.create is the parent of its attempts and of orders.reconcile, which holds the lookup', async () => {
    const orders: unknown[] = [];
    let posts = 0;
    server = await hostileServer((seen, res, socket) => {
      if (seen.method === 'POST') {
        orders.push(orderFixture({ cl_order_id: 'otel_1', account_id: 'acc_1' }));
        // The first answer is lost: placement must look the order up before anything else.
        if (++posts === 1) return socket.destroy();
        return json(res, 409, { message: 'duplicate' });
      }
      json(res, 200, { orders, next_cursor: null, prev_cursor: null });
    });
    const order = await server.user({ telemetry: { tracer } }).orders.create(REQUEST);
    expect(order.cl_order_id).toBe('otel_1');
    expect(posts).toBe(1); // found by the lookup: never re-sent
    const [create] = spans('orders.create');
    const [reconcile] = spans('orders.reconcile');
    const [post] = spans('POST /orders');
    const [lookup] = spans('GET /orders');
    expect(create?.attributes).toEqual({
      'connect_trade.cl_order_id': 'otel_1',
      'connect_trade.account_id': 'acc_1',
    });
    expect(parentOf(post as ReadableSpan)).toBe(idOf(create));
    expect(post?.status.code).toBe(SpanStatusCode.ERROR);
    expect(parentOf(reconcile as ReadableSpan)).toBe(idOf(create));
    expect(parentOf(lookup as ReadableSpan)).toBe(idOf(reconcile));
    expect(create?.status.code).toBe(SpanStatusCode.UNSET);
    expect(spans()).toHaveLength(4);
  });

  test('a rejected placement ends orders.create as an error', async () => {
    server = await hostileServer((_seen, res) => json(res, 400, { message: 'bad order' }));
    await expect(server.user({ telemetry: { tracer } }).orders.create(REQUEST)).rejects.toThrow();
    const [create] = spans('orders.create');
    expect(create?.status.code).toBe(SpanStatusCode.ERROR);
    expect(spans('orders.reconcile')).toHaveLength(0);
    expect(parentOf(spans('POST /orders')[0] as ReadableSpan)).toBe(idOf(create));
  });
});

describe('streams', () => {
  test('connect, reconnect and gaps are spans', async () => {
    const ws = await TestWsServer.start('brokerage', brokerageAutoResponder());
    const stream = new BrokerageStream({
      clientId: 'cid_1',
      clientSecret: 'cs_secret_value',
      url: ws.url,
      reconnect: { initialDelay: 5, maxDelay: 20 },
      telemetry: { tracer },
    });
    try {
      const authenticated = once(stream, 'authenticated');
      await stream.connect();
      await authenticated;
      const [connect] = spans('connect_trade.stream.connect');
      expect(connect?.attributes['server.address']).toBe('127.0.0.1');
      expect(connect?.status.code).toBe(SpanStatusCode.UNSET);

      const first = await ws.socket(0);
      const seqGap = once<GapInfo>(stream, 'gap');
      first.send({ action: 'order_update', seq: 1, user_id: 'u', data: orderFixture() });
      first.send({ action: 'order_update', seq: 4, user_id: 'u', data: orderFixture() });
      await seqGap;
      expect(spans('connect_trade.stream.gap')[0]?.attributes).toMatchObject({
        'connect_trade.gap.reason': 'seq',
        'connect_trade.gap.from': 2,
        'connect_trade.gap.to': 3,
      });

      const reconnected = once(stream, 'reconnected');
      first.close(1012, 'restart');
      await reconnected;
      const [reconnect] = spans('connect_trade.stream.reconnect');
      expect(reconnect?.attributes).toMatchObject({
        'connect_trade.stream.attempt': 1,
        'connect_trade.stream.close_code': 1012,
      });
      expect(spans('connect_trade.stream.gap').map((s) => s.attributes['connect_trade.gap.reason'])).toEqual([
        'seq',
        'reconnect',
      ]);
    } finally {
      await stream.close();
      await ws.close();
    }
  });
});
