/**
 * The bridge between resources and the wire. openapi-fetch is the typed call layer: its types
 * check each path with its parameters and body, and its serializers build the URL. Its request
 * pipeline (`coreFetch`: WHATWG `Headers` and `Request`, middleware, `Response` parsing) is not
 * used: on a small JSON call it cost more than the rest of the SDK (bench/README.md), and WHATWG
 * `Headers` alone loads Node's bundled undici on the first request. Instead one function
 * ({@link RestCore.exchange}) adds the operation's credentials, runs the retry loop over the
 * transport, keeps the raw response, and turns it into a shape-checked value or one of the SDK's
 * typed errors. The verb helpers (`get`, `post`, `patch`, `delete`) make each resource method one line.
 */
import {
  type Client,
  type ClientPathsWithMethod,
  createFinalURL,
  createQuerySerializer,
  defaultPathSerializer,
  type MaybeOptionalInit,
} from 'openapi-fetch';
import type { paths } from '../../generated/schema';
import { APIPromise } from './api-promise';
import { authHeaders, type Credentials, scopeOf } from './auth';
import { ConnectTradeError, restErrorFactory as errorFactory, parseRetryAfter } from './errors';
import { checkNumbers, type RequestOptions, type ResolvedOptions } from './options';
import type { RateLimiter } from './rate-limit';
import { type RetryMode, sendWithRetries } from './retry';
import { SecretScope } from './secret-scope';
import { defaultTransport, type Transport, type WireResponse } from './transport';

/** What every REST client built from one `ConnectTrade` shares: options and transport. */
export interface RestContext {
  readonly options: ResolvedOptions;
  /** The transport: the value once resolved (no extra await per call), a promise the first time. */
  readonly transport: () => Transport | Promise<Transport>;
  /** The platform client's secrets (its client secret, the secrets of users it created: a bounded list). */
  readonly secrets: SecretScope;
  /** Headers of every request: the user-agent and `defaultHeaders` (lower-cased). */
  readonly headers: Readonly<Record<string, string>>;
  /** The client-side limiter, only when `rateLimit` or `maxConcurrency` is set (loaded then, lazily). */
  readonly limiter: (() => RateLimiter | Promise<RateLimiter>) | undefined;
}

/**
 * Builds the shared context for a set of resolved options. `shared` (for `withOptions`): a parent's
 * transport and limiter to reuse, so deriving a client neither opens new connections nor doubles
 * the platform's rate limits and concurrency cap.
 */
export function createContext(
  options: ResolvedOptions,
  shared?: Partial<Pick<RestContext, 'transport' | 'limiter'>>,
): RestContext {
  const headers: Record<string, string> = options.userAgent ? { 'user-agent': options.userAgent } : {};
  // Credentials come from the client only: a default cannot add one to an operation that does not send it.
  for (const [name, value] of Object.entries(options.defaultHeaders ?? {}))
    if (!/^(client|user)-(id|secret)$/i.test(name)) headers[name.toLowerCase()] = value;
  return {
    options,
    transport: shared?.transport ?? defaultTransport(options),
    secrets: new SecretScope(undefined, [options.clientSecret], 16),
    headers,
    limiter:
      shared && 'limiter' in shared
        ? shared.limiter
        : options.rateLimit || options.maxConcurrency
          ? loadLimiter(options)
          : undefined,
  };
}

/** Starts loading the limiter module (a separate chunk: clients without limits never fetch it). */
function loadLimiter(options: ResolvedOptions): () => RateLimiter | Promise<RateLimiter> {
  let limiter: RateLimiter | undefined;
  const loading = import('./rate-limit').then(
    (m) =>
      (limiter = new m.RateLimiter(
        { factory: errorFactory, parseRetryAfter },
        options.rateLimit,
        options.maxConcurrency,
      )),
  );
  // A failed load surfaces on the first request, not as an unhandled rejection here.
  loading.catch(() => {});
  return () => limiter ?? loading;
}

