/**
 * The connection state machine both streams share. It owns one socket at a time and everything
 * tied to it (liveness and ping timers, in-flight requests), authenticates the moment a socket
 * opens, matches answers to requests by `request_id`, replays the subscription registry after
 * every (re)authentication, queues other requests (bounded in bytes) while disconnected, and
 * applies PROTOCOL.md's close-code table. Protocol specifics come from a {@link ConnectionDelegate}.
 */

import { backoffDelay } from '../core/backoff';
import { streamErrorFactory as errorFactory, type StreamError, StreamTimeoutError } from '../core/errors';
import type { ResolvedStreamOptions } from './options';
import { SendQueue } from './send-queue';
import { TimerGroup } from './timers';
import { loadDefaultWebSocket, Transport, type WebSocketConstructor } from './transport';

/** The connection's lifecycle states. */
export type ConnectionState = 'idle' | 'connecting' | 'authenticating' | 'open' | 'waiting' | 'closed';

/** The minimal shape of a decoded server message. */
export interface ServerMessage {
  action: string;
}

/** What `reconnecting` reports. */
export interface ReconnectInfo {
  /** 1 for the first retry after a failure, rising until a healthy period resets it. */
  attempt: number;
  /** Milliseconds until the next attempt. */
  delay: number;
  /** The close code of the socket that died (1006 when it never opened or was terminated). */
  closeCode: number;
  reason: string;
}

/** What `close` reports. */
export interface CloseInfo {
  code: number;
  reason: string;
  /** Set when the stream stopped because of an error (4001, 4002, attempts exhausted...). */
  error?: StreamError;
}

/** The protocol-specific half of a connection (implemented by each stream facade). */
export interface ConnectionDelegate<M extends ServerMessage> {
  /** The authenticate frame; called before every socket is opened (credentials may rotate). */
  authFrame(): Promise<string>;
  /** Decodes a frame; throws StreamProtocolError when it is malformed. */
  decode(text: string): M;
  /** Extra check of a decoded message (the `validate` option); returns an error to reject it. */
  check?(message: M, text: string): StreamError | undefined;
  /** A non-request message (updates, heartbeats). */
  message(message: M): void;
  /** The socket opened and the authenticate frame went out. */
  opened(): void;
  /** Authentication succeeded; `reconnect` is false only the first time. */
  authenticated(message: M, reconnect: boolean): void;
  /** The server said the token expired (error `token_expired` or close 4003). */
  tokenExpired?(): void;
  /** The server refused a subscription replayed after a reconnect: it is no longer live. */
  subscriptionRefused?(key: string, error: StreamError): void;
  /** A non-fatal problem to surface as an `error` event. */
  error(error: StreamError): void;
  reconnecting(info: ReconnectInfo): void;
  /** The stream stopped for good. */
  closed(info: CloseInfo): void;
}

/** One subscription kept for replay: it is re-sent after every authentication. */
interface Registered<M> {
  frame: (requestId: string) => string;
  waiters: { resolve: (answer: M) => void; reject: (error: unknown) => void }[];
}

interface Pending<M> {
  resolve(answer: M): void;
  reject(error: unknown): void;
  timer: unknown;
  /** Registry requests survive a drop: the replay sends them again. */
  replayed: boolean;
}

const CLOSE_NORMAL = 1000;
const CLOSE_ABNORMAL = 1006;

/** A reconnecting, authenticating WebSocket connection. */
export class Connection<M extends ServerMessage & { request_id?: string }> {
  private currentState: ConnectionState = 'idle';
  private transport: Transport | undefined;
  /** Timers of the current socket only (liveness, pings, healthy reset, request timeouts). */
  private socketTimers: TimerGroup;
  /** Timers of the connection itself (connect timeout, backoff wait). */
  private readonly lifeTimers: TimerGroup;
  private readonly pending = new Map<string, Pending<M>>();
  private readonly registry = new Map<string, Registered<M>>();
  private readonly queue: SendQueue;
  private epoch = 0;
  private attempt = 0;
  private nextId = 0;
  private everAuthenticated = false;
  private lastActivity = 0;
  private connectWaiters: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  private connectTimer: unknown;

