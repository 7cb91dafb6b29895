/**
 * Client-wide options against a real loopback server (default Node transport): user-agent and
 * appInfo, defaultHeaders / defaultQuery, withOptions sharing the transport, the built-in levelled
 * logger (logLevel, CONNECT_TRADE_LOG), and proxies: a real CONNECT proxy written with node:http,
 * reached through HTTP_PROXY (undici's EnvHttpProxyAgent), bypassed with NO_PROXY, or through a
 * `dispatcher`.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect, type Socket } from 'node:net';
import { ProxyAgent } from 'undici';
import { type ClientOptions, ConfigurationError, ConnectTrade, VERSION } from '../../src/rest';
import { clientInternals } from '../../src/rest/client';
import { CREDS, recordingLogger } from '../helpers/rest';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

function track(server: Server, sockets: Set<Socket> = new Set()): void {
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  closers.push(async () => {
    for (const s of sockets) s.destroy();
    server.closeAllConnections?.();
    await new Promise((r) => server.close(r));
  });
}

/** An API that records each request and answers `[]` (or 500 on /accounts). */
async function api(): Promise<{ url: string; seen: IncomingMessage[] }> {
  const seen: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    seen.push(req);
    req.resume();
    const failing = req.url?.startsWith('/accounts');
    res.writeHead(failing ? 500 : 200, { 'content-type': 'application/json' });
    res.end(failing ? JSON.stringify({ message: 'down' }) : '[]');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  track(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

/** A real HTTP CONNECT proxy (node:http): tunnels each CONNECT to its target and records it. */
async function connectProxy(): Promise<{ url: string; tunnels: string[] }> {
  const tunnels: string[] = [];
  const server = createServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    tunnels.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    client.on('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  track(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, tunnels };
}

function client(baseUrl: string, options: ClientOptions = {}) {
  return new ConnectTrade({
    clientId: CREDS.clientId,
    clientSecret: CREDS.clientSecret,
    baseUrl,
    ...options,
  });
}
const user = (ct: ConnectTrade) => ct.forUser({ userId: CREDS.userId, userSecret: CREDS.userSecret });

describe('user-agent and appInfo', () => {
  it('names the SDK, its version, Node and the platform, then the app', async () => {
    const { url, seen } = await api();
    await client(url).users.list();
    await client(url, {
      appInfo: { name: 'acme broker', version: '2.3.1', url: 'https://acme.example' },
    }).users.list();
    const [plain, withApp] = seen.map((r) => r.headers['user-agent']);
    expect(plain).toBe(
      `connect-trade/${VERSION} node/${process.version} ${process.platform}-${process.arch}`,
    );
    expect(withApp).toBe(`${plain} acme-broker/2.3.1 (https://acme.example)`);
  });

  it('an appInfo without a name is refused before any request', () => {
    expect(() => client('http://127.0.0.1:1', { appInfo: { name: '' } })).toThrow(ConfigurationError);
  });
});

describe('defaultHeaders and defaultQuery', () => {
  it('are sent with every request; the call wins over them, the credentials over everything', async () => {
    const { url, seen } = await api();
    const ct = client(url, {
      defaultHeaders: { 'X-Tenant': 'acme', 'x-trace': 'default', 'client-secret': 'not-this-one' },
      defaultQuery: { region: 'eu', limit: '7' },
    });
    await user(ct).connections.list({ headers: { 'x-trace': 'call' } });
    await user(ct).orders.list({ limit: 3 }).toArray({ max: 1 });
    const [first, second] = seen;
    expect(first?.headers['x-tenant']).toBe('acme');
    expect(first?.headers['x-trace']).toBe('call');
    expect(first?.headers['client-secret']).toBe(CREDS.clientSecret);
    expect(first?.url).toBe('/connections?region=eu&limit=7');
    expect(new URL(second?.url ?? '', 'http://x').searchParams.get('limit')).toBe('3');
    expect(new URL(second?.url ?? '', 'http://x').searchParams.get('region')).toBe('eu');
  });

  it('non-string values are refused', () => {
    expect(() => client('http://127.0.0.1:1', { defaultHeaders: { n: 1 as never } })).toThrow(
      ConfigurationError,
    );
  });
});

describe('withOptions', () => {
  it('derives a client with changed options that shares the transport; the original is unchanged', async () => {
    const { url, seen } = await api();
    const ct = client(url, { defaultHeaders: { 'x-a': '1' } });
    const derived = ct.withOptions({ defaultHeaders: { 'x-b': '2' }, timeout: 1234 });
    expect(derived).toBeInstanceOf(ConnectTrade);
    expect(clientInternals(derived).context.transport).toBe(clientInternals(ct).context.transport);
    expect(clientInternals(derived).options.timeout).toBe(1234);
    expect(clientInternals(ct).options.timeout).toBe(30_000);
    await derived.users.list();
    await ct.users.list();
    expect(seen.map((r) => [r.headers['x-a'], r.headers['x-b']])).toEqual([
      [undefined, '2'],
      ['1', undefined],
    ]);
  });

  it('a new fetch gives the derived client its own transport', () => {
    const ct = client('http://127.0.0.1:1');
    const derived = ct.withOptions({ fetch: (input, init) => globalThis.fetch(input, init) });
    expect(clientInternals(derived).context.transport).not.toBe(clientInternals(ct).context.transport);
  });
});

describe('logLevel and CONNECT_TRADE_LOG', () => {
  afterEach(() => {
    delete process.env.CONNECT_TRADE_LOG;
    jest.restoreAllMocks();
  });

  it('drops lines below the level', async () => {
    const { url } = await api();
    const logger = recordingLogger();
    const u = user(client(url, { logger, logLevel: 'warn', maxRetries: 0 }));
    await u.connections.list();
    await u.accounts.list().catch(() => undefined);
    expect(logger.lines.map((l) => l.level)).toEqual(['warn']);
  });

  it('CONNECT_TRADE_LOG=debug without a logger writes redacted lines to the console', async () => {
    const { url } = await api();
    const debug = jest.spyOn(console, 'debug').mockImplementation(() => {});
    process.env.CONNECT_TRADE_LOG = 'debug';
    await user(client(url)).connections.list();
    expect(debug).toHaveBeenCalledTimes(1);
    expect(debug.mock.calls[0]?.[0]).toBe('[connect-trade] HTTP 200');
    expect(JSON.stringify(debug.mock.calls)).not.toContain(CREDS.clientSecret);
  });

  it('off silences even a given logger; an unknown level is a ConfigurationError', async () => {
    const { url } = await api();
    const logger = recordingLogger();
    process.env.CONNECT_TRADE_LOG = 'off';
    await user(client(url, { logger })).connections.list();
    expect(logger.lines).toEqual([]);
    process.env.CONNECT_TRADE_LOG = 'verbose';
    expect(() => client(url)).toThrow(ConfigurationError);
  });
});

describe('proxies', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy'])
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
  });

  it('HTTP_PROXY routes requests through the proxy (CONNECT)', async () => {
    const { url, seen } = await api();
    const proxy = await connectProxy();
    process.env.HTTP_PROXY = proxy.url;
    process.env.NO_PROXY = '';
    await user(client(url)).connections.list();
    expect(proxy.tunnels).toEqual([new URL(url).host]);
    expect(seen).toHaveLength(1);
  });

  it('NO_PROXY exempts the API host', async () => {
    const { url, seen } = await api();
    const proxy = await connectProxy();
    process.env.HTTP_PROXY = proxy.url;
    process.env.NO_PROXY = '127.0.0.1';
    await user(client(url)).connections.list();
    expect(proxy.tunnels).toEqual([]);
    expect(seen).toHaveLength(1);
  });

  it('a dispatcher option takes any undici dispatcher', async () => {
    const { url, seen } = await api();
    const proxy = await connectProxy();
    const dispatcher = new ProxyAgent(proxy.url);
    closers.push(() => dispatcher.close());
    await user(client(url, { dispatcher })).connections.list();
    expect(proxy.tunnels).toEqual([new URL(url).host]);
    expect(seen).toHaveLength(1);
  });
});
