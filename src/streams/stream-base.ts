/**
 * What both stream facades share: the connection, lifecycle events (`open`, `reconnecting`,
 * `reconnected`, `gap`, `error`, `close`), the lazy `validate` checker and `close()`. Subclasses add
 * the protocol: how to authenticate, decode and dispatch.
 */
import type { EventEmitter } from 'eventemitter3'; // named: see safe-emitter.ts
import { streamErrorFactory as errorFactory, type StreamError } from '../core/errors';
import type { SchemaName } from '../internal/schema-validator';
import {
  type CloseInfo,
  Connection,
  type ConnectionDelegate,
  type ConnectionState,
  type ReconnectInfo,
  type ServerMessage,
} from './connection';
import { type ResolvedStreamOptions, resolveStreamOptions, type StreamOptions } from './options';
import { SafeEmitter } from './safe-emitter';

/** A `gap` event: updates may have been missed; resync from REST. */
export interface GapInfo {
  /** `seq`: a sequence number was skipped; `reconnect`: the socket was replaced (nothing is replayed). */
  reason: 'seq' | 'reconnect';
  /** First missed `seq`, when known. */
  from?: number;
  /** Last missed `seq`, when known. */
  to?: number;
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

type Checker = (message: unknown) => string | undefined;

/** Base of BrokerageStream and MarketDataStream. */
export abstract class StreamBase<
    Events extends EventEmitter.ValidEventTypes,
    M extends ServerMessage & { request_id?: string },
  >
  extends SafeEmitter<Events>
  implements ConnectionDelegate<M>
{
  /** @internal */
  protected readonly connection: Connection<M>;
  /** @internal */
  protected readonly settings: ResolvedStreamOptions;
  private checker: Checker | undefined;

  protected constructor(
    options: StreamOptions,
    defaultUrl: string,
    private readonly schemaName: SchemaName,
  ) {
    super();
    this.settings = resolveStreamOptions(options, defaultUrl);
    this.logger = this.settings.logger;
    this.connection = new Connection<M>(this.settings, this);
  }

  /** The connection state. */
  get state(): ConnectionState {
    return this.connection.state;
  }

  /** Timers currently armed by this stream (0 once closed). */
  get activeTimers(): number {
    return this.connection.activeTimers;
  }

  /** Connects and resolves once authenticated; rejects typed (e.g. StreamAuthenticationError on 4001) or on timeout. */
  async connect(): Promise<void> {
    if (this.settings.validate && !this.checker) {
      // Loaded only on demand: it carries ajv and the whole spec, too heavy for browser bundles.
      const { schemaErrors, describeSchemaErrors } = await import('../internal/schema-validator');
      const name = this.schemaName;
      this.checker = (message) => {
        const errors = schemaErrors(name, message);
        return errors.length > 0 ? describeSchemaErrors(errors) : undefined;
      };
    }
    return this.connection.connect();
  }

  /** Closes the stream for good: pending requests reject, iterators end, timers are cleared. */
  async close(): Promise<void> {
    this.connection.close();
  }

  /** @internal */
  abstract authFrame(): Promise<string>;
  /** @internal */
  abstract decode(text: string): M;
  /** @internal */
  abstract message(message: M): void;
  /** @internal */
  abstract authenticated(message: M, reconnect: boolean): void;

  /** @internal */
  check(message: M, text: string): StreamError | undefined {
    const problem = this.checker?.(message);
    return problem === undefined
      ? undefined
      : errorFactory.streamProtocol(`Message does not match the spec: ${problem}`, text);
  }

  /** @internal */
  opened(): void {
    this.emitEvent('open');
  }

  /** @internal */
  error(error: StreamError): void {
    if (!this.emitEvent('error', error)) this.logger?.warn?.(error.message, { error });
  }

  /** @internal */
  reconnecting(info: ReconnectInfo): void {
    this.emitEvent('reconnecting', info);
  }

  /** @internal */
  closed(info: CloseInfo): void {
    this.ended(info.error);
    this.emitEvent('close', info);
  }

  /** Ends iterators and subscriptions when the stream stops (subclasses override). */
  protected ended(_error: StreamError | undefined): void {}

  /** Emits an event with listener isolation. */
  protected emitEvent(event: string, ...args: unknown[]): boolean {
    return this.safeEmit(event as EventEmitter.EventNames<Events>, ...args);
  }
}
