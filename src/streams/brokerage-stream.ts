/**
 * The brokerage stream (`wss://stream.connecttrade.com`): order, position and balance updates of
 * a user, as typed events and as a never-dropping async iterator. Detects `seq` gaps and treats
 * every reconnect as a gap (the server replays nothing).
 */
import { streamErrorFactory as errorFactory, type StreamError } from '../core/errors';
import { registerSecret } from '../core/redact';
import type { Balance, BrokerageServerMessage, BrokerageTopic, Order, Position } from '../types';
import { BufferedIterator } from './buffered-iterator';
import { FifoBuffer } from './buffers';
import type { CloseInfo, ReconnectInfo } from './connection';
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
import { type GapInfo, StreamBase } from './stream-base';

/** Where a brokerage secret comes from: a string, or a (possibly async) provider called on each connect. */
export type SecretProvider = string | (() => string | Promise<string>);

/** Options of {@link BrokerageStream}. */
export interface BrokerageStreamOptions extends StreamOptions {
  clientId: string;
  clientSecret: SecretProvider;
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

/** The iterator `updates()` returns: never drops; `backlog` is how many updates wait to be read. */
export type UpdatesIterator = BufferedIterator<BrokerageUpdateMessage>;

const TOPIC_OF: Record<string, BrokerageTopic> = {
  order_update: 'orders',
  position_update: 'positions',
  balance_update: 'balances',
};

/** Order, position and balance updates over one authenticated WebSocket. */
export class BrokerageStream extends StreamBase<BrokerageStreamEvents, BrokerageServerMessage> {
  private readonly credentials: () => Promise<string>;
  private readonly subscriptions = new Map<string, BrokerageSubscription>();
  private readonly iterators = new Set<{ topics: Set<string>; iterator: UpdatesIterator }>();
  private lastSeq = 0;
  private sessionId: string | undefined;
  private nextKey = 0;

  constructor(options: BrokerageStreamOptions) {
    const { clientId, clientSecret, ...rest } = options;
    if (typeof clientId !== 'string' || clientId === '')
      throw errorFactory.configuration('clientId is required');
    if (typeof clientSecret !== 'function' && (typeof clientSecret !== 'string' || clientSecret === ''))
      throw errorFactory.configuration('clientSecret is required (a string or a provider function)');
    if (typeof clientSecret === 'string') registerSecret(clientSecret);
    super(rest, 'wss://stream.connecttrade.com', 'BrokerageServerMessage');
    // A closure, not a field: util.inspect(stream) must not show the secret.
    this.credentials = async () => {
      const secret = typeof clientSecret === 'function' ? await clientSecret() : clientSecret;
      if (typeof secret !== 'string' || secret === '')
        throw errorFactory.configuration('clientSecret provider returned no secret');
      registerSecret(secret);
      return encodeBrokerageAuth(clientId, secret);
    };
  }

  /** Subscribes to topics; resolves once the server confirms. Replayed after every reconnect. */
  async subscribe(
    topics: readonly BrokerageTopic[],
    filter: BrokerageFilter = {},
  ): Promise<BrokerageSubscription> {
    checkTopics(topics);
    checkFilter(filter);
    const key = `s${++this.nextKey}`;
    const list = [...topics];
    const frozenFilter = { ...filter };
    await this.connection.register(key, (id) => encodeBrokerageSubscribe(id, list, frozenFilter));
    const subscription: BrokerageSubscription = {
      topics: list,
      filter: frozenFilter,
      unsubscribe: async () => {
        if (!this.subscriptions.delete(key)) return;
        this.connection.unregister(key);
        const stillNeeded = new Set([...this.subscriptions.values()].flatMap((s) => s.topics));
        const drop = list.filter((t) => !stillNeeded.has(t));
        if (drop.length > 0 && this.state !== 'closed')
          await this.connection.request((id) => encodeBrokerageUnsubscribe(id, drop));
      },
    };
    this.subscriptions.set(key, subscription);
    return subscription;
  }

  /** Live subscriptions. */
  listSubscriptions(): BrokerageSubscription[] {
    return [...this.subscriptions.values()];
  }

  /** An async iterator of updates (all topics by default). Never drops: watch `backlog`. */
  updates(options: { topics?: readonly BrokerageTopic[] } = {}): UpdatesIterator {
    if (options.topics) checkTopics(options.topics);
    const entry = {
      topics: new Set<string>(options.topics ?? ['orders', 'positions', 'balances']),
      iterator: undefined as unknown as UpdatesIterator,
    };
    entry.iterator = new BufferedIterator(new FifoBuffer<BrokerageUpdateMessage>(), () =>
      this.iterators.delete(entry),
    );
    if (this.state === 'closed') entry.iterator.end();
    else this.iterators.add(entry);
    return entry.iterator;
  }

  /** @internal The server refused this subscription's replay: it is no longer live. */
  subscriptionRefused(key: string): void {
    this.subscriptions.delete(key);
  }

  /** @internal */
  authFrame(): Promise<string> {
    return this.credentials();
  }

  /** @internal */
  decode(text: string): BrokerageServerMessage {
    return decodeBrokerage(text);
  }

  /** @internal */
  authenticated(message: BrokerageServerMessage, reconnect: boolean): void {
    const previous = this.lastSeq;
    this.sessionId = (message as { session_id: string }).session_id;
    this.lastSeq = 0;
    this.emitEvent('authenticated', { session_id: this.sessionId });
    if (reconnect) {
      this.emitEvent('reconnected');
      // Nothing is replayed across sessions: whatever happened while away is unknown.
      this.emitEvent('gap', { reason: 'reconnect', from: previous + 1 } satisfies GapInfo);
    }
  }

  /** @internal */
  message(message: BrokerageServerMessage): void {
    const action = message.action;
    if (action === 'heartbeat') {
      this.emitEvent('heartbeat', message);
      return;
    }
    const topic = TOPIC_OF[action];
    if (topic === undefined) return;
    const update = message as BrokerageUpdateMessage;
    const seq = update.seq;
    if (seq > this.lastSeq + 1)
      this.emitEvent('gap', { reason: 'seq', from: this.lastSeq + 1, to: seq - 1 } satisfies GapInfo);
    if (seq > this.lastSeq) this.lastSeq = seq;
    for (const entry of this.iterators) if (entry.topics.has(topic)) entry.iterator.push(update);
    this.emitEvent(action, update.data, {
      seq,
      user_id: update.user_id,
      session_id: this.sessionId,
    } satisfies UpdateMeta);
    this.emitEvent('update', update);
  }

  protected override ended(error: StreamError | undefined): void {
    this.subscriptions.clear();
    for (const entry of [...this.iterators]) entry.iterator.end(error);
  }
}
