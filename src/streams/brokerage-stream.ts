/**
 * The brokerage stream (`wss://stream.connecttrade.com`): order, position and balance updates of
 * a user, as typed events and as a bounded async iterator. Detects `seq` gaps and treats
 * every reconnect as a gap (the server replays nothing).
 */

import { streamErrorFactory as errorFactory, type StreamError } from '../core/errors';
import type { SecretProvider } from '../core/secret-provider';
import { loadTracing, type TelemetryOption } from '../core/telemetry';
import type { Balance, BrokerageServerMessage, BrokerageTopic, Order, Position } from '../types';
import { BufferedIterator } from './buffered-iterator';
import { FifoBuffer } from './buffers';
import type { CloseInfo, ConnectionState, ReconnectInfo } from './connection-events';
import type { BrokerageUpdateMessage, HeartbeatMessage } from './messages';
import type { StreamOptions } from './options';
import {
  type BrokerageFilter,
  checkFilter,
  checkTopics,
  decodeBrokerage,
  encodeBrokerageAuth,
  encodeBrokerageSubscribe,
  encodeBrokerageUnsubscribe,
} from './protocol/brokerage';
import { SafeEmitter } from './safe-emitter';
import { type GapInfo, StreamCore } from './stream-core';

/** Options of {@link BrokerageStream}. */
export interface BrokerageStreamOptions extends StreamOptions {
  clientId: string;
  clientSecret: SecretProvider;
  /**
   * OpenTelemetry (Node; needs the optional peer `@opentelemetry/api`): short spans for the connect,
   * each reconnect and each gap. `true`: the global tracer provider; `{ tracer }`: yours. Off by
   * default: nothing is loaded.
   */
  telemetry?: TelemetryOption | undefined;
}

/** Context of an update. */
export interface UpdateMeta {
  /** The session-wide sequence number. */
  seq: number;
  user_id: string;
  /** The session the update belongs to. */
  session_id: string | undefined;
}

/** The brokerage stream's events. */
export interface BrokerageStreamEvents {
  /** An order changed. */
  order_update: (order: Order, meta: UpdateMeta) => void;
  /** A position changed. */
  position_update: (position: Position, meta: UpdateMeta) => void;
  /** A balance changed. */
  balance_update: (balance: Balance, meta: UpdateMeta) => void;
  /** Every update message, whole. */
  update: (message: BrokerageUpdateMessage) => void;
  /** The server's idle heartbeat. */
  heartbeat: (message: HeartbeatMessage) => void;
  /** The socket opened (authentication is on its way). */
  open: () => void;
  /** The server accepted the credentials. */
  authenticated: (info: { session_id: string }) => void;
  /** The connection dropped; a reconnect is scheduled after `info.delay` ms. */
  reconnecting: (info: ReconnectInfo) => void;
  /** A reconnect succeeded and subscriptions were replayed: updates may have been missed meanwhile. */
  reconnected: () => void;
  /** Updates were missed (a seq gap or a reconnect): resynchronize from REST. */
  gap: (info: GapInfo) => void;
  /**
   * Part of the `BrokerageSource` contract (brokerage-source.ts) ("recovered, nothing lost"). A WebSocket stream
   * never emits it: the server replays nothing across sessions, so each reconnect is a `gap`.
   */
  resumed: () => void;
  /** Non-fatal problems (malformed frames, listener exceptions, server errors) and fatal ones before `close`. */
  error: (error: StreamError) => void;
  /** The stream stopped for good. */
  close: (info: CloseInfo) => void;
}

/** A live brokerage subscription. */
export interface BrokerageSubscription {
  readonly topics: readonly BrokerageTopic[];
  readonly filter: Readonly<BrokerageFilter>;
  /** Stops the subscription (the server is told about topics no other subscription still needs). */
  unsubscribe(): Promise<void>;
}

/** The iterator `updates()` returns: bounded by `maxBacklog`; see {@link BrokerageStream.updates}. */
export type UpdatesIterator = BufferedIterator<BrokerageUpdateMessage>;

/** Options of {@link BrokerageStream.updates}. */
export interface UpdatesOptions {
  /** Topics to receive (default: all). */
  topics?: readonly BrokerageTopic[];
  /**
   * Most updates waiting to be read (default 10 000). Past it nothing is dropped silently: the
   * iterator finishes what it holds, then throws a `backlog_overflow` StreamError (`dropped`
   * counts the refused updates); resync from REST and start a new iterator.
   */
  maxBacklog?: number;
}

