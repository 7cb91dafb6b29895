/**
 * The root of the SDK's one error hierarchy, and the client-side errors every part shares (nothing
 * was sent). Each subsystem's errors live beside this file (rest.ts, stream.ts, live.ts, relay.ts);
 * every error is built by the one factory (factory.ts), so status mapping, redaction and `name`
 * live in one place.
 */
import { redactValue } from '../redact';

const inspectSymbol = Symbol.for('nodejs.util.inspect.custom');

/** Root of every error thrown by connect-trade. */
export class ConnectTradeError extends Error {
  override name = 'ConnectTradeError';
  /** Set on every error of `orders.create` once the order had its `cl_order_id`: the id to look it up by. */
  declare clOrderId?: string;
  constructor(message: string, options?: { cause?: unknown }) {
    // Secret values are scrubbed by their owner's scope (secret-scope.ts) before an error leaves it.
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
  }

  /** A redacted, JSON-safe view (used by JSON.stringify and util.inspect). */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { name: this.name, message: this.message };
    for (const [key, value] of Object.entries(this)) if (key !== 'cause') out[key] = redactValue(value);
    return out;
  }

  /**
   * What `util.inspect` (and so `console.log`) shows: like a built-in error (the stack, then the
   * extra fields in braces, then the cause's message), every part redacted.
   */
  [inspectSymbol](
    _depth: number,
    options: object,
    inspect: (value: unknown, options: object) => string,
  ): string {
    const { name: _name, message, ...fields } = this.toJSON();
    const cause = (this as { cause?: { message?: unknown } }).cause;
    // V8 writes the stack's first line (name: message) when `stack` is first read, so it is current.
    return `${this.stack ?? message}${Object.keys(fields).length ? ` ${inspect(fields, options)}` : ''}${cause ? `\n  [cause]: ${cause.message ?? cause}` : ''}`;
  }
}

/** One problem found by client-side validation. */
export interface ValidationIssue {
  /** Dotted path of the offending field, e.g. `legs.2.ratio_qty` (empty for the whole value). */
  path: string;
  message: string;
}
/** Client-side validation failed; nothing was sent. `issues` lists every problem found. */
export class ValidationError extends ConnectTradeError {
  override name = 'ValidationError';
  readonly issues: readonly ValidationIssue[];
  constructor(issues: readonly ValidationIssue[]) {
    super(
      `Invalid request: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`,
    );
    this.issues = issues;
  }
}
/** A required credential or option is missing or malformed; nothing was sent. */
export class ConfigurationError extends ConnectTradeError {
  override name = 'ConfigurationError';
}

/** `text` cut to `max` characters, an ellipsis marking the cut. */
export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
