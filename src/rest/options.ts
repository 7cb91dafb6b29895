/**
 * Client options: what the user passes once to `new ConnectTrade(...)`, what can be overridden on
 * each call, and how the defaults (environment variables, production URL) are resolved.
 */
import type { Dispatcher } from 'undici';
import { type Clock, checkClock, systemClock } from '../core/clock';
import { type AppInfo, isBrowser, userAgent } from '../core/environment';
import { restErrorFactory as errorFactory } from '../core/errors';
import type { Logger } from '../core/logging';
import { defaultRandom } from '../core/random';
import type { TelemetryOption } from '../core/telemetry';
import { checkPaginationBounds, type PaginationBounds } from './pagination';
import type { FetchLike } from './transport';

export type { Logger } from '../core/logging';
export type { FetchLike } from './transport';

/** Production REST base URL (the API's only environment). */
export const DEFAULT_BASE_URL = 'https://api.connecttrade.com';
/** Per-attempt timeout when none is given. */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** Retries after the first attempt when none is given. */
export const DEFAULT_MAX_RETRIES = 2;
/** Largest response body read when none is given (32 MiB); a larger one ends in a ResponseTooLargeError. */
export const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

/** Levels of the built-in logger, from the most verbose; `off` silences it. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'off';
const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'off'];

/** Options of `new ConnectTrade(...)`. */
export interface ClientOptions {
  /** Your API client id; defaults to `CONNECT_TRADE_CLIENT_ID`. */
  clientId?: string | undefined;
  /** Your API client secret; defaults to `CONNECT_TRADE_CLIENT_SECRET`. */
  clientSecret?: string | undefined;
  /** REST base URL; defaults to `CONNECT_TRADE_BASE_URL`, else https://api.connecttrade.com. */
  baseUrl?: string | undefined;
  /** Brokerage stream URL for `ct.stream()`; defaults to `CONNECT_TRADE_STREAM_URL`, else wss://stream.connecttrade.com. */
  streamUrl?: string | undefined;
  /** Market-data stream URL for `u.marketData()`; defaults to `CONNECT_TRADE_MARKET_DATA_URL`, else wss://mdstream.connecttrade.com. */
  marketDataUrl?: string | undefined;
  /** Per-attempt timeout in milliseconds (default 30 000). */
  timeout?: number | undefined;
  /** Retries after the first attempt for retryable failures (default 2). */
  maxRetries?: number | undefined;
  /**
   * Largest response body the SDK reads, in bytes (default 32 MiB). Reading stops there with a
   * `ResponseTooLargeError`, so a broken or hostile server cannot fill the process's memory.
   */
  maxResponseBytes?: number | undefined;
  /** A fetch implementation; by default Node uses a keep-alive `node:http` transport and browsers `globalThis.fetch`. */
  fetch?: FetchLike | undefined;
  /** Receives one line per attempt (method, path, status, attempt, duration, request id); never secrets. */
  logger?: Logger | undefined;
  /**
   * The name `connections.create` gives the connection type on the wire: `'type'` (the default, as
   * in the vendor's reference) or `'connection_type'` (what a production client of the API sends).
   * You always pass `type`; answers are read under either name.
   */
  connectionTypeField?: ConnectionTypeField | undefined;
  /**
   * Reject guessed values instead of warning (default false). Values the vendor's reference lists
   * verbatim (order types, TIFs, statuses, topics, channels) are always checked; the ones we could
   * only guess (sides beyond BUY/SELL, instruments, bar intervals, the `cl_order_id` shape) are sent
   * with a warning through `logger` unless this is true. Also the default of `u.marketData()`.
   */
  strictValidation?: boolean | undefined;
  /** Bounds of every automatic pagination (`for await`, `toArray`, order lookups): default 1 000 pages, 120 000 ms. */
  pagination?: PaginationBounds | undefined;
  /**
   * Lines below this level are dropped; defaults to `CONNECT_TRADE_LOG`. With a level and no
   * `logger`, lines go to the console (redacted like every line). `off` silences everything.
   */
  logLevel?: LogLevel | undefined;
  /** Your application, appended to the `user-agent` the SDK sends (Node). */
  appInfo?: AppInfo | undefined;
  /**
   * OpenTelemetry (Node; needs the optional peer `@opentelemetry/api`): every REST attempt becomes a
   * client span, order placement and its reconciliation parent spans. `true` uses the global tracer
   * provider, `{ tracer }` a tracer of yours. Off by default: nothing is loaded.
   */
  telemetry?: TelemetryOption | undefined;
  /** Headers sent with every request (a call's `headers` override them; credentials always win). */
  defaultHeaders?: Record<string, string> | undefined;
  /** Query parameters added to every request (a parameter the call sets wins). */
  defaultQuery?: Record<string, string> | undefined;
  /**
   * Node: the undici dispatcher every request goes through (a `ProxyAgent`, an `Agent` with your TLS
   * settings, a `MockAgent`...). Without it, `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` are honoured.
   */
  dispatcher?: Dispatcher | undefined;
  /**
   * In a browser, a client holding a `clientSecret` refuses to start: the secret would ship to every
   * visitor. Set this only if the page is private to the secret's owner.
   */
  dangerouslyAllowBrowser?: boolean | undefined;
  /**
   * Client-side token buckets per scope, e.g. `{ perUser: { rps: 5, burst: 10 }, perAccountOrders:
   * { perMinute: 10 } }`. Requests over a limit wait (fairly across users, within their timeout and
   * signal); after a 429 the scope pauses for the server's `Retry-After`. See README "Running at
   * platform scale".
   */
  rateLimit?: RateLimitOptions | undefined;
  /** Most attempts in flight at once across this client and its `forUser` clients; the others wait their turn. */
  maxConcurrency?: number | undefined;
  /**
   * Advanced (deterministic simulation, tests): the clock every wait, deadline, backoff sleep and
   * timestamp of this client reads, its streams and live stores included. Default: the platform's.
   */
  clock?: Clock | undefined;
  /** Advanced: the source of backoff jitter, uniform in [0, 1). Default: `Math.random`. */
  random?: (() => number) | undefined;
  /**
   * Advanced: makes the `cl_order_id` of an order created without one (and the `new_cl_order_id`
   * of a replace). Must return unique ids matching `[A-Za-z0-9_-]{1,64}`. Default: random from `crypto`.
   */
  idGenerator?: (() => string) | undefined;
}