  constructor(
    private readonly options: ResolvedStreamOptions,
    private readonly delegate: ConnectionDelegate<M>,
  ) {
    this.socketTimers = new TimerGroup(options.timers);
    this.lifeTimers = new TimerGroup(options.timers);
    this.queue = new SendQueue(options.maxQueueBytes);
  }

  /** The current state. */
  get state(): ConnectionState {
    return this.currentState;
  }

  /** Timers armed right now (socket + connection), for leak checks. */
  get activeTimers(): number {
    return this.socketTimers.size + this.lifeTimers.size;
  }

  /** Bytes waiting in the disconnected send queue. */
  get queuedBytes(): number {
    return this.queue.bytes;
  }

  /** Resolves once authenticated (retrying per the policy); rejects on a fatal close or the connect timeout. */
  connect(): Promise<void> {
    if (this.currentState === 'closed') return Promise.reject(errorFactory.streamClosedWhile('connecting'));
    if (this.currentState === 'open') return Promise.resolve();
    const promise = new Promise<void>((resolve, reject) => this.connectWaiters.push({ resolve, reject }));
    if (this.connectTimer === undefined) {
      const ms = this.options.connectTimeout;
      this.connectTimer = this.lifeTimers.set(() => {
        this.connectTimer = undefined;
        this.shutdown(CLOSE_NORMAL, 'connect timeout', errorFactory.streamTimeout('connect', ms));
      }, ms);
    }
    if (this.currentState === 'idle') void this.openSocket();
    return promise;
  }

  /** Sends a request and resolves with the message carrying its `request_id` (or rejects on `error`). */
  request(frame: (requestId: string) => string): Promise<M> {
    if (this.currentState === 'closed')
      return Promise.reject(errorFactory.streamClosedWhile('sending a request'));
    return new Promise<M>((resolve, reject) => {
      const id = this.newId();
      const text = frame(id);
      if (this.currentState === 'open' && this.transport?.isOpen) {
        // Tracked before sending: an in-memory transport may answer synchronously.
        this.track(id, { resolve, reject, replayed: false });
        this.transport.send(text);
      } else if (!this.queue.push(text, reject, () => this.track(id, { resolve, reject, replayed: false })))
        reject(errorFactory.streamQueueFull(this.options.maxQueueBytes));
    });
  }

  /** Registers a subscription (replayed after every authentication); resolves on its first answer. */
  register(key: string, frame: (requestId: string) => string): Promise<M> {
    if (this.currentState === 'closed') return Promise.reject(errorFactory.streamClosedWhile('subscribing'));
    return new Promise<M>((resolve, reject) => {
      const entry: Registered<M> = { frame, waiters: [{ resolve, reject }] };
      this.registry.set(key, entry);
      if (this.currentState === 'open') this.replay(key, entry);
    });
  }

  /** Forgets a subscription so it is not replayed any more. */
  unregister(key: string): void {
    this.registry.delete(key);
  }

  /** Stops for good: closes the socket, clears every timer, rejects whatever waits. */
  close(): void {
    this.shutdown(CLOSE_NORMAL, 'client closed');
  }

  private newId(): string {
    return `r${++this.nextId}`;
  }

  private track(id: string, entry: Omit<Pending<M>, 'timer'>): void {
    const ms = this.options.requestTimeout;
    const timer = this.socketTimers.set(() => {
      this.pending.delete(id);
      entry.reject(errorFactory.streamTimeout(`request ${id}`, ms));
    }, ms);
    this.pending.set(id, { ...entry, timer });
  }

