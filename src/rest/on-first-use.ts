/**
 * A part of the client that loads the first time a call needs it (the Node transport, the rate
 * limiter, OpenTelemetry). `value` is there once loaded, so later calls use it directly; until
 * then a call waits for {@link OnFirstUse.ready}.
 */
export class OnFirstUse<T> {
  /** The loaded value; undefined until the first load has finished. */
  value: T | undefined;
  #pending: Promise<T> | undefined;
  readonly #load: () => Promise<T>;

  constructor(load: () => Promise<T>) {
    this.#load = load;
  }

  /** Already loaded. */
  static of<T>(value: T): OnFirstUse<T> {
    const loaded = new OnFirstUse<T>(() => Promise.resolve(value));
    loaded.value = value;
    return loaded;
  }

  /** Starts the load on the first call; a failed load is tried again by the next call. */
  ready(): Promise<T> {
    this.#pending ??= this.#load().then(
      (value) => {
        this.value = value as T;
        return value as T;
      },
      (error: unknown) => {
        this.#pending = undefined;
        throw error;
      },
    );
    return this.#pending;
  }
}
