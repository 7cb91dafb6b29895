/** The `retry-after` header: read by the backoff (a server's wish wins) and by `RateLimitError.retryAfterMs`. */

/** Milliseconds from a `retry-after` header (seconds or an HTTP date). */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
