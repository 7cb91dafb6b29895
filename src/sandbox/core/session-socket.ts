/**
 * The server end of a stream connection as the sandbox's sessions see it: `ws`'s WebSocket in the
 * HTTP server, or {@link InProcessSocket} in a socket-free run (the deterministic simulation),
 * where whoever drives the run decides when each frame arrives.
 */

/** What a stream session uses of its connection (a subset of `ws`'s WebSocket). */
export interface SessionSocket {
  readonly readyState: number;
  readonly OPEN: number;
  on(event: 'message', listener: (data: { toString(): string }, isBinary: boolean) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  send(text: string): void;
  close(code: number, reason: string): void;
  /** Ends the connection without a close frame (the client sees 1006). */
  terminate(): void;
}

/** Where an {@link InProcessSocket} sends what the server writes. */
export interface InProcessPeer {
  /** One text frame for the client. */
  frame(text: string): void;
  /** The server closed the connection (`1006` for a terminate). */
  closed(code: number, reason: string): void;
}

const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 3;

/** The server end of an in-process stream connection: no socket, no port. */
export class InProcessSocket implements SessionSocket {
  readonly OPEN = OPEN;
  readyState = OPEN;
  private readonly listeners = { message: [] as ((...args: never[]) => void)[], close: [] as (() => void)[] };
  /** While paused (a stall fault) frames from the client are held, nothing is written. */
  private paused: string[] | undefined;
  /** `ws` exposes its net.Socket here; sessions pause it to stall. */
  readonly _socket = { pause: () => this.pause(), resume: () => this.resume() };

  constructor(private readonly peer: InProcessPeer) {}

  on(event: 'message' | 'close' | 'error', listener: (...args: never[]) => void): this {
    if (event === 'message') this.listeners.message.push(listener);
    else if (event === 'close') this.listeners.close.push(listener as () => void);
    return this;
  }

  send(text: string): void {
    if (this.readyState === OPEN) this.peer.frame(text);
  }

  close(code: number, reason: string): void {
    this.end(code, reason);
  }

  terminate(): void {
    this.end(1006, '');
  }

  /** A frame from the client. */
  receive(text: string): void {
    if (this.readyState !== OPEN) return;
    if (this.paused) {
      this.paused.push(text);
      return;
    }
    const data = { toString: () => text };
    for (const listener of this.listeners.message)
      (listener as (d: typeof data, b: boolean) => void)(data, false);
  }

  /** The client went away (closed or dropped). */
  clientGone(): void {
    if (this.readyState === CLOSED) return;
    this.readyState = CLOSED;
    for (const listener of this.listeners.close) listener();
  }

  private end(code: number, reason: string): void {
    if (this.readyState === CLOSED || this.readyState === CONNECTING) return;
    this.readyState = CLOSED;
    this.peer.closed(code, reason);
    for (const listener of this.listeners.close) listener();
  }

  private pause(): void {
    this.paused ??= [];
  }

  private resume(): void {
    const held = this.paused;
    this.paused = undefined;
    for (const text of held ?? []) this.receive(text);
  }
}
