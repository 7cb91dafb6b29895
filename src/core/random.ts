/**
 * The SDK's randomness, in one place: backoff jitter reads a `random()`, new client order ids come
 * from an id generator. By default `Math.random` and `crypto.getRandomValues`; a deterministic
 * simulation injects seeded ones (`ClientOptions.random`, `ClientOptions.idGenerator`).
 */

/** A source of numbers uniform in [0, 1) (backoff jitter). */
export type RandomSource = () => number;

/** Makes a fresh client order id (`cl_order_id`): at most 64 of `[A-Za-z0-9_-]`, unique per order. */
export type IdGenerator = () => string;

/** The default jitter source: `Math.random`, read at each call. */
export const defaultRandom: RandomSource = () => Math.random();

const BASE36 = '0123456789abcdefghijklmnopqrstuvwxyz';
const ID_LENGTH = 24;
// Random bytes for 128 ids at a time: one `getRandomValues` per id cost more than the rest of an
// order's checks together (bench/README.md, "orders.create"). Allocated by the first id, so a
// program that never places an order (a market-data page) holds no pool.
let randomPool: Uint8Array | undefined;
let poolOffset = 0;

/** The default client order id: `ct_` and 24 random base-36 characters from `crypto`. */
export const generateClOrderId: IdGenerator = () => {
  if (!randomPool || poolOffset + ID_LENGTH > randomPool.length) {
    randomPool ??= new Uint8Array(ID_LENGTH * 128);
    crypto.getRandomValues(randomPool);
    poolOffset = 0;
  }
  let id = 'ct_';
  for (let i = poolOffset; i < poolOffset + ID_LENGTH; i++) id += BASE36[(randomPool[i] as number) % 36];
  poolOffset += ID_LENGTH;
  return id;
};
