/**
 * Secret redaction. Every credential the SDK holds (client secret, user secrets, stream tokens) is
 * registered here, and every text that may reach a user (error messages, bodies, log lines) is
 * scrubbed through {@link redact}. A server that echoes a secret back in an error body therefore
 * cannot leak it either.
 */
const REDACTED = '[REDACTED]';
/** Header names whose values are secrets whatever their value. */
const SECRET_HEADERS = new Set(['client-secret', 'user-secret', 'authorization', 'cookie', 'set-cookie']);
// Shorter strings are too likely to collide with ordinary text to be scrubbed blindly.
const MIN_SECRET_LENGTH = 4;
const secrets = new Set<string>();

/** Marks a value as secret: from now on it is scrubbed from every error and log line. */
export function registerSecret(value: string | undefined): void {
  if (typeof value === 'string' && value.length >= MIN_SECRET_LENGTH) secrets.add(value);
}

/** Replaces every registered secret inside a text. */
export function redact(text: string): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  return out;
}

/** Deep-copies a JSON-like value with every registered secret, and every secret-named field, redacted. */
export function redactValue<T>(value: T): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map(redactValue) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, v]) => [key, isSecretName(key) ? REDACTED : redactValue(v)]),
    ) as T;
  }
  return value;
}

/** Copies headers into a plain object, with secret headers replaced by a marker. */
export function redactHeaders(headers: Headers | Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  const entries = headers instanceof Headers ? headers.entries() : Object.entries(headers);
  for (const [key, value] of entries)
    out[key.toLowerCase()] = SECRET_HEADERS.has(key.toLowerCase()) ? REDACTED : redact(value);
  return out;
}

function isSecretName(key: string): boolean {
  const k = key.toLowerCase().replace(/_/g, '-');
  return SECRET_HEADERS.has(k) || k === 'token' || k === 'access-token' || k === 'client-secret';
}
