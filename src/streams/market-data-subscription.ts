/**
 * One market-data subscription: an event emitter (`on('data')`) and an async iterable. Every
 * iterator is bounded (see buffers.ts):
 * - quotes, depth, options_chain: the latest value per symbol (underlying), at most
 *   `maxConflatedKeys` symbols waiting; a new symbol past the bound drops the oldest waiting one;
 * - bars: the latest bar per symbol and start, same key bound;
 * - trades: a FIFO of `tradesBufferSize` prints that drops the oldest;
 * and `dropped` counts what each iterator discarded. Leaving a `for await` loop early
 * (`break`, `return`, a throw) unsubscribes, unless another iterator or a `data` listener still
 * reads the subscription.
 */
import type { StreamError } from '../core/errors';
import { BufferedIterator } from './buffered-iterator';
import { BoundedFifoBuffer, ConflatingBuffer, type IteratorBuffer } from './buffers';
import type { Channel, ChannelData, ChannelParams } from './messages';
import { SafeEmitter, type StreamLogger, safeEmit, setEmitterLogger } from './safe-emitter';

/** Events of a subscription. */
export interface SubscriptionEvents<C extends Channel> {
  /** One update of this subscription's channel and symbols. */
  data: (data: ChannelData[C]) => void;
  /** A listener of this subscription threw, or the automatic unsubscribe after a `break` failed. */
  error: (error: StreamError) => void;
}

function bufferFor<C extends Channel>(
  channel: C,
  bounds: { trades: number; keys: number },
): IteratorBuffer<ChannelData[C]> {
  switch (channel) {
    case 'trades':
      return new BoundedFifoBuffer(bounds.trades);
    case 'bars':
      return new ConflatingBuffer((bar) => {
        const b = bar as ChannelData['bars'];
        return `${b.symbol}\u0000${b.start}`;
      }, bounds.keys);
    case 'options_chain':
      return new ConflatingBuffer((chain) => (chain as ChannelData['options_chain']).underlying, bounds.keys);
    default:
      return new ConflatingBuffer((data) => (data as { symbol: string }).symbol, bounds.keys);
  }
}

// Set by the class's static block (they reach its private members); MarketDataStream only.
/** Hands an update to a subscription (MarketDataStream only). */
export let deliverTo: <C extends Channel>(subscription: MarketDataSubscription<C>, data: unknown) => void;
/** Ends a subscription and its iterators (MarketDataStream only). */
export let endSubscription: <C extends Channel>(
  subscription: MarketDataSubscription<C>,
  error: StreamError | undefined,
) => void;

/** A live market-data subscription. */
export class MarketDataSubscription<C extends Channel>
  extends SafeEmitter<SubscriptionEvents<C>>
  implements AsyncIterable<ChannelData[C]>
{
  /** Subscribed symbols. */
  readonly symbols: ReadonlySet<string>;
  readonly #iterators = new Set<BufferedIterator<ChannelData[C]>>();
  readonly #bounds: { trades: number; keys: number };
  readonly #stop: (subscription: MarketDataSubscription<C>) => Promise<void>;
  #active = true;

  readonly params: Readonly<ChannelParams[C]>;

  /** @internal Built by MarketDataStream.subscribe. */
  constructor(
    readonly channel: C,
    {
      symbols,
      params,
      bounds,
      stop,
      logger,
    }: {
      symbols: readonly string[];
      params: Readonly<ChannelParams[C]>;
      bounds: { trades: number; keys: number };
      stop: (subscription: MarketDataSubscription<C>) => Promise<void>;
      logger: StreamLogger | undefined;
    },
  ) {
    super();
    this.params = params;
    this.symbols = new Set(symbols);
    this.#bounds = bounds;
    this.#stop = stop;
    setEmitterLogger(this, logger);
  }

  static {
    deliverTo = (subscription, data) => subscription.#deliver(data as never);
    endSubscription = (subscription, error) => subscription.#end(error);
  }

  /** Whether the subscription still receives data. */
  get isActive(): boolean {
    return this.#active;
  }

  /** A new iterator over this subscription's data (bounded; see the class comment). */
  [Symbol.asyncIterator](): BufferedIterator<ChannelData[C]> {
    const iterator: BufferedIterator<ChannelData[C]> = new BufferedIterator(
      bufferFor(this.channel, this.#bounds),
      () => this.#iterators.delete(iterator),
      () => this.#readerLeft(),
    );
    if (this.#active) this.#iterators.add(iterator);
    else iterator.end();
    return iterator;
  }

  /** Stops the subscription; its iterators finish. */
  async unsubscribe(): Promise<void> {
    if (!this.#active) return;
    this.#end(undefined);
    await this.#stop(this);
  }

  /** A reader left its loop early: nobody reading any more means nobody wants the data. */
  #readerLeft(): void {
    if (!this.#active || this.#iterators.size > 0 || this.listenerCount('data') > 0) return;
    this.unsubscribe().catch((error: StreamError) => safeEmit(this, 'error', error));
  }

  #deliver(data: ChannelData[C]): void {
    for (const iterator of this.#iterators) iterator.push(data);
    safeEmit(this, 'data', data);
  }

  #end(error: StreamError | undefined): void {
    this.#active = false;
    for (const iterator of [...this.#iterators]) iterator.end(error);
  }
}
