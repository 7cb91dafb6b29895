/**
 * An in-memory WebSocket for tests that drive timers (fake timers) or run thousands of cycles.
 * Injected through the streams' `WebSocket` option; nothing global is patched. Frames it "receives
 * from the server" are validated against the spec like the loopback servers' frames.
 */

import type { SchemaName } from '../../src/internal/schema-validator';
import type { WebSocketLike } from '../../src/streams/transport';
import { assertMatchesSchema } from '../helpers/spec';

/** A fake socket plus a script deciding how the fake server answers. */
export class FakeWebSocket implements WebSocketLike {
  readyState = 0;
  onopen: WebSocketLike['onopen'] = null;
  onmessage: WebSocketLike['onmessage'] = null;
  onclose: WebSocketLike['onclose'] = null;
  onerror: WebSocketLike['onerror'] = null;
  readonly sent: Record<string, unknown>[] = [];
  pings = 0;
  closedWith: number | undefined;

  constructor(
    readonly url: string,
    private readonly serverSchema: SchemaName,
    private readonly script: (socket: FakeWebSocket, frame: Record<string, unknown>) => void,
  ) {}

  /** Server side: accept the connection. */
  accept(): void {
    this.readyState = 1;
    this.onopen?.({});
  }

  /** Server side: send a message (validated against the spec). */
  push(message: Record<string, unknown>): void {
    assertMatchesSchema(this.serverSchema, message);
    this.onmessage?.({ data: JSON.stringify(message) });
  }

  /** Server side: close with a code. */
  drop(code: number, reason = ''): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }

  send(data: string): void {
    const frame = JSON.parse(data) as Record<string, unknown>;
    this.sent.push(frame);
    this.script(this, frame);
  }

  ping(): void {
    this.pings++;
  }

  close(code = 1000): void {
    this.closedWith = code;
    this.readyState = 3;
  }

  terminate(): void {
    this.close(1006);
  }

  /** Whether any handler is still attached (a detached socket must hold none). */
  get hasHandlers(): boolean {
    return this.onopen !== null || this.onmessage !== null || this.onclose !== null;
  }
}

/** A constructor for the streams' `WebSocket` option that records every socket it creates. */
export function fakeWebSocketFactory(
  serverSchema: SchemaName,
  script: (socket: FakeWebSocket, frame: Record<string, unknown>) => void,
  onCreate: (socket: FakeWebSocket) => void = () => {},
) {
  const sockets: FakeWebSocket[] = [];
  const Ctor = class extends FakeWebSocket {
    constructor(url: string) {
      super(url, serverSchema, script);
      sockets.push(this);
      onCreate(this);
    }
  };
  return { Ctor, sockets };
}

/** The brokerage server's happy path: authenticate and subscribe are answered at once. */
export function brokerageScript(socket: FakeWebSocket, frame: Record<string, unknown>): void {
  if (frame.action === 'authenticate') socket.push({ action: 'authenticated', session_id: 's_1' });
  if (frame.action === 'subscribe')
    socket.push({ action: 'subscribed', request_id: frame.request_id, topics: frame.topics });
}
