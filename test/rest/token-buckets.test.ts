/**
 * The limiter's bucket store on its own: refill and spend, pauses, rows reused after a drop (with
 * fresh state), growth past the first rows, the cap shared by the kinds, idle drops, and kinds
 * without a limit holding nothing until paused.
 */
import { NONE, TokenBuckets, UNLIMITED } from '../../src/rest/token-buckets';

const T0 = 1_000_000;
const perSecond = (n: number, burst = n) => ({ perMs: n / 1000, burst });

describe('TokenBuckets', () => {
  it('spends and refills at its rate, never above the burst', () => {
    const buckets = new TokenBuckets(60_000, 100);
    const row = buckets.add(perSecond(2), T0);
    expect(buckets.ready(row, T0)).toBe(true);
    buckets.spend(row, T0);
    buckets.spend(row, T0);
    expect(buckets.ready(row, T0)).toBe(false);
    expect(buckets.wait(row, T0)).toBe(500);
    // (Within a millisecond: the tokens are fractional.)
    expect(buckets.wait(row, T0 + 499)).toBeLessThanOrEqual(2);
    expect(buckets.ready(row, T0 + 500)).toBe(true);
    // Ten seconds idle refill two tokens, not twenty.
    buckets.spend(row, T0 + 500);
    expect(buckets.ready(row, T0 + 10_500)).toBe(true);
    buckets.spend(row, T0 + 10_500);
    buckets.spend(row, T0 + 10_500);
    expect(buckets.ready(row, T0 + 10_500)).toBe(false);
  });

  it('a pause holds a bucket back until it ends, even an unlimited one; a shorter pause does not shorten it', () => {
    const buckets = new TokenBuckets(60_000, 100);
    const row = buckets.add({ perMs: UNLIMITED, burst: UNLIMITED }, T0);
    expect(buckets.ready(row, T0)).toBe(true);
    buckets.pause(row, T0 + 5_000, T0);
    buckets.pause(row, T0 + 1_000, T0);
    expect(buckets.ready(row, T0 + 4_999)).toBe(false);
    expect(buckets.wait(row, T0 + 4_000)).toBe(1_000);
    expect(buckets.ready(row, T0 + 5_000)).toBe(true);
    // NONE (no bucket) is always ready and spending it is a no-op.
    expect(buckets.ready(NONE, T0)).toBe(true);
    expect(buckets.wait(NONE, T0)).toBe(0);
    buckets.spend(NONE, T0);
  });

  it('a kind without a limit holds no bucket unless one is created to be paused', () => {
    const buckets = new TokenBuckets(60_000, 100);
    const users = buckets.kind({ perMs: UNLIMITED, burst: UNLIMITED });
    expect(buckets.find(users, 'A', T0, 'touch')).toBe(NONE);
    expect(buckets.size).toBe(0);
    const row = buckets.find(users, 'A', T0, 'create');
    expect(row).not.toBe(NONE);
    expect(buckets.find(users, 'A', T0, 'touch')).toBe(row);
    expect(buckets.size).toBe(1);
  });

  it('keeps at most `cap` keyed buckets across kinds, dropping the least recently used; dropped rows come back fresh', () => {
    const buckets = new TokenBuckets(60_000, 50);
    const users = buckets.kind(perSecond(1));
    const accounts = buckets.kind(perSecond(1));
    const rows = new Set<number>();
    for (let i = 0; i < 40; i++) {
      const row = buckets.find(users, `u${i}`, T0, 'touch');
      buckets.spend(row, T0);
      rows.add(row);
    }
    // Used a second later: the users are now the least recently used.
    for (let i = 0; i < 40; i++) rows.add(buckets.find(accounts, `a${i}`, T0 + 1_000, 'touch'));
    expect(buckets.size).toBe(50);
    // The last thirty accounts pushed out the thirty oldest users, whose rows they reuse.
    expect(rows.size).toBe(50);
    expect(buckets.find(users, 'u0', T0, 'peek')).toBe(NONE);
    expect(buckets.find(users, 'u29', T0, 'peek')).toBe(NONE);
    expect(buckets.find(users, 'u30', T0, 'peek')).not.toBe(NONE);
    // A reused row starts full (u0 had spent its token before it was dropped).
    const again = buckets.find(users, 'u0', T0 + 1_000, 'touch');
    expect(buckets.ready(again, T0 + 1_000)).toBe(true);
    expect(buckets.find(users, 'u30', T0, 'peek')).toBe(NONE);
    // Once the users are the most recent, the next one pushes out an account.
    for (let i = 31; i < 40; i++) buckets.find(users, `u${i}`, T0 + 2_000, 'touch');
    buckets.find(users, 'u0', T0 + 2_000, 'touch');
    buckets.find(users, 'late', T0 + 2_000, 'touch');
    expect(buckets.find(accounts, 'a0', T0, 'peek')).toBe(NONE);
    expect(buckets.find(accounts, 'a1', T0, 'peek')).not.toBe(NONE);
    expect(buckets.size).toBe(50);
  });

  it('drops idle, refilled buckets when it makes room, keeps those still inside their window', () => {
    const buckets = new TokenBuckets(1_000, 100);
    const users = buckets.kind(perSecond(1 / 60));
    buckets.find(users, 'fresh', T0, 'touch');
    buckets.spend(buckets.find(users, 'spent', T0, 'touch'), T0);
    // The unspent one is idle after a second; the spent one waits a minute for its token.
    buckets.find(users, 'new', T0 + 2_000, 'touch');
    expect(buckets.find(users, 'spent', T0 + 2_000, 'peek')).not.toBe(NONE);
    expect(buckets.find(users, 'fresh', T0 + 2_000, 'peek')).toBe(NONE);
    // The scan stops at the first bucket still in use: what is behind it waits for the next drop.
    expect(buckets.size).toBe(2);
  });

  it('grows past its first rows and keeps every row its own', () => {
    const buckets = new TokenBuckets(60_000, 1_000);
    const users = buckets.kind(perSecond(3));
    for (let i = 0; i < 200; i++) {
      const row = buckets.find(users, `u${i}`, T0, 'touch');
      for (let spent = 0; spent < i % 3; spent++) buckets.spend(row, T0);
    }
    for (let i = 0; i < 200; i++) {
      const row = buckets.find(users, `u${i}`, T0, 'peek');
      let left = 0;
      while (buckets.ready(row, T0)) {
        buckets.spend(row, T0);
        left++;
      }
      expect(left).toBe(3 - (i % 3));
    }
  });
});
