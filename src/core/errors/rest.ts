/**
 * The REST client's errors. "The server answered" ({@link APIError}) and "we don't know whether it
 * arrived" ({@link APIConnectionError}) are different classes on purpose: only the second may have
 * placed an order.
 */
import { redactValue } from '../redact';
import { parseRetryAfter } from '../retry-after';
import { ConnectTradeError } from './base';

/** The server answered with a non-2xx status. */
export class APIError extends ConnectTradeError {
  override name = 'APIError';
  /** HTTP status. */
  readonly status: number;
  /** The parsed JSON body, or the raw text when the body was not JSON. */
  readonly body: unknown;
  /** Response headers (lower-cased, secrets redacted). */
  readonly headers: Record<string, string>;
  /** The `x-request-id` response header, for support. */
  readonly requestId: string | undefined;
  /** The body's machine-readable `code`, when the API gave one. */
  readonly code: string | undefined;
  constructor(status: number, message: string, body: unknown, headers: Record<string, string>) {
    super(message);
    this.status = status;
    this.body = redactValue(body);
    this.headers = headers;
    this.requestId = headers['x-request-id'];
    // From the redacted copy: a server may echo a secret as the code.
    this.code = isRecord(this.body) && typeof this.body.code === 'string' ? this.body.code : undefined;
  }
}
/** 400: malformed body, missing required fields, or an invalid value. */
export class BadRequestError extends APIError {
  override name = 'BadRequestError';
}
/** Why a 401 was answered, as far as its message and code tell ({@link AuthenticationError.reason}). */
export type AuthenticationReason = 'credentials' | 'entitlement' | 'unknown';

/**
 * 401: invalid credentials, missing headers, or insufficient entitlements. The API answers 401 for
 * both (the reference lists no 403), so a 401 on one operation does not prove the credentials are
 * bad: check {@link AuthenticationError.reason} before treating it as such.
 */
export class AuthenticationError extends APIError {
  override name = 'AuthenticationError';
  /**
   * `entitlement`: the credentials were accepted but do not allow this operation (or this broker,
   * market data, plan...); `credentials`: the credentials or headers were rejected; `unknown`: the
   * message and code do not say.
   */
  readonly reason: AuthenticationReason;
  constructor(status: number, message: string, body: unknown, headers: Record<string, string>) {
    super(status, message, body, headers);
    this.reason = authenticationReason(this.code, isRecord(body) ? body.message : undefined);
  }
}

// Words of the API's 401 texts. Entitlement is checked first: "not entitled with these credentials"
// is about entitlement, even though it mentions credentials.
const ENTITLEMENT_WORDS =
  /entitle|permi|not (allowed|enabled)|insufficient|subscri|plan\b|scope|forbid|access to|authori[sz]ed (to|for)/i;
const CREDENTIAL_WORDS =
  /credential|secret|client.?id|user.?id|api.?key|header|token|expired|authenticat|signature/i;

/** Infers a 401's reason from its body `code` and `message` (`unknown` when neither says). */
export function authenticationReason(code: unknown, message: unknown): AuthenticationReason {
  for (const text of [code, message]) {
    if (typeof text !== 'string' || text === '') continue;
    if (ENTITLEMENT_WORDS.test(text)) return 'entitlement';
    if (CREDENTIAL_WORDS.test(text)) return 'credentials';
  }
  return 'unknown';
}
/** 403: authenticated but not allowed. */
export class PermissionDeniedError extends APIError {
  override name = 'PermissionDeniedError';
}
/** 404: the user, connection, account or order does not exist. */
export class NotFoundError extends APIError {
  override name = 'NotFoundError';
}
/** 409: the identifier already exists (duplicate user_id or cl_order_id). */
export class ConflictError extends APIError {
  override name = 'ConflictError';
}
/** 422: the server understood the request but refused its content. */
export class UnprocessableEntityError extends APIError {
  override name = 'UnprocessableEntityError';
}
/** 429: rate limited; `retryAfterMs` comes from `retry-after` when present. */
export class RateLimitError extends APIError {
  override name = 'RateLimitError';
  /** Milliseconds the server asked to wait (`retry-after`), when it said. */
  get retryAfterMs(): number | undefined {
    return parseRetryAfter(this.headers['retry-after']);
  }
}
/** 5xx: the server failed. For an order, whether it was placed is unknown. */
export class InternalServerError extends APIError {
  override name = 'InternalServerError';
}

/** No response arrived (DNS, refused, reset...): the request may or may not have reached the server. */
export class APIConnectionError extends ConnectTradeError {
  override name = 'APIConnectionError';
  /** `host:port` the request was for (never credentials), when known. */
  readonly host: string | undefined;
  /** The network error's code (`ECONNREFUSED`, `ENOTFOUND`, `ECONNRESET`, `UND_ERR_SOCKET`...), when it had one. */
  readonly code: string | undefined;
  constructor(message: string, options: { cause?: unknown; host?: string; code?: string } = {}) {
    super(message, options);
    this.host = options.host;
    this.code = options.code;
  }
}
/** The attempt timed out: the request may or may not have reached the server. */
export class APITimeoutError extends APIConnectionError {
  override name = 'APITimeoutError';
}
/**
 * `POST /orders` failed ambiguously on every attempt and reconciliation could not find the order:
 * it may or may not exist. Look it up by `clOrderId` (the stream or `orders.list`) before placing it again.
 */
export class OrderOutcomeUnknownError extends APIConnectionError {
  override name = 'OrderOutcomeUnknownError';
  /** The client order id every attempt carried. */
  declare readonly clOrderId: string;
  /** The account the order was for. */
  readonly accountId: string;
  constructor(message: string, clOrderId: string, accountId: string, cause: unknown) {
    super(message, { cause });
    this.clOrderId = clOrderId;
    this.accountId = accountId;
  }
}
/** The server answered with a redirect; the SDK refuses them so the secret headers never reach another host. */
export class RedirectRefusedError extends ConnectTradeError {
  override name = 'RedirectRefusedError';
}
/** The caller aborted the request through its AbortSignal. */
export class APIUserAbortError extends ConnectTradeError {
  override name = 'APIUserAbortError';
}
/** Pagination cannot continue safely (for example the server repeated a cursor). */
export class PaginationError extends ConnectTradeError {
  override name = 'PaginationError';
}
/** The server sent a response the SDK cannot read (not JSON, the wrong shape, too deep...). */
export class MalformedResponseError extends ConnectTradeError {
  override name = 'MalformedResponseError';
}
/**
 * A response body exceeded `maxResponseBytes`; reading stopped there and the connection was
 * dropped. The request did reach the server: for an order, it may exist.
 */
export class ResponseTooLargeError extends MalformedResponseError {
  override name = 'ResponseTooLargeError';
  /** The limit that was exceeded, in bytes. */
  readonly maxResponseBytes: number;
  constructor(maxResponseBytes: number) {
    super(`The response body is larger than maxResponseBytes (${maxResponseBytes} bytes); reading stopped`);
    this.maxResponseBytes = maxResponseBytes;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
