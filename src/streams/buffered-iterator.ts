/**
 * An async iterator fed by push(): values go straight to a waiting consumer, or into a buffer
 * (see buffers.ts) until it asks; a buffer that refuses a value (full) ends the iteration with a
 * `backlog_overflow` error once what it holds has been read. `return()` (a `break` out of `for await`) unhooks it from the
 * stream through `onDone`, so abandoned iterators hold no listeners.
 */
import { streamErrorFactory as errorFactory } from '../core/errors';
import type { IteratorBuffer } from './buffers';

/** A push-fed async iterator. */
export class BufferedIterator<T> implements AsyncIterableIterator<T> {
  #waiting: ((result: IteratorResult<T>) => void) | undefined;
  #failWaiting: ((error: unknown) => void) | undefined;
  #done = false;
  #failure: unknown;

  readonly #buffer: IteratorBuffer<T>;
  readonly #onDone: () => void;
  readonly #onLeave: (() => void) | undefined;

  constructor(
    buffer: IteratorBuffer<T>,
    onDone: () => void,
    /** Called when the reader leaves early (`return()`, what `break` calls), after `onDone`. */
    onLeave?: (() => void) | undefined,
  ) {
    this.#buffer = buffer;
    this.#onDone = onDone;
    this.#onLeave = onLeave;
  }

  /** Values waiting to be read. */
  get backlog(): number {
    return this.#buffer.size;
  }

  /** Values the buffer discarded or refused (see buffers.ts for each channel's rule). */
  get dropped(): number {
    return this.#buffer.dropped;
  }

  /** Delivers a value (ignored once the iterator is done). */
  push(value: T): void {
    if (this.#done) return;
    const waiting = this.#waiting;
    if (waiting) {
      this.#waiting = this.#failWaiting = undefined;
      waiting({ value, done: false });
    } else if (!this.#buffer.push(value)) this.end(errorFactory.streamBacklogOverflow(this.#buffer.limit));
  }

  /** Ends the iteration once the buffer is drained, with an error if given. */
  end(error?: unknown): void {
    if (this.#done) return;
    this.#done = true;
    this.#failure = error;
    this.#onDone();
    const waiting = this.#waiting;
    const fail = this.#failWaiting;
    this.#waiting = this.#failWaiting = undefined;
    if (error !== undefined && fail) fail(error);
    else waiting?.({ value: undefined, done: true });
  }

  /** The next buffered value, waiting for one when the buffer is empty; `done` once the stream ends. */
  next(): Promise<IteratorResult<T>> {
    const value = this.#buffer.shift();
    if (value !== undefined) return Promise.resolve({ value, done: false });
    if (this.#done) {
      const failure = this.#failure;
      this.#failure = undefined;
      return failure === undefined
        ? Promise.resolve({ value: undefined, done: true })
        : Promise.reject(failure);
    }
    return new Promise((resolve, reject) => {
      this.#waiting = resolve;
      this.#failWaiting = reject;
    });
  }

  /** Stops iterating (what `break` in `for await` calls) and unhooks the iterator from its stream. */
  return(): Promise<IteratorResult<T>> {
    const left = !this.#done;
    this.end();
    while (this.#buffer.shift() !== undefined);
    if (left) this.#onLeave?.();
    return Promise.resolve({ value: undefined, done: true });
  }

  /** The iterator itself, so it can be used in `for await`. */
  [Symbol.asyncIterator](): this {
    return this;
  }
}
