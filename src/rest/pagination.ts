/**
 * Cursor pagination. A {@link Page} knows its items and how to fetch its neighbours; a
 * {@link PagePromise} is awaited for the first page or iterated with `for await` for every item of
 * every page. An empty page that still has a cursor is followed (PROTOCOL.md allows it), so a
 * server that loops could keep an automatic walk going forever: every walk (iteration, `toArray`,
 * the order lookups, the live snapshot) is bounded in pages and in total time
 * ({@link PaginationBounds}), and a repeated cursor stops it early. Hitting a bound is a PaginationError.
 */

import { type Clock, systemClock } from '../core/clock';
import { restErrorFactory as errorFactory } from '../core/errors';
import { APIPromise } from './api-promise';
import type { CallResult } from './call-result';
import type { WireResponse } from './transport';

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
  /** @internal The response the page was read from. */
  readonly response?: WireResponse | undefined;
  /** @internal The client's clock: `maxTime` of walks from this page runs on it (default the platform's). */
  readonly clock?: Clock | undefined;
}

/** The items `toArray` collected; `possiblyTruncated` is true when a page read may be truncated ({@link PageInfo}). */
export type CollectedItems<T> = T[] & { possiblyTruncated: boolean };

/** The bounds used when neither the client nor the call sets them. */
export const DEFAULT_PAGINATION_BOUNDS = { maxPages: 1_000, maxTime: 120_000 } as const;

/**
 * Pages from `first` on, within the bounds: a repeated cursor, `maxPages` or `maxTime` (counted
 * on the page's clock from `started`, its monotonic time, a page still in flight included) ends
 * the walk with a PaginationError.
 */
async function* pagesFrom<T>(
  first: Page<T>,
  bounds: PaginationBounds | undefined,
  started?: number,
): AsyncGenerator<Page<T>, void, undefined> {
  const clock = clockOf(first);
  const since = started ?? clock.monotonicNow();
  const maxPages = bounds?.maxPages ?? DEFAULT_PAGINATION_BOUNDS.maxPages;
  const maxTime = bounds?.maxTime ?? DEFAULT_PAGINATION_BOUNDS.maxTime;
  const cursors = new Set<string>();
  const stop = (pages: number, why: string) =>
    errorFactory.pagination(`Pagination stopped after ${pages} pages: ${why}`);
  const timeUp = (pages: number) =>
    stop(pages, `pagination.maxTime (${maxTime} ms) reached; narrow the filters or raise it`);
  for (let page = first, pages = 1; ; pages++) {
    yield page;
    const cursor = page.nextCursor;
    if (cursor === null) return;
    if (cursors.has(cursor)) throw stop(pages, `the server repeated the cursor "${cursor}"`);
    if (pages >= maxPages)
      throw stop(pages, `pagination.maxPages (${maxPages}) reached; narrow the filters or raise it`);
    const left = since + maxTime - clock.monotonicNow();
    if (left <= 0) throw timeUp(pages);
    cursors.add(cursor);
    let timer: unknown;
    try {
      page = await Promise.race([
        page.getNextPage(),
        new Promise<never>((_, reject) => {
          timer = clock.setTimeout(() => reject(timeUp(pages)), left);
        }),
      ]);
    } finally {
      clock.clearTimeout(timer);
    }
  }
}

/** Which cursor to send: none for the first page. */
export type Cursor = { next_cursor: string } | { prev_cursor: string } | undefined;

/** Fetches one page for a cursor. */
export type PageFetcher<T> = (cursor: Cursor) => APIPromise<Page<T>>;

// Read a page's bounds and the response it was read from (assigned by Page's static block).
let boundsOf: (page: Page<unknown>) => PaginationBounds | undefined;
let clockOf: (page: Page<unknown>) => Clock;
let responseOf: (page: Page<unknown>) => WireResponse | undefined;

/** @internal The response a page was read from (the order lookup reports it). */
export function pageResponse(page: Page<unknown>): WireResponse | undefined {
  return responseOf(page);
}

/** One page of results with its cursors. */
export class Page<T> {
  // The bounds this page's walks use, kept off the public shape (a private field: bench/README.md, "REST").
  #bounds: PaginationBounds | undefined;
  #response: WireResponse | undefined;
  #clock: Clock;
  static {
    boundsOf = (page) => page.#bounds;
    clockOf = (page) => page.#clock;
    responseOf = (page) => page.#response;
  }
  // The neighbours' fetches, shared by concurrent calls.
  readonly #fetches: { next_cursor?: APIPromise<Page<T>>; prev_cursor?: APIPromise<Page<T>> } = {};

  // biome-ignore lint/complexity/useMaxParams: a public constructor, kept as released (etc/connect-trade-rest.api.md).
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
    this.#response = info.response;
    this.#clock = info.clock ?? systemClock;
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

  /** Fetches the next page (`.withResponse()` gives its raw response too); concurrent calls share one request. */
  getNextPage(): APIPromise<Page<T>> {
    return this.#fetch('next_cursor', this.nextCursor);
  }

  /** Fetches the previous page (`.withResponse()` gives its raw response too); concurrent calls share one request. */
  getPreviousPage(): APIPromise<Page<T>> {
    return this.#fetch('prev_cursor', this.prevCursor);
  }

  #fetch(key: 'next_cursor' | 'prev_cursor', cursor: string | null): APIPromise<Page<T>> {
    if (cursor === null)
      return new APIPromise<Page<T>>(
        Promise.reject(
          errorFactory.pagination(`There is no ${key === 'next_cursor' ? 'next' : 'previous'} page`),
        ),
      );
    const fetches = this.#fetches;
    let call = fetches[key];
    if (!call) {
      call = fetches[key] = this.fetcher({ [key]: cursor } as Cursor);
      // A failed fetch may be retried.
      call.then(undefined, () => {
        if (fetches[key] === call) delete fetches[key];
      });
    }
    return call;
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

/**
 * The result of a paginated call: await it for the first page, or `for await` it for every item.
 * It is an {@link APIPromise}: `.withResponse()` gives the first page with its raw response and
 * request id, `.asResponse()` that response alone; iterating still walks every page (sharing the
 * first page's request). The first request is sent on first use (await, iteration, `withResponse`).
 */
export class PagePromise<T> extends APIPromise<Page<T>> implements AsyncIterable<T> {
  /** @internal Built by `orders.list`, with the client's clock (`maxTime` of walks counts on it). */
  constructor(fetchFirst: () => Promise<CallResult<Page<T>>>, clock: Clock = systemClock) {
    super(fetchFirst);
    this.#clock = clock;
  }
  readonly #clock: Clock;

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
    const started = this.#clock.monotonicNow(); // the first page's fetch counts towards maxTime
    const first = await this;
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
