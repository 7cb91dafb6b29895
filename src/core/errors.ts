/**
 * The SDK's one error hierarchy. Every error is built by the factory functions at the bottom of
 * this file ({@link errorFactory}), so status mapping, redaction and `name` live in one place.
 *
 * "The server answered" ({@link APIError}) and "we don't know whether it arrived"
 * ({@link APIConnectionError}) are different classes on purpose: only the second may have placed an order.
 */
import { redact, redactHeaders, redactValue } from './redact';

const inspectSymbol = Symbol.for('nodejs.util.inspect.custom');

/** Root of every error thrown by connect-trade. */
export class ConnectTradeError extends Error {
  override name = 'ConnectTradeError';
  /** Set on every error of `orders.create` once the order had its `cl_order_id`: the id to look it up by. */
  declare clOrderId?: string;
  constructor(message: string, options?: { cause?: unknown }) {
    super(redact(message), options?.cause === undefined ? undefined : { cause: options.cause });
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
    return redact(
      `${this.stack ?? message}${Object.keys(fields).length ? ` ${inspect(fields, options)}` : ''}${cause ? `\n  [cause]: ${cause.message ?? cause}` : ''}`,
    );
  }
}

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

/** Base of every streaming error. `code` is the protocol's error code, `closeCode` the socket's. */
export class StreamError extends ConnectTradeError {
  override name = 'StreamError';
  readonly code: string | undefined;
  readonly closeCode: number | undefined;
  readonly requestId: string | undefined;
  constructor(
    message: string,
    details: { code?: string; closeCode?: number; requestId?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: details.cause });
    // From the server's frame, which may echo a credential (request ids are the SDK's own).
    this.code = details.code && redact(details.code);
    this.closeCode = details.closeCode;
    this.requestId = details.requestId;
  }
}
/** Credentials or token rejected (`unauthorized`, close 4001): reconnecting with them is pointless. */
export class StreamAuthenticationError extends StreamError {
  override name = 'StreamAuthenticationError';
}
/** Another session took over this credential pair (close 4002): the SDK does not reconnect. */
export class StreamSessionReplacedError extends StreamError {
  override name = 'StreamSessionReplacedError';
}
/** The server answered a request with an `error` message. */
export class StreamRequestError extends StreamError {
  override name = 'StreamRequestError';
}
/** A request, connect or authentication got no answer in time. */
export class StreamTimeoutError extends StreamError {
  override name = 'StreamTimeoutError';
}
/** The stream is closed, or closed while the request was waiting. */
export class StreamClosedError extends StreamError {
  override name = 'StreamClosedError';
}
/** A frame could not be decoded or broke the protocol; `frame` holds the raw text, truncated. */
export class StreamProtocolError extends StreamError {
  override name = 'StreamProtocolError';
  readonly frame: string;
  constructor(message: string, frame: string, details: { cause?: unknown } = {}) {
    super(message, details);
    this.frame = truncate(redact(frame), 512);
  }
}
/** `waitFor` / `submitAndWait` gave up: the order did not reach the awaited state in time. */
export class WaitTimeoutError extends ConnectTradeError {
  override name = 'WaitTimeoutError';
  /** The order id or cl_order_id that was awaited. */
  readonly orderRef: string;
  /** The last version of the order seen, if any. */
  readonly lastSeen: unknown;
  constructor(message: string, orderRef: string, lastSeen: unknown) {
    super(message);
    this.orderRef = orderRef;
    this.lastSeen = lastSeen;
  }
}
/** A wait for `filled` ended because the order reached another final status (cancelled, rejected...). */
export class OrderNotFilledError extends ConnectTradeError {
  override name = 'OrderNotFilledError';
  /** The order in its final state. */
  readonly order: unknown;
  constructor(message: string, order: unknown) {
    super(message);
    this.order = order;
  }
}
/** The live store was closed (by `live.close()` or because its stream stopped for good). */
export class LiveClosedError extends ConnectTradeError {
  override name = 'LiveClosedError';
}
/**
 * The Redis relay (`connect-trade/relay`) could not do its work: Redis unreachable or answering
 * something unexpected, a malformed relay entry, or the optional `redis` package missing. `code`
 * says which (`redis_unavailable`, `malformed_entry`, `redis_missing`, `lease_lost`; `write_refused`:
 * a primary refused a write during a failover or Cluster slot migration, `not_replicated`: a write
 * was not confirmed by `WAIT` in time; both are kept and sent again, never dropped silently).
 */
