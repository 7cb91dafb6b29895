/**
 * PROTOCOL.md's close-code table, in one place: what the connection does when a socket closes
 * with a code (or the server sends the `error` frame that announces that close), and the protocol
 * code that types the error raised (`unauthorized` → StreamAuthenticationError, `session_replaced`
 * → StreamSessionReplacedError, anything else → StreamClosedError).
 */
import { streamErrorFactory as errorFactory, type StreamError } from '../../core/errors';

/**
 * - `retry`: reconnect with the usual back-off;
 * - `stop`: close the stream for good (reconnecting would only repeat the failure);
 * - `new_token`: forget the current credentials, then reconnect;
 * - `long_backoff`: reconnect after the back-off plus `reconnect.rateLimitedDelay`.
 */
export type CloseAction = 'retry' | 'stop' | 'new_token' | 'long_backoff';

/** One row of the table. */
export interface CloseRule {
  action: CloseAction;
  /** The protocol code (also the server `error` frame code that announces this close). */
  code?: string;
  /** Surface the close as an `error` event even though the stream reconnects. */
  report?: boolean;
}

/** Close code → rule. Codes not listed (1001, 1006, 1011, 1012...) retry. */
export const CLOSE_CODES: Readonly<Record<number, CloseRule>> = {
  4001: { action: 'stop', code: 'unauthorized' },
  4002: { action: 'stop', code: 'session_replaced' },
  4003: { action: 'new_token', code: 'token_expired' },
  4008: { action: 'retry', code: 'auth_timeout' },
  4029: { action: 'long_backoff', code: 'rate_limited' },
  // The peer sent something the protocol does not allow (e.g. a binary frame).
  1003: { action: 'retry', code: 'unsupported_data', report: true },
  // `ws` closes with 1009 itself when a frame exceeds its size limit: the frame was lost.
  1009: { action: 'retry', code: 'message_too_big', report: true },
};

const RETRY: CloseRule = { action: 'retry' };

/** The rule for a close code. */
export function closeRule(closeCode: number): CloseRule {
  return CLOSE_CODES[closeCode] ?? RETRY;
}

/** The close code, and its rule, that a server `error` frame code announces (4001 for `unauthorized`...). */
export function errorCodeRule(code: string): { closeCode: number; rule: CloseRule } | undefined {
  for (const [closeCode, rule] of Object.entries(CLOSE_CODES))
    if (rule.code === code) return { closeCode: Number(closeCode), rule };
  return undefined;
}

/** The typed error for a close. */
export function closeError(closeCode: number, reason: string, cause?: unknown): StreamError {
  return errorFactory.streamClosed(closeCode, reason, closeRule(closeCode).code, cause);
}
