/**
 * Cursor pagination. A {@link Page} knows its items and how to fetch its neighbours; a
 * {@link PagePromise} is awaited for the first page or iterated with `for await` for every item of
 * every page. An empty page that still has a cursor is followed (PROTOCOL.md allows it), so a
 * server that loops could keep an automatic walk going forever: every walk (iteration, `toArray`,
 * the order lookups, the live snapshot) is bounded in pages and in total time
 * ({@link PaginationBounds}), and a repeated cursor stops it early. Hitting a bound is a PaginationError.
 */
import { restErrorFactory as errorFactory } from './errors';
import { lazyModule } from './lazy';

const pageWalk = lazyModule(() => import('./page-walk'));

/** Bounds of one automatic walk over pages. */
export interface PaginationBounds {
  /** Most pages one walk fetches, the first included (default 1 000). */
  maxPages?: number | undefined;
  /** Most milliseconds one walk may take, page fetches included (default 120 000). */
  maxTime?: number | undefined;
}

/** `over`'s bounds where it sets them, else `base`'s (an explicit `undefined` does not erase a bound). */
export function mergeBounds(
  base: PaginationBounds | undefined,
  over: PaginationBounds | undefined,
): PaginationBounds {
  return { maxPages: over?.maxPages ?? base?.maxPages, maxTime: over?.maxTime ?? base?.maxTime };
}

/** Throws a ConfigurationError for a bound that is not a positive integer (pages) or number (ms). */
export function checkPaginationBounds(bounds: PaginationBounds | undefined, where = 'pagination'): void {
  for (const key of ['maxPages', 'maxTime'] as const) {
    const value = bounds?.[key];
    if (
      value !== undefined &&
      !(value > 0 && Number.isFinite(value) && (key === 'maxTime' || Number.isInteger(value)))
    )
      throw errorFactory.configuration(
        `${where}.${key} must be a positive ${key === 'maxTime' ? 'number of ms' : 'integer'}, got ${value}`,
      );
  }
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

/**
 * Pages from `first` on, within the bounds (core/page-walk.ts, loaded on the first walk: a caller
 * that reads one page never loads it).
 */
async function* pagesFrom<T>(
  first: Page<T>,
  bounds: PaginationBounds | undefined,
  started = Date.now(),
): AsyncGenerator<Page<T>, void, undefined> {
  const loaded = pageWalk();
  const { walkPages } = loaded instanceof Promise ? await loaded : loaded;
  yield* walkPages(first, bounds, started, errorFactory.pagination);
}

/** Which cursor to send: none for the first page. */
export type Cursor = { next_cursor: string } | { prev_cursor: string } | undefined;

/** Fetches one page for a cursor. */
export type PageFetcher<T> = (cursor: Cursor) => Promise<Page<T>>;

// Reads a page's bounds (assigned by Page's static block).
let boundsOf: (page: Page<unknown>) => PaginationBounds | undefined;

/** One page of results with its cursors. */
export class Page<T> {
  // The bounds this page's walks use, kept off the public shape. A private field, not a WeakMap:
  // one WeakMap entry per page cost ~4 µs of CPU per call in bench:rest (GC of ephemerons).
  #bounds: PaginationBounds | undefined;
  static {
    boundsOf = (page) => page.#bounds;
  }
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
    this.#bounds = info.bounds;
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
  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for await (const page of this.iterPages()) yield* page.data;
  }

  /** This page, then every following page (bounded like item iteration: {@link PaginationBounds}). */
  iterPages(): AsyncGenerator<Page<T>, void, undefined> {
    return pagesFrom(this, boundsOf(this));
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
    for await (const page of pagesFrom(first, mergeBounds(boundsOf(first), bounds), started)) {
      this.#possiblyTruncated ||= page.possiblyTruncated;
      yield* page.data;
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
          message: `pass the most items to collect, a positive integer: toArray({ max: 1000 })`,
        },
      ]);
    checkPaginationBounds(options, 'toArray');
    const out: T[] = [];
    for await (const item of this.#walk(options)) {
      out.push(item);
      if (out.length >= max) break;
    }
    // Not enumerable: the result still compares, spreads and serializes as a plain array.
    return Object.defineProperty(out, 'possiblyTruncated', {
      value: this.#possiblyTruncated,
    }) as CollectedItems<T>;
  }
}