export class RelayError extends StreamError {
  override name = 'RelayError';
}
/** A user's event listener threw; the stream carried on. */
export class ListenerError extends StreamError {
  override name = 'ListenerError';
}

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
  streamClosed(closeCode: number, reason: string, code?: string): StreamError {
    const message = `Stream closed (${closeCode}${reason ? ` ${reason}` : ''})`;
    const details = code === undefined ? { closeCode } : { closeCode, code };
    if (code === 'unauthorized') return new StreamAuthenticationError(message, details);
    if (code === 'session_replaced') return new StreamSessionReplacedError(message, details);
    return new StreamClosedError(message, details);
  },
  /** The error for a server `error` message, typed by its code. */
  streamServerError(code: string, message: string, requestId?: string): StreamError {
    const details = { code, ...(requestId === undefined ? {} : { requestId }) };
    if (code === 'unauthorized' || code === 'token_expired')
      return new StreamAuthenticationError(message, details);
    if (code === 'session_replaced') return new StreamSessionReplacedError(message, details);
    return new StreamRequestError(message, details);
  },
  streamTimeout(what: string, ms: number): StreamTimeoutError {
    return new StreamTimeoutError(`${what} timed out after ${ms} ms`);
  },
  streamClosedWhile(what: string, cause?: unknown): StreamClosedError {
    return new StreamClosedError(`Stream closed while ${what}`, cause === undefined ? {} : { cause });
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

/**
 * The factory methods of the live store and the relay: apart from {@link streamErrorFactory} so a
 * page that only streams does not load these classes. Both reach them through {@link errorFactory}.
 */
export const liveErrorFactory = {
  waitTimeout(orderRef: string, ms: number, lastSeen: unknown): WaitTimeoutError {
    return new WaitTimeoutError(
      `Order ${orderRef} did not reach the awaited state within ${ms} ms`,
      orderRef,
      lastSeen,
    );
  },
  orderNotFilled(order: { order_id: string; status: string }): OrderNotFilledError {
    return new OrderNotFilledError(`Order ${order.order_id} ended ${order.status} without filling`, order);
  },
  liveClosed(what: string): LiveClosedError {
    return new LiveClosedError(`The live store is closed (${what})`);
  },
  /** A relay failure (see {@link RelayError} for the codes). */
  relay(
    code:
      | 'redis_unavailable'
      | 'malformed_entry'
      | 'redis_missing'
      | 'lease_lost'
      | 'write_refused'
      | 'not_replicated',
    message: string,
    cause?: unknown,
  ): RelayError {
    return new RelayError(message, { code, cause });
  },
};

/** The factory methods of the REST client (client-side errors, API responses, transport failures). */
export const restErrorFactory = {
  validation,
  configuration,
  /** The right APIError subclass for a status, whatever the body (JSON, HTML, empty). */
  fromResponse(status: number, rawBody: string, headers: Headers | Record<string, string>): APIError {
    const body = parseBody(rawBody);
    const serverMessage = isRecord(body) && typeof body.message === 'string' ? body.message : undefined;
    const message = serverMessage ?? (`${status} ${summarize(rawBody)}`.trim() || `HTTP ${status}`);
    const Class = STATUS_CLASSES[status] ?? (status >= 500 ? InternalServerError : APIError);
    return new Class(status, message, body, redactHeaders(headers));
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

/** Milliseconds from a `retry-after` header (seconds or an HTTP date). */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

// Deeper error bodies are kept as (truncated) text: walking them would overflow the stack.
const MAX_BODY_DEPTH = 64;

function parseBody(raw: string): unknown {
  if (!raw) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return truncate(raw, 65_536);
  }
  return depthOf(parsed, MAX_BODY_DEPTH) > MAX_BODY_DEPTH ? truncate(raw, 65_536) : parsed;
}

/** The nesting depth of a JSON value, counted iteratively and stopping past `limit`. */
export function depthOf(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (depth > deepest) deepest = depth;
    if (deepest > limit) return deepest;
    if (v !== null && typeof v === 'object')
      for (const child of Object.values(v))
        if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return deepest;
}

/** `host[:port]` of a URL, without user info; undefined when it does not parse. */
function hostOf(url: string): string | undefined {
  const match = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?([^/?#]+)/i.exec(url);
  return match?.[1];
}

/** The first network `code` along an error's cause chain (Node's and undici's errors carry one), else the deepest message. */
function networkDetail(error: unknown): { code?: string; message?: string } {
  let message: string | undefined;
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, message: text } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(code)) return { code };
    if (typeof text === 'string' && text) message = truncate(text, 120);
  }
  return message === undefined ? {} : { message };
}

function summarize(raw: string): string {
  // An HTML error page (a proxy's 502) says little; keep its <title> or a short prefix.
  const title = /<title>([^<]*)<\/title>/i.exec(raw)?.[1];
  return truncate((title ?? raw).replace(/\s+/g, ' ').trim(), 200);
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
