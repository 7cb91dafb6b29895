/**
 * The seam between where brokerage updates come from and what consumes them (`live/`, `waitFor`).
 * A {@link BrokerageStream} (one WebSocket session) implements it, and so can another source such
 * as the Redis relay consumer (`connect-trade/relay`), so a live store works unchanged on either.
 */
import type { BrokerageTopic } from '../types';
import type { BrokerageStream, BrokerageStreamEvents, BrokerageSubscription } from './brokerage-stream';
import type { ConnectionState } from './connection-events';
import type { BrokerageFilter } from './protocol/brokerage';

/**
 * The events a source emits: the brokerage stream's update, gap and lifecycle events, plus
 * `resumed`, which says "the source recovered from an interruption and lost nothing" (a live store
 * that went stale on `reconnecting` returns to current without a REST resync).
 */
export interface BrokerageSourceEvents
  extends Pick<
    BrokerageStreamEvents,
    'order_update' | 'position_update' | 'balance_update' | 'gap' | 'reconnecting' | 'error' | 'close'
  > {
  /** The source recovered from an interruption with no update lost: no resync is needed. */
  resumed: () => void;
}

type Events = BrokerageSourceEvents;

/**
 * A typed listener registry over {@link BrokerageSourceEvents}: one overload per event, so any
 * typed emitter (an eventemitter3 `EventEmitter<Events>` with more events, a Node emitter with
 * typed methods) implements it.
 */
export interface BrokerageSourceEmitter {
  /** Adds a listener for `order_update`: an order changed. */
  on(event: 'order_update', listener: Events['order_update']): this;
  /** Adds a listener for `position_update`: a position changed. */
  on(event: 'position_update', listener: Events['position_update']): this;
  /** Adds a listener for `balance_update`: a balance changed. */
  on(event: 'balance_update', listener: Events['balance_update']): this;
  /** Adds a listener for `gap`: updates were missed: resynchronize. */
  on(event: 'gap', listener: Events['gap']): this;
  /** Adds a listener for `reconnecting`: the source was interrupted (updates may be missed until `resumed` or `gap`). */
  on(event: 'reconnecting', listener: Events['reconnecting']): this;
  /** Adds a listener for `resumed`: the source recovered and lost nothing. */
  on(event: 'resumed', listener: Events['resumed']): this;
  /** Adds a listener for `error`: a problem (the source carries on unless `close` follows). */
  on(event: 'error', listener: Events['error']): this;
  /** Adds a listener for `close`: the source stopped for good. */
  on(event: 'close', listener: Events['close']): this;
  /** Removes a listener of `order_update`: an order changed. */
  off(event: 'order_update', listener: Events['order_update']): this;
  /** Removes a listener of `position_update`: a position changed. */
  off(event: 'position_update', listener: Events['position_update']): this;
  /** Removes a listener of `balance_update`: a balance changed. */
  off(event: 'balance_update', listener: Events['balance_update']): this;
  /** Removes a listener of `gap`: updates were missed: resynchronize. */
  off(event: 'gap', listener: Events['gap']): this;
  /** Removes a listener of `reconnecting`: the source was interrupted (updates may be missed until `resumed` or `gap`). */
  off(event: 'reconnecting', listener: Events['reconnecting']): this;
  /** Removes a listener of `resumed`: the source recovered and lost nothing. */
  off(event: 'resumed', listener: Events['resumed']): this;
  /** Removes a listener of `error`: a problem (the source carries on unless `close` follows). */
  off(event: 'error', listener: Events['error']): this;
  /** Removes a listener of `close`: the source stopped for good. */
  off(event: 'close', listener: Events['close']): this;
}

/** Anything that delivers a platform's brokerage updates: a `BrokerageStream` or a relay consumer. */
export interface BrokerageSource extends BrokerageSourceEmitter {
  /** Where the source stands: `open` means updates flow. */
  readonly state: ConnectionState;
  /** Starts delivering; resolves once updates flow. */
  connect(): Promise<void>;
  /** Subscribes to topics (the filter applies to what this subscription delivers). */
  subscribe(topics: readonly BrokerageTopic[], filter?: BrokerageFilter): Promise<BrokerageSubscription>;
  /** Stops for good. */
  close(): Promise<void>;
}

/** The WebSocket stream is a source (checked when compiling; the stream itself need not import this file). */
export type WebSocketStreamIsASource = BrokerageStream extends BrokerageSource ? true : never;
const streamIsASource: WebSocketStreamIsASource = true;
void streamIsASource;
