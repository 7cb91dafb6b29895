/**
 * Without `telemetry`, nothing telemetry-related is loaded: neither `@opentelemetry/api` nor the
 * SDK's instrumentation module, across REST calls, order placement and a stream's connect. The
 * last test sets `telemetry` and sees both load, so the check can fail.
 */
import { BrokerageStream } from '../../src/streams';
import { orderFixture } from '../helpers/fixtures';
import { hostileServer, json } from '../helpers/hostile-server';
import { brokerageAutoResponder, once, TestWsServer } from '../helpers/ws-server';

const mockLoaded: string[] = [];
jest.mock('@opentelemetry/api', () => {
  mockLoaded.push('@opentelemetry/api');
  return jest.requireActual('@opentelemetry/api');
});
jest.mock('../../src/core/telemetry-otel', () => {
  mockLoaded.push('telemetry-otel');
  return jest.requireActual('../../src/core/telemetry-otel');
});

async function exercise(telemetry: boolean) {
  const server = await hostileServer((seen, res) =>
    seen.method === 'POST'
      ? json(res, 200, orderFixture({ cl_order_id: 'off_1' }))
      : json(res, 200, { orders: [], next_cursor: null, prev_cursor: null }),
  );
  const ws = await TestWsServer.start('brokerage', brokerageAutoResponder());
  const stream = new BrokerageStream({ clientId: 'cid', clientSecret: 'cs_value', url: ws.url, telemetry });
  try {
    const user = server.user({ telemetry });
    await user.orders.list({ account_id: 'acc_1' });
    await user.orders.create({
      account_id: 'acc_1',
      broker: 'ALPACA',
      side: 'BUY',
      order_type: 'MKT',
      order_tif: 'DAY',
      instrument: 'EQ',
      symbol: 'AAPL',
      order_qty: '1',
      cl_order_id: 'off_1',
    });
    const authenticated = once(stream, 'authenticated');
    await stream.connect();
    await authenticated;
  } finally {
    await stream.close();
    await ws.close();
    await server.close();
  }
}

test('without telemetry nothing telemetry-related is loaded', async () => {
  await exercise(false);
  expect(mockLoaded).toEqual([]);
});

test('with telemetry the instrumentation and @opentelemetry/api load on first use', async () => {
  await exercise(true);
  expect(mockLoaded).toEqual(expect.arrayContaining(['telemetry-otel', '@opentelemetry/api']));
});
