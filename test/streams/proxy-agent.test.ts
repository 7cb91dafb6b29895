/**
 * Streams through a proxy: the `agent` option reaches `ws`, so a socket can tunnel through a real
 * HTTP CONNECT proxy (written with node:http here) instead of connecting directly.
 */
import { Agent, createServer, type IncomingMessage, request } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { MarketDataStream } from '../../src/streams';
import { marketDataAutoResponder, TestWsServer } from '../helpers/ws-server';

/** An http.Agent whose sockets are CONNECT tunnels through `proxy` (what https-proxy-agent does). */
class ConnectTunnelAgent extends Agent {
  constructor(private readonly proxy: { host: string; port: number }) {
    super({ keepAlive: false });
  }
  override createConnection(
    options: { host?: string; port?: number },
    callback: (error: Error | null, socket?: Duplex) => void,
  ): undefined {
    const req = request({ ...this.proxy, method: 'CONNECT', path: `${options.host}:${options.port}` });
    req.once('connect', (res, socket) =>
      res.statusCode === 200 ? callback(null, socket) : callback(new Error(`proxy said ${res.statusCode}`)),
    );
    req.once('error', (error) => callback(error));
    req.end();
    return undefined;
  }
}

test('MarketDataStream connects through a CONNECT proxy given as `agent`', async () => {
  const tunnels: string[] = [];
  const sockets = new Set<Socket>();
  const proxy = createServer((_req, res) => res.writeHead(405).end());
  proxy.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    tunnels.push(req.url ?? '');
    sockets.add(client);
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const server = await TestWsServer.start('market-data', marketDataAutoResponder());
  const agent = new ConnectTunnelAgent({ host: '127.0.0.1', port: (proxy.address() as AddressInfo).port });
  const md = new MarketDataStream({
    url: server.url,
    agent,
    tokenProvider: async () => ({ token: 'proxy_token_1', expires_at: '2099-01-01T00:00:00Z' }),
  });
  try {
    await md.connect();
    expect(md.state).toBe('open');
    expect(tunnels).toEqual([new URL(server.url).host]);
    expect((await server.socket(0)).received[0]).toMatchObject({ action: 'authenticate' });
  } finally {
    await md.close();
    await server.close();
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => proxy.close(resolve));
  }
});
