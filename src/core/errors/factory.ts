/**
 * The one place errors are built: {@link restErrorFactory}, {@link streamErrorFactory} and
 * {@link liveErrorFactory} (live-factory.ts), joined in {@link errorFactory}. Reading a failed
 * response (its body and headers) is the REST wing's job (rest/error-response.ts); this file only
 * builds the errors.
 */
import { redactHeaders } from '../redact';
import {
  ConfigurationError,
  type ConnectTradeError,
  truncate,
  ValidationError,
  type ValidationIssue,
} from './base';
import { liveErrorFactory } from './live-factory';
import { hostOf, networkDetail } from './network-detail';
import {
  APIConnectionError,
  APIError,
  APITimeoutError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  InternalServerError,
  MalformedResponseError,
  NotFoundError,
  OrderOutcomeUnknownError,
  PaginationError,
  PermissionDeniedError,
  RateLimitError,
  RedirectRefusedError,
  ResponseTooLargeError,
  UnprocessableEntityError,
} from './rest';
import {
  ListenerError,
  StreamAuthenticationError,
  StreamClosedError,
  StreamError,
  StreamProtocolError,
  StreamRequestError,
  StreamSessionReplacedError,
  StreamTimeoutError,
} from './stream';

/** A StreamError's details; an undefined field reads as an absent one (see its constructor). */
type StreamErrorDetails = NonNullable<ConstructorParameters<typeof StreamError>[1]>;

const STATUS_CLASSES: Record<number, typeof APIError> = {
  400: BadRequestError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  409: ConflictError,
  422: UnprocessableEntityError,
  429: RateLimitError,
};

/** Client-side validation failed; nothing was sent. */
function validation(issues: readonly ValidationIssue[]): ValidationError {
  return new ValidationError(issues);
}
/** A required credential or option is missing or malformed; nothing was sent. */
function configuration(message: string): ConfigurationError {
  return new ConfigurationError(message);
}

/**
 * The factory methods of the streams (client-side errors and every stream error). The REST and
 * stream factories are separate objects so a bundle of one part leaves the other's error classes
 * out; {@link errorFactory} has all of their methods.
 */
export const streamErrorFactory = {
  validation,
  configuration,
  /**
   * The stream error for a close; `code` is the protocol code the close-code table
   * (`streams/protocol/close-codes.ts`) gives it, and picks the class like a server `error` does.
   */
  streamClosed(closeCode: number, reason: string, code?: string, cause?: unknown): StreamError {
    const said = cause instanceof Error && cause.message ? `: ${truncate(cause.message, 200)}` : '';
    const message = `Stream closed (${closeCode}${reason ? ` ${reason}` : ''})${said}`;
    const details = { closeCode, code, cause } as StreamErrorDetails;
    if (code === 'unauthorized') return new StreamAuthenticationError(message, details);
    if (code === 'session_replaced') return new StreamSessionReplacedError(message, details);
    return new StreamClosedError(message, details);
  },
  /** The error for a server `error` message, typed by its code. */
  streamServerError(code: string, message: string, requestId?: string): StreamError {
    const details = { code, requestId } as StreamErrorDetails;
    if (code === 'unauthorized' || code === 'token_expired')
      return new StreamAuthenticationError(message, details);
    if (code === 'session_replaced') return new StreamSessionReplacedError(message, details);
    return new StreamRequestError(message, details);
  },
  /** A deadline passed; `cause` is the last failure seen meanwhile (why it could not finish), when there was one. */
  streamTimeout(what: string, ms: number, cause?: unknown): StreamTimeoutError {
    return new StreamTimeoutError(`${what} timed out after ${ms} ms`, { cause });
  },
  /**
   * The stream's credentials could not be obtained and asking again would not help (a 400, 401,
   * 403 or 404 from the token fetch, a provider that threw or returned a malformed value): `cause`
   * is that failure, and its message is part of this one.
   */
  streamCredentials(cause: unknown): StreamAuthenticationError {
    const why = cause instanceof Error ? `(${cause.name}) ${cause.message}` : String(cause);
    return new StreamAuthenticationError(`Stream credentials unavailable: ${truncate(why, 300)}`, {
      code: 'credentials_unavailable',
      cause,
    });
  },
  streamClosedWhile(what: string, cause?: unknown): StreamClosedError {
    return new StreamClosedError(`Stream closed while ${what}`, { cause });
  },
  /** Reconnecting stopped after `attempts` tries; `cause` is the last close. */
  streamGaveUp(attempts: number, cause: unknown): StreamClosedError {
    return new StreamClosedError(`Stream closed while reconnecting: gave up after ${attempts} attempts`, {
      cause,
    });
  },
  streamProtocol(message: string, frame: string, cause?: unknown): StreamProtocolError {
    return new StreamProtocolError(message, frame, { cause });
  },
  /** An iterator's reader fell `limit` values behind: it ends with this instead of growing without bound. */
  streamBacklogOverflow(limit: number): StreamError {
    return new StreamError(`Iterator backlog exceeded ${limit} values; the reader fell behind (resync)`, {
      code: 'backlog_overflow',
    });
  },
  /** A request did not fit the bounded send queue kept while the stream is disconnected. */
  streamQueueFull(maxBytes: number): StreamError {
    return new StreamError(`Send queue full (${maxBytes} bytes) while disconnected; request refused`, {
      code: 'queue_full',
    });
  },
  listener(event: string, cause: unknown): ListenerError {
    return new ListenerError(`A listener for "${event}" threw`, { cause });
  },
};

