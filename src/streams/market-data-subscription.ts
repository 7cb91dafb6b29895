/**
 * One market-data subscription: an event emitter (`on('data')`) and an async iterable whose
 * iterators conflate (quotes, depth, options_chain: latest per symbol; bars: latest per symbol and
 * start) or, for trades, keep a bounded FIFO that counts drops.
 */
import type { StreamError } from '../core/errors';
import { BufferedIterator } from './buffered-iterator';
import { BoundedFifoBuffer, ConflatingBuffer, type IteratorBuffer } from './buffers';
import type { Channel, ChannelData, ChannelParams } from './messages';
import { SafeEmitter, type StreamLogger } from './safe-emitter';

/** Events of a subscription. */
export interface SubscriptionEvents<C extends Channel> {
  /** One update of this subscription's channel and symbols. */
  data: (data: ChannelData[C]) => void;
  /** A listener of this subscription threw. */
  error: (error: StreamError) => void;
}

function bufferFor<C extends Channel>(channel: C, tradesCapacity: number): IteratorBuffer<ChannelData[C]> {
  switch (channel) {
    case 'trades':
      return new BoundedFifoBuffer(tradesCapacity);
    case 'bars':
      return new ConflatingBuffer((bar) => {
        const b = bar as ChannelData['bars'];
        return `${b.symbol}\u0000${b.start}`;
      });
    case 'options_chain':
      return new ConflatingBuffer((chain) => (chain as ChannelData['options_chain']).underlying);
    default:
      return new ConflatingBuffer((data) => (data as { symbol: string }).symbol);
  }
}

/** A live market-data subscription. */
export class MarketDataSubscription<C extends Channel>
  extends SafeEmitter<SubscriptionEvents<C>>
  implements AsyncIterable<ChannelData[C]>
{
  /** Subscribed symbols. */
  readonly symbols: ReadonlySet<string>;
  private readonly iterators = new Set<BufferedIterator<ChannelData[C]>>();
  private active = true;

  /** @internal Built by MarketDataStream.subscribe. */
  constructor(
    readonly channel: C,
    symbols: readonly string[],
    readonly params: Readonly<ChannelParams[C]>,
    private readonly tradesCapacity: number,
    private readonly stop: (subscription: MarketDataSubscription<C>) => Promise<void>,
    logger: StreamLogger | undefined,
  ) {
    super();
    this.symbols = new Set(symbols);
    this.logger = logger;
  }

  /** Whether the subscription still receives data. */
  get isActive(): boolean {
    return this.active;
  }

  /** A new iterator over this subscription's data (conflating; see the class comment). */
  [Symbol.asyncIterator](): BufferedIterator<ChannelData[C]> {
    const iterator: BufferedIterator<ChannelData[C]> = new BufferedIterator(
      bufferFor(this.channel, this.tradesCapacity),
      () => this.iterators.delete(iterator),
    );
    if (this.active) this.iterators.add(iterator);
    else iterator.end();
    return iterator;
  }

  /** Stops the subscription; its iterators finish. */
  async unsubscribe(): Promise<void> {
    if (!this.active) return;
    this.end(undefined);
    await this.stop(this);
  }

  /** @internal */
  deliver(data: ChannelData[C]): void {
    for (const iterator of this.iterators) iterator.push(data);
    this.safeEmit('data', data);
  }

  /** @internal */
  end(error: StreamError | undefined): void {
    this.active = false;
    for (const iterator of [...this.iterators]) iterator.end(error);
  }
}