/** One token bucket: `rps` or `perMinute` tokens, up to `burst` (default: one second's worth, at least 1). */
export interface RateLimitRate {
  /** Tokens per second (give this or `perMinute`). */
  rps?: number | undefined;
  /** Tokens per minute (give this or `rps`). */
  perMinute?: number | undefined;
  /** Most tokens saved up for a burst (at least 1). */
  burst?: number | undefined;
}

/** The `rateLimit` option: buckets per scope (each optional) and the bounds of the per-tenant state. */
export interface RateLimitOptions {
  /** Every request of the client (and its `forUser` clients). */
  platform?: RateLimitRate | undefined;
  /** Each user's requests (`forUser`). */
  perUser?: RateLimitRate | undefined;
  /** Each account's trading calls (placing, replacing, cancelling orders). */
  perAccountOrders?: RateLimitRate | undefined;
  /** A tenant's bucket is dropped after this many idle milliseconds (default 60 000). */
  idleTimeout?: number | undefined;
  /** At most this many buckets are kept; past it the least recently used goes (default 10 000). */
  maxTenants?: number | undefined;
}

/** The wire names of the connection type in `POST /connections` (see `ClientOptions.connectionTypeField`). */
export type ConnectionTypeField = 'type' | 'connection_type';

/** Options every method accepts as its last argument; they override the client's for that call. */
export interface RequestOptions {
  /** Per-attempt timeout in milliseconds. */
  timeout?: number | undefined;
  /** Aborts the call, including any retry or backoff wait. */
  signal?: AbortSignal | undefined;
  /** Retries after the first attempt. */
  maxRetries?: number | undefined;
  /** Extra request headers (the authentication headers always win). */
  headers?: Record<string, string> | undefined;
  /** Paginated calls: bounds of the automatic walk over pages (override the client's `pagination`). */
  pagination?: PaginationBounds | undefined;
  /** Largest response body read for this call, in bytes. */
  maxResponseBytes?: number | undefined;
}

