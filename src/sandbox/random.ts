/**
 * Seeded pseudo-random numbers for the price feed. Every symbol gets its own stream derived from
 * the sandbox seed and the symbol name, so adding a symbol or subscribing to another one never
 * changes the prices of the others: the same seed always replays the same market.
 */

/** A deterministic source of numbers in [0, 1). */
export type Random = () => number;

/** FNV-1a hash of a string into 32 bits (mixes the seed with a symbol name). */
export function hashString(text: string, seed = 0x811c9dc5): number {
  let hash = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** mulberry32: tiny, fast and good enough for a simulated market (not for secrets). */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random stream for one named purpose (e.g. `"AAPL"`, `"AAPL/1m/history"`) under a seed. */
export function streamFor(seed: number, name: string): Random {
  return mulberry32(hashString(name, hashString(String(seed))));
}

/** A standard normal sample (Box-Muller) from a uniform source. */
export function gaussian(random: Random): number {
  const u = Math.max(random(), Number.EPSILON);
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
