/** The public shapes of the sandbox: its options and the handle `startSandbox` returns. */
import type { AuthorizeSandboxOptions, SandboxAuthorization } from './authorize';
import type { SandboxClock } from './clock';
import type { FaultSpec, Faults } from './faults';
import type { SandboxLogger } from './logger';

/** One exchange the sandbox saw, as given to `onTraffic` (for contract tests that record a whole run). */
export type SandboxTraffic =
  | {
      kind: 'rest';
      /** The spec's operationId. */
      operationId: string;
      method: string;
      /** The request path with its query string. */
      path: string;
      /** The parsed JSON request body (undefined when none). */
      requestBody: unknown;
      status: number;
      /** The JSON response body (undefined for empty bodies and dropped responses). */
      responseBody: unknown;
      /** True when the response was dropped by the lost-ack fault. */
      dropped: boolean;
      /** The `x-request-id` the sandbox answered. */
      requestId?: string;
      /** Time from the request's arrival to its answer, in ms (injected latency included). */
      durationMs?: number;
    }
  | {
      kind: 'frame';
      stream: 'brokerage' | 'market_data';
      /** `in` from the client (only frames that parsed as JSON objects), `out` to it. */
      direction: 'in' | 'out';
      frame: unknown;
    };

/**
 * Which names the sandbox gives the fields whose spelling differs between the vendor's reference and
 * production:
 *
 * | field | `'production'` (default) | `'reference'` |
 * |---|---|---|
 * | `POST /users` secret | `user_secret` | `user-secret` |
 * | `POST /connections` URL | `connection_request_url` | `authorization_url` |
 * | `GET /connections` type | `connection_type` | `type` |
 *
 * The SDK reads both; its own output names stay `user_secret`, `authorization_url` and `type`.
 */
export type SandboxSpellings = 'production' | 'reference';

/** Options of {@link startSandbox}; every one is optional. */
export interface SandboxOptions {
  /** TCP port; `0` (the default) picks a free one. */
  port?: number;
  /** Interface to bind; default `127.0.0.1`. */
  host?: string;
  /** Seed of the price feed: the same seed replays the same market. Default 42. */
  seed?: number;
  /**
   * Advanced (deterministic simulation): the source of the random bytes of user secrets and
   * tokens. Default: `crypto.randomBytes`.
   */
  randomBytes?: (size: number) => Uint8Array;
  /** Platform client id the sandbox accepts. Default `sandbox-client-id`. */
  clientId?: string;
  /** Platform client secret the sandbox accepts. Default `sandbox-client-secret`. */
  clientSecret?: string;
  /** Latency added to every REST response, in ms. Default 0. */
  latencyMs?: number;
  /** Milliseconds between automatic feed ticks; `0` disables them (drive the feed with `feed.tick()`). Default 500. */
  tickMs?: number;
  /** The next simulated session close (DAY orders expire), then every 24 h. Default: only `feed.closeSession()`. */
  sessionCloseAt?: Date | string | number;
  /** Validate every response and frame the sandbox sends against the spec. Default true (turn off for benchmarks). */
  validateResponses?: boolean;
  /** Where to log; silent by default. */
  logger?: SandboxLogger;
  /** Shares each order can fill per tick (larger orders fill partially over ticks). Default 1000. */
  liquidity?: number;
  /** Cash of each new paper account. Default `"100000.00"`. */
  startingCash?: string;
  /** Symbols and starting prices, replacing the default set (AAPL, MSFT, TSLA, SPY, NVDA, ...). */
  symbols?: Record<string, string>;
  /** Idle time before a stream heartbeat, in ms. Default 15000 (the protocol's). */
  heartbeatMs?: number;
  /** Time a stream connection has to authenticate before close 4008, in ms. Default 30000. */
  authTimeoutMs?: number;
  /** When set, `/__sandbox/*` requests need the header `x-sandbox-admin-token` with this value. */
  adminToken?: string;
  /**
   * Extra `Host` names the admin endpoint accepts (e.g. a docker-compose service name). It always
   * accepts loopback names (`localhost`, `127.x.x.x`, `[::1]`) and the bound `host`; any other Host,
   * or an `Origin` that is not the sandbox's own, gets 403 (DNS rebinding, cross-site pages).
   */
  allowedHosts?: readonly string[];
  /** Called for every REST exchange and every stream frame (in and out); must not throw. */
  onTraffic?: (entry: SandboxTraffic) => void;
  /** Faults injected at start (same shapes as `POST /__sandbox/faults`). */
  faults?: FaultSpec[];
  /**
   * The token of the developer console (`consoleUrl`); default: a random one per run. Anyone with it
   * can see the run's traffic and drive the admin controls from a browser on this machine.
   */
  consoleToken?: string;
  /** Emit production's field names (the default) or the reference's: see {@link SandboxSpellings}. */
  spellings?: SandboxSpellings;
}

