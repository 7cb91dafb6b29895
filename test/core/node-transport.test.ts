/** The default Node transport (undici keep-alive) against a real loopback server. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  APIConnectionError,
  APITimeoutError,
  APIUserAbortError,
  ConnectTrade,
  RedirectRefusedError,
} from '../../src/rest';
import { CREDS } from '../helpers/rest';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

async function listen(handler: Handler): Promise<{ server: Server; url: string; connections: () => number }> {
  let connections = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => handler(req, res, body));
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => connections,
  };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function setup(
  handler: Handler,
  options: { timeout?: number; maxRetries?: number; fetch?: typeof fetch } = {},
) {
  const srv = await listen(handler);
  servers.push(srv.server);
  // No `fetch` option: in Node the client picks the undici keep-alive transport.
  const ct = new ConnectTrade({
    clientId: CREDS.clientId,
    clientSecret: CREDS.clientSecret,
    baseUrl: srv.url,
    ...options,
  });
  return { ...srv, ct, u: ct.forUser({ userId: CREDS.userId, userSecret: CREDS.userSecret }) };
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': 'req_lb' });
  res.end(JSON.stringify(body));
};

describe('undici transport on loopback', () => {
  it('reuses one keep-alive connection across requests and sends the auth headers and body', async () => {
    const seen: { headers: IncomingMessage['headers']; body: string }[] = [];
    const { u, connections } = await setup((req, res, body) => {
      seen.push({ headers: req.headers, body });
      json(res, 200, req.method === 'POST' ? { access_token: 'eyJ.tok.en', expires_in: '3600' } : []);
    });
    for (let i = 0; i < 20; i++) await u.connections.list();
    await u.tokens.create({ scopes: ['read', 'trade'] });
    // Without keep-alive this would be 21. undici may open a second socket once, when the next
    // request is dispatched before the previous response's completion has freed the first one.
    expect(connections()).toBeLessThanOrEqual(2);
    expect(seen[0]?.headers).toMatchObject({
      'client-id': CREDS.clientId,
      'client-secret': CREDS.clientSecret,
      'user-id': CREDS.userId,
      'user-secret': CREDS.userSecret,
    });
    expect(seen[20]?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(seen[20]?.body ?? '')).toEqual({ scopes: ['read', 'trade'] });
  });

  it('times out a slow attempt', async () => {
    const { u } = await setup((_req, res) => {
      const timer = setTimeout(() => json(res, 200, []), 2_000);
      res.on('close', () => clearTimeout(timer));
    });
    const started = Date.now();
    const error = await u.connections.list({ timeout: 100, maxRetries: 0 }).catch((e) => e);
    expect(error).toBeInstanceOf(APITimeoutError);
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('aborts an in-flight request', async () => {
    const { u } = await setup(() => {
      /* never answers */
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await expect(u.connections.list({ signal: controller.signal })).rejects.toBeInstanceOf(APIUserAbortError);
  });

  it('refuses a redirect: the other host never sees the credentials', async () => {
    const elsewhere = await listen((_req, res) => json(res, 200, []));
    servers.push(elsewhere.server);
    const { u } = await setup((_req, res) => {
      res.writeHead(302, { location: `${elsewhere.url}/connections` });
      res.end();
    });
    await expect(u.connections.list()).rejects.toBeInstanceOf(RedirectRefusedError);
    expect(elsewhere.connections()).toBe(0);
  });

  it('refuses a redirect through a user-supplied fetch too (redirect: "error")', async () => {
    const elsewhere = await listen((_req, res) => json(res, 200, []));
    servers.push(elsewhere.server);
    const { u } = await setup(
      (_req, res) => {
        res.writeHead(307, { location: `${elsewhere.url}/connections` });
        res.end();
      },
      { fetch: (i, init) => globalThis.fetch(i, init) },
    );
    await expect(u.connections.list()).rejects.toBeInstanceOf(RedirectRefusedError);
    expect(elsewhere.connections()).toBe(0);
  });

  it('a dropped connection is an APIConnectionError; a GET is retried on a fresh connection', async () => {
    let calls = 0;
    const { u } = await setup((req, res) => {
      calls++;
      if (calls === 1) req.socket.destroy();
      else json(res, 200, []);
    });
    await expect(u.connections.list()).resolves.toEqual([]);
    expect(calls).toBe(2);
    calls = 0;
    const { u: u2 } = await setup((req) => req.socket.destroy());
    await expect(u2.connections.list({ maxRetries: 0 })).rejects.toBeInstanceOf(APIConnectionError);
  });
});
