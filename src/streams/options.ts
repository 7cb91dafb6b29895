/** Options shared by both streams, their defaults, and their validation. */

import type { Clock } from '../core/clock';
import { streamErrorFactory as errorFactory } from '../core/errors';
import type { StreamLogger } from './safe-emitter';
import { defaultTimers, type TimerApi } from './timers';
import type { WebSocketConstructor } from './transport';

/** Stream reconnect policy. */
export interface ReconnectOptions {
  /** First delay ceiling in ms (default 500). */
  initialDelay?: number;
  /** Largest delay in ms (default 30 000). */
  maxDelay?: number;
  /** Consecutive failed attempts before giving up (default Infinity). */
  maxAttempts?: number;
  /** Connected this long (ms) counts as healthy and resets the backoff (default 10 000). */
  healthyAfter?: number;
  /** Extra delay in ms after a 4029 rate-limited close (default 30 000). */
  rateLimitedDelay?: number;
}

/** The reconnect policy with every default filled in. */
export type ResolvedReconnect = Required<ReconnectOptions>;

/** Options common to the brokerage and market-data streams. */
export interface StreamOptions {
  /** Stream URL (each stream has its own default). */
  url?: string;
  /** No frame for this long (ms) means the socket is dead: terminate and reconnect (default 35 000). */
  heartbeatTimeout?: number;
  /** Node only: send a WebSocket ping this often in ms (default 15 000; 0 disables). */
  pingInterval?: number;
  /** Reconnect policy (exponential backoff with full jitter). */
  reconnect?: ReconnectOptions;
  /** `connect()` rejects if not authenticated within this many ms (default 30 000). */
  connectTimeout?: number;
  /**
   * Each attempt (the first and every reconnect) must open its socket and be authenticated within
   * this many ms; past it the attempt is abandoned with an `error` event and the stream reconnects
   * (default 10 000).
   */
  handshakeTimeout?: number;
  /** A request (subscribe, snapshot...) rejects if unanswered this many ms after it was sent (default 10 000). */
  requestTimeout?: number;
  /** Bytes of requests kept while disconnected; beyond it requests are refused (default 1 MiB). */
  maxQueueBytes?: number;
  /** Validate every incoming message against the spec (default false, for speed). */
  validate?: boolean;
  /** WebSocket constructor (default: `ws` in Node, the global WebSocket in browsers). */
  WebSocket?: WebSocketConstructor;
  /**
   * Node: the `http.Agent` the `ws` socket connects through, e.g. a proxy agent
   * (`new HttpsProxyAgent(process.env.HTTPS_PROXY)`). Browsers use the browser's proxy settings.
   */
  agent?: object;
  /** Receives what the stream cannot report as an event, and warnings about guessed values (a bar interval outside the known ones). */
  logger?: StreamLogger;
  /** Reject a bar interval outside the known ones instead of warning (default false; see `ClientOptions.strictValidation`). */
  strictValidation?: boolean;
  /** Timer functions (tests inject counting or fake ones). */
  timers?: TimerApi;
  /**
   * Advanced (deterministic simulation): the clock every timer, deadline and liveness check of the
   * stream runs on (see `ClientOptions.clock`). `timers` wins when both are given.
   */
  clock?: Clock;
  /** Random source for backoff jitter, in [0, 1). */
  random?: () => number;
}

/** Options with every default applied. */
export interface ResolvedStreamOptions {
  url: string;
  heartbeatTimeout: number;
  pingInterval: number;
  reconnect: ResolvedReconnect;
  connectTimeout: number;
  handshakeTimeout: number;
  requestTimeout: number;
  maxQueueBytes: number;
  validate: boolean;
  WebSocket: WebSocketConstructor | undefined;
  agent: object | undefined;
  logger: StreamLogger | undefined;
  strictValidation: boolean;
  timers: TimerApi;
  random: () => number;
}

/** The timeouts (ms) and their defaults; each must be a positive number. */
const TIMEOUT_DEFAULTS = {
  heartbeatTimeout: 35_000,
  connectTimeout: 30_000,
  handshakeTimeout: 10_000,
  requestTimeout: 10_000,
};
/** Numeric options where 0 means "none": no pings, no queueing while disconnected. */
const ZERO_ALLOWED_DEFAULTS = { pingInterval: 15_000, maxQueueBytes: 1024 * 1024 };
/** The reconnect policy's defaults; each value must be a non-negative number. */
const RECONNECT_DEFAULTS: ResolvedReconnect = {
  initialDelay: 500,
  maxDelay: 30_000,
  maxAttempts: Number.POSITIVE_INFINITY,
  healthyAfter: 10_000,
  rateLimitedDelay: 30_000,
};

/**
 * Each option of `defaults` as given, or its default when absent; a ConfigurationError names the
 * first that is not a number above 0 (at or above 0 with `allowZero`).
 */
function numbers<T extends Record<string, number>>(
  given: Partial<T> | undefined,
  defaults: T,
  { prefix = '', allowZero = false }: { prefix?: string; allowZero?: boolean } = {},
): T {
  const out: Record<string, number> = {};
  for (const [name, fallback] of Object.entries(defaults)) {
    const v = given?.[name] ?? fallback;
    if (typeof v !== 'number' || Number.isNaN(v) || v < 0 || (!allowZero && v === 0))
      throw errorFactory.configuration(
        `${prefix}${name} must be a ${allowZero ? 'non-negative' : 'positive'} number`,
      );
    out[name] = v;
  }
  return out as T;
}

/** Applies defaults; throws ConfigurationError for invalid values. */
export function resolveStreamOptions(options: StreamOptions, defaultUrl: string): ResolvedStreamOptions {
  const url = options.url ?? defaultUrl;
  if (typeof url !== 'string' || !/^wss?:\/\//.test(url))
    throw errorFactory.configuration('url must start with ws:// or wss://');
  return {
    url,
    ...numbers(options, TIMEOUT_DEFAULTS),
    ...numbers(options, ZERO_ALLOWED_DEFAULTS, { allowZero: true }),
    reconnect: numbers(options.reconnect, RECONNECT_DEFAULTS, { prefix: 'reconnect.', allowZero: true }),
    validate: options.validate ?? false,
    WebSocket: options.WebSocket,
    agent: options.agent,
    logger: options.logger,
    strictValidation: options.strictValidation === true,
    timers: options.timers ?? options.clock ?? defaultTimers,
    random: options.random ?? Math.random,
  };
}
