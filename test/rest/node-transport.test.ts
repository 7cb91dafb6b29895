/**
 * The default Node transport (node:http keep-alive) against a real loopback server. nock is not
 * loaded here: its interceptor would replace the agent's sockets.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import {
  APIConnectionError,
  APITimeoutError,
  APIUserAbortError,
  ConfigurationError,
  ConnectTrade,
  ConnectTradeError,
  RedirectRefusedError,
  ResponseTooLargeError,
} from '../../src/rest';

const CREDS = {
  clientId: 'cid_test_1',
  clientSecret: 'cs_SECRET_client_7f3a9c',
  userId: 'user-42',
  userSecret: 'us_SECRET_user_4f9a1c',
} as const;

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
  options: { timeout?: number; maxRetries?: number; fetch?: typeof fetch; maxResponseBytes?: number } = {},
) {
  const srv = await listen(handler);
  servers.push(srv.server);
  // No `fetch` option: in Node the client picks the node:http keep-alive transport.
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

describe('node:http transport on loopback', () => {
  it('reuses one keep-alive connection across requests and sends the auth headers and body', async () => {
    const seen: { headers: IncomingMessage['headers']; body: string }[] = [];
    const { u, connections } = await setup((req, res, body) => {
      seen.push({ headers: req.headers, body });
      json(res, 200, req.method === 'POST' ? { access_token: 'eyJ.tok.en', expires_in: '3600' } : []);
    });
    for (let i = 0; i < 20; i++) await u.connections.list();
    await u.tokens.create({ scopes: ['read', 'trade'] });
    // Without keep-alive this would be 21.
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

describe('node:http transport: what it checks and reads itself', () => {
  it('a connection that dies mid-body is an APIConnectionError; a GET is retried on a fresh connection', async () => {
    let calls = 0;
    const { u } = await setup((_req, res) => {
      calls++;
      if (calls === 1) {
        // Headers and half a declared body, then the socket goes away.
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        res.write('[{"id":');
        setTimeout(() => res.socket?.destroy(), 20);
      } else json(res, 200, []);
    });
    await expect(u.connections.list()).resolves.toEqual([]);
    expect(calls).toBe(2);
    calls = 0;
    const error = await u.connections.list({ maxRetries: 0 }).catch((e) => e);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(calls).toBe(1);
  });

  it('refuses a CR/LF in a header value (no header injection): a ConfigurationError, nothing sent', async () => {
    let calls = 0;
    const { ct } = await setup((_req, res) => {
      calls++;
      json(res, 200, []);
    });
    const u = ct.forUser({ userId: CREDS.userId, userSecret: 'us_SECRET\r\nx-injected: 1' });
    const error = await u.connections.list().catch((e) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).not.toContain('us_SECRET');
    const perCall = await ct
      .forUser({ userId: CREDS.userId, userSecret: CREDS.userSecret })
      .connections.list({ headers: { 'x-trace': 'a\nb' } })
      .catch((e) => e);
    expect(perCall).toBeInstanceOf(ConfigurationError);
    expect(calls).toBe(0);
  });

  it("sends Host, per-call headers and a secret provider's current value on every call", async () => {
    const seen: IncomingMessage['headers'][] = [];
    const { ct, url } = await setup((req, res) => {
      seen.push(req.headers);
      json(res, 200, []);
    });
    let secret = 'us_SECRET_first_1';
    const u = ct.forUser({ userId: CREDS.userId, userSecret: () => secret });
    await u.connections.list();
    secret = 'us_SECRET_second_2';
    await u.connections.list({ headers: { 'X-Trace': 't1' } });
    await u.connections.list();
    expect(seen.map((h) => h['user-secret'])).toEqual([
      'us_SECRET_first_1',
      'us_SECRET_second_2',
      'us_SECRET_second_2',
    ]);
    expect(seen.map((h) => h['x-trace'])).toEqual([undefined, 't1', undefined]);
    expect(seen[0]?.host).toBe(new URL(url).host);
  });

  it('gives the response headers lower-cased, repeated ones joined (withResponse)', async () => {
    const { u } = await setup((_req, res) => {
      res.setHeader('X-Request-Id', 'req_9');
      res.setHeader('X-Multi', ['a', 'b']);
      res.setHeader('content-type', 'application/json');
      res.end('[]');
    });
    const { data, response, requestId } = await u.connections.list().withResponse();
    expect(data).toEqual([]);
    expect(requestId).toBe('req_9');
    expect(response.headers.get('x-multi')).toBe('a, b');
  });
});

/** Streams `total` bytes of a JSON array in 64 KiB writes, honouring backpressure; records what was written. */
function hugeBody(total: number, status = 200, declareLength = false) {
  const written = { bytes: 0, closedEarly: false };
  const handler: Handler = (_req, res) => {
    res.writeHead(status, {
      'content-type': 'application/json',
      ...(declareLength ? { 'content-length': String(total) } : {}),
    });
    const chunk = Buffer.alloc(64 * 1024, 0x20); // spaces: valid JSON whitespace
    res.write('[');
    written.bytes = 1;
    const pump = () => {
      while (written.bytes < total - 1) {
        written.bytes += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end(']');
    };
    res.on('close', () => {
      if (!res.writableFinished) written.closedEarly = true;
    });
    pump();
  };
  return { handler, written };
}

describe('maxResponseBytes', () => {
  const MiB = 1024 * 1024;

  it('stops reading a 100 MB body at the limit with a typed error, and drops the connection', async () => {
    const { handler, written } = hugeBody(100 * MiB);
    const { u } = await setup(handler, { maxResponseBytes: MiB });
    const error = await u.connections.list({ maxRetries: 0 }).catch((e) => e);
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect(error.maxResponseBytes).toBe(MiB);
    await new Promise((r) => setTimeout(r, 50));
    // The server was cut off long before it could send the whole body.
    expect(written.closedEarly).toBe(true);
    expect(written.bytes).toBeLessThan(20 * MiB);
  });

  it('defaults to 32 MiB: a larger body is refused, a smaller one read', async () => {
    const { handler, written } = hugeBody(40 * MiB);
    const { u } = await setup(handler);
    await expect(u.connections.list({ maxRetries: 0 })).rejects.toBeInstanceOf(ResponseTooLargeError);
    expect(written.bytes).toBeLessThan(40 * MiB);
    const small = hugeBody(2 * MiB);
    const { u: u2 } = await setup(small.handler);
    await expect(u2.connections.list()).resolves.toEqual([]);
  });

  it('refuses a declared content-length over the limit before reading, and applies to error bodies too', async () => {
    const declared = hugeBody(8 * MiB, 500, true);
    const { u } = await setup(declared.handler, { maxResponseBytes: 64 * 1024 });
    await expect(u.connections.list({ maxRetries: 0 })).rejects.toBeInstanceOf(ResponseTooLargeError);
  });

  it('is enforced through a user-supplied fetch, per call too', async () => {
    const { handler } = hugeBody(20 * MiB);
    const { u } = await setup(handler, { fetch: (i, init) => globalThis.fetch(i, init) });
    const error = await u.connections.list({ maxRetries: 0, maxResponseBytes: 256 * 1024 }).catch((e) => e);
    expect(error).toBeInstanceOf(ResponseTooLargeError);
  });

  it('a malformed limit is a ConfigurationError before any I/O', () => {
    expect(() => new ConnectTrade({ maxResponseBytes: -1 })).toThrow(/maxResponseBytes/);
  });
});

describe('connection errors say which host and why', () => {
  async function closedPort(): Promise<number> {
    const srv = await listen(() => undefined);
    const port = (srv.server.address() as AddressInfo).port;
    await new Promise((r) => srv.server.close(r));
    return port;
  }

  function client(baseUrl: string, extra: { fetch?: typeof fetch } = {}) {
    return new ConnectTrade({ ...CREDS, baseUrl, maxRetries: 0, ...extra }).forUser({
      userId: CREDS.userId,
      userSecret: CREDS.userSecret,
    });
  }

  it.each([
    ['the node:http transport', {}],
    [
      'a user-supplied fetch',
      { fetch: (i: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(i, init) },
    ],
  ])('ECONNREFUSED and ENOTFOUND read differently, naming host and code (%s)', async (_name, extra) => {
    const port = await closedPort();
    const refused = await client(`http://127.0.0.1:${port}`, extra)
      .connections.list()
      .catch((e) => e);
    expect(refused).toBeInstanceOf(APIConnectionError);
    expect(refused.message).toContain(`127.0.0.1:${port}`);
    expect(refused.message).toContain('ECONNREFUSED');
    expect(refused).toMatchObject({ host: `127.0.0.1:${port}`, code: 'ECONNREFUSED' });

    const unknown = await client('http://no-such-host.invalid', extra)
      .connections.list()
      .catch((e) => e);
    expect(unknown).toBeInstanceOf(APIConnectionError);
    expect(unknown.message).toContain('no-such-host.invalid');
    expect(unknown.message).toMatch(/ENOTFOUND|EAI_AGAIN/);
    expect(unknown.message).not.toBe(refused.message);
    for (const e of [refused, unknown]) {
      const shown = `${e.message} ${inspect(e)} ${JSON.stringify(e)}`;
      expect(shown).not.toContain(CREDS.clientSecret);
      expect(shown).not.toContain(CREDS.userSecret);
    }
  });

  it('never puts URL user info in the message', async () => {
    const port = await closedPort();
    const error = await client(`http://admin:pa55word@127.0.0.1:${port}`)
      .connections.list()
      .catch((e) => e);
    expect(error).toBeInstanceOf(ConnectTradeError);
    expect(`${error.message} ${inspect(error)}`).not.toContain('pa55word');
  });
});
