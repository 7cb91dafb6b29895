/**
 * The connection state machine both streams share: one socket at a time, authenticated the moment
 * it opens, reconnected with back-off, watched for liveness, and given a deadline in every state
 * (connecting and authenticating: `handshakeTimeout` on each attempt; a request or a replayed
 * subscription: `requestTimeout`; the first `connect()`: `connectTimeout`). Requests live in
 * {@link PendingRequests}, subscriptions in the {@link SubscriptionRegistry}. The wire format and
 * the close-code table come from a {@link StreamProtocol}; events go to a private {@link ConnectionSink}.
 */
import { backoffDelay } from '../core/backoff';
import { streamErrorFactory as errorFactory, type StreamError } from '../core/errors';
import { SecretScope } from '../core/secret-scope';
import { ConnectGate } from './connect-gate';
import type { ConnectionSink, ConnectionState } from './connection-events';
import { openWatchedSocket } from './liveness';
import type { ResolvedStreamOptions } from './options';
import { type PendingHandlers, PendingRequests, type Send } from './pending-requests';
import type { StreamProtocol } from './protocol/stream-protocol';
import { SubscriptionRegistry } from './subscriptions';
import { TimerGroup } from './timers';
import { resolveWebSocket, type Transport, type WebSocketConstructor } from './transport';

const CLOSE_NORMAL = 1000;
const CLOSE_ABNORMAL = 1006;

/** A reconnecting, authenticating WebSocket (not the REST `Connection`, a broker link). */
export class StreamConnection<M extends { request_id?: string }> {
  #state: ConnectionState = 'idle';
  #transport: Transport | undefined;
  /** Timers of the current socket only (liveness, pings, healthy reset, request deadlines). */
  readonly #socketTimers: TimerGroup;
  /** Timers of the connection itself (connect timeout, attempt deadline, backoff wait). */
  readonly #lifeTimers: TimerGroup;
  readonly #pending: PendingRequests<M>;
  readonly #registry = new SubscriptionRegistry<M>();
  readonly #gate: ConnectGate;
  #epoch = 0;
  #attempt = 0;
  #everAuthenticated = false;
  /** Why the last attempt failed: the cause of a connect timeout. */
  #lastFailure: unknown;
  /** The current socket's own error (ECONNREFUSED...), the cause of its close. */
  #socketError: unknown;

  readonly #options: ResolvedStreamOptions;
  readonly #protocol: StreamProtocol<M>;
  readonly #sink: ConnectionSink<M>;
  readonly #secrets: SecretScope;