// PROTOCOL.md: `symbols` travels comma-separated (`symbols=AAPL,MSFT`), not repeated.
const querySerializer = createQuerySerializer({ array: { style: 'form', explode: false } });

/**
 * Checks a 2xx body and gives it its type (`what` names the operation in the error), e.g.
 * `expectArray`; the raw response is there for what travels in headers (a cursor).
 */
export type Shape<T> = (what: string, data: unknown, response: WireResponse) => T;

/** A finished call: the checked value and the raw response it was read from. */
export interface Exchange<T> {
  readonly data: T;
  /** Status, lower-cased headers and the body text as received (after retries). */
  readonly response: WireResponse;
}

type Verb = 'GET' | 'POST' | 'PATCH' | 'DELETE';
type PathOf<M extends 'get' | 'post' | 'patch' | 'delete'> = ClientPathsWithMethod<Client<paths>, M>;
/** openapi-fetch's typed init (`params`, `body`) for one operation. */
type InitOf<P extends keyof paths, M extends 'get' | 'post' | 'patch' | 'delete'> = NonNullable<
  MaybeOptionalInit<paths[P], M>
>;

/** One set of credentials over a shared context: a few fields, so `forUser` per request stays cheap. */
export class RestCore {
  /** Secrets this client obtained (tokens, created users' secrets); errors of its calls are scrubbed with them. */
  readonly secrets: SecretScope;
  readonly #credentials: Credentials;

  constructor(
    readonly context: RestContext,
    credentials: Credentials,
    secrets?: SecretScope,
  ) {
    this.#credentials = credentials;
    this.secrets = secrets ?? context.secrets;
  }

  /** Redacted: the context holds the client secret. */
  toJSON(): Record<string, unknown> {
    return { baseUrl: this.context.options.baseUrl };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `RestCore ${JSON.stringify(this.toJSON())}`;
  }

  /** GET `path`: retried on connection errors and retryable statuses. */
  get<P extends PathOf<'get'>, T>(
    path: P,
    init: InitOf<P, 'get'> | undefined,
    options: RequestOptions | undefined,
    shape: Shape<T>,
  ): APIPromise<T> {
    return APIPromise.from(() => this.exchange('GET', path, init, options, shape));
  }

  /** POST `path`: only retried when the failure proves nothing reached the server. */
  post<P extends PathOf<'post'>, T>(
    path: P,
    init: InitOf<P, 'post'>,
    options: RequestOptions | undefined,
    shape: Shape<T>,
  ): APIPromise<T> {
    return APIPromise.from(() => this.exchange('POST', path, init, options, shape));
  }

  /** PATCH `path` (replacing an order is safe to repeat: same body, same result). */
  patch<P extends PathOf<'patch'>, T>(
    path: P,
    init: InitOf<P, 'patch'>,
    options: RequestOptions | undefined,
    shape: Shape<T>,
  ): APIPromise<T> {
    return APIPromise.from(() => this.exchange('PATCH', path, init, options, shape));
  }

  /** DELETE `path`. */
  delete<P extends PathOf<'delete'>, T>(
    path: P,
    init: InitOf<P, 'delete'>,
    options: RequestOptions | undefined,
    shape: Shape<T>,
  ): APIPromise<T> {
    return APIPromise.from(() => this.exchange('DELETE', path, init, options, shape));
  }

