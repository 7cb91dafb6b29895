/**
 * Modules a bundle loads only when a call first needs them (the order checks, order placement,
 * the page walk): each `import()` becomes a chunk of its own, so a page that never places an order
 * never loads them. After the first load the module is returned as a value, so later calls can
 * skip the await (`loaded instanceof Promise ? await loaded : loaded`).
 */

/** `load` run once, on first use; a failed load is retried by the next call. */
export function lazyModule<T>(load: () => Promise<T>): () => T | Promise<T> {
  let value: T | undefined;
  let pending: Promise<T> | undefined;
  return () => {
    if (value !== undefined) return value;
    pending ??= load().then(
      (module) => {
        value = module;
        return module;
      },
      (error: unknown) => {
        pending = undefined;
        throw error;
      },
    );
    return pending;
  };
}