  constructor(
    options: ResolvedStreamOptions,
    protocol: StreamProtocol<M>,
    sink: ConnectionSink<M>,
    /** The stream's own credentials: every error that carries server or provider text is scrubbed with them. */
    secrets: SecretScope = new SecretScope(),
  ) {
    this.#options = options;
    this.#protocol = protocol;
    this.#sink = sink;
    this.#secrets = secrets;
    this.#socketTimers = new TimerGroup(options.timers);
    this.#lifeTimers = new TimerGroup(options.timers);
    this.#pending = new PendingRequests<M>(() => this.#socketTimers, options);
    this.#gate = new ConnectGate(
      this.#lifeTimers,
      options,
      (error) => this.#shutdown(CLOSE_NORMAL, 'connect timeout', error),
      () => this.#lastFailure,
    );
  }

  /** The current state. */
  get state(): ConnectionState {
    return this.#state;
  }

  /** Timers armed right now (socket + connection), for leak checks. */
  get activeTimers(): number {
    return this.#socketTimers.size + this.#lifeTimers.size;
  }

  /** Resolves once authenticated (retrying per the policy); rejects on a fatal close or the connect timeout. */
  connect(): Promise<void> {
    if (this.#state === 'closed') return Promise.reject(errorFactory.streamClosedWhile('connecting'));
    if (this.#state === 'open') return Promise.resolve();
    const opened = this.#gate.wait();
    if (this.#state === 'idle') void this.#openSocket();
    return opened;
  }

  /** Sends a request (queued while not open) and resolves with the message carrying its `request_id`. */
  request(frame: (requestId: string) => string): Promise<M> {
    if (this.#state === 'closed') return Promise.reject(errorFactory.streamClosedWhile('sending a request'));
    return this.#pending.request(frame, this.#state === 'open' ? this.#send() : undefined);
  }

  /** Registers a subscription (replayed after every authentication); resolves on its first answer. */
  register(key: string, frame: (requestId: string) => string): Promise<M> {
    if (this.#state === 'closed') return Promise.reject(errorFactory.streamClosedWhile('subscribing'));
    const answered = this.#registry.add(key, frame);
    if (this.#state === 'open') this.#registry.replay(this.#replayHooks, key);
    return answered;
  }

  /** Forgets a subscription so it is not replayed any more. */
  unregister(key: string): void {
    this.#registry.remove(key);
  }

  /** Stops for good: closes the socket, clears every timer, rejects whatever waits. */
  close(): void {
    this.#shutdown(CLOSE_NORMAL, 'client closed');
  }

  readonly #replayHooks = {
    send: (frame: (id: string) => string, handlers: PendingHandlers<unknown>) => {
      const send = this.#send();
      if (send) this.#pending.sendTracked(frame, handlers as PendingHandlers<M>, send);
    },
    unanswered: (error: StreamError) => this.#fail(error, CLOSE_ABNORMAL, 'subscription replay unanswered'),
    refused: (key: string, error: StreamError) => {
      this.#sink.error(error);
      this.#sink.subscriptionRefused(key, error);
    },
  };

  /** Sends on the current socket, when it is open. */
  #send(): Send | undefined {
    const transport = this.#transport;
    return transport?.isOpen ? (text) => transport.send(text) : undefined;
  }

  async #openSocket(): Promise<void> {
    const epoch = ++this.#epoch;
    this.#state = 'connecting';
    this.#socketError = undefined;
    // Connecting and authenticating must end within `handshakeTimeout`, on every attempt.
    this.#gate.startAttempt((ms) => {
      const what = this.#state;
      if (epoch !== this.#epoch || (what !== 'connecting' && what !== 'authenticating')) return;
      this.#fail(errorFactory.streamTimeout(what, ms), CLOSE_ABNORMAL, `${what} timed out`);
    });
    let auth: string;
    let WS: WebSocketConstructor;
    try {
      // Credentials are fetched before the socket exists so `authenticate` leaves the moment it opens.
      auth = await this.#protocol.authFrame();
      WS = await resolveWebSocket(this.#options);
    } catch (cause) {
      if (epoch !== this.#epoch) return;
      // Refused for good (a 404 for an unknown connection, a provider that throws or answers
      // nonsense): asking again would only repeat it, so `connect()` learns why at once.
      this.#secrets.scrubError(cause);
      // The classification loads only when a fetch fails: a page that connects never pays for it.
      // A chunk that fails to load counts as transient: the next attempt loads it again.
      const isTransientCredentialFailure = await import('./credential-failure').then(
        (module) => module.isTransientCredentialFailure,
        () => () => true,
      );
      if (epoch !== this.#epoch) return;
      if (!isTransientCredentialFailure(cause))
        return this.#shutdown(CLOSE_NORMAL, 'credentials unavailable', errorFactory.streamCredentials(cause));
      const error = errorFactory.streamClosedWhile('obtaining credentials', cause);
      this.#fail(error, CLOSE_ABNORMAL, 'credentials unavailable');
      // A connect timeout names the fetch's own failure (the 503), not this wrapper.
      this.#lastFailure = cause;
      return;
    }
    if (epoch !== this.#epoch) return;
    const binary = errorFactory.streamProtocol('Binary frame received; the protocol is text-only', '');
    const transport = openWatchedSocket(
      { ...this.#options, WebSocket: WS },
      this.#socketTimers,
      {
        open: () => {
          this.#state = 'authenticating';
          transport.send(auth);
          this.#sink.opened();
        },
        message: (text) => this.#receive(text),
        binary: () => this.#fail(binary, 1003, 'binary frame'),
        close: (code, reason) => this.#socketClosed(code, reason),
        error: (error) => {
          if (epoch === this.#epoch) this.#socketError = error;
          this.#options.logger?.debug?.('WebSocket error', { error: String(error) });
        },
      },
      (error) => this.#fail(error, CLOSE_ABNORMAL, 'heartbeat timeout'),
    );
    this.#transport = transport;
  }

  /** Reports `error`, drops the socket and takes the reconnect path. */
  #fail(error: StreamError, code: number, reason: string): void {
    if (this.#state === 'closed') return;
    this.#lastFailure = this.#secrets.scrubError(error);
    this.#sink.error(error);
    this.#transport?.terminate();
    this.#socketClosed(code, reason, true);
  }

  #receive(text: string): void {
    let message: M;
    try {
      message = this.#protocol.decode(text);
    } catch (error) {
      this.#sink.error(this.#secrets.scrubError(error as StreamError));
      return;
    }
    const serverError = this.#protocol.errorOf(message);
    const requestId = message.request_id;
    if (serverError) this.#serverError(serverError);
    else if (this.#protocol.isAuthenticated(message)) this.#authenticated(message);
    else if (requestId === undefined) this.#sink.message(message);
    // An unknown id answers a request of an earlier socket: ignored on purpose.
    else this.#pending.take(requestId)?.resolve(message);
  }

  #serverError(frame: { code: string; message: string; request_id?: string }): void {
    const error = this.#secrets.scrubError(
      errorFactory.streamServerError(frame.code, frame.message, frame.request_id),
    );
    const known = this.#protocol.errorCodeRule(frame.code);
    if (known?.rule.action === 'new_token') this.#sink.tokenExpired();
    const pending = frame.request_id === undefined ? undefined : this.#pending.take(frame.request_id);
    if (pending) pending.reject(error);
    // Refused credentials or a takeover: reconnecting would only repeat it (PROTOCOL.md).
    else if (known?.rule.action === 'stop') this.#shutdown(known.closeCode, frame.code, error);
    else this.#sink.error(error);
  }

  #authenticated(message: M): void {
    if (this.#state !== 'authenticating') return;
    this.#state = 'open';
    const reconnect = this.#everAuthenticated;
    this.#everAuthenticated = true;
    this.#socketTimers.set(() => {
      this.#attempt = 0;
    }, this.#options.reconnect.healthyAfter);
    this.#gate.endAttempt();
    this.#sink.authenticated(message, reconnect);
    this.#registry.replay(this.#replayHooks);
    const send = this.#send();
    if (send) this.#pending.flush(send);
    this.#gate.open();
  }

  #socketClosed(code: number, reason: string, reported = false): void {
    if (this.#state === 'closed') return;
    this.#transport?.terminate();
    this.#transport = undefined;
    this.#pending.dropAll(errorFactory.streamClosedWhile('waiting for an answer'));
    this.#socketTimers.clearAll();
    const rule = this.#protocol.closeRule(code);
    const closeError = this.#secrets.scrubError(this.#protocol.closeError(code, reason, this.#socketError));
    if (!reported) this.#lastFailure = closeError;
    if (rule.report && !reported) this.#sink.error(closeError);
    if (rule.action === 'new_token') this.#sink.tokenExpired();
    const policy = this.#options.reconnect;
    if (rule.action === 'stop') this.#shutdown(code, reason, closeError);
    else if (this.#attempt >= policy.maxAttempts)
      this.#shutdown(code, reason, errorFactory.streamGaveUp(this.#attempt, closeError));
    else {
      const longer = rule.action === 'long_backoff' ? policy.rateLimitedDelay : 0;
      const delay = backoffDelay(policy, this.#attempt++, this.#options.random) + longer;
      this.#state = 'waiting';
      this.#epoch++;
      this.#gate.endAttempt();
      this.#lifeTimers.set(() => void this.#openSocket(), delay);
      this.#sink.reconnecting({ attempt: this.#attempt, delay, closeCode: code, reason });
    }
  }

  #shutdown(code: number, reason: string, error?: StreamError): void {
    if (this.#state === 'closed') return;
    if (error) this.#secrets.scrubError(error);
    this.#state = 'closed';
    this.#epoch++;
    this.#transport?.close(CLOSE_NORMAL, 'client closed');
    this.#transport = undefined;
    const failure = error ?? errorFactory.streamClosedWhile('waiting (the stream was closed)');
    this.#pending.close(failure);
    this.#socketTimers.clearAll();
    this.#lifeTimers.clearAll();
    this.#registry.clear(failure);
    this.#gate.fail(failure);
    if (error) this.#sink.error(error);
    this.#sink.closed(error ? { code, reason, error } : { code, reason });
  }
}