/** The client options after defaults were applied (kept for the streams and for `forUser`). */
export interface ResolvedOptions {
  readonly clientId: string | undefined;
  readonly clientSecret: string | undefined;
  readonly baseUrl: string;
  readonly streamUrl: string | undefined;
  readonly marketDataUrl: string | undefined;
  readonly timeout: number;
  readonly maxRetries: number;
  readonly maxResponseBytes: number;
  readonly fetch: FetchLike | undefined;
  readonly logger: Logger | undefined;
  readonly connectionTypeField: ConnectionTypeField;
  readonly strictValidation: boolean;
  readonly pagination: PaginationBounds | undefined;
  /** The `user-agent` header value (undefined in browsers). */
  readonly userAgent: string | undefined;
  readonly defaultHeaders: Readonly<Record<string, string>> | undefined;
  readonly defaultQuery: Readonly<Record<string, string>> | undefined;
  readonly dispatcher: Dispatcher | undefined;
  readonly rateLimit: RateLimitOptions | undefined;
  readonly maxConcurrency: number | undefined;
  readonly telemetry: TelemetryOption | undefined;
  readonly clock: Clock;
  readonly random: () => number;
  readonly idGenerator: (() => string) | undefined;
}

function env(name: string): string | undefined {
  // `process` is absent in browsers; reading it there must not throw.
  const value = typeof process === 'undefined' ? undefined : process.env?.[name];
  return value === '' ? undefined : value;
}

/** Throws a ConfigurationError for a malformed timeout, retry count or body limit. */
export function checkNumbers(
  timeout: number | undefined,
  maxRetries: number | undefined,
  maxResponseBytes?: number | undefined,
): void {
  if (timeout !== undefined && !(Number.isFinite(timeout) && timeout > 0))
    throw errorFactory.configuration(`timeout must be a positive number of milliseconds, got ${timeout}`);
  if (maxRetries !== undefined && !(Number.isInteger(maxRetries) && maxRetries >= 0))
    throw errorFactory.configuration(`maxRetries must be a non-negative integer, got ${maxRetries}`);
  if (maxResponseBytes !== undefined && !(Number.isSafeInteger(maxResponseBytes) && maxResponseBytes > 0))
    throw errorFactory.configuration(
      `maxResponseBytes must be a positive integer number of bytes, got ${maxResponseBytes}`,
    );
}

/** Throws a ConfigurationError for a malformed `rateLimit` or `maxConcurrency` (kept small: it is in every bundle). */
function checkRateLimit(limits: RateLimitOptions | undefined, maxConcurrency: number | undefined): void {
  const positive = (v: unknown) => typeof v === 'number' && v > 0 && v < 1 / 0;
  if (limits !== undefined && !(limits instanceof Object))
    throw errorFactory.configuration('rateLimit must be an object');
  for (const [name, v] of Object.entries({ ...limits, maxConcurrency }) as [string, RateLimitRate & number][])
    if (
      v !== undefined &&
      !(/^(platform|perUser|perAccountOrders)$/.test(name)
        ? (v?.rps === undefined) !== (v?.perMinute === undefined) &&
          positive(v.rps ?? v.perMinute) &&
          (v.burst === undefined || (positive(v.burst) && v.burst >= 1))
        : /^(idleTimeout|maxTenants|maxConcurrency)$/.test(name) &&
          positive(v) &&
          (name !== 'maxConcurrency' || Number.isInteger(v)))
    )
      throw errorFactory.configuration(
        `${name}: expected a positive number, or { rps | perMinute, burst? >= 1 }; got ${JSON.stringify(v)}`,
      );
}

/** Throws a ConfigurationError for a `clock`, `random` or `idGenerator` of the wrong shape. */
function checkSeams({ clock, random, idGenerator }: ClientOptions): void {
  try {
    if (clock !== undefined) checkClock(clock);
  } catch (error) {
    throw errorFactory.configuration((error as Error).message);
  }
  for (const [name, value] of [
    ['random', random],
    ['idGenerator', idGenerator],
  ] as const)
    if (value !== undefined && typeof value !== 'function')
      throw errorFactory.configuration(`${name} must be a function`);
}

