/**
 * Cursor pagination. A {@link Page} knows its items and how to fetch its neighbours; a
 * {@link PagePromise} is awaited for the first page or iterated with `for await` for every item of
 * every page. An empty page that still has a cursor is followed (PROTOCOL.md allows it), so a
 * server that loops could keep an automatic walk going forever: every walk (iteration, `toArray`,
 * the order lookups, the live snapshot) is bounded in pages and in total time
 * ({@link PaginationBounds}), and a repeated cursor stops it early. Hitting a bound is a PaginationError.
 */
import { restErrorFactory as errorFactory } from './errors';

/** Bounds of one automatic walk over pages. */
export interface PaginationBounds {
  /** Most pages one walk fetches, the first included (default 1 000). */
  maxPages?: number | undefined;
  /** Most milliseconds one walk may take, page fetches included (default 120 000). */
  maxTime?: number | undefined;
}

/** The bounds used when neither the client nor the call sets them. */
export const DEFAULT_PAGINATION_BOUNDS = { maxPages: 1_000, maxTime: 120_000 } as const;

/** Throws a ConfigurationError for a bound that is not a positive integer / positive number. */
export function checkPaginationBounds(bounds: PaginationBounds | undefined, where = 'pagination'): void {
  const { maxPages, maxTime } = bounds ?? {};
  if (maxPages !== undefined && !(Number.isInteger(maxPages) && maxPages >= 1))
    throw errorFactory.configuration(`${where}.maxPages must be a positive integer, got ${maxPages}`);
  if (maxTime !== undefined && !(Number.isFinite(maxTime) && maxTime > 0))
    throw errorFactory.configuration(
      `${where}.maxTime must be a positive number of milliseconds, got ${maxTime}`,
    );
}

/** Extra facts about a page. */
export interface PageInfo {
  /**
   * The server answered a bare list (no cursors) exactly `limit` long: more orders may exist that
   * this listing cannot reach. Narrow the filters (time window) to be sure to see them all.
   */
  readonly possiblyTruncated?: boolean;
  /** Bounds of walks started from this page (default 1 000 pages, 120 000 ms). */
  readonly bounds?: PaginationBounds | undefined;
}

/** The items `toArray` collected; `possiblyTruncated` is true when a page read may be truncated ({@link PageInfo}). */
export type CollectedItems<T> = T[] & { possiblyTruncated: boolean };

/** State of one walk: its bounds, what it has fetched, and whether a page may be truncated. */
class Walk {
  readonly maxPages: number;
  readonly maxTime: number;
  pages = 1;
  possiblyTruncated = false;
  readonly #cursors = new Set<string>();

  constructor(
    bounds: PaginationBounds | undefined,
    readonly started = Date.now(),
  ) {
    this.maxPages = bounds?.maxPages ?? DEFAULT_PAGINATION_BOUNDS.maxPages;
    this.maxTime = bounds?.maxTime ?? DEFAULT_PAGINATION_BOUNDS.maxTime;
  }

  /** Fetches the page after `page`, within the bounds. */
  async next<T>(page: Page<T>): Promise<Page<T>> {
    const cursor = page.nextCursor as string;
    if (this.#cursors.has(cursor))
      throw errorFactory.pagination(
        `The server repeated the cursor "${cursor}"; stopping instead of looping`,
      );
    this.#cursors.add(cursor);
    if (this.pages >= this.maxPages)
      throw errorFactory.pagination(
        `Stopped after ${this.pages} pages (pagination.maxPages) and the server still had a next page; narrow the filters or raise maxPages`,
      );
    const left = this.maxTime - (Date.now() - this.started);
    if (left <= 0) throw this.#timeUp();
    this.pages++;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      return await Promise.race([
        page.getNextPage(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(this.#timeUp()), left);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  #timeUp() {
    return errorFactory.pagination(
      `Stopped after ${this.maxTime} ms and ${this.pages} pages (pagination.maxTime) before the last page; narrow the filters or raise maxTime`,
    );
  }
}

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
    info: PageInfo = {},
  ) {
    this.possiblyTruncated = info.possiblyTruncated === true;
    boundsOf.set(this, info.bounds);
  }

  /** True when this page came as a bare list exactly `limit` long, with no cursor: more may exist ({@link PageInfo}). */
  readonly possiblyTruncated: boolean;

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

  /** Iterates this page's items, then every following page's (bounded: {@link PaginationBounds}). */
  [Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    return walkFrom(this, new Walk(boundsOf.get(this)));
  }

  /** This page, then every following page (bounded like item iteration: {@link PaginationBounds}). */
  iterPages(): AsyncGenerator<Page<T>, void, undefined> {
    return pagesFrom(this, new Walk(boundsOf.get(this)));
  }
}

// The bounds each page's walks use (kept off the public Page shape).
const boundsOf = new WeakMap<Page<unknown>, PaginationBounds | undefined>();

async function* walkFrom<T>(first: Page<T>, walk: Walk): AsyncGenerator<T, void, undefined> {
  for await (const page of pagesFrom(first, walk)) yield* page.data;
}

async function* pagesFrom<T>(first: Page<T>, walk: Walk): AsyncGenerator<Page<T>, void, undefined> {
  for (let page = first; ; page = await walk.next(page)) {
    walk.possiblyTruncated ||= page.possiblyTruncated;
    yield page;
    if (page.nextCursor === null) return;
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

  /**
   * True once a walk over this result met a page that may be truncated (a bare list exactly
   * `limit` long, with no cursor); read it after `for await`.
   */
  get possiblyTruncated(): boolean {
    return this.#possiblyTruncated;
  }
  #possiblyTruncated = false;

  /** Every item of every page (bounded: {@link PaginationBounds}). */
  [Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    return this.#walk();
  }

  async *#walk(bounds?: PaginationBounds): AsyncGenerator<T, void, undefined> {
    const started = Date.now(); // the first page's fetch counts towards maxTime
    const first = await this.#first;
    const walk = new Walk({ ...boundsOf.get(first), ...bounds }, started);
    try {
      yield* walkFrom(first, walk);
    } finally {
      this.#possiblyTruncated ||= walk.possiblyTruncated;
    }
  }

  /**
   * Collects items across pages, stopping after `max` items (required, so a huge history cannot
   * exhaust memory). The walk is bounded in pages and time like any other; `maxPages` / `maxTime`
   * override the list call's bounds for this collection.
   */
  async toArray(options: { max: number } & PaginationBounds): Promise<CollectedItems<T>> {
    const max = options?.max;
    if (!Number.isInteger(max) || max < 1)
      throw errorFactory.validation([
        {
          path: 'max',
          message: `toArray needs the most items to collect, e.g. toArray({ max: 1000 }) (a positive integer; got ${max === undefined ? 'none' : String(max)})`,
        },
      ]);
    checkPaginationBounds(options, 'toArray');
    const out: T[] = [];
    const walk = this.#walk({
      ...(options.maxPages === undefined ? {} : { maxPages: options.maxPages }),
      ...(options.maxTime === undefined ? {} : { maxTime: options.maxTime }),
    });
    for await (const item of walk) {
      out.push(item);
      if (out.length >= max) break;
    }
    // Not enumerable: the result still compares, spreads and serializes as a plain array.
    return Object.defineProperty(out, 'possiblyTruncated', {
      value: this.#possiblyTruncated,
    }) as CollectedItems<T>;
  }
}