  /**
   * The one path every call takes, with the raw response in hand (for `.withResponse()`-style
   * accessors): credentials of the operation's scope, openapi-fetch to build the request and
   * parse a 2xx body, the retry loop and transport below it, then the typed error or the
   * shape-checked value. `retry` defaults from the method: a POST is only retried when the
   * failure proves it was never sent.
   */
  async exchange<T>(
    method: Verb,
    path: string,
    init: object | undefined,
    options: RequestOptions = {},
    shape: Shape<T>,
    retry: RetryMode = method === 'POST' ? 'unsent-only' : 'idempotent',
  ): Promise<Exchange<T>> {
    const { options: defaults } = this.context;
    checkNumbers(options.timeout, options.maxRetries, options.maxResponseBytes);
    const what = `${method} ${path}`;
    // Both throw a ConfigurationError before any I/O (unknown operation, missing credentials).
    const pending = authHeaders(this.#credentials, scopeOf(method, path));
    const auth = pending instanceof Promise ? await pending : pending;
    const { params = {}, body } = (init ?? {}) as {
      params?: { path?: Record<string, unknown>; query?: Record<string, unknown> };
      body?: unknown;
    };
    let url: string;
    try {
      url = createFinalURL(path, {
        baseUrl: defaults.baseUrl,
        // defaultQuery first: a parameter the call sets wins.
        params: defaults.defaultQuery
          ? { ...params, query: { ...defaults.defaultQuery, ...params.query } }
          : params,
        querySerializer,
        pathSerializer: defaultPathSerializer,
      });
    } catch (error) {
      throw errorFactory.configuration(`Could not build the request: ${(error as Error)?.message ?? error}`);
    }
    const bodyText = body === undefined ? undefined : JSON.stringify(body);
    // This call's secrets: what it sends, plus what its client holds. Nothing process-wide grows.
    const secrets = this.secrets.child([auth['client-secret'], auth['user-secret']]);
    try {
      const resolved = this.context.transport();
      let transport = typeof resolved === 'function' ? resolved : await resolved;
      if (this.context.limiter) {
        const pending = this.context.limiter();
        const limiter = pending instanceof Promise ? await pending : pending;
        transport = limiter.forCall(transport, this.#credentials.user?.userId, method, path, params, body);
      }
      const response = await sendWithRetries(
        transport,
        {
          url,
          method,
          headers: wireHeaders(this.context.headers, options.headers, auth, bodyText !== undefined),
          body: bodyText,
        },
        {
          timeout: options.timeout ?? defaults.timeout,
          maxRetries: options.maxRetries ?? defaults.maxRetries,
          maxResponseBytes: options.maxResponseBytes ?? defaults.maxResponseBytes,
          retry,
          signal: options.signal,
          logger: defaults.logger,
          secrets,
        },
      );
      const { status, text } = response;
      if (status < 200 || status >= 300)
        // Scrubbed as text and as JSON (values and keys, whatever escapes the server used) first.
        throw errorFactory.fromResponse(
          status,
          secrets.redactBody(text),
          secrets.redactHeaders(response.headers),
        );
      let data: unknown;
      if (status !== 204 && text !== '') {
        try {
          data = JSON.parse(text);
        } catch (error) {
          throw errorFactory.malformedResponse(`${what}: the response body is not JSON`, error);
        }
      }
      return { data: checked(shape, what, data, response), response };
    } catch (error) {
      throw secrets.scrubError(error);
    }
  }
}

/** The headers of one request: the client's (user-agent, defaults), the caller's (lower-cased), then the credentials, which always win. */
function wireHeaders(
  base: Readonly<Record<string, string>>,
  extra: Record<string, string> | undefined,
  auth: Record<string, string>,
  hasBody: boolean,
): Record<string, string> {
  const headers: Record<string, string> = hasBody
    ? { ...base, 'content-type': 'application/json' }
    : { ...base };
  if (extra) for (const [name, value] of Object.entries(extra)) headers[name.toLowerCase()] = String(value);
  return Object.assign(headers, auth);
}

/** Runs a shape check; anything it throws that is not already typed becomes a MalformedResponseError. */
function checked<T>(shape: Shape<T>, what: string, data: unknown, response: WireResponse): T {
  try {
    return shape(what, data, response);
  } catch (error) {
    if (error instanceof ConnectTradeError) throw error;
    throw errorFactory.malformedResponse(`${what}: the response body cannot be read`, error);
  }
}
