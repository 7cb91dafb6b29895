/**
 * The seam between where brokerage updates come from and what consumes them (`live/`, `waitFor`).
 * A {@link BrokerageStream} (one WebSocket session) implements it, and so can another source such
 * as the Redis relay consumer (`connect-trade/relay`), so a live store works unchanged on either.
 */
import type { BrokerageTopic } from '../types';
import type { BrokerageStreamEvents, BrokerageSubscription } from './brokerage-stream';
import type { ConnectionState } from './connection';
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

/** A typed listener registry over {@link BrokerageSourceEvents}. */
export interface BrokerageSourceEmitter {
  on<E extends keyof BrokerageSourceEvents>(event: E, listener: BrokerageSourceEvents[E]): this;
  off<E extends keyof BrokerageSourceEvents>(event: E, listener: BrokerageSourceEvents[E]): this;
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
