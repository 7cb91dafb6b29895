/**
 * Cursor pagination. A {@link Page} knows its items and how to fetch its neighbours; a
 * {@link PagePromise} is awaited for the first page or iterated with `for await` for every item of
 * every page. Iteration guards against servers that loop: a repeated cursor is an error, not an
 * endless walk, and an empty page that still has a cursor is followed (PROTOCOL.md allows it).
 */
import { restErrorFactory as errorFactory } from './errors';

/** Which cursor to send: none for the first page. */
export type Cursor = { next_cursor: string } | { prev_cursor: string } | undefined;

/** Fetches one page for a cursor. */
export type PageFetcher<T> = (cursor: Cursor) => Promise<Page<T>>;

/** One page of results with its cursors. */
export class Page<T> {
  #next: Promise<Page<T>> | undefined;
  #previous: Promise<Page<T>> | undefined;

  constructor(
    /** The items of this page (may be empty even when more pages follow). */
    readonly data: T[],
    /** Cursor of the next page, `null` on the last one. */
    readonly nextCursor: string | null,
    /** Cursor of the previous page, `null` on the first one. */
    readonly prevCursor: string | null,
    private readonly fetcher: PageFetcher<T>,
  ) {}

  /** True when a next page exists. */
  hasNextPage(): boolean {
    return this.nextCursor !== null;
  }

  /** True when a previous page exists. */
  hasPreviousPage(): boolean {
    return this.prevCursor !== null;
  }

  /** Fetches the next page; concurrent calls share one request. */
  getNextPage(): Promise<Page<T>> {
    const cursor = this.nextCursor;
    if (cursor === null) return Promise.reject(errorFactory.pagination('There is no next page'));
    this.#next ??= this.fetcher({ next_cursor: cursor }).catch((error) => {
      this.#next = undefined; // a failed fetch may be retried
      throw error;
    });
    return this.#next;
  }

  /** Fetches the previous page; concurrent calls share one request. */
  getPreviousPage(): Promise<Page<T>> {
    const cursor = this.prevCursor;
    if (cursor === null) return Promise.reject(errorFactory.pagination('There is no previous page'));
    this.#previous ??= this.fetcher({ prev_cursor: cursor }).catch((error) => {
      this.#previous = undefined;
      throw error;
    });
    return this.#previous;
  }

  /** Iterates this page's items, then every following page's. */
  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    const seen = new Set<string>();
    let page: Page<T> = this;
    for (;;) {
      yield* page.data;
      if (page.nextCursor === null) return;
      if (seen.has(page.nextCursor))
        throw errorFactory.pagination(
          `The server repeated the cursor "${page.nextCursor}"; stopping instead of looping`,
        );
      seen.add(page.nextCursor);
      page = await page.getNextPage();
    }
  }
}

/** The result of a paginated call: await it for the first page, or `for await` it for every item. */
export class PagePromise<T> implements PromiseLike<Page<T>>, AsyncIterable<T> {
  readonly #fetchFirst: () => Promise<Page<T>>;
  #started: Promise<Page<T>> | undefined;

  constructor(fetchFirst: () => Promise<Page<T>>) {
    this.#fetchFirst = fetchFirst;
  }

  // Started on first use (await, iteration) and shared by every consumer of this PagePromise.
  get #first(): Promise<Page<T>> {
    this.#started ??= this.#fetchFirst();
    return this.#started;
  }

  // biome-ignore lint/suspicious/noThenProperty: PagePromise is deliberately awaitable.
  then<R1 = Page<T>, R2 = never>(
    onFulfilled?: ((page: Page<T>) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.#first.then(onFulfilled, onRejected);
  }

  /** Like `Promise#catch`. */
  catch<R = never>(onRejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<Page<T> | R> {
    return this.#first.then(undefined, onRejected);
  }

  /** Every item of every page. */
  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    yield* await this.#first;
  }

  /** Collects items across pages, stopping after `max` (required, so a huge history cannot exhaust memory). */
  async toArray(options: { max: number }): Promise<T[]> {
    const max = options?.max;
    if (!Number.isInteger(max) || max < 1)
      throw errorFactory.validation([{ path: 'max', message: 'must be a positive integer' }]);
    const out: T[] = [];
    for await (const item of this) {
      out.push(item);
      if (out.length >= max) break;
    }
    return out;
  }
}
