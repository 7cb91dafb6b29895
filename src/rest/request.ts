/**
 * The bridge between resources and the wire. openapi-fetch is the typed call layer: its types
 * check each path with its parameters and body (url.ts builds the URL as its serializers would,
 * each query pair encoded once per distinct value). Its request pipeline (`coreFetch`: WHATWG `Headers` and `Request`, middleware, `Response` parsing) is not
 * used: on a small JSON call it cost more than the rest of the SDK (bench/README.md), and WHATWG
 * `Headers` alone loads Node's bundled undici on the first request. Instead one function
 * ({@link RestCore.exchange}) adds the operation's credentials, runs the retry loop over the
 * transport, keeps the raw response, and turns it into a shape-checked value or one of the SDK's
 * typed errors. The verb helpers (`get`, `post`, `patch`, `delete`) make each resource method one line.
 */
import type { Client, ClientPathsWithMethod, MaybeOptionalInit } from 'openapi-fetch';
import type { OperationScope } from '../../generated/operations';
import type { paths } from '../../generated/schema';
import { ConnectTradeError, restErrorFactory as errorFactory } from '../core/errors';
import { redactBodyIn, redactHeadersIn, SecretScope } from '../core/secret-scope';
import { loadTracing, type Tracing } from '../core/telemetry';
import { APIPromise } from './api-promise';
import { authHeaders, type Credentials, scopeOf } from './auth';
import type { CallResult } from './call-result';
import { loadDeferred } from './deferred/load';
import { errorFromResponse } from './error-response';
import { OnFirstUse } from './on-first-use';
import { checkNumbers, type RequestOptions, type ResolvedOptions } from './options';
import type { RateLimiter } from './rate-limit';
import { type AttemptGate, type RetryMode, sendWithRetries } from './retry';
import { defaultTransport, type RateLimitTenant, type Transport, type WireResponse } from './transport';
import { requestUrl } from './url';

/** What every REST client built from one `ConnectTrade` shares: options and transport. */
export interface RestContext {
  readonly options: ResolvedOptions;
  /** The transport (in Node, loaded on the first call). */
  readonly transport: OnFirstUse<Transport>;
  /** The platform client's secrets (its client secret, the secrets of users it created: a bounded list). */
  readonly secrets: SecretScope;
  /** Headers of every request: the user-agent and `defaultHeaders` (lower-cased). */
  readonly headers: Readonly<Record<string, string>>;
  /** The client-side limiter, only when `rateLimit` or `maxConcurrency` is set (loaded then, lazily). */
  readonly limiter: OnFirstUse<RateLimiter> | undefined;
  /** OpenTelemetry, only when the `telemetry` option is set (loaded on first use; undefined without `@opentelemetry/api`). */
  readonly tracing: OnFirstUse<Tracing | undefined> | undefined;
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
  const { telemetry } = options;
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
    tracing: telemetry ? new OnFirstUse(() => loadTracing(telemetry, options.logger)) : undefined,
  };
}

/** The limiter, loaded with the deferred part of the client (clients without limits never load it). */
function loadLimiter(options: ResolvedOptions): OnFirstUse<RateLimiter> {
  const limiter = new OnFirstUse(() =>
    loadDeferred().then((m) => new m.RateLimiter(options.rateLimit, options.maxConcurrency, options.clock)),
  );
  // Starts now; a failed load surfaces on the first request, not as an unhandled rejection here.
  limiter.ready().catch(() => {});
  return limiter;
}

/**
 * Checks a 2xx body and gives it its type (`what` names the operation in the error), e.g.
 * `expectArray`; the raw response is there for what travels in headers (a cursor).
 */
export type Shape<T> = (what: string, data: unknown, response: WireResponse) => T;

type Verb = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** What a resource asks of {@link RestCore.exchange}: openapi-fetch's init (params, body), per-call options, the shape check. */
export interface ExchangeRequest<T> {
  readonly init?: object | undefined;
  readonly options?: RequestOptions | undefined;
  readonly shape: Shape<T>;
}

