/** What a {@link StreamConnection} reports, and to whom: its states, event payloads and private sink. */
import type { StreamError } from '../core/errors';

/** The connection's lifecycle states. */
export type ConnectionState = 'idle' | 'connecting' | 'authenticating' | 'open' | 'waiting' | 'closed';

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

/** Where a connection reports (a private object of the stream, never its public facade). */
export interface ConnectionSink<M> {
  /** The socket opened and the authenticate frame went out. */
  opened(): void;
  /** Authentication succeeded; `reconnect` is false only the first time. */
  authenticated(message: M, reconnect: boolean): void;
  /** A message that answers no request (updates, heartbeats). */
  message(message: M): void;
  /** The server said the token expired (error `token_expired` or close 4003). */
  tokenExpired(): void;
  /** The server refused a subscription replayed after a reconnect: it is no longer live. */
  subscriptionRefused(key: string, error: StreamError): void;
  /** A problem to surface as an `error` event. */
  error(error: StreamError): void;
  reconnecting(info: ReconnectInfo): void;
  /** The stream stopped for good. */
  closed(info: CloseInfo): void;
}
