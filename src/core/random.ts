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

/** The default client order id: `ct_` and 24 random base-36 characters from `crypto`. */
export const generateClOrderId: IdGenerator = () => {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return `ct_${Array.from(bytes, (b) => (b % 36).toString(36)).join('')}`;
};