/** One call on its way to the wire: what {@link RestCore.exchange} built from its arguments. */
interface Call<T> {
  readonly method: Verb;
  readonly path: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
  readonly options: RequestOptions;
  readonly shape: Shape<T>;
  readonly retry: RetryMode;
}
type Params = { path?: Record<string, unknown>; query?: Record<string, unknown> };
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
  // The frozen wire headers per scope and body presence (see #headers), built on first use.
  readonly #wireHeaders: (Readonly<Record<string, string>> | undefined)[] = [];

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
    return new APIPromise(this.exchange('GET', path, { init, options, shape }));
  }

  /** POST `path`: only retried when the failure proves nothing reached the server. */
  post<P extends PathOf<'post'>, T>(
    path: P,
    init: InitOf<P, 'post'>,
    options: RequestOptions | undefined,
    shape: Shape<T>,
  ): APIPromise<T> {
    return new APIPromise(this.exchange('POST', path, { init, options, shape }));
  }

  /** PATCH `path` (replacing an order is safe to repeat: same body, same result). */
  patch<P extends PathOf<'patch'>, T>(
    path: P,
    init: InitOf<P, 'patch'>,
    options: RequestOptions | undefined,
    shape: Shape<T>,
  ): APIPromise<T> {
    return new APIPromise(this.exchange('PATCH', path, { init, options, shape }));
  }

  /** DELETE `path`. */
  delete<P extends PathOf<'delete'>, T>(
    path: P,
    init: InitOf<P, 'delete'>,
    options: RequestOptions | undefined,
    shape: Shape<T>,
  ): APIPromise<T> {
    return new APIPromise(this.exchange('DELETE', path, { init, options, shape }));
  }

  /**
   * The one path every call takes, with the raw response in hand (for `.withResponse()`-style
   * accessors): credentials of the operation's scope, the URL (url.ts),
   * the retry loop and transport below it, then the typed error or the shape-checked value.
   * How to retry comes from the method: a POST is only retried when the failure proves it was never
   * sent. Never throws: a bad option or missing credentials reject before any I/O.
   *
   * This is on every call's path, so a 2xx costs no async frame and few objects: the wire headers
   * of a client are built once per scope (read-only: the transport may keep a form of its own), and
   * the call's secret scope is only built for an error or a log line (bench/README.md).
   */
  exchange<T>(method: Verb, path: string, request: ExchangeRequest<T>): Promise<CallResult<T>> {
    const { init, options = {}, shape } = request;
    const retry: RetryMode = method === 'POST' ? 'unsent-only' : 'idempotent';
    try {
      checkNumbers(options.timeout, options.maxRetries, options.maxResponseBytes);
      const { params = {}, body } = (init ?? {}) as {
        params?: Params;
        body?: unknown;
      };
      // Throws a ConfigurationError before any I/O (unknown operation, missing credentials).
      const scope = scopeOf(method, path);
      const headers = this.#secretProvided(scope)
        ? this.context.headers // replaced once the provider answered (#sendWhenLoaded)
        : this.#headers(scope, options.headers, body !== undefined);
      const { baseUrl, defaultQuery } = this.context.options;
      let url: string;
      try {
        // defaultQuery first: a parameter the call sets wins.
        url = requestUrl(
          baseUrl,
          path,
          defaultQuery ? { ...params, query: { ...defaultQuery, ...params.query } } : params,
        );
      } catch (error) {
        throw errorFactory.configuration(
          `Could not build the request: ${(error as Error)?.message ?? error}`,
        );
      }
      const bodyText = body === undefined ? undefined : JSON.stringify(body);
      const call: Call<T> = { method, path, url, headers, body: bodyText, options, shape, retry };
      const { transport, limiter, tracing } = this.context;
      // Everything loaded (every call after the first), no telemetry, no secret provider: sent from here.
      if (transport.value && !tracing && (!limiter || limiter.value) && !this.#secretProvided(scope))
        return this.#send(call, transport.value, limiter?.value, this.#tenantOf(call, params, body));
      return this.#sendWhenLoaded(call, scope, params, body);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * {@link exchange} before the transport, the limiter or telemetry is loaded, or with a user
   * secret from a provider: waits for them, then sends.
   */
  async #sendWhenLoaded<T>(
    call: Call<T>,
    scope: OperationScope,
    params: Params,
    body: unknown,
  ): Promise<CallResult<T>> {
    const { transport, limiter, tracing } = this.context;
    const [ready, limits, traces, headers] = await Promise.all([
      transport.ready(),
      limiter?.ready(),
      tracing?.ready(),
      this.#secretProvided(scope)
        ? this.#providedHeaders(scope, call.options.headers, call.body !== undefined)
        : call.headers,
    ]);
    // Telemetry inside the gate: an attempt's span starts once the limiter let it go (it times the
    // request, not its queueing).
    const traced = traces ? traces.attempts(ready, call.method, call.path) : ready;
    const withHeaders = { ...call, headers };
    return this.#send(withHeaders, traced, limits, this.#tenantOf(withHeaders, params, body));
  }

  /** Who the limiter charges a call to: its user and, for a trading call, its account. */
  #tenantOf(call: Call<unknown>, params: Params, body: unknown): RateLimitTenant | undefined {
    const accountId = params.path?.account_id ?? (body as { account_id?: unknown } | undefined)?.account_id;
    return this.context.limiter?.value?.tenantOf(
      this.#credentials.user?.userId,
      call.method,
      call.path,
      accountId,
    );
  }

  /** Sends with retries, then turns the response into the typed error of its status or the shape-checked value. */
  #send<T>(
    call: Call<T>,
    transport: Transport,
    gate: AttemptGate | undefined,
    tenant: RateLimitTenant | undefined,
  ): Promise<CallResult<T>> {
    const { method, path, url, headers, body, options, shape, retry } = call;
    const defaults = this.context.options;
    // This call's secrets: what it sent, plus what its client holds. Nothing process-wide grows.
    // Built only for an error or a log line.
    const scope = () => this.secrets.child([headers['client-secret'], headers['user-secret']]);
    return sendWithRetries(
      transport,
      {
        url,
        method,
        headers,
        body,
        timeout: options.timeout ?? defaults.timeout,
        maxResponseBytes: options.maxResponseBytes ?? defaults.maxResponseBytes,
        signal: options.signal,
        tenant,
      },
      {
        maxRetries: options.maxRetries ?? defaults.maxRetries,
        retry,
        logger: defaults.logger,
        secrets: scope,
        gate,
        clock: defaults.clock,
        random: defaults.random,
      },
    ).then(
      (response) => {
        const { status, text } = response;
        const what = `${method} ${path}`;
        let data: unknown;
        try {
          if (status < 200 || status >= 300) {
            // Scrubbed as text and as JSON (values and keys, whatever escapes the server used) first.
            const secrets = scope();
            throw errorFromResponse(
              status,
              redactBodyIn(secrets, text),
              redactHeadersIn(secrets, response.headers),
            );
          }
          if (status !== 204 && text !== '') {
            try {
              data = JSON.parse(text);
            } catch (error) {
              throw errorFactory.malformedResponse(`${what}: the response body is not JSON`, error);
            }
          }
          return { data: shape(what, data, response), response };
        } catch (error) {
          // Anything the shape check throws that is not already typed is a MalformedResponseError.
          throw scope().scrubError(
            error instanceof ConnectTradeError
              ? error
              : errorFactory.malformedResponse(`${what}: the response body cannot be read`, error),
          );
        }
      },
      (error: unknown) => {
        throw scope().scrubError(error);
      },
    );
  }

  /** True when this call's user secret comes from a provider function (resolved per call). */
  #secretProvided(scope: OperationScope): boolean {
    return scope === 'user' && typeof this.#credentials.user?.userSecret === 'function';
  }

  /**
   * The headers of one request: the client's (user-agent, defaults), the caller's (lower-cased),
   * then the credentials, which always win. Without per-call headers, the same frozen object serves
   * every call of a scope.
   */
  #headers(
    scope: OperationScope,
    extra: Record<string, string> | undefined,
    hasBody: boolean,
    auth?: Record<string, string>,
  ): Record<string, string> {
    const slot = (scope === 'platform' ? 0 : 2) + (hasBody ? 1 : 0);
    const cached = extra || auth ? undefined : this.#wireHeaders[slot];
    if (cached) return cached;
    const headers: Record<string, string> = hasBody
      ? { ...this.context.headers, 'content-type': 'application/json' }
      : { ...this.context.headers };
    if (extra) for (const [name, value] of Object.entries(extra)) headers[name.toLowerCase()] = String(value);
    Object.assign(headers, auth ?? (authHeaders(this.#credentials, scope) as Record<string, string>));
    if (!extra && !auth) this.#wireHeaders[slot] = headers;
    return headers;
  }

  /** {@link #headers} with the user secret a provider gives (asked on every call: rotated secrets need no new client). */
  async #providedHeaders(
    scope: OperationScope,
    extra: Record<string, string> | undefined,
    hasBody: boolean,
  ): Promise<Record<string, string>> {
    return this.#headers(scope, extra, hasBody, await authHeaders(this.#credentials, scope));
  }
}
