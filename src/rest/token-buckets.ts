/**
 * The rate limiter's token buckets (rate-limit.ts owns the queueing; this, the buckets). A bucket's
 * state is one row of a Float64Array. Keyed buckets (each user's, each account's) are found through
 * one Map per kind; one least-recently-used list across the kinds, linked through two Int32Arrays,
 * drops idle buckets and keeps at most `cap`. Why rows and a linked list: bench/README.md, "Rate limiter".
 */

/** Tokens per millisecond and capacity; an infinite rate is a scope that is only ever paused. */
export interface Rate {
  readonly perMs: number;
  readonly burst: number;
}

export const UNLIMITED = Number.POSITIVE_INFINITY;
/** No bucket (the scope has no limit and was never paused). */
export const NONE = -1;

/** A kind of keyed bucket: its keys' rows, in least-recently-used order, and the rate of new ones. */
export interface BucketKind {
  readonly rows: Map<string, number>;
  readonly rate: Rate;
}

// A row's columns: tokens left, when they were counted, when last spent or paused, when last moved
// to the recent end of the list, paused until, and the rate.
const TOKENS = 0;
const AT = 1;
const USED = 2;
const MOVED = 3;
const PAUSED = 4;
const PER_MS = 5;
const BURST = 6;
const STRIDE = 8;
// A bucket moves to the recent end at most once a second (the LRU order is that precise): moving
// writes to its neighbours' rows, cache misses an attempt need not pay.
const MOVE_EVERY = 1_000;
const FIRST_ROWS = 16;

/** How {@link TokenBuckets.find} uses the row it looks up. */
export type BucketUse = 'peek' | 'touch' | 'create';

export class TokenBuckets {
  #state = new Float64Array(STRIDE * FIRST_ROWS);
  /** The LRU list, by row: the previous (less recent) and next row, NONE at the ends. */
  #prev = new Int32Array(FIRST_ROWS);
  #next = new Int32Array(FIRST_ROWS);
  #oldest = NONE;
  #newest = NONE;
  /** By row: its key and kind (keyed rows only). */
  readonly #keys: (string | undefined)[] = [];
  readonly #kindOf: (BucketKind | undefined)[] = [];
  readonly #free: number[] = [];
  #top = 0;
  #keyed = 0;
  readonly #idle: number;
  readonly #cap: number;

  /** `idle`: ms after which an unused, refilled bucket is dropped; `cap`: keyed buckets kept at most. */
  constructor(idle: number, cap: number) {
    this.#idle = idle;
    this.#cap = cap;
  }

  /** A new kind of keyed bucket, sharing the cap with the others. */
  kind(rate: Rate): BucketKind {
    return { rows: new Map<string, number>(), rate };
  }

  /** Keyed buckets held. */
  get size(): number {
    return this.#keyed;
  }

