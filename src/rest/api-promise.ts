/**
 * What every REST call returns: a promise of the value, plus, as in openai-node,
 * `.withResponse()` (the value, the raw `Response` and the request id) and `.asResponse()` (the
 * raw `Response` only). A single-response call starts at once, like any async function; a list
 * (`PagePromise`) starts on first use. The `Response` object is only built when asked for,
 * so plain `await` costs nothing extra.
 */
import type { CallResult } from './call-result';
import type { WireResponse } from './transport';

/** The value of a call with the raw response it was read from. */
export interface WithResponse<T> {
  /** The value `await` would give. */
  readonly data: T;
  /**
   * The raw response (after retries): status and headers as received, and the body as received,
   * still readable (each `withResponse()` / `asResponse()` call builds a fresh `Response`).
   */
  readonly response: Response;
  /** The `x-request-id` response header, for support. */
  readonly requestId: string | undefined;
}

// Statuses whose Response must have no body (the constructor refuses one).
const NULL_BODY = new Set([101, 204, 205, 304]);

function toResponse(wire: WireResponse): Response {
  return new Response(NULL_BODY.has(wire.status) ? null : wire.text, {
    status: wire.status,
    headers: wire.headers,
  });
}

// The executor of the underlying native promise, shared by every call: its state is never read
// (then, catch and finally are overridden).
const resolveUnused = (resolve: (value: never) => void) => resolve(undefined as never);

/** A promise of a call's value with `.withResponse()` and `.asResponse()`. */
export class APIPromise<T> extends Promise<T> {
  // The exchange, or (for a call started on first use) the function that starts it.
  #exchange: Promise<CallResult<T>> | (() => Promise<CallResult<T>>);
  #data: Promise<T> | undefined;

  /** @internal Built by the client for each call. */
  constructor(exchange: Promise<CallResult<T>> | (() => Promise<CallResult<T>>)) {
    super(resolveUnused);
    this.#exchange = exchange;
  }

  /**
   * @internal Runs `start` (which may throw a validation error before any I/O) and gives its
   * exchange the APIPromise API; a synchronous throw becomes a rejection, as from an async method.
   */
  static from<T>(start: () => Promise<CallResult<T>>): APIPromise<T> {
    try {
      return new APIPromise(start());
    } catch (error) {
      return new APIPromise<T>(Promise.reject(error));
    }
  }

  /** @internal Runs `start`, turning a synchronous throw (a validation error before any I/O) into a rejection. */
  static defer<T>(start: () => APIPromise<T>): APIPromise<T> {
    try {
      return start();
    } catch (error) {
      return new APIPromise<T>(Promise.reject(error));
    }
  }

  /** `then` on a derived promise builds a plain Promise, not an APIPromise. */
  static override get [Symbol.species](): PromiseConstructor {
    return Promise;
  }

  /** The exchange, started now if it was waiting for its first use (a start function never throws). */
  #started(): Promise<CallResult<T>> {
    if (typeof this.#exchange === 'function') this.#exchange = this.#exchange();
    return this.#exchange;
  }

  #value(): Promise<T> {
    this.#data ??= this.#started().then((exchange) => exchange.data);
    return this.#data;
  }

  /** The value, the raw `Response` and the request id. */
  withResponse(): Promise<WithResponse<T>> {
    return this.#started().then(({ data, response }) => ({
      data,
      response: toResponse(response),
      requestId: response.headers['x-request-id'],
    }));
  }

  /** The raw `Response` (an error status still rejects with the SDK's typed error). */
  asResponse(): Promise<Response> {
    return this.#started().then(({ response }) => toResponse(response));
  }

  // biome-ignore lint/suspicious/noThenProperty: an APIPromise is a promise.
  override then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    // biome-ignore lint/suspicious/noExplicitAny: the same signature as Promise's own.
    onrejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.#value().then(onfulfilled, onrejected);
  }

  // biome-ignore lint/suspicious/noExplicitAny: the same signature as Promise's own.
  override catch<R = never>(onrejected?: ((reason: any) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.#value().catch(onrejected);
  }

  override finally(onfinally?: (() => void) | null): Promise<T> {
    return this.#value().finally(onfinally);
  }
}
