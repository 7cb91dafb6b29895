/**
 * Buffers between a stream and a slow async-iterator consumer. Every one is bounded:
 * - brokerage updates must never be lost silently, so they use a FIFO that refuses the value
 *   past its bound: the iterator then ends with a `backlog_overflow` StreamError (resync);
 * - trades (each print matters) use a FIFO that drops the oldest past its bound, counting drops;
 * - quotes, bars, depth and options chains are only worth their latest value: they conflate per
 *   key, and bound the number of keys (the oldest key's value is dropped, and counted).
 */

/** A buffer an iterator drains. */
export interface IteratorBuffer<T> {
  /** Adds a value; false when the buffer is full and refused it (the iterator then ends with an error). */
  push(value: T): boolean;
  /** Takes the oldest value, or undefined when empty. */
  shift(): T | undefined;
  /** Values waiting to be read. */
  readonly size: number;
  /** Values discarded or refused so far. */
  readonly dropped: number;
  /** The bound (values, or keys for conflating buffers). */
  readonly limit: number;
}

/** FIFO (amortized O(1) shift) that refuses values beyond `limit` and counts them. */
export class FifoBuffer<T> implements IteratorBuffer<T> {
  // Read by the compaction test (test/streams/buffers.test.ts).
  private items: (T | undefined)[] = [];
  #head = 0;
  #refused = 0;
  constructor(readonly limit = Number.POSITIVE_INFINITY) {}
  push(value: T): boolean {
    if (this.size >= this.limit) {
      this.#refused++;
      return false;
    }
    this.items.push(value);
    return true;
  }
  shift(): T | undefined {
    if (this.#head >= this.items.length) return undefined;
    const value = this.items[this.#head];
    this.items[this.#head++] = undefined;
    // Compact once the consumed prefix dominates, so memory follows the backlog, not the history.
    if (this.#head > 1024 && this.#head * 2 > this.items.length) {
      this.items = this.items.slice(this.#head);
      this.#head = 0;
    }
    return value;
  }
  get size(): number {
    return this.items.length - this.#head;
  }
  get dropped(): number {
    return this.#refused;
  }
}

/** FIFO that keeps at most `limit` values, dropping the oldest and counting the drops. */
export class BoundedFifoBuffer<T> implements IteratorBuffer<T> {
  readonly #fifo = new FifoBuffer<T>();
  #drops = 0;
  constructor(readonly limit: number) {}
  push(value: T): boolean {
    if (this.#fifo.size >= this.limit) {
      this.#fifo.shift();
      this.#drops++;
    }
    return this.#fifo.push(value);
  }
  shift(): T | undefined {
    return this.#fifo.shift();
  }
  get size(): number {
    return this.#fifo.size;
  }
  get dropped(): number {
    return this.#drops;
  }
}

/**
 * Keeps only the latest value per key, for at most `limit` keys (a new key past the bound drops
 * the value of the oldest waiting key, counted in `dropped`); keys are served in first-arrival order.
 *
 * The arrival order is a FIFO of keys beside the Map, not the Map's own order: taking a Map's first
 * entry walks over every entry deleted before it, which cost 6.5 µs a value at 10 000 keys.
 */
export class ConflatingBuffer<T> implements IteratorBuffer<T> {
  readonly #latest = new Map<string, T>();
  readonly #order = new FifoBuffer<string>();
  readonly #keyOf: (value: T) => string;
  #drops = 0;
  #replaced = 0;
  constructor(
    keyOf: (value: T) => string,
    readonly limit = 10_000,
  ) {
    this.#keyOf = keyOf;
  }
  push(value: T): boolean {
    const key = this.#keyOf(value);
    if (this.#latest.has(key)) this.#replaced++;
    else {
      if (this.#latest.size >= this.limit) {
        this.#latest.delete(this.#order.shift() as string);
        this.#drops++;
      }
      this.#order.push(key);
    }
    this.#latest.set(key, value);
    return true;
  }
  shift(): T | undefined {
    const key = this.#order.shift();
    if (key === undefined) return undefined;
    const value = this.#latest.get(key);
    this.#latest.delete(key);
    return value;
  }
  get size(): number {
    return this.#latest.size;
  }
  get dropped(): number {
    return this.#drops;
  }
  /** Values superseded by a newer one of the same key before being read. */
  get conflated(): number {
    return this.#replaced;
  }
}
