/**
 * OHLCV bars per symbol and interval. Bars of the sandbox's own lifetime are aggregated from the
 * feed's ticks; bars from before it started are synthesized, each one a pure function of
 * (seed, symbol, interval, start), so snapshots and backfills are deterministic and need no storage.
 */
import type { components } from '../../generated/schema';
import { iso } from './clock';
import { type Dec, decFromNumber, fmt, max, min, round, toNumber, units } from './decimal';
import type { PriceFeed } from './feed';
import { gaussian, streamFor } from './random';

type Bar = components['schemas']['Bar'];
// Any interval of the spec's pattern `<count><unit>` (the known ones are only examples, issue 14).
type BarInterval = components['schemas']['BarInterval'];

const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  mo: 2_592_000_000, // a month counts 30 days here: the emulator's buckets are fixed lengths
};
/** The longest interval served (10 years): longer buckets would start before any representable date. */
const MAX_INTERVAL_MS = 3650 * 86_400_000;
/** The intervals aggregated from the first tick (the spec's known ones); others once subscribed. */
const KNOWN_INTERVALS: readonly string[] = ['1m', '5m', '15m', '1h', '1d'];
/** How many other intervals are aggregated live at most (each costs work on every tick). */
const MAX_TRACKED = 32;

/** Length of an interval in milliseconds, or undefined when it is not `<count><unit>` or too long. */
export function intervalMs(interval: string): number | undefined {
  const match = /^([1-9][0-9]*)(s|m|h|d|w|mo)$/.exec(interval);
  const ms = match ? Number(match[1]) * (UNIT_MS[match[2] as string] as number) : Number.NaN;
  return ms <= MAX_INTERVAL_MS ? ms : undefined;
}

const lengthOf = (interval: string): number => {
  const ms = intervalMs(interval);
  if (ms === undefined) throw new RangeError(`not a bar interval the sandbox serves: ${interval}`);
  return ms;
};

/** Kept real bars per symbol and interval (older ones are synthesized again on demand). */
const MAX_KEPT = 5000;
/** The most bars one snapshot or backfill returns (the spec's maximum `limit`). */
export const MAX_BARS = 5000;

interface LiveBar {
  start: number;
  open: Dec;
  high: Dec;
  low: Dec;
  close: Dec;
  volume: Dec;
}

function toBar(symbol: string, interval: BarInterval, bar: LiveBar, complete: boolean): Bar {
  return {
    symbol,
    interval,
    open: fmt(bar.open),
    high: fmt(bar.high),
    low: fmt(bar.low),
    close: fmt(bar.close),
    volume: fmt(bar.volume),
    start: iso(bar.start),
    complete,
  };
}

/** Aggregates ticks into bars and answers history queries. */
export class BarBook {
  private readonly live = new Map<string, LiveBar>();
  private readonly done = new Map<string, LiveBar[]>();
  private readonly anchors = new Map<string, Dec>();
  /** The intervals aggregated from ticks: the known ones, plus (bounded) those subscribed since. */
  private readonly tracked = new Set<string>(KNOWN_INTERVALS);

  constructor(
    private readonly seed: number,
    private readonly feed: PriceFeed,
    private readonly startedAtMs: number,
  ) {}

  /**
   * Aggregates `interval` from now on (a subscription to it). Past MAX_TRACKED other intervals, one
   * still gets its current and synthesized bars, without the ticks of its own lifetime.
   */
  track(interval: BarInterval): void {
    if (this.tracked.size < KNOWN_INTERVALS.length + MAX_TRACKED) this.tracked.add(interval);
  }

