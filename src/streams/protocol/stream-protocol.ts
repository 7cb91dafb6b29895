/**
 * The protocol object a connection is given: how to authenticate, how to read a frame, which
 * frame is an error (and its shape) and which is the authentication, and the close-code table.
 * Each stream builds one from its `protocol/*.ts` module; the connection knows no action names.
 */

import type { StreamError } from '../../core/errors';
import type { StreamErrorMessage } from '../messages';
import { type CloseRule, closeError, closeRule, errorCodeRule } from './close-codes';

/** The wire side of a stream. */
export interface StreamProtocol<M> {
  /** The authenticate frame; asked before every socket is opened (credentials may rotate). */
  authFrame(): Promise<string>;
  /** Decodes (and checks) a frame; throws StreamProtocolError when it is malformed. */
  decode(text: string): M;
  /** The frame as a server `error`, when it is one. */
  errorOf(message: M): StreamErrorMessage | undefined;
  /** Whether the frame says the credentials were accepted. */
  isAuthenticated(message: M): boolean;
  /** What a close code means (the close-code table). */
  closeRule(closeCode: number): CloseRule;
  /** The close code and rule a server error code announces (`unauthorized` → 4001...). */
  errorCodeRule(code: string): { closeCode: number; rule: CloseRule } | undefined;
  /** The typed error of a close (`cause`: the socket's own error, e.g. ECONNREFUSED, when it gave one). */
  closeError(closeCode: number, reason: string, cause?: unknown): StreamError;
}

/**
 * The parts both streams share: `error` and `authenticated` frames, and PROTOCOL.md's close codes.
 * `wire`'s functions are called without `this`.
 */
export function streamProtocol<M extends { action: string }>(
  wire: Pick<StreamProtocol<M>, 'authFrame' | 'decode'>,
): StreamProtocol<M> {
  return {
    ...wire,
    errorOf: (message) =>
      message.action === 'error' ? (message as unknown as StreamErrorMessage) : undefined,
    isAuthenticated: (message) => message.action === 'authenticated',
    closeRule,
    errorCodeRule,
    closeError,
  };
}
