import { BarBook } from '../../src/sandbox/bars';
import { PriceFeed } from '../../src/sandbox/feed';

const T0 = Date.UTC(2026, 10, 25, 14, 30, 0);

describe('BarBook: intervals beyond the known ones', () => {
  it('aggregates a subscribed interval live, and at most 32 of them (each costs work on every tick)', () => {
    const feed = new PriceFeed(1, 1000, { AAPL: '100.00' });
    const book = new BarBook(1, feed, T0);
    const extra = Array.from({ length: 40 }, (_, i) => `${i + 2}s`);
    for (const interval of extra) book.track(interval);
    book.track(extra[0] as string); // tracking twice counts once
    book.record('AAPL', T0);
    const completed = book.record('AAPL', T0 + 60 * 60_000);
    const aggregated = new Set(completed.map((bar) => bar.interval).filter((i) => extra.includes(i)));
    expect(aggregated.size).toBe(32);
    expect([...aggregated].sort()).toEqual(extra.slice(0, 32).sort());
  });

  it('still answers an untracked interval with its current bar', () => {
    const feed = new PriceFeed(1, 1000, { AAPL: '100.00' });
    const book = new BarBook(1, feed, T0);
    for (let i = 2; i < 40; i++) book.track(`${i}s`);
    const bar = book.current('AAPL', '99s', T0 + 5_000);
    expect(bar).toMatchObject({ symbol: 'AAPL', interval: '99s', complete: false });
  });
});
