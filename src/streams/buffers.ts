/**
 * Buffers between a stream and a slow async-iterator consumer. Brokerage updates must never be
 * lost, so they use an unbounded FIFO whose size is exposed; market data is only worth its latest
 * value, so it conflates per key, except trades (each print matters) which use a bounded FIFO that
 * counts what it drops.
 */

/** A buffer an iterator drains. */
export interface IteratorBuffer<T> {
  /** Adds a value (the buffer may drop or conflate to stay bounded). */
  push(value: T): void;
  /** Takes the oldest value, or undefined when empty. */
  shift(): T | undefined;
  /** Values waiting to be read. */
  readonly size: number;
  /** Values discarded so far (0 for buffers that never drop or that conflate). */
  readonly dropped: number;
}

/** Unbounded FIFO (amortized O(1) shift). */
export class FifoBuffer<T> implements IteratorBuffer<T> {
  private items: (T | undefined)[] = [];
  private head = 0;
  readonly dropped = 0;
  push(value: T): void {
    this.items.push(value);
  }
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const value = this.items[this.head];
    this.items[this.head++] = undefined;
    // Compact once the consumed prefix dominates, so memory follows the backlog, not the history.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return value;
  }
  get size(): number {
    return this.items.length - this.head;
  }
}

/** FIFO that keeps at most `capacity` values, dropping the oldest and counting the drops. */
export class BoundedFifoBuffer<T> implements IteratorBuffer<T> {
  private readonly fifo = new FifoBuffer<T>();
  private drops = 0;
  constructor(private readonly capacity: number) {}
  push(value: T): void {
    if (this.fifo.size >= this.capacity) {
      this.fifo.shift();
      this.drops++;
    }
    this.fifo.push(value);
  }
  shift(): T | undefined {
    return this.fifo.shift();
  }
  get size(): number {
    return this.fifo.size;
  }
  get dropped(): number {
    return this.drops;
  }
}

/** Keeps only the latest value per key; keys are served in first-arrival order. */
export class ConflatingBuffer<T> implements IteratorBuffer<T> {
  private readonly latest = new Map<string, T>();
  readonly dropped = 0;
  private replaced = 0;
  constructor(private readonly keyOf: (value: T) => string) {}
  push(value: T): void {
    const key = this.keyOf(value);
    if (this.latest.has(key)) this.replaced++;
    this.latest.set(key, value);
  }
  shift(): T | undefined {
    for (const [key, value] of this.latest) {
      this.latest.delete(key);
      return value;
    }
    return undefined;
  }
  get size(): number {
    return this.latest.size;
  }
  /** Values superseded by a newer one before being read. */
  get conflated(): number {
    return this.replaced;
  }
}
