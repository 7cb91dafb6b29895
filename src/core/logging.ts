/**
 * Log output. Every line goes through the redactor, so a secret that slipped into a URL, an error
 * message or a server's echo never reaches the user's log sink.
 */
import { redactValue } from './redact';
import type { SecretScope } from './secret-scope';

/**
 * Where the SDK writes what it does (REST attempts, stream lifecycle, sandbox requests): each
 * method receives a message and structured, redacted fields, never a secret. Every method is
 * optional, so `console` or any subset of pino/winston's methods will do.
 */
export interface Logger {
  /** Detail: one line per REST attempt, socket-level events. */
  debug?(message: string, fields?: Record<string, unknown>): void;
  /** Informational messages (lifecycle). */
  info?(message: string, fields?: Record<string, unknown>): void;
  /** Retries and other recoverable trouble; errors nobody listened to; listeners that threw. */
  warn?(message: string, fields?: Record<string, unknown>): void;
  /** Failures. */
  error?(message: string, fields?: Record<string, unknown>): void;
}

/** Log severity. */
export type LogLevel = keyof Logger;

/** Writes one redacted line to the logger, if there is one; a throwing logger never breaks a request. */
export function log(
  logger: Logger | ScrubbedLogger | undefined,
  level: LogLevel,
  message: string,
  fields: Record<string, unknown>,
): void {
  if (!logger) return;
  try {
    // A request's lines are scrubbed with that request's secrets; other lines carry none, but their
    // secret-named fields are blanked all the same.
    if ('scrubWith' in logger)
      logger.logger[level]?.(logger.scrubWith.redact(message), logger.scrubWith.redactValue(fields));
    else logger[level]?.(message, redactValue(fields));
  } catch {
    // Logging is best effort: a broken sink must not turn a successful order into a failure.
  }
}

/** A logger for one request's lines: {@link log} scrubs them with that request's secrets. */
export interface ScrubbedLogger {
  readonly logger: Logger;
  readonly scrubWith: SecretScope;
}

/** A warning sink writing to `logger` through {@link log} (redacted, best effort); undefined without a logger. */
export function warnTo(
  logger: Logger | undefined,
): ((message: string, fields: Record<string, unknown>) => void) | undefined {
  return logger && ((message, fields) => log(logger, 'warn', message, fields));
}
