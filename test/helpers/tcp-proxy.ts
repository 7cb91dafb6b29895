/**
 * A small TCP proxy on a loopback port, for cutting one link (a replica's replication link) while
 * both ends stay up: `cut()` stops forwarding in both directions (bytes are discarded, sockets stay
 * open, so neither side notices before its own timeout), `heal()` closes the cut connections (both
 * sides reconnect) and forwards again. `stop()` closes everything.
 */
import { createServer, type Server, Socket } from 'node:net';

export interface TcpProxy {
  readonly port: number;
  cut(): void;
  heal(): void;
  stop(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  let cut = false;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = new Socket();
    sockets.add(client);
    sockets.add(upstream);
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', close);
    upstream.on('close', close);
    client.on('data', (data) => {
      if (!cut) upstream.write(data);
    });
    upstream.on('data', (data) => {
      if (!cut) client.write(data);
    });
    upstream.connect(targetPort, targetHost);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    cut() {
      cut = true;
    },
    heal() {
      for (const socket of [...sockets]) socket.destroy();
      sockets.clear();
      cut = false;
    },
    async stop() {
      for (const socket of [...sockets]) socket.destroy();
      sockets.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
