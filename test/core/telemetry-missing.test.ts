/**
 * `telemetry` set but `@opentelemetry/api` not installed: the client says so once through its
 * logger and every call works untraced (telemetry must never break a request or a stream).
 */
import { BrokerageStream } from '../../src/streams';
import { hostileServer, json } from '../helpers/hostile-server';
import { brokerageAutoResponder, once, TestWsServer } from '../helpers/ws-server';

// As if the optional peer dependency were absent: importing it fails.
jest.mock('@opentelemetry/api', () => {
  throw new Error("Cannot find module '@opentelemetry/api'");
});

test('without @opentelemetry/api, telemetry is off with a warning and calls still work', async () => {
  const warnings: string[] = [];
  const logger = { warn: (message: string) => warnings.push(message) };
  const server = await hostileServer((_seen, res) =>
    json(res, 200, { orders: [], next_cursor: null, prev_cursor: null }),
  );
  const ws = await TestWsServer.start('brokerage', brokerageAutoResponder());
  const stream = new BrokerageStream({
    clientId: 'cid',
    clientSecret: 'cs_value',
    url: ws.url,
    telemetry: true,
    logger,
  });
  try {
    const user = server.user({ telemetry: true, logger });
    const first = await user.orders.list({ account_id: 'acc_1' });
    await user.orders.list({ account_id: 'acc_1' });
    expect(first.data).toEqual([]);
    expect(server.seen).toHaveLength(2);
    // One warning for the client (its instrumentation is loaded once), none per request.
    expect(warnings).toEqual([expect.stringContaining('@opentelemetry/api could not be loaded')]);

    const authenticated = once(stream, 'authenticated');
    await stream.connect();
    await authenticated;
    expect(warnings).toHaveLength(2);
  } finally {
    await stream.close();
    await ws.close();
    await server.close();
  }
});
