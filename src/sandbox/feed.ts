/**
 * The deterministic price feed: one seeded random walk per symbol, in whole cents. Quotes,
 * trades and depth are derived from the current price, so orders and market data always agree.
 */
import { type Dec, dec, decFromNumber, fmt, max, round, toNumber, units } from './decimal';
import { gaussian, type Random, streamFor } from './random';

/** Starting prices of the symbols every sandbox knows (any other symbol is "unknown"). */
export const DEFAULT_SYMBOLS: Readonly<Record<string, string>> = {
  AAPL: '190.00',
  MSFT: '420.00',
  TSLA: '250.00',
  SPY: '560.00',
  NVDA: '130.00',
  AMZN: '185.00',
  GOOGL: '170.00',
  META: '560.00',
  QQQ: '480.00',
  AMD: '150.00',
};

const CENT = dec('0.01');
/** Per-tick volatility of the walk (0.1 % standard deviation). */
const VOLATILITY = 0.001;

interface SymbolState {
  price: Dec;
  /** Price when the current session opened (daily P&L is measured from here). */
  sessionOpen: Dec;
  lastSize: Dec;
  random: Random;
}

/** Seeded prices of the known symbols. */
export class PriceFeed {
  private readonly symbols = new Map<string, SymbolState>();

  constructor(
    private readonly seed: number,
    /** Shares available to fill per order per tick; also the displayed size of the book. */
    readonly liquidity: number,
    initial: Readonly<Record<string, string>> = DEFAULT_SYMBOLS,
  ) {
    for (const [symbol, price] of Object.entries(initial)) this.add(symbol, price);
  }

  /** Adds (or resets) a symbol at a starting price. */
  add(symbol: string, price: string): void {
    const value = dec(price);
    this.symbols.set(symbol, {
      price: value,
      sessionOpen: value,
      lastSize: units(100),
      random: streamFor(this.seed, symbol),
    });
  }

  /** Whether the feed quotes this symbol. */
  has(symbol: string): boolean {
    return this.symbols.has(symbol);
  }

  /** Every known symbol, in insertion order. */
  list(): string[] {
    return [...this.symbols.keys()];
  }

  /** The current price of a known symbol. */
  price(symbol: string): Dec {
    return this.state(symbol).price;
  }

  /** The price at the open of the current session. */
  sessionOpen(symbol: string): Dec {
    return this.state(symbol).sessionOpen;
  }

  /** The size of the last simulated trade print. */
  lastSize(symbol: string): Dec {
    return this.state(symbol).lastSize;
  }

  /** Sets a price by hand (whole cents are not required; the spec allows 9 digits). */
  setPrice(symbol: string, price: Dec): void {
    if (price <= 0n) throw new RangeError('price must be positive');
    const state = this.symbols.get(symbol);
    if (state) state.price = price;
    else this.add(symbol, fmt(price));
  }

  /** One random step of every symbol. */
  step(): void {
    for (const state of this.symbols.values()) {
      const factor = Math.exp(VOLATILITY * gaussian(state.random));
      state.price = max(CENT, round(decFromNumber(toNumber(state.price) * factor, 6), 2));
      state.lastSize = units(1 + Math.floor(state.random() * 5) * 100);
    }
  }

  /** Starts a new session: daily P&L restarts from the current prices. */
  openSession(): void {
    for (const state of this.symbols.values()) state.sessionOpen = state.price;
  }

  private state(symbol: string): SymbolState {
    const state = this.symbols.get(symbol);
    if (!state) throw new Error(`unknown symbol ${symbol}`);
    return state;
  }
}
