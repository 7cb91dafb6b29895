/**
 * Redaction scoped to the owner of the secrets: a REST call is scrubbed with the secrets it sent
 * (its credential headers) and those its client obtained (tokens, created users' secrets), chained
 * to the platform client's scope; a stream with its own credentials (a client secret, market-data
 * tokens). Nothing here is global: another client's secret never touches these messages, and the
 * cost of scrubbing an error does not grow with the number of users a process has served.
 */
import { depthOf } from './json-depth';
import { MIN_SECRET_LENGTH, REDACTED, redactHeaders, walk } from './redact';

const usable = (value: unknown): value is string => typeof value === 'string' && value !== '';

/**
 * A bounded set of secrets, chained to a parent (a user's scope → its platform client's scope). The
 * values live in private fields, which neither `util.inspect` nor `JSON.stringify` show.
 */
export class SecretScope {
  readonly #values: string[];
  readonly #parent: SecretScope | undefined;
  readonly #limit: number;

  /** `limit`: how many values `add` keeps (the most recent ones). */
  constructor(parent?: SecretScope, values: readonly (string | undefined)[] = [], limit = 8) {
    this.#parent = parent;
    this.#limit = limit;
    this.#values = values.filter(usable);
  }

  /** Adds a secret (tokens this client obtained); past the limit the oldest is dropped. */
  add(value: string | undefined): void {
    if (!usable(value) || this.#values.includes(value)) return;
    this.#values.push(value);
    if (this.#values.length > this.#limit) this.#values.shift();
  }

  /** A short-lived child holding the secrets one request sent. */
  child(values: readonly (string | undefined)[]): SecretScope {
    return new SecretScope(this, values, values.length);
  }

  /**
   * Replaces every secret of this scope and its parents inside a text. A secret shorter than
   * `MIN_SECRET_LENGTH` only replaces a text that is exactly that secret (a field, a code, a header).
   */
  redact(text: string): string {
    let out = text;
    for (let scope: SecretScope | undefined = this; scope; scope = scope.#parent)
      for (const secret of scope.#values) {
        if (out === secret) return REDACTED;
        if (secret.length >= MIN_SECRET_LENGTH) out = out.replaceAll(secret, REDACTED);
      }
    return out;
  }

  /** Deep-copies a JSON-like value with secrets redacted in values and keys, and secret-named fields blanked. */
  redactValue<T>(value: T): T {
    return walk(value, (text) => this.redact(text)) as T;
  }

  /**
   * Scrubs an error in place (message, stack, every own field, and its causes) and returns it, so
   * nothing a caller can reach through it (`code`, `body`, `cause.message`...) holds a secret.
   */
  scrubError<E>(error: E): E {
    scrub(error, this, 0);
    return error;
  }
}

/**
 * Copies headers into a plain object, with secret headers replaced by a marker and `scope`'s secrets
 * redacted. A function, not a method, so a stream bundle (which never reads responses) leaves it out.
 */
export function redactHeadersIn(
  scope: SecretScope,
  headers: Headers | Record<string, string> | undefined,
): Record<string, string> {
  return redactHeaders(headers, (text) => scope.redact(text));
}

/**
 * A response body with every secret of `scope` removed; JSON stays JSON (keys are scrubbed too,
 * whatever escapes were used). A function, not a method: see {@link redactHeadersIn}.
 */
export function redactBodyIn(scope: SecretScope, text: string): string {
  try {
    const parsed: unknown = JSON.parse(text);
    // Too deep to walk: kept as text (the error keeps such a body as text anyway).
    if (depthOf(parsed, 64) <= 64) return JSON.stringify(scope.redactValue(parsed));
  } catch {
    // Not JSON (an HTML error page, nothing): scrubbed as text.
  }
  return scope.redact(text);
}

function scrub(error: unknown, scope: SecretScope, depth: number): void {
  if (!(error instanceof Error) || depth > 4) return;
  const e = error as unknown as Record<string, unknown>;
  try {
    for (const key of ['message', 'stack', ...Object.keys(e)])
      if (key !== 'cause') e[key] = scope.redactValue(e[key]);
    if (e.cause instanceof Error) scrub(e.cause, scope, depth + 1);
    else if (e.cause !== undefined) e.cause = scope.redactValue(e.cause);
  } catch {
    // A frozen or exotic error from a user's fetch: leave what cannot be written.
  }
}