  /** Folds the current price into every tracked interval's bar; returns bars that just completed. */
  record(symbol: string, nowMs: number): Bar[] {
    const price = this.feed.price(symbol);
    const size = this.feed.lastSize(symbol);
    if (!this.anchors.has(symbol)) this.anchors.set(symbol, price);
    const completed: Bar[] = [];
    for (const interval of this.tracked) {
      const key = `${symbol}/${interval}`;
      const start = bucketStart(nowMs, interval);
      const bar = this.live.get(key);
      if (bar && bar.start === start) {
        bar.high = max(bar.high, price);
        bar.low = min(bar.low, price);
        bar.close = price;
        bar.volume += size;
        continue;
      }
      if (bar) {
        const kept = this.done.get(key) ?? [];
        kept.push(bar);
        if (kept.length > MAX_KEPT) kept.shift();
        this.done.set(key, kept);
        completed.push(toBar(symbol, interval, bar, true));
      }
      this.live.set(key, { start, open: price, high: price, low: price, close: price, volume: size });
    }
    return completed;
  }

  /** The bar in progress (incomplete), synthesizing one when no tick has landed in it yet. */
  current(symbol: string, interval: BarInterval, nowMs: number): Bar {
    const start = bucketStart(nowMs, interval);
    const bar = this.live.get(`${symbol}/${interval}`);
    if (bar && bar.start === start) return toBar(symbol, interval, bar, false);
    const price = this.feed.price(symbol);
    return toBar(
      symbol,
      interval,
      { start, open: price, high: price, low: price, close: price, volume: 0n },
      false,
    );
  }

  /** Complete bars with start in [fromMs, toMs], oldest first, at most `limit` (the newest ones). */
  history(
    symbol: string,
    interval: BarInterval,
    range: { fromMs: number; toMs: number; limit: number; nowMs: number },
  ): Bar[] {
    const { fromMs, toMs, limit, nowMs } = range;
    const length = lengthOf(interval);
    const lastComplete = Math.min(bucketStart(toMs, interval), bucketStart(nowMs, interval) - length);
    const out: Bar[] = [];
    const realByStart = new Map((this.done.get(`${symbol}/${interval}`) ?? []).map((b) => [b.start, b]));
    for (
      let start = lastComplete;
      start >= fromMs && out.length < Math.min(limit, MAX_BARS);
      start -= length
    ) {
      if (start > toMs) continue;
      const bar = realByStart.get(start) ?? this.synthetic(symbol, interval, start);
      if (bar) out.push(toBar(symbol, interval, bar, true));
    }
    return out.reverse();
  }

  /** The last `count` complete bars before now (what a subscription's backfill sends). */
  backfill(symbol: string, interval: BarInterval, count: number, nowMs: number): Bar[] {
    const range = { fromMs: Number.NEGATIVE_INFINITY, toMs: nowMs, limit: count, nowMs };
    return this.history(symbol, interval, range).map((bar) => ({
      ...bar,
      backfill: true,
    }));
  }

  /** A deterministic bar from before the sandbox's own data (or a gap in it). */
  private synthetic(symbol: string, interval: BarInterval, start: number): LiveBar | undefined {
    if (!this.feed.has(symbol)) return undefined;
    const anchor = this.anchors.get(symbol) ?? this.feed.price(symbol);
    const closeAt = (bucket: number): Dec => {
      const random = streamFor(this.seed, `${symbol}/${interval}/${bucket}`);
      // Older bars wander further from the anchor, like a walk seen backwards.
      const distance = Math.min(Math.sqrt(Math.max(1, (this.startedAtMs - bucket) / lengthOf(interval))), 30);
      const price = toNumber(anchor) * Math.exp(0.002 * distance * gaussian(random));
      return round(decFromNumber(Math.max(price, 0.01), 6), 2);
    };
    const open = closeAt(start - lengthOf(interval));
    const close = closeAt(start);
    const random = streamFor(this.seed, `${symbol}/${interval}/${start}/range`);
    const spread = decFromNumber(toNumber(max(open, close)) * 0.001 * random(), 2);
    return {
      start,
      open,
      close,
      high: max(open, close) + spread,
      low: max(decFromNumber(0.01), min(open, close) - spread),
      volume: units(100 * (1 + Math.floor(random() * 1000))),
    };
  }
}

/** The start of the interval bucket containing `ms` (UTC-aligned). */
export function bucketStart(ms: number, interval: BarInterval): number {
  const length = lengthOf(interval);
  return Math.floor(ms / length) * length;
}
