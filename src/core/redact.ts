/**
 * Secret redaction. A REST call is scrubbed with the secrets it used (`SecretScope`, in
 * secret-scope.ts), so a process serving a million users never scans a million secrets per error.
 * Long-lived secrets that are not tied to one request (a platform client's secret, a stream's
 * credentials) sit in the small ambient registry here, which the error constructors and the log
 * writer consult. Its size is bounded by the live owners (a few clients and streams, not users):
 * an entry goes away with the object that owns it (`WeakRef`), and a value is one entry however
 * often it is registered.
 */
/** What a secret is replaced with. */
export const REDACTED = '[REDACTED]';
// Names whose values are secrets whatever they hold (headers and body fields; `_` counts as `-`).
const SECRET_NAME = /^(client-secret|user-secret|authorization|cookie|set-cookie|token|access-token)$/i;

// Secret → a WeakRef to the object whose lifetime bounds it.
// A dead owner's entry is dropped on the next scan: no FinalizationRegistry needed.
const ambient = new Map<string, WeakRef<object>>();

/**
 * Marks a long-lived value as secret for every error and log line while `owner` lives.
 * Per-request and per-user secrets belong in a `SecretScope` instead.
 */
export function registerSecret(value: string | undefined, owner: object): void {
  // Shorter strings collide with ordinary text.
  if (typeof value === 'string' && value.length > 3) ambient.set(value, new WeakRef(owner));
}

/** How many ambient secrets are registered, dead owners' entries dropped first (tests, the tenants bench). */
export function ambientSecretCount(): number {
  redact('');
  return ambient.size;
}

/** Replaces every ambient secret inside a text (errors built outside a request: streams, configuration). */
export function redact(text: string): string {
  let out = text;
  for (const [secret, owner] of ambient)
    if (owner.deref()) out = out.replaceAll(secret, REDACTED);
    else ambient.delete(secret);
  return out;
}

/**
 * Deep-copies a JSON-like value with every ambient secret (values and keys) and every secret-named
 * field redacted. Unbounded depth: REST bodies reach it already cut to 64 levels by `SecretScope`.
 */
export function redactValue<T>(value: T): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map(redactValue) as T;
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value))
    out[redact(key)] = isSecretName(key) ? REDACTED : redactValue(v);
  return out as T;
}

/** Copies headers into a plain object (lower-case names) through `redactText`; secret headers become a marker. */
export function redactHeaders(
  headers: Headers | Record<string, string> | undefined,
  redactText: (text: string) => string = redact,
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
