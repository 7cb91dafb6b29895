/**
 * Loopback `ws` servers for stream tests (127.0.0.1, port 0). Every frame a test server sends
 * through `send()` is validated against the spec first, and every frame it receives is validated
 * as a client message, so the tests prove both directions follow the wire format. `sendRaw()`
 * exists only for deliberately malformed frames.
 */
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import type { BrokerageServerMessage, MarketDataServerMessage } from '../../src/types';
import { assertMatchesSchema } from './spec';

/** Which stream a test server speaks. */
export type StreamKind = 'brokerage' | 'market-data';

type ServerMessage<K extends StreamKind> = K extends 'brokerage'
  ? BrokerageServerMessage
  : MarketDataServerMessage;
// biome-ignore lint/suspicious/noExplicitAny: client frames are inspected loosely by tests after validation.
export type ClientFrame = Record<string, any> & { action: string };

/** One accepted client socket, seen from the server. */
export class ServerSocket<K extends StreamKind> {
  /** Every frame received, in order. */
  readonly received: ClientFrame[] = [];
  /** Resolves with the close code once the socket closed. */
  readonly closed: Promise<number>;
  private waiters: ((frame: ClientFrame) => void)[] = [];
  private unread: ClientFrame[] = [];

  constructor(
    readonly ws: WebSocket,
    private readonly kind: K,
  ) {
    this.closed = new Promise((resolve) => ws.on('close', (code) => resolve(code)));
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as ClientFrame;
      assertMatchesSchema(kind === 'brokerage' ? 'BrokerageClientMessage' : 'MarketDataClientMessage', frame);
      this.received.push(frame);
      const waiter = this.waiters.shift();
      if (waiter) waiter(frame);
      else this.unread.push(frame);
    });
  }

  /** The next client frame not yet read through this method. */
  next(timeoutMs = 5000): Promise<ClientFrame> {
    const frame = this.unread.shift();
    if (frame) return Promise.resolve(frame);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no client frame in time')), timeoutMs);
      this.waiters.push((f) => {
        clearTimeout(timer);
        resolve(f);
      });
    });
  }

  /** Sends a message after validating it against the spec. */
  send(message: ServerMessage<K>): void {
    assertMatchesSchema(
      this.kind === 'brokerage' ? 'BrokerageServerMessage' : 'MarketDataServerMessage',
      message,
    );
    this.ws.send(JSON.stringify(message));
  }

  /** Sends text as is (for malformed-frame tests only). */
  sendRaw(text: string): void {
    this.ws.send(text);
  }

  close(code: number, reason = ''): void {
    this.ws.close(code, reason);
  }

  /** Drops the TCP connection without a close frame. */
  terminate(): void {
    this.ws.terminate();
  }
}

/** A loopback server. */
export class TestWsServer<K extends StreamKind> {
  readonly sockets: ServerSocket<K>[] = [];
  private waiters: ((socket: ServerSocket<K>) => void)[] = [];
  private constructor(
    private readonly wss: WebSocketServer,
    readonly kind: K,
    /** Called for each new socket (e.g. to script automatic answers). */
    public onSocket: ((socket: ServerSocket<K>) => void) | undefined,
  ) {
    wss.on('connection', (ws) => {
      const socket = new ServerSocket(ws, kind);
      this.sockets.push(socket);
      this.onSocket?.(socket);
      const waiter = this.waiters.shift();
      waiter?.(socket);
    });
  }

  /** Starts a server on 127.0.0.1 with an OS-chosen port. */
  static async start<K extends StreamKind>(
    kind: K,
    onSocket?: (socket: ServerSocket<K>) => void,
  ): Promise<TestWsServer<K>> {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => wss.once('listening', resolve));
    return new TestWsServer(wss, kind, onSocket);
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.wss.address() as AddressInfo).port}`;
  }

  /** The `index`-th socket, waiting for it if needed. */
  socket(index: number, timeoutMs = 5000): Promise<ServerSocket<K>> {
    const existing = this.sockets[index];
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no socket #${index} in time`)), timeoutMs);
      const check = () => {
        const s = this.sockets[index];
        if (s) {
          clearTimeout(timer);
          resolve(s);
        } else this.waiters.push(check);
      };
      this.waiters.push(check);
    });
  }

  async close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}

/** Answers authenticate/subscribe/unsubscribe on a brokerage socket like the real server. */
export function brokerageAutoResponder(sessionId = 's_1') {
  return (socket: ServerSocket<'brokerage'>) => {
    socket.ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as ClientFrame;
      if (frame.action === 'authenticate') socket.send({ action: 'authenticated', session_id: sessionId });
      if (frame.action === 'subscribe')
        socket.send({ action: 'subscribed', request_id: frame.request_id, topics: frame.topics });
      if (frame.action === 'unsubscribe')
        socket.send({ action: 'unsubscribed', request_id: frame.request_id, topics: frame.topics });
    });
  };
}

/** Answers authenticate/subscribe/unsubscribe on a market-data socket like the real server. */
export function marketDataAutoResponder(expiresAt = '2099-01-01T00:00:00Z') {
  return (socket: ServerSocket<'market-data'>) => {
    socket.ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as ClientFrame;
      if (frame.action === 'authenticate')
        socket.send({ action: 'authenticated', connection_id: 'conn_1', expires_at: expiresAt });
      if (frame.action === 'subscribe')
        socket.send({
          action: 'subscribed',
          request_id: frame.request_id,
          channel: frame.channel,
          symbols: frame.symbols,
        });
      if (frame.action === 'unsubscribe')
        socket.send({
          action: 'unsubscribed',
          request_id: frame.request_id,
          channel: frame.channel,
          symbols: frame.symbols,
        });
    });
  };
}

/** Resolves when `emitter` emits `event` (with its first argument). */
export function once<T = unknown>(
  // biome-ignore lint/suspicious/noExplicitAny: accepts any typed emitter.
  emitter: { once: (...args: any[]) => unknown },
  event: string,
  timeoutMs = 5000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${event}" event in time`)), timeoutMs);
    emitter.once(event, ((value: T) => {
      clearTimeout(timer);
      resolve(value);
    }) as never);
  });
}

export { WebSocket };