  /**
   * The row of `key`, or NONE. `touch`: the attempt uses it (it moves to the recent end).
   * `create`: touched, and a missing one is created, also for a kind without a limit (to be paused).
   * `peek`: neither.
   */
  find(kind: BucketKind, key: string, now: number, use: BucketUse): number {
    const touch = use !== 'peek';
    const create = use === 'create';
    const { rows } = kind;
    const unlimited = kind.rate.perMs === UNLIMITED;
    // Without a limit for this kind and no pause in it, there is nothing to look up.
    if (rows.size === 0 && !create && (!touch || unlimited)) return NONE;
    const row = rows.get(key);
    if (row !== undefined) {
      const at = row * STRIDE + MOVED;
      if (touch && now - (this.#state[at] as number) >= MOVE_EVERY) {
        this.#state[at] = now;
        this.#unlink(row);
        this.#append(row);
      }
      return row;
    }
    if (!create && (!touch || unlimited)) return NONE;
    while (this.#oldest !== NONE && this.#isIdle(this.#oldest, now)) this.#drop(this.#oldest);
    // Past the cap the least recently used goes (to within a second), whichever kind it is of.
    while (this.#keyed >= this.#cap && this.#oldest !== NONE) this.#drop(this.#oldest);
    const added = this.add(kind.rate, now);
    rows.set(key, added);
    this.#keys[added] = key;
    this.#kindOf[added] = kind;
    this.#append(added);
    this.#keyed++;
    return added;
  }

  /** A bucket outside the kinds (the platform's): never dropped. */
  add(rate: Rate, now: number): number {
    const row = this.#free.pop() ?? this.#top++;
    if (row >= this.#prev.length) this.#grow();
    const s = this.#state;
    const at = row * STRIDE;
    s[at + TOKENS] = rate.burst;
    s[at + AT] = now;
    s[at + USED] = now;
    s[at + MOVED] = now;
    s[at + PAUSED] = 0;
    s[at + PER_MS] = rate.perMs;
    s[at + BURST] = rate.burst;
    return row;
  }

  /** Refills `row` to `now`; true when it can spend a token now (not paused, a whole token left). */
  ready(row: number, now: number): boolean {
    if (row === NONE) return true;
    const s = this.#state;
    const at = row * STRIDE;
    if ((s[at + PAUSED] as number) > now) return false;
    const perMs = s[at + PER_MS] as number;
    if (perMs === UNLIMITED) return true;
    const tokens = Math.min(
      s[at + BURST] as number,
      (s[at + TOKENS] as number) + (now - (s[at + AT] as number)) * perMs,
    );
    s[at + TOKENS] = tokens;
    s[at + AT] = now;
    return tokens >= 1;
  }

  /** Milliseconds until `row` has a token (0: now). */
  wait(row: number, now: number): number {
    if (this.ready(row, now)) return 0;
    const s = this.#state;
    const at = row * STRIDE;
    const paused = (s[at + PAUSED] as number) - now;
    const tokens = s[at + TOKENS] as number;
    const perMs = s[at + PER_MS] as number;
    return perMs === UNLIMITED || tokens >= 1 ? paused : Math.max(paused, Math.ceil((1 - tokens) / perMs));
  }

  spend(row: number, now: number): void {
    if (row === NONE) return;
    const at = row * STRIDE;
    this.#state[at + TOKENS] = (this.#state[at + TOKENS] as number) - 1;
    this.#state[at + USED] = now;
  }

  /** Holds `row` back until `until` (a pause already longer stays). */
  pause(row: number, until: number, now: number): void {
    const at = row * STRIDE;
    this.#state[at + PAUSED] = Math.max(this.#state[at + PAUSED] as number, until);
    this.#state[at + USED] = now;
  }

  #isIdle(row: number, now: number): boolean {
    const s = this.#state;
    const at = row * STRIDE;
    const perMs = s[at + PER_MS] as number;
    // Idle and refilled, so as good as new: dropping it loosens nothing.
    return (
      now - (s[at + USED] as number) >= this.#idle &&
      (s[at + PAUSED] as number) <= now &&
      (perMs === UNLIMITED ||
        (s[at + TOKENS] as number) + (now - (s[at + AT] as number)) * perMs >= (s[at + BURST] as number))
    );
  }

  #drop(row: number): void {
    (this.#kindOf[row] as BucketKind).rows.delete(this.#keys[row] as string);
    this.#keys[row] = undefined;
    this.#kindOf[row] = undefined;
    this.#unlink(row);
    this.#free.push(row);
    this.#keyed--;
  }

  #append(row: number): void {
    this.#prev[row] = this.#newest;
    this.#next[row] = NONE;
    if (this.#newest === NONE) this.#oldest = row;
    else this.#next[this.#newest] = row;
    this.#newest = row;
  }

  #unlink(row: number): void {
    const prev = this.#prev[row] as number;
    const next = this.#next[row] as number;
    if (prev === NONE) this.#oldest = next;
    else this.#next[prev] = next;
    if (next === NONE) this.#newest = prev;
    else this.#prev[next] = prev;
  }

  #grow(): void {
    const rows = this.#prev.length * 2;
    const state = new Float64Array(rows * STRIDE);
    state.set(this.#state);
    this.#state = state;
    const prev = new Int32Array(rows);
    prev.set(this.#prev);
    this.#prev = prev;
    const next = new Int32Array(rows);
    next.set(this.#next);
    this.#next = next;
  }
}