  private replay(key: string, entry: Registered<M>): void {
    const id = this.newId();
    if (!this.transport?.isOpen) return;
    const settle = (fn: (w: Registered<M>['waiters'][number]) => void) => {
      const waiters = entry.waiters;
      entry.waiters = [];
      for (const waiter of waiters) fn(waiter);
    };
    this.track(id, {
      replayed: true,
      resolve: (answer) => settle((w) => w.resolve(answer)),
      reject: (error) => {
        const isReplay = entry.waiters.length === 0;
        if (isReplay && error instanceof StreamTimeoutError && this.registry.get(key) === entry) {
          // An unconfirmed replay means the socket is unhealthy, not that the subscription is
          // unwanted: keep it registered and reconnect, so it is replayed again.
          this.delegate.error(error);
          this.transport?.terminate();
          this.socketClosed(CLOSE_ABNORMAL, 'subscription replay unanswered');
          return;
        }
        // The server refused the subscription (or the caller's first subscribe failed): stop replaying it.
        if (this.registry.get(key) === entry) this.registry.delete(key);
        if (isReplay) {
          this.delegate.error(error as StreamError);
          this.delegate.subscriptionRefused?.(key, error as StreamError);
        }
        settle((w) => w.reject(error));
      },
    });
    this.transport.send(entry.frame(id));
  }

  private async openSocket(): Promise<void> {
    const epoch = ++this.epoch;
    this.currentState = 'connecting';
    let auth: string;
    let WS: WebSocketConstructor;
    try {
      // Credentials are fetched before the socket exists so `authenticate` leaves the moment it opens.
      auth = await this.delegate.authFrame();
      WS = this.options.WebSocket ?? (await loadDefaultWebSocket());
    } catch (cause) {
      if (epoch !== this.epoch) return;
      const error = errorFactory.streamClosedWhile('obtaining credentials');
      (error as { cause?: unknown }).cause = cause;
      this.delegate.error(error);
      this.retry(CLOSE_ABNORMAL, 'credentials unavailable');
      return;
    }
    if (epoch !== this.epoch) return;
    this.lastActivity = this.options.timers.now();
    const transport = new Transport(
      this.options.url,
      {
        open: () => {
          this.currentState = 'authenticating';
          transport.send(auth);
          this.delegate.opened();
        },
        activity: () => {
          this.lastActivity = this.options.timers.now();
        },
        message: (text) => this.receive(text),
        close: (code, reason) => this.socketClosed(code, reason),
        error: (error) => this.options.logger?.debug?.('WebSocket error', { error: String(error) }),
      },
      WS,
    );
    this.transport = transport;
    this.armLiveness(this.options.heartbeatTimeout);
    if (this.options.pingInterval > 0) this.armPing();
  }

  private armLiveness(ms: number): void {
    this.socketTimers.set(() => {
      const idle = this.options.timers.now() - this.lastActivity;
      const limit = this.options.heartbeatTimeout;
      if (idle < limit) return this.armLiveness(limit - idle);
      this.delegate.error(errorFactory.streamTimeout('heartbeat (no frame received)', limit));
      this.transport?.terminate();
      this.socketClosed(CLOSE_ABNORMAL, 'heartbeat timeout');
    }, ms);
  }

  private armPing(): void {
    this.socketTimers.set(() => {
      this.transport?.ping();
      this.armPing();
    }, this.options.pingInterval);
  }

  private receive(text: string): void {
    let message: M;
    try {
      message = this.delegate.decode(text);
    } catch (error) {
      this.delegate.error(error as StreamError);
      return;
    }
    if (this.delegate.check) {
      const problem = this.delegate.check(message, text);
      if (problem) {
        this.delegate.error(problem);
        return;
      }
    }
    const requestId = message.request_id;
    if (message.action === 'error') {
      this.serverError(message as unknown as ErrorFrame);
      return;
    }
    if (message.action === 'authenticated') {
      this.authenticated(message);
      return;
    }
    if (requestId !== undefined) {
      const pending = this.pending.get(requestId);
      // An unknown id is an answer to a request of an earlier socket: ignored on purpose.
      if (!pending) {
        this.options.logger?.debug?.('Ignoring an answer to an unknown request', { requestId });
        return;
      }
      this.pending.delete(requestId);
      this.socketTimers.clear(pending.timer);
      pending.resolve(message);
      return;
    }
    this.delegate.message(message);
  }

