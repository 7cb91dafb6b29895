/**
 * The deferred part of the REST client (rest/deferred/: order checks, placement, the limiter) loads
 * with the first call that needs it. Retries need no load: 503 then 200 is two attempts. Should the
 * chunk fail to load (a browser gone offline), an order fails before anything is sent, and the
 * next call loads it again.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const CREDS = { clientId: 'cid_1', clientSecret: 'cs_SECRET_loop_1' };
const USER = { userId: 'u1', userSecret: 'us_SECRET_1' };
const ORDER = {
  account_id: 'acc_1',
  symbol: 'AAPL',
  side: 'buy',
  type: 'market',
  time_in_force: 'day',
  order_qty: '1',
};

async function serve(statuses: number[]): Promise<{ server: Server; url: string; calls: () => number }> {
  let calls = 0;
  const server = createServer((_req, res) => {
    const status = statuses[Math.min(calls++, statuses.length - 1)] ?? 200;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(status === 200 ? '[]' : '{"message":"busy"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls: () => calls };
}

afterEach(() => {
  jest.resetModules();
  jest.dontMock('../../../src/rest/deferred/on-demand');
});

it('retries without loading anything: 503 then 200 is two attempts', async () => {
  jest.doMock('../../../src/rest/deferred/on-demand', () => {
    throw new Error('chunk failed to load');
  });
  const { ConnectTrade } = await import('../../../src/rest');
  const srv = await serve([503, 200]);
  try {
    const users = await new ConnectTrade({ ...CREDS, baseUrl: srv.url }).users.list();
    expect(users).toEqual([]);
    expect(srv.calls()).toBe(2);
  } finally {
    await new Promise((r) => srv.server.close(r));
  }
});

it('when the deferred part cannot load, an order fails before anything is sent, and the next call loads it', async () => {
  let fail = true;
  jest.doMock('../../../src/rest/deferred/on-demand', () => {
    if (fail) throw new Error('chunk failed to load');
    return jest.requireActual('../../../src/rest/deferred/on-demand');
  });
  const { ConnectTrade, ValidationError } = await import('../../../src/rest');
  const srv = await serve([200]);
  try {
    const orders = new ConnectTrade({ ...CREDS, baseUrl: srv.url }).forUser(USER).orders;
    await expect(orders.create(ORDER as never)).rejects.toThrow('chunk failed to load');
    expect(srv.calls()).toBe(0);
    fail = false;
    // The loader tries again: the checks now run (an invalid order: typed, nothing sent).
    await expect(orders.create({ ...ORDER, order_qty: '-1' } as never)).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect(srv.calls()).toBe(0);
  } finally {
    await new Promise((r) => srv.server.close(r));
  }
});