/** The factory methods of the REST client (client-side errors, API responses, transport failures). */
export const restErrorFactory = {
  validation,
  configuration,
  /**
   * The right APIError subclass for a status, from a response already read
   * (rest/error-response.ts parses the body and picks the message).
   */
  apiError(response: {
    status: number;
    message: string;
    body: unknown;
    headers: Headers | Record<string, string>;
  }): APIError {
    const { status } = response;
    const Class = STATUS_CLASSES[status] ?? (status >= 500 ? InternalServerError : APIError);
    return new Class(status, response.message, response.body, redactHeaders(response.headers));
  },
  /**
   * No response: the message names the host and the network error's code (`ECONNREFUSED`,
   * `ENOTFOUND`...) so the two failures read differently; never a credential (the URL's user info
   * and path are left out).
   */
  connection(cause: unknown, url?: string): APIConnectionError {
    const host = url === undefined ? undefined : hostOf(url);
    const { code, message: reason } = networkDetail(cause);
    const detail = code ?? reason;
    const message = `Connection error: no response from ${host ?? 'the server'}${detail ? ` (${detail})` : ''}`;
    return new APIConnectionError(message, {
      cause,
      ...(host === undefined ? {} : { host }),
      ...(code === undefined ? {} : { code }),
    });
  },
  responseTooLarge(maxResponseBytes: number): ResponseTooLargeError {
    return new ResponseTooLargeError(maxResponseBytes);
  },
  timeout(ms: number): APITimeoutError {
    return new APITimeoutError(`Request timed out after ${ms} ms`);
  },
  orderOutcomeUnknown(
    clOrderId: string,
    accountId: string,
    cause: unknown,
    why = "every attempt failed ambiguously and today's orders do not list it",
  ): OrderOutcomeUnknownError {
    return new OrderOutcomeUnknownError(
      `Order ${clOrderId} may or may not have been placed: ${why}. Look it up before placing it again`,
      clOrderId,
      accountId,
      cause,
    );
  },
  /** Tags an error of `orders.create` with the order's cl_order_id (a definite rejection, or nothing sent). */
  forOrder<E extends ConnectTradeError>(error: E, clOrderId: string): E {
    error.clOrderId = clOrderId;
    return error;
  },
  redirectRefused(detail: string, cause?: unknown): RedirectRefusedError {
    return new RedirectRefusedError(
      `Redirect refused (${detail}): credentials are only sent to the base URL`,
      {
        cause,
      },
    );
  },
  aborted(cause?: unknown): APIUserAbortError {
    return new APIUserAbortError('Request was aborted', { cause });
  },
  pagination(message: string): PaginationError {
    return new PaginationError(message);
  },
  malformedResponse(message: string, cause?: unknown): MalformedResponseError {
    return new MalformedResponseError(message, { cause });
  },
};

/** The one place errors are built: every method of {@link restErrorFactory}, {@link streamErrorFactory} and {@link liveErrorFactory}. */
export const errorFactory = /* @__PURE__ */ Object.assign(
  {},
  restErrorFactory,
  streamErrorFactory,
  liveErrorFactory,
);

export { liveErrorFactory };