/** Deterministic control of the simulated market. */
export interface SandboxFeed {
  /** Runs `count` ticks (default 1): cancels settle, prices move, orders match, market data goes out. */
  tick(count?: number): void;
  /** Sets a price (a decimal string or a number with at most 9 decimals), then matches and publishes. */
  setPrice(symbol: string, price: string | number): void;
  /** The current price of a symbol as a decimal string. */
  price(symbol: string): string;
  /** Every symbol the feed knows. */
  symbols(): string[];
  /** Closes the simulated session: open DAY orders expire, daily P&L restarts. */
  closeSession(): void;
}

/** A running sandbox. */
export interface Sandbox {
  /** REST base URL, e.g. `http://127.0.0.1:4010`. */
  readonly url: string;
  /** Brokerage stream URL, e.g. `ws://127.0.0.1:4010/stream`. */
  readonly streamUrl: string;
  /** Market-data stream URL, e.g. `ws://127.0.0.1:4010/mdstream`. */
  readonly marketDataUrl: string;
  /** The port it listens on. */
  readonly port: number;
  /** The platform credentials it accepts. */
  readonly credentials: { readonly clientId: string; readonly clientSecret: string };
  /**
   * The `CONNECT_TRADE_*` environment variables that point the SDK (`new ConnectTrade()`) and the CLI at
   * this sandbox: `CONNECT_TRADE_BASE_URL`, `_STREAM_URL`, `_MARKET_DATA_URL`, `_CLIENT_ID`, `_CLIENT_SECRET`.
   */
  readonly env: Readonly<Record<string, string>>;
  /**
   * The developer console with this run's token (`http://127.0.0.1:PORT/__sandbox/console?token=…`):
   * the REST log, stream frames, entities, price charts and the admin controls, live in a browser.
   */
  readonly consoleUrl: string;
  /** Fault injection (same as `POST /__sandbox/faults`). */
  readonly faults: Faults;
  /** The simulated market. */
  readonly feed: SandboxFeed;
  /** Simulated time (advance it to expire tokens or close bars without sleeping). */
  readonly clock: SandboxClock;
  /** Every place the sandbox caught itself breaking the spec (should stay empty). */
  readonly violations: readonly string[];
  /**
   * Completes a broker link through the link page, with the same GET + POST requests a user's
   * browser sends: by default the magic credentials that succeed, so the connection behind
   * `authorizationUrl` (what `connections.create` returned) becomes active and a `trade` or
   * `readonly` one gets its paper account. `options.scenario` (or `username`/`password`/`code`)
   * plays another outcome. Same as `authorizeSandboxConnection`, which also works from another process.
   *
   * @example
   * ```ts
   * const link = await user.connections.create({ type: 'trade', broker: 'ALPACA', redirect_url: 'https://app.example/linked' });
   * const { connectionId } = await sandbox.authorize(link.authorization_url);
   * const locked = await sandbox.authorize(other.authorization_url, { scenario: 'account_locked' }); // status 'error'
   * ```
   * @throws TypeError when the URL is not this sandbox's authorization URL; `SandboxLinkError` when
   *   the page refuses (used, expired, unknown, wrong credentials).
   */
  authorize(authorizationUrl: string, options?: AuthorizeSandboxOptions): Promise<SandboxAuthorization>;
  /** Forgets all users, connections, accounts, orders and queued faults. */
  reset(): void;
  /** Stops ticking, closes every stream connection and the server. */
  close(): Promise<void>;
}
