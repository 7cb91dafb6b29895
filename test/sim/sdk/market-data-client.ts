/**
 * The market-data part of the SDK world: one user's market-data stream over SimNet, quote
 * subscriptions opened and closed by the workload (listeners and iterators), its token expired by
 * the `token_expiry` fault. Safety, per update: each subscription's quotes of a symbol never go
 * back in time. Liveness, after the heal: every open subscription received the quote of the last
 * tick of each of its symbols (a reconnect replays the subscription, and the server answers a
 * subscribe with the current quote, so no gap excuses a stale one), and every subscribe call ended.
 */
import type { MarketDataStream } from '../../../src/streams/market-data-stream';
import type { MarketDataSubscription } from '../../../src/streams/market-data-subscription';
import type { Rng } from './rng';
import type { Trace } from './trace';

type Quote = { symbol: string; last?: string; bid?: string; ask?: string; timestamp?: string };

interface QuoteSubscriber {
  name: string;
  symbols: string[];
  /** The last quote seen per symbol. */
  last: Map<string, Quote>;
  /** The subscribe call ended (resolved or rejected). */
  settled: boolean;
  subscription?: MarketDataSubscription<'quotes'>;
  open: boolean;
  /** A listener (not an iterator, which conflates by design): it must get every quote the socket delivers. */
  listening: boolean;
  /** Quotes of its symbols the socket delivered while it listened, and those it got. */
  expected: number;
  received: number;
}

/** What the workload needs from the world around it. */
export interface MarketDataWorld {
  readonly rng: Rng;
  readonly trace: Trace;
  readonly symbols: readonly string[];
  violate(invariant: string, message: string): void;
  /** Keeps a call in the run's pending work (it must end by the heal's end). */
  track(what: string, task: Promise<unknown>, background?: boolean): void;
  /** The sandbox's current quote fields of a symbol. */
  serverQuote(symbol: string): { last: string; bid: string; ask: string };
}

/** The market-data stream of the run and its subscribers. */
export class MarketDataClient {
  private readonly subscribers: QuoteSubscriber[] = [];
  /** How the stream ended on its own (before the run closed it), if it did. */
  private ended: string | undefined;
  private closing = false;

  constructor(
    readonly stream: MarketDataStream,
    private readonly world: MarketDataWorld,
  ) {
    stream.on('gap', (info) => world.trace.add(`md gap ${info.reason}`));
    stream.on('error', () => {});
    stream.on('close', (info) => {
      world.trace.add(`md closed ${info.code ?? ''} ${info.error?.name ?? ''}`);
      if (!this.closing) this.ended = `${info.code ?? '?'} ${info.error?.name ?? 'no error'}`;
    });
  }

  /** Subscribes to quotes of some symbols, or unsubscribes an open subscriber. */
  toggle(): void {
    const { rng, trace } = this.world;
    const open = this.subscribers.filter((s) => s.open);
    if (open.length > 0 && rng.chance(0.4)) {
      const s = rng.pick(open);
      s.open = false;
      trace.add(`md unsubscribe ${s.name}`);
      if (s.subscription) this.world.track(`md unsubscribe ${s.name}`, s.subscription.unsubscribe());
      return;
    }
    const symbols = this.world.symbols.filter(() => rng.chance(0.6));
    if (symbols.length === 0) symbols.push(rng.pick([...this.world.symbols]));
    const iterator = rng.chance(0.5);
    const s: QuoteSubscriber = {
      name: `md${this.subscribers.length}`,
      symbols,
      last: new Map(),
      settled: false,
      open: true,
      listening: false,
      expected: 0,
      received: 0,
    };
    this.subscribers.push(s);
    trace.add(`md subscribe ${s.name} ${symbols.join(',')} ${iterator ? 'iterator' : 'listener'}`);
    const subscribing = this.stream.subscribe('quotes', symbols).then(
      (subscription) => {
        s.settled = true;
        s.subscription = subscription;
        if (iterator)
          this.world.track(
            `md iterate ${s.name}`,
            (async () => {
              for await (const quote of subscription) this.seen(s, quote as Quote);
            })(),
            true,
          );
        else {
          subscription.on('data', (quote) => {
            s.received++;
            this.seen(s, quote as Quote);
          });
          s.listening = true;
        }
        if (!s.open) return subscription.unsubscribe();
      },
      (error: unknown) => {
        // Refused or the stream ended: not an open subscription any more.
        s.settled = true;
        s.open = false;
        throw error;
      },
    );
    this.world.track(`md subscribe ${s.name}`, subscribing);
  }