  private serverError(frame: ErrorFrame): void {
    const error = errorFactory.streamServerError(frame.code, frame.message, frame.request_id);
    if (frame.code === 'token_expired') this.delegate.tokenExpired?.();
    const pending = frame.request_id === undefined ? undefined : this.pending.get(frame.request_id);
    if (pending && frame.request_id !== undefined) {
      this.pending.delete(frame.request_id);
      this.socketTimers.clear(pending.timer);
      pending.reject(error);
      return;
    }
    // Refused credentials or a takeover: reconnecting would only repeat it (PROTOCOL.md).
    if (frame.code === 'unauthorized' || frame.code === 'session_replaced')
      this.shutdown(frame.code === 'unauthorized' ? 4001 : 4002, frame.code, error);
    else this.delegate.error(error);
  }

  private authenticated(message: M): void {
    if (this.currentState !== 'authenticating') return;
    this.currentState = 'open';
    const reconnect = this.everAuthenticated;
    this.everAuthenticated = true;
    this.socketTimers.set(() => {
      this.attempt = 0;
    }, this.options.reconnect.healthyAfter);
    if (this.connectTimer !== undefined) this.lifeTimers.clear(this.connectTimer);
    this.connectTimer = undefined;
    this.delegate.authenticated(message, reconnect);
    for (const [key, entry] of this.registry) this.replay(key, entry);
    for (const frame of this.queue.drain()) {
      frame.sent();
      this.transport?.send(frame.text);
    }
    const waiters = this.connectWaiters;
    this.connectWaiters = [];
    for (const waiter of waiters) waiter.resolve();
  }

  /** Drops everything tied to the current socket. */
  private dropSocket(error: StreamError): void {
    this.socketTimers.clearAll();
    this.transport = undefined;
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const entry of pending) if (!entry.replayed) entry.reject(error);
  }

  private socketClosed(code: number, reason: string): void {
    if (this.currentState === 'closed') return;
    this.transport?.terminate();
    this.dropSocket(errorFactory.streamClosedWhile('waiting for an answer'));
    if (code === 4001 || code === 4002) {
      this.shutdown(code, reason, errorFactory.streamClosed(code, reason));
      return;
    }
    if (code === 4003) this.delegate.tokenExpired?.();
    this.retry(code, reason);
  }

  private retry(code: number, reason: string): void {
    const policy = this.options.reconnect;
    if (this.attempt >= policy.maxAttempts) {
      const error = errorFactory.streamClosed(code, reason);
      const gaveUp = errorFactory.streamClosedWhile(`reconnecting: gave up after ${this.attempt} attempts`);
      (gaveUp as { cause?: unknown }).cause = error;
      this.shutdown(code, reason, gaveUp);
      return;
    }
    const delay =
      backoffDelay(policy, this.attempt, this.options.random) + (code === 4029 ? policy.rateLimitedDelay : 0);
    this.attempt++;
    this.currentState = 'waiting';
    this.epoch++;
    this.lifeTimers.set(() => void this.openSocket(), delay);
    this.delegate.reconnecting({ attempt: this.attempt, delay, closeCode: code, reason });
  }

  private shutdown(code: number, reason: string, error?: StreamError): void {
    if (this.currentState === 'closed') return;
    this.currentState = 'closed';
    this.epoch++;
    this.transport?.close(CLOSE_NORMAL, 'client closed');
    const failure = error ?? errorFactory.streamClosedWhile('waiting (the stream was closed)');
    this.dropSocket(failure);
    this.lifeTimers.clearAll();
    this.connectTimer = undefined;
    for (const frame of this.queue.drain()) frame.fail(failure);
    for (const entry of this.registry.values()) for (const waiter of entry.waiters) waiter.reject(failure);
    this.registry.clear();
    const waiters = this.connectWaiters;
    this.connectWaiters = [];
    for (const waiter of waiters) waiter.reject(failure);
    if (error) this.delegate.error(error);
    this.delegate.closed(error ? { code, reason, error } : { code, reason });
  }
}

interface ErrorFrame {
  action: 'error';
  code: string;
  message: string;
  request_id?: string;
}
