/** What the console shows of request and response bodies: secrets replaced, size bounded. */

const SECRET_KEY = /secret|password|^token$|access_token|refresh_token|api[-_]?key/i;
/** Bodies larger than this (as JSON) are cut to a preview. */
const MAX_BODY_CHARS = 16_000;

/** A deep copy of `value` with the values of secret-looking keys replaced by `[redacted]`. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 20) return '[too deep]';
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value as Record<string, unknown>))
      out[key] = SECRET_KEY.test(key) && v !== null && v !== undefined ? '[redacted]' : redact(v, depth + 1);
    return out;
  }
  return value;
}

/** `redact`, then cut to a preview string when the JSON is too large to show. */
export function forDisplay(value: unknown): unknown {
  const clean = redact(value);
  if (clean === undefined) return undefined;
  const text = JSON.stringify(clean);
  return text !== undefined && text.length > MAX_BODY_CHARS
    ? `${text.slice(0, MAX_BODY_CHARS)}… (${text.length} characters)`
    : clean;
}
