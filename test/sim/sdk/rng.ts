/** Seeded randomness of a simulated run: one stream per seed, drawn in a fixed order. */
import { mulberry32 } from '../../../src/sandbox/random';

/** A seeded source with the draws a run needs. */
export class Rng {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed ^ 0x5eed5eed);
  }
  /** Uniform in [0, 1). */
  float(): number {
    return this.next();
  }
  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }
  /** `size` seeded bytes (sandbox secrets). */
  bytes(size: number): Uint8Array {
    return Uint8Array.from({ length: size }, () => Math.floor(this.next() * 256));
  }
  /** A child stream (its draws do not shift this one's). */
  fork(salt: number): Rng {
    return new Rng(Math.floor(this.next() * 0x7fffffff) ^ salt);
  }
}
