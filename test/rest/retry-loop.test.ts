/**
 * The retry loop is a lazily loaded chunk (retry.ts → retry-loop.ts): a call answered 2xx on its
 * first attempt never loads it. Should it fail to load (a browser gone offline), the first
 * attempt's outcome stands, typed, without retries.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const CREDS = { clientId: 'cid_1', clientSecret: 'cs_SECRET_loop_1' };

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
  jest.dontMock('../../src/rest/retry-loop');
});

it('retries through the loop once loaded: 503 then 200 is two attempts', async () => {
  const { ConnectTrade } = await import('../../src/rest');
  const srv = await serve([503, 200]);
  try {
    const users = await new ConnectTrade({ ...CREDS, baseUrl: srv.url }).users.list();
    expect(users).toEqual([]);
    expect(srv.calls()).toBe(2);
  } finally {
    await new Promise((r) => srv.server.close(r));
  }
});

it('when the loop cannot load, the first outcome stands, typed: no retry, no untyped error', async () => {
  jest.doMock('../../src/rest/retry-loop', () => {
    throw new Error('chunk failed to load');
  });
  const { ConnectTrade, InternalServerError, APIConnectionError } = await import('../../src/rest');
  const srv = await serve([503, 200]);
  try {
    const ct = new ConnectTrade({ ...CREDS, baseUrl: srv.url });
    await expect(ct.users.list()).rejects.toBeInstanceOf(InternalServerError);
    expect(srv.calls()).toBe(1);
    // A 2xx needs no loop at all.
    await expect(ct.users.list()).resolves.toEqual([]);
  } finally {
    await new Promise((r) => srv.server.close(r));
  }
  const closed = new ConnectTrade({ ...CREDS, baseUrl: srv.url });
  await expect(closed.users.list()).rejects.toBeInstanceOf(APIConnectionError);
});
