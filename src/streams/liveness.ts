/**
 * Liveness of one socket: any frame or pong counts as activity; no activity for
 * `heartbeatTimeout` ms means the peer is dead. Pings (Node) go out every `pingInterval` ms so an
 * idle but healthy server has something to answer. Both timers live on the socket's timer group.
 */
import { streamErrorFactory as errorFactory, type StreamTimeoutError } from '../core/errors';
import type { ResolvedStreamOptions } from './options';
import type { TimerGroup } from './timers';
import { Transport, type TransportHandlers, type WebSocketConstructor } from './transport';

/** Watches one socket. */
export class Liveness {
  #lastActivity: number;

  readonly #options: ResolvedStreamOptions;
  readonly #timers: TimerGroup;
  readonly #ping: () => void;
  readonly #dead: (error: StreamTimeoutError) => void;

  constructor(
    options: ResolvedStreamOptions,
    timers: TimerGroup,
    ping: () => void,
    dead: (error: StreamTimeoutError) => void,
  ) {
    this.#options = options;
    this.#timers = timers;
    this.#ping = ping;
    this.#dead = dead;
    this.#lastActivity = options.timers.now();
    this.#armCheck(options.heartbeatTimeout);
    if (options.pingInterval > 0) this.#armPing();
  }

  /** A frame or a pong arrived. */
  touch(): void {
    this.#lastActivity = this.#options.timers.now();
  }

  #armCheck(ms: number): void {
    this.#timers.set(() => {
      const idle = this.#options.timers.now() - this.#lastActivity;
      const limit = this.#options.heartbeatTimeout;
      if (idle < limit) this.#armCheck(limit - idle);
      else this.#dead(errorFactory.streamTimeout('heartbeat (no frame received)', limit));
    }, ms);
  }

  #armPing(): void {
    this.#timers.set(() => {
      this.#ping();
      this.#armPing();
    }, this.#options.pingInterval);
  }
}

/** Opens a socket watched for liveness: `dead` is called once it has been silent too long. */
export function openWatchedSocket(
  options: ResolvedStreamOptions & { WebSocket: WebSocketConstructor },
  timers: TimerGroup,
  handlers: Omit<TransportHandlers, 'activity'>,
  dead: (error: StreamTimeoutError) => void,
): Transport {
  let liveness: Liveness | undefined;
  const transport = new Transport(
    options.url,
    { ...handlers, activity: () => liveness?.touch() },
    options.WebSocket,
  );
  liveness = new Liveness(options, timers, () => transport.ping(), dead);
  return transport;
}
