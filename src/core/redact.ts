/**
 * What redaction knows without knowing any secret: the marker, the names whose values are secrets
 * whatever they hold, and the shortest value that is scrubbed inside longer text. The secrets
 * themselves live only in the `SecretScope` of the client or stream that owns them
 * (secret-scope.ts): there is no process-wide list, so one client's secret never rewrites another
 * client's messages, and a process serving a million users scans no million secrets per error.
 */
/** What a secret is replaced with. */
export const REDACTED = '[REDACTED]';

/**
 * Shorter values are not searched for inside text (a secret `nope` would turn `ord_nope` into
 * `ord_[REDACTED]`); a field holding exactly such a value is still redacted.
 */
export const MIN_SECRET_LENGTH = 8;

// Names whose values are secrets whatever they hold (headers and body fields; `_` counts as `-`).
const SECRET_NAME = /^(client-secret|user-secret|authorization|cookie|set-cookie|token|access-token)$/i;

/** Deep-copies a JSON-like value with every secret-named field redacted (no secret values are known here). */
export function redactValue<T>(value: T): T {
  return walk(value, (text) => text) as T;
}

/**
 * Deep-copies a JSON-like value through `redactText`, keys included; secret-named fields are
 * blanked. Past 64 levels (a hostile body nested thousands deep) a value becomes a marker.
 */
export function walk(value: unknown, redactText: (text: string) => string, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 63) return REDACTED;
  if (Array.isArray(value)) return value.map((v) => walk(v, redactText, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value))
    out[redactText(key)] = isSecretName(key) ? REDACTED : walk(v, redactText, depth + 1);
  return out;
}

/** Copies headers into a plain object (lower-case names) through `redactText`; secret headers become a marker. */
export function redactHeaders(
  headers: Headers | Record<string, string> | undefined,
  redactText: (text: string) => string = (text) => text,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of headers instanceof Headers ? headers : Object.entries(headers ?? {}))
    out[redactText(key.toLowerCase())] = isSecretName(key) ? REDACTED : redactText(value);
  return out;
}

/** True for header/field names whose values are secrets whatever they hold. */
export function isSecretName(key: string): boolean {
  return SECRET_NAME.test(key.replace(/_/g, '-'));
}