  /**
   * A quote frame reached the client socket: every open listener of its symbol must get it at once
   * (the SDK hands frames on synchronously), or the subscription misses an update no gap announced.
   */
  delivered(url: string, text: string): void {
    if (!url.endsWith('/mdstream') || !text.includes('"action":"update"')) return;
    const message = JSON.parse(text) as { channel?: string; data?: { symbol?: string } };
    const symbol = message.data?.symbol;
    if (message.channel !== 'quotes' || symbol === undefined) return;
    for (const s of this.subscribers) {
      if (!s.listening || !s.open || !s.subscription?.isActive || !s.symbols.includes(symbol)) continue;
      s.expected++;
      if (s.received !== s.expected) {
        this.world.violate(
          'subscription-complete',
          `market-data ${s.name} got ${s.received} of the ${s.expected} quotes its socket delivered (${symbol})`,
        );
        s.received = s.expected;
      }
    }
  }

  /** Safety: a subscription's quotes of one symbol never go back in time. */
  private seen(s: QuoteSubscriber, quote: Quote): void {
    if (!s.symbols.includes(quote.symbol))
      this.world.violate('md-quotes-subscribed', `${s.name} got a quote of ${quote.symbol}, not subscribed`);
    const before = s.last.get(quote.symbol);
    if (before?.timestamp && quote.timestamp && quote.timestamp < before.timestamp)
      this.world.violate(
        'md-quotes-in-order',
        `${s.name}: quote of ${quote.symbol} at ${quote.timestamp} after one at ${before.timestamp}`,
      );
    s.last.set(quote.symbol, quote);
  }

  /** Liveness (after the heal and a last tick): every open subscription holds the current quote of each symbol. */
  checkLiveness(): void {
    for (const s of this.subscribers) {
      // A subscribe call still unanswered (even if the app gave up on it since) never became a subscription.
      if (!s.settled) {
        this.world.violate(
          'subscription-complete',
          `market-data subscribe ${s.name} (${s.symbols.join(',')}) never confirmed after the heal`,
        );
        continue;
      }
      if (!s.open) continue;
      if (!s.subscription?.isActive) {
        // The stream stopped for good with a typed error (a refused token: 4001 is final,
        // PROTOCOL.md): its subscriptions ended loudly, the app knows. Ending silently is a violation.
        if (this.ended && !this.ended.endsWith('no error')) {
          this.world.trace.add(`md ${s.name} ended with the stream (${this.ended})`);
          continue;
        }
        this.world.violate('subscription-complete', `market-data ${s.name} ended without an unsubscribe`);
        continue;
      }
      for (const symbol of s.symbols) {
        const seen = s.last.get(symbol);
        const server = this.world.serverQuote(symbol);
        if (seen?.last !== server.last || seen?.bid !== server.bid || seen?.ask !== server.ask)
          this.world.violate(
            'subscription-complete',
            `market-data ${s.name} last saw ${symbol} at ${seen?.last ?? 'nothing'}, the server quotes ${server.last}`,
          );
      }
    }
  }

  /** Unsubscribes every open subscriber and closes the stream. */
  async close(): Promise<void> {
    this.closing = true;
    for (const s of this.subscribers)
      if (s.open && s.subscription) await s.subscription.unsubscribe().catch(() => {});
    await this.stream.close();
  }
}
