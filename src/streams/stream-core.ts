/**
 * What both stream facades share, kept off their public surface: the resolved options, the
 * {@link StreamConnection}, the protocol object it is given (the facade's auth and decode, plus the lazy
 * `validate` check), and the private sink that turns connection events into the facade's
 * `open` / `reconnecting` / `error` / `close` events. A facade holds one `StreamCore` in a
 * `#private` field, so none of this appears in the shipped `.d.ts`.
 */
import type { EventEmitter } from 'eventemitter3'; // named: see safe-emitter.ts
import { streamErrorFactory as errorFactory, type StreamError } from '../core/errors';
import { SecretScope } from '../core/secret-scope';
import type { SchemaName } from '../internal/schema-validator';
import { StreamConnection } from './connection';
import type { CloseInfo, ReconnectInfo } from './connection-events';
import { type ResolvedStreamOptions, resolveStreamOptions, type StreamOptions } from './options';
import { streamProtocol } from './protocol/stream-protocol';
import { type SafeEmitter, safeEmit, setEmitterLogger } from './safe-emitter';

/** A `gap` event: updates may have been missed; resync from REST. */
export interface GapInfo {
  /** `seq`: a sequence number was skipped (or a frame was refused); `reconnect`: the socket was replaced (nothing is replayed). */
  reason: 'seq' | 'reconnect';
  /** First missed `seq`, when known. */
  from?: number;
  /** Last missed `seq`, when known. */
  to?: number;
  /**
   * Relay consumers: the upstream session that ended (its leading relay died or stepped down). Its
   * updates from `from` on are missing, up to its last one, which nobody can name (the upstream
   * replays nothing and reports no last seq): `to` is absent. The next session's `reconnect` gap
   * follows.
   */
  endedSession?: string;
}

/** The lifecycle events both streams emit. */
export interface LifecycleEvents {
  /** The socket opened (authentication is on its way). */
  open: () => void;
  /** The connection dropped; a reconnect is scheduled after `info.delay` ms. */
  reconnecting: (info: ReconnectInfo) => void;
  /** A reconnect succeeded and subscriptions are being replayed. */
  reconnected: () => void;
  /** Updates were missed (a seq gap or a reconnect): resynchronize from REST. */
  gap: (info: GapInfo) => void;
  /** Non-fatal problems (malformed frames, listener exceptions, server errors) and fatal ones before `close`. */
  error: (error: StreamError) => void;
  /** The stream stopped for good. */
  close: (info: CloseInfo) => void;
}

/** The protocol half a facade provides: closures over its private state, called without `this`. */
export interface FacadeProtocolHooks<M> {
  authFrame(): Promise<string>;
  decode(text: string): M;
  authenticated(message: M, reconnect: boolean): void;
  message(message: M): void;
  tokenExpired?(): void;
  subscriptionRefused(key: string, error: StreamError): void;
  /** The stream stopped: end iterators and subscriptions. */
  ended(error: StreamError | undefined): void;
}

type Checker = (message: unknown) => string | undefined;

/** The shared machinery of one stream facade. */
export class StreamCore<M extends { action: string; request_id?: string }> {
  readonly settings: ResolvedStreamOptions;
  readonly connection: StreamConnection<M>;
  /** This stream's credentials (a client secret, market-data tokens), and nobody else's: what its errors are scrubbed with. */
  readonly secrets = new SecretScope();
  #checker: Checker | undefined;

  readonly #schemaName: SchemaName;

  readonly #facade: SafeEmitter<EventEmitter.ValidEventTypes>;

  constructor(
    facade: SafeEmitter<EventEmitter.ValidEventTypes>,
    {
      options,
      defaultUrl,
      schemaName,
      wire,
    }: {
      options: StreamOptions;
      defaultUrl: string;
      schemaName: SchemaName;
      wire: FacadeProtocolHooks<M>;
    },
  ) {
    this.#facade = facade;
    this.#schemaName = schemaName;
    this.settings = resolveStreamOptions(options, defaultUrl);
    setEmitterLogger(facade, this.settings.logger);
    this.connection = new StreamConnection<M>(
      this.settings,
      streamProtocol({
        authFrame: wire.authFrame,
        decode: (text) => {
          const message = wire.decode(text);
          const problem = this.#checker?.(message);
          if (problem !== undefined)
            throw errorFactory.streamProtocol(`Message does not match the spec: ${problem}`, text);
          return message;
        },
      }),
      {
        opened: () => this.emit('open'),
        authenticated: wire.authenticated,
        message: wire.message,
        tokenExpired: () => wire.tokenExpired?.(),
        subscriptionRefused: wire.subscriptionRefused,
        error: (error) => this.error(error),
        reconnecting: (info) => this.emit('reconnecting', info),
        closed: (info) => {
          wire.ended(info.error);
          this.emit('close', info);
        },
      },
      this.secrets,
    );
  }

  /** Loads the `validate` checker if asked, then connects. */
  async connect(): Promise<void> {
    if (this.settings.validate && !this.#checker) {
      // Loaded only on demand: it carries ajv and the whole spec, too heavy for browser bundles.
      const { schemaProblem } = await import('../internal/schema-validator');
      const name = this.#schemaName;
      this.#checker = (message) => schemaProblem(name, message);
    }
    return this.connection.connect();
  }

  /** Emits an event on the facade with listener isolation. */
  emit(event: string, ...args: unknown[]): boolean {
    return safeEmit(this.#facade, event, ...args);
  }

  /** An `error` event, or the logger when nobody listens. */
  error(error: StreamError): void {
    this.secrets.scrubError(error);
    if (!this.emit('error', error)) this.settings.logger?.warn?.(error.message, { error });
  }
}