/**
 * Applies the environment and built-in defaults. Malformed options throw here; missing credentials
 * throw only when an operation needs them (a platform-only app never needs user secrets).
 */
export function resolveOptions(options: ClientOptions = {}): ResolvedOptions {
  checkNumbers(options.timeout, options.maxRetries, options.maxResponseBytes);
  checkPaginationBounds(options.pagination);
  checkRateLimit(options.rateLimit, options.maxConcurrency);
  checkSeams(options);
  const baseUrl = (options.baseUrl ?? env('CONNECT_TRADE_BASE_URL') ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]+/.test(baseUrl))
    throw errorFactory.configuration(`baseUrl must be an http(s) URL, got "${baseUrl}"`);
  const connectionTypeField = options.connectionTypeField ?? 'type';
  if (connectionTypeField !== 'type' && connectionTypeField !== 'connection_type')
    throw errorFactory.configuration(
      `connectionTypeField must be 'type' or 'connection_type', got ${JSON.stringify(connectionTypeField)}`,
    );
  const clientSecret = options.clientSecret ?? env('CONNECT_TRADE_CLIENT_SECRET');
  if (clientSecret && isBrowser() && !options.dangerouslyAllowBrowser)
    throw errorFactory.configuration(
      'clientSecret in a browser: every visitor could read it. Keep it on a server, or set dangerouslyAllowBrowser: true',
    );
  for (const [name, value] of [
    ['defaultHeaders', options.defaultHeaders],
    ['defaultQuery', options.defaultQuery],
    ['appInfo', options.appInfo && { name: options.appInfo.name || 0 }],
  ] as const)
    if (value && Object.values(value).some((v) => typeof v !== 'string'))
      throw errorFactory.configuration(`${name} must hold strings`);
  return {
    clientId: options.clientId ?? env('CONNECT_TRADE_CLIENT_ID'),
    clientSecret,
    baseUrl,
    streamUrl: options.streamUrl ?? env('CONNECT_TRADE_STREAM_URL'),
    marketDataUrl: options.marketDataUrl ?? env('CONNECT_TRADE_MARKET_DATA_URL'),
    timeout: options.timeout ?? DEFAULT_TIMEOUT_MS,
    maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES,
    maxResponseBytes: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    fetch: options.fetch,
    logger: levelledLogger(options.logger, options.logLevel ?? env('CONNECT_TRADE_LOG')),
    connectionTypeField,
    strictValidation: options.strictValidation === true,
    pagination: options.pagination,
    userAgent: userAgent(options.appInfo),
    defaultHeaders: nonEmpty(options.defaultHeaders),
    defaultQuery: nonEmpty(options.defaultQuery),
    dispatcher: options.dispatcher,
    rateLimit: options.rateLimit,
    maxConcurrency: options.maxConcurrency,
    telemetry: options.telemetry,
    clock: options.clock ?? systemClock,
    random: options.random ?? defaultRandom,
    idGenerator: options.idGenerator,
  };
}

function nonEmpty(value: Record<string, string> | undefined): Readonly<Record<string, string>> | undefined {
  return value && Object.keys(value).length > 0 ? { ...value } : undefined;
}

/**
 * The logger the client writes to: the given one (or the console when only a level is set), with
 * the lines below the level dropped. No level and no logger: nothing is logged.
 */
export function levelledLogger(logger: Logger | undefined, level: string | undefined): Logger | undefined {
  if (level === undefined) return logger;
  const min = LOG_LEVELS.indexOf(level as LogLevel);
  if (min < 0)
    throw errorFactory.configuration(`logLevel must be one of ${LOG_LEVELS.join(', ')}, got "${level}"`);
  if (level === 'off') return undefined;
  const out: Logger = {};
  LOG_LEVELS.slice(0, 4).forEach((name, i) => {
    const at = name as keyof Logger;
    out[at] = (message, fields) => {
      if (i < min) return;
      if (logger) logger[at]?.(message, fields);
      else console[at](`[connect-trade] ${message}`, fields ?? {});
    };
  });
  return out;
}
