/**
 * Market-data payloads (quotes, trades, depth, options chains) derived from the price feed.
 * The book is one cent wide around the last price and as deep as the feed's liquidity.
 */
import type { components } from '../../generated/schema';
import { iso, isoDate } from './clock';
import { type Dec, dec, decFromNumber, fmt, max, toNumber, units } from './decimal';
import type { PriceFeed } from './feed';
import { hashString } from './random';

type Schemas = components['schemas'];

const CENT = dec('0.01');

/** The level-1 quote of a symbol. */
export function quoteOf(feed: PriceFeed, symbol: string, nowMs: number): Schemas['Quote'] {
  const price = feed.price(symbol);
  const size = fmt(units(feed.liquidity));
  return {
    symbol,
    bid: fmt(max(CENT, price - CENT)),
    bid_size: size,
    ask: fmt(price + CENT),
    ask_size: size,
    last: fmt(price),
    last_size: fmt(feed.lastSize(symbol)),
    timestamp: iso(nowMs),
  };
}

/** The last trade print of a symbol. */
export function tradeOf(feed: PriceFeed, symbol: string, nowMs: number): Schemas['Trade'] {
  return {
    symbol,
    price: fmt(feed.price(symbol)),
    size: fmt(feed.lastSize(symbol)),
    session: 'regular',
    timestamp: iso(nowMs),
  };
}

/** The top `levels` of the simulated book. */
export function depthOf(feed: PriceFeed, symbol: string, levels: number, nowMs: number): Schemas['Depth'] {
  const price = feed.price(symbol);
  const bids: Schemas['DepthLevel'][] = [];
  const asks: Schemas['DepthLevel'][] = [];
  for (let i = 1n; i <= BigInt(levels); i++) {
    const size = fmt(units(feed.liquidity) * i);
    const bid = price - CENT * i;
    if (bid > 0n) bids.push({ price: fmt(bid), size });
    asks.push({ price: fmt(price + CENT * i), size });
  }
  return { symbol, bids, asks, timestamp: iso(nowMs) };
}

const RATE = 0.04;
const VOL = 0.3;
const STRIKES_EACH_SIDE = 2;

/** The standard normal CDF (Abramowitz-Stegun 7.1.26, accurate to ~1e-7: plenty for a sandbox). */
function normalCdf(x: number): number {
  const t = 1 / (1 + 0.3275911 * (Math.abs(x) / Math.SQRT2));
  const erf =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-(x * x) / 2);
  return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

function normalPdf(x: number): number {
  return Math.exp(-(x * x) / 2) / Math.sqrt(2 * Math.PI);
}

/** The next Friday at least a week after `nowMs` (a plausible weekly expiration). */
function defaultExpiration(nowMs: number): string {
  const date = new Date(nowMs + 7 * 86_400_000);
  date.setUTCDate(date.getUTCDate() + ((5 - date.getUTCDay() + 7) % 7));
  return isoDate(date.getTime());
}

/** The OCC symbol, e.g. `AAPL  261218C00200000`. */
function occSymbol(underlying: string, expiration: string, right: 'call' | 'put', strike: Dec): string {
  const yymmdd = expiration.slice(2).replaceAll('-', '');
  const strikeThousandths = ((strike * 1000n) / units(1)).toString().padStart(8, '0');
  return `${underlying.padEnd(6, ' ')}${yymmdd}${right === 'call' ? 'C' : 'P'}${strikeThousandths}`;
}

function price2(value: number): string {
  return fmt(max(CENT, decFromNumber(Math.max(value, 0.01), 2)));
}

function greek(value: number): string {
  return fmt(decFromNumber(value, 6));
}

/** A small Black-Scholes chain (5 strikes around the price, calls and puts). */
export function optionsChainOf(
  feed: PriceFeed,
  underlying: string,
  options: { greeks?: boolean; expiration?: string },
  nowMs: number,
): Schemas['OptionsChain'] {
  const spot = toNumber(feed.price(underlying));
  const expiration = options.expiration ?? defaultExpiration(nowMs);
  const years = Math.max((Date.parse(`${expiration}T20:00:00Z`) - nowMs) / (365 * 86_400_000), 1 / 365);
  const step = spot >= 200 ? 10 : 5;
  const atm = Math.round(spot / step) * step;
  const contracts: Schemas['OptionContract'][] = [];
  for (let k = -STRIKES_EACH_SIDE; k <= STRIKES_EACH_SIDE; k++) {
    const strike = Math.max(step, atm + k * step);
    const d1 = (Math.log(spot / strike) + (RATE + (VOL * VOL) / 2) * years) / (VOL * Math.sqrt(years));
    const d2 = d1 - VOL * Math.sqrt(years);
    const discount = Math.exp(-RATE * years);
    for (const right of ['call', 'put'] as const) {
      const theo =
        right === 'call'
          ? spot * normalCdf(d1) - strike * discount * normalCdf(d2)
          : strike * discount * normalCdf(-d2) - spot * normalCdf(-d1);
      const symbol = occSymbol(underlying, expiration, right, units(strike));
      const activity = hashString(symbol);
      const contract: Schemas['OptionContract'] = {
        symbol,
        expiration,
        strike: fmt(units(strike)),
        right,
        bid: price2(theo - 0.05),
        ask: price2(theo + 0.05),
        last: price2(theo),
        volume: String(activity % 5000),
        open_interest: String((activity >>> 8) % 20000),
      };
      if (options.greeks) {
        const pdf = normalPdf(d1);
        contract.iv = greek(VOL);
        contract.delta = greek(right === 'call' ? normalCdf(d1) : normalCdf(d1) - 1);
        contract.gamma = greek(pdf / (spot * VOL * Math.sqrt(years)));
        contract.vega = greek((spot * pdf * Math.sqrt(years)) / 100);
        const decay = (-spot * pdf * VOL) / (2 * Math.sqrt(years));
        contract.theta = greek(
          (right === 'call'
            ? decay - RATE * strike * discount * normalCdf(d2)
            : decay + RATE * strike * discount * normalCdf(-d2)) / 365,
        );
        contract.rho = greek(
          ((right === 'call' ? 1 : -1) * strike * years * discount * normalCdf(right === 'call' ? d2 : -d2)) /
            100,
        );
      }
      contracts.push(contract);
    }
  }
  return { underlying, timestamp: iso(nowMs), contracts };
}