const TOPIC_OF: Record<string, BrokerageTopic> = {
  order_update: 'orders',
  position_update: 'positions',
  balance_update: 'balances',
};

/** A `seq` further than this beyond the last one is not believed (it would hide later gaps). */
const MAX_SEQ_JUMP = 1_000_000;

/** Order, position and balance updates over one authenticated WebSocket. */
export class BrokerageStream extends SafeEmitter<BrokerageStreamEvents> {
  readonly #core: StreamCore<BrokerageServerMessage>;
  readonly #subscriptions = new Map<string, BrokerageSubscription>();
  /** Topics of subscriptions sent but not yet answered. */
  readonly #pending = new Map<string, readonly BrokerageTopic[]>();
  readonly #iterators = new Set<{ topics: Set<string>; iterator: UpdatesIterator }>();
  #lastSeq = 0;
  #sessionId: string | undefined;
  #nextKey = 0;
  #telemetry: TelemetryOption | undefined;

  constructor(options: BrokerageStreamOptions) {
    const { clientId, clientSecret, telemetry, ...rest } = options;
    if (typeof clientId !== 'string' || clientId === '')
      throw errorFactory.configuration('clientId is required');
    if (typeof clientSecret !== 'function' && (typeof clientSecret !== 'string' || clientSecret === ''))
      throw errorFactory.configuration('clientSecret is required (a string or a provider function)');
    super();
    this.#telemetry = telemetry;
    // A closure, not a field: util.inspect(stream) must not show the secret. Each secret goes to
    // this stream's own scope (core.secrets), which scrubs this stream's errors and no one else's.
    const authFrame = async () => {
      const secret = typeof clientSecret === 'function' ? await clientSecret() : clientSecret;
      if (typeof secret !== 'string' || secret === '')
        throw errorFactory.configuration('clientSecret provider returned no secret');
      this.#core.secrets.add(secret);
      return encodeBrokerageAuth(clientId, secret);
    };
    this.#core = new StreamCore(this, {
      options: rest,
      defaultUrl: 'wss://stream.connecttrade.com',
      schemaName: 'BrokerageServerMessage',
      wire: {
        authFrame,
        decode: decodeBrokerage,
        authenticated: (message, reconnect) => this.#authenticated(message, reconnect),
        message: (message) => this.#message(message),
        subscriptionRefused: (key) => this.#subscriptions.delete(key),
        ended: (error) => this.#ended(error),
      },
    });
    if (typeof clientSecret === 'string') this.#core.secrets.add(clientSecret);
  }

  /** The connection state. */
  get state(): ConnectionState {
    return this.#core.connection.state;
  }

  /** Timers currently armed by this stream (0 once closed). */
  get activeTimers(): number {
    return this.#core.connection.activeTimers;
  }

  /** Connects and resolves once authenticated; rejects typed (e.g. StreamAuthenticationError on 4001) or on timeout. */
  connect(): Promise<void> {
    const telemetry = this.#telemetry;
    if (!telemetry) return this.#core.connect();
    // Loaded on the first connect only; from then on it follows this stream's own events.
    this.#telemetry = undefined;
    return loadTracing(telemetry, this.#core.settings.logger).then((tracing) => {
      tracing?.stream(this, this.#core.settings.url);
      return this.#core.connect();
    });
  }

  /** Closes the stream for good: pending requests reject, iterators end, timers are cleared. */
  async close(): Promise<void> {
    this.#core.connection.close();
  }

  /** Subscribes to topics; resolves once the server confirms. Replayed after every reconnect. */
  async subscribe(
    topics: readonly BrokerageTopic[],
    filter: BrokerageFilter = {},
  ): Promise<BrokerageSubscription> {
    checkTopics(topics);
    checkFilter(filter);
    const key = `s${++this.#nextKey}`;
    const list = [...topics];
    const frozenFilter = { ...filter };
    const connection = this.#core.connection;
    // Pending until the server answers: an unsubscribe meanwhile must not drop topics it needs.
    this.#pending.set(key, list);
    try {
      await connection.register(key, (id) => encodeBrokerageSubscribe(id, list, frozenFilter));
    } finally {
      this.#pending.delete(key);
    }
    const subscription: BrokerageSubscription = {
      topics: list,
      filter: frozenFilter,
      unsubscribe: async () => {
        if (!this.#subscriptions.delete(key)) return;
        connection.unregister(key);
        const stillNeeded = new Set([
          ...[...this.#subscriptions.values()].flatMap((s) => s.topics),
          ...[...this.#pending.values()].flat(),
        ]);
        const drop = list.filter((t) => !stillNeeded.has(t));
        // Only an open session holds the topics; a queued unsubscribe would follow the next session's replay.
        if (drop.length > 0 && this.state === 'open')
          await connection.request((id) => encodeBrokerageUnsubscribe(id, drop));
      },
    };
    this.#subscriptions.set(key, subscription);
    return subscription;
  }

  /** Live subscriptions. */
  listSubscriptions(): BrokerageSubscription[] {
    return [...this.#subscriptions.values()];
  }

  /** An async iterator of updates (all topics by default), bounded by `maxBacklog`: watch `backlog`. */
  updates(options: UpdatesOptions = {}): UpdatesIterator {
    if (options.topics) checkTopics(options.topics);
    const limit = options.maxBacklog ?? 10_000;
    if (!(Number.isInteger(limit) && limit > 0))
      throw errorFactory.validation([{ path: 'maxBacklog', message: 'must be a positive integer' }]);
    const entry = {
      topics: new Set<string>(options.topics ?? ['orders', 'positions', 'balances']),
      iterator: undefined as unknown as UpdatesIterator,
    };
    entry.iterator = new BufferedIterator(new FifoBuffer<BrokerageUpdateMessage>(limit), () =>
      this.#iterators.delete(entry),
    );
    if (this.state === 'closed') entry.iterator.end();
    else this.#iterators.add(entry);
    return entry.iterator;
  }

  #authenticated(message: BrokerageServerMessage, reconnect: boolean): void {
    const previous = this.#lastSeq;
    this.#sessionId = (message as { session_id: string }).session_id;
    this.#lastSeq = 0;
    this.#core.emit('authenticated', { session_id: this.#sessionId });
    if (reconnect) {
      this.#core.emit('reconnected');
      // Nothing is replayed across sessions: whatever happened while away is unknown.
      this.#core.emit('gap', { reason: 'reconnect', from: previous + 1 } satisfies GapInfo);
    }
  }

  #message(message: BrokerageServerMessage): void {
    const action = message.action;
    if (action === 'heartbeat') {
      this.#core.emit('heartbeat', message);
      return;
    }
    const topic = TOPIC_OF[action];
    if (topic === undefined) return;
    const update = message as BrokerageUpdateMessage;
    if (!this.#sequenced(update)) return;
    for (const entry of this.#iterators) if (entry.topics.has(topic)) entry.iterator.push(update);
    this.#core.emit(action, update.data, {
      seq: update.seq,
      user_id: update.user_id,
      session_id: this.#sessionId,
    } satisfies UpdateMeta);
    this.#core.emit('update', update);
  }

  /**
   * Checks `seq` against the session's last one: a skip is a `gap`; a repeat, a step backwards or
   * an implausible jump is a protocol error, and the frame is dropped without moving the baseline
   * (so later gaps still show).
   */
  #sequenced(update: BrokerageUpdateMessage): boolean {
    const seq = update.seq;
    const last = this.#lastSeq;
    if (seq > last + MAX_SEQ_JUMP || seq <= last) {
      const problem =
        seq <= last ? 'repeats or goes backwards' : `jumps implausibly far (more than ${MAX_SEQ_JUMP})`;
      this.#core.error(
        errorFactory.streamProtocol(
          `"${update.action}" frame: seq ${seq} ${problem} after ${last} in this session; frame dropped`,
          JSON.stringify(update),
        ),
      );
      return false;
    }
    if (seq > last + 1)
      this.#core.emit('gap', { reason: 'seq', from: last + 1, to: seq - 1 } satisfies GapInfo);
    this.#lastSeq = seq;
    return true;
  }

  #ended(error: StreamError | undefined): void {
    this.#subscriptions.clear();
    for (const entry of [...this.#iterators]) entry.iterator.end(error);
  }
}
