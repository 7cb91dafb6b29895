/**
 * A hostile Connect Trade REST server on 127.0.0.1, port 0: every request is handed to a script
 * that may answer anything, cut the socket, stall mid-body or never answer. It records what it
 * received and closes every socket on `close()`, whatever the script left open.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ConnectTrade, type ConnectTradeUser } from '../../src/rest';
import { CREDS } from './rest';

/** One request as the server saw it. */
export interface Seen {
  method: string;
  path: string;
  query: Record<string, string>;
  body: Record<string, unknown> | undefined;
  at: number;
}

/** What a script does with one request. */
export type Script = (seen: Seen, res: http.ServerResponse, socket: Socket) => void;

export interface HostileServer {
  url: string;
  seen: Seen[];
  /** A user client of this server (no nock: global fetch goes to the loopback socket). */
  user(options?: ConstructorParameters<typeof ConnectTrade>[0]): ConnectTradeUser;
  close(): Promise<void>;
}

export async function hostileServer(script: Script): Promise<HostileServer> {
  const seen: Seen[] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const text = Buffer.concat(chunks).toString('utf8');
      const entry: Seen = {
        method: req.method ?? '',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
        at: Date.now(),
      };
      seen.push(entry);
      script(entry, res, req.socket);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    seen,
    user: (options = {}) =>
      new ConnectTrade({
        clientId: CREDS.clientId,
        clientSecret: CREDS.clientSecret,
        baseUrl: url,
        fetch: (input, init) => globalThis.fetch(input, init),
        ...options,
      }).forUser({ userId: CREDS.userId, userSecret: CREDS.userSecret }),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Answers JSON. */
export function json(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}
