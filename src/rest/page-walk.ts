/**
 * The bounded walk over pages: a repeated cursor, `maxPages` or `maxTime` ends it with a
 * PaginationError. Loaded on the first walk (core/pagination.ts); it imports types only, the error
 * coming from the caller's factory, so its chunk shares no module with the up-front bundle.
 */
import type { PaginationError } from '../core/errors';
import type { Page, PaginationBounds } from './pagination';

/** The bounds used when neither the client nor the call sets them. */
export const DEFAULT_PAGINATION_BOUNDS = { maxPages: 1_000, maxTime: 120_000 } as const;

/**
 * Pages from `first` on, within the bounds: a repeated cursor, `maxPages` or `maxTime` (counted
 * from `started`, a page still in flight included) ends the walk with a PaginationError.
 */
export async function* walkPages<T>(
  first: Page<T>,
  bounds: PaginationBounds | undefined,
  started: number,
  paginationError: (message: string) => PaginationError,
): AsyncGenerator<Page<T>, void, undefined> {
  const maxPages = bounds?.maxPages ?? DEFAULT_PAGINATION_BOUNDS.maxPages;
  const maxTime = bounds?.maxTime ?? DEFAULT_PAGINATION_BOUNDS.maxTime;
  const cursors = new Set<string>();
  const stop = (pages: number, why: string) =>
    paginationError(`Pagination stopped after ${pages} pages: ${why}`);
  const timeUp = (pages: number) =>
    stop(pages, `pagination.maxTime (${maxTime} ms) reached; narrow the filters or raise it`);
  for (let page = first, pages = 1; ; pages++) {
    yield page;
    const cursor = page.nextCursor;
    if (cursor === null) return;
    if (cursors.has(cursor)) throw stop(pages, `the server repeated the cursor "${cursor}"`);
    if (pages >= maxPages)
      throw stop(pages, `pagination.maxPages (${maxPages}) reached; narrow the filters or raise it`);
    const left = started + maxTime - Date.now();
    if (left <= 0) throw timeUp(pages);
    cursors.add(cursor);
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      page = await Promise.race([
        page.getNextPage(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(timeUp(pages)), left);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }
}
