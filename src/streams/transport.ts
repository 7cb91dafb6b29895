/**
 * The WebSocket adapter: opens one socket and forwards text frames, opens, closes and errors to
 * handlers. No JSON here. Node's `ws` gets its fast `on('message')` path and pings; browsers get
 * the standard `onmessage` properties. Handlers are attached to the socket object only, so
 * dropping the socket drops every listener with it.
 */

/** The subset of a WebSocket the SDK uses (the browser's, `ws`'s, or a test double). */
export interface WebSocketLike {
  readonly readyState: number;
  /** Sends one text frame. */
  send(data: string): void;
  /** Starts the closing handshake. */
  close(code?: number, reason?: string): void;
  /** Called once the socket is open. */
  onopen: ((event: unknown) => void) | null;
  /** Called for each frame received. */
  onmessage: ((event: { data: unknown }) => void) | null;
  /** Called once the socket closed, with its close code. */
  onclose: ((event: { code: number; reason: string }) => void) | null;
  /** Called on a socket error (a close follows). */
  onerror: ((event: unknown) => void) | null;
  /** Node `ws` only. */
  terminate?(): void;
  /** Node `ws` only. */
  ping?(): void;
  /** Node `ws` only (EventEmitter API). */
  on?(event: string, listener: (...args: never[]) => void): unknown;
}

/** A WebSocket constructor (the global one, `ws`, or a test double). */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** What the transport reports. */
export interface TransportHandlers {
  open(): void;
  message(text: string): void;
  /** A binary frame (the protocol is text-only). */
  binary(): void;
  /** Any frame or pong: proof the peer is alive. */
  activity(): void;
  close(code: number, reason: string): void;
  error(error: unknown): void;
}

const OPEN = 1;

let defaultWebSocket: Promise<WebSocketConstructor> | undefined;

/**
 * The default WebSocket constructor (`ws` in Node, the global one in browsers), loaded on the first
 * connect so that importing the SDK never loads `ws`.
 */
export function loadDefaultWebSocket(): Promise<WebSocketConstructor> {
  defaultWebSocket ??= import('isomorphic-ws').then((module) => {
    const WS = (module as { default?: unknown }).default ?? module;
    return WS as unknown as WebSocketConstructor;
  });
  return defaultWebSocket;
}

/** A constructor whose sockets connect through `agent` (a proxy): `ws` takes its options second. */
export function throughAgent(WS: WebSocketConstructor, agent: unknown): WebSocketConstructor {
  const Base = WS as unknown as new (url: string, options: unknown) => WebSocketLike;
  return class extends Base {
    constructor(url: string) {
      super(url, { agent });
    }
  };
}

/** The constructor a connection uses: the injected one or the default, through `agent` when one is set. */
export async function resolveWebSocket(options: {
  WebSocket?: WebSocketConstructor | undefined;
  agent?: unknown;
}): Promise<WebSocketConstructor> {
  const WS = options.WebSocket ?? (await loadDefaultWebSocket());
  return options.agent ? throughAgent(WS, options.agent) : WS;
}

/** One WebSocket, wrapped. */
export class Transport {
  #socket: WebSocketLike | undefined;
  #closed = false;

  constructor(url: string, handlers: TransportHandlers, WS: WebSocketConstructor) {
    const socket = new WS(url);
    this.#socket = socket;
    socket.onopen = () => {
      if (!this.#closed) handlers.open();
    };
    socket.onclose = (event) => this.#finish(handlers, event.code, event.reason ?? '');
    socket.onerror = (event) => {
      if (!this.#closed) handlers.error((event as { error?: unknown }).error ?? event);
    };
    if (typeof socket.on === 'function') {
      // `ws`: skip the MessageEvent wrapper on the hot path.
      socket.on('message', ((data: { toString(): string }, isBinary: boolean) => {
        if (this.#closed) return;
        handlers.activity();
        if (!isBinary) handlers.message(data.toString());
        else handlers.binary();
      }) as never);
      socket.on('pong', (() => {
        if (!this.#closed) handlers.activity();
      }) as never);
    } else {
      socket.onmessage = (event) => {
        if (this.#closed) return;
        handlers.activity();
        if (typeof event.data === 'string') handlers.message(event.data);
        else handlers.binary();
      };
    }
  }

  /** Whether frames can be sent now. */
  get isOpen(): boolean {
    return !this.#closed && this.#socket?.readyState === OPEN;
  }

  /** Sends one text frame; false when the socket is not open. */
  send(text: string): boolean {
    if (!this.isOpen || !this.#socket) return false;
    this.#socket.send(text);
    return true;
  }

  /** Sends a WebSocket ping where the platform allows it (Node). */
  ping(): void {
    if (this.isOpen) this.#socket?.ping?.();
  }

  /** Closes gracefully; no more events are reported afterwards. */
  close(code = 1000, reason = ''): void {
    this.#detach((socket) => socket.close(code, reason));
  }

  /** Drops the socket at once (dead peer); no more events are reported afterwards. */
  terminate(): void {
    this.#detach((socket) =>
      socket.terminate ? socket.terminate() : socket.close(4000, 'liveness timeout'),
    );
  }

  #detach(action: (socket: WebSocketLike) => void): void {
    const socket = this.#socket;
    this.#closed = true;
    this.#socket = undefined;
    if (!socket) return;
    try {
      action(socket);
    } catch {
      // Closing a socket that is still CONNECTING throws in some runtimes; it is gone either way.
    }
    release(socket);
  }

  #finish(handlers: TransportHandlers, code: number, reason: string): void {
    if (this.#closed) return;
    const socket = this.#socket;
    this.#closed = true;
    this.#socket = undefined;
    if (socket) release(socket);
    handlers.close(code, reason);
  }
}

/** Unhooks our handlers so a dead socket references nothing of the stream. */
function release(socket: WebSocketLike): void {
  socket.onopen = socket.onmessage = socket.onclose = null;
  // Keep an error handler: `ws` emits 'error' for a socket closed before it opened, and an
  // EventEmitter without one would throw.
  socket.onerror = () => {};
}
