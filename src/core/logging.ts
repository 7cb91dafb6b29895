/**
 * Log output. Every line goes through the redactor, so a secret that slipped into a URL, an error
 * message or a server's echo never reaches the user's log sink.
 */
import type { Logger } from './options';
import { redact, redactValue } from './redact';

/** Log severity. */
export type LogLevel = keyof Logger;

/** Writes one redacted line to the logger, if there is one; a throwing logger never breaks a request. */
export function log(
  logger: Logger | undefined,
  level: LogLevel,
  message: string,
  fields: Record<string, unknown>,
): void {
  if (!logger) return;
  try {
    logger[level](redact(message), redactValue(fields));
  } catch {
    // Logging is best effort: a broken sink must not turn a successful order into a failure.
  }
}
