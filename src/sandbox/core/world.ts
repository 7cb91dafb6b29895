/**
 * The sandbox without sockets: its state, order engine, seeded market, fault plan, both stream
 * servers and the REST pipeline, assembled once. `startSandbox` puts a node:http server in front
 * of it; a deterministic simulation calls {@link SandboxCore.rest} and {@link SandboxCore.connect}
 * directly, so a simulated run opens no port. Nothing here arms a timer of its own: the market
 * moves when `tick` is called (the HTTP sandbox ticks on an interval).
 */
import { BarBook } from '../bars';
import { OffsetClock } from '../clock';
import { dec, fmt } from '../decimal';
import { type AccountEvent, Hub } from '../events';
import { Faults, type StreamKind } from '../faults';
import { DEFAULT_SYMBOLS, PriceFeed } from '../feed';
import type { SandboxCredentials } from '../http/auth';
import type { RestContext } from '../http/context';
import type { SandboxLogger } from '../logger';
import type { SandboxFeed, SandboxOptions } from '../options';
import { OrderEngine } from '../order-engine';
import { SandboxState } from '../state';
import { BrokerageServer } from '../streams/brokerage';
import { MarketDataServer } from '../streams/market-data';
import type { SessionOptions, StreamSession } from '../streams/session';
import { type CoreRequest, type CoreResponse, handleRestRequest, type RestServerOptions } from './rest';
import { type InProcessPeer, InProcessSocket } from './session-socket';

const DAY_MS = 86_400_000;

/** A sandbox with no server: REST as a function, streams as in-process sessions. */
export interface SandboxCore {
  readonly credentials: SandboxCredentials;
  readonly state: SandboxState;
  readonly engine: OrderEngine;
  readonly clock: OffsetClock;
  readonly faults: Faults;
  readonly feed: SandboxFeed;
  readonly brokerage: BrokerageServer;
  readonly marketData: MarketDataServer;
  /** The REST handlers' context (its `baseUrl` is set by whoever serves it). */
  readonly ctx: RestContext;
  readonly restOptions: RestServerOptions;
  /** Spec violations of the sandbox itself. */
  readonly violations: string[];
  /** Runs one REST request to its answer. */
  rest(request: CoreRequest): Promise<CoreResponse>;
  /** Opens an in-process stream connection at `/stream` or `/mdstream`; undefined for another path. */
  connect(pathname: string, peer: InProcessPeer, remoteAddress?: string): InProcessSocket | undefined;
  /** The sessions of one stream kind (or both). */
  sessions(kind: StreamKind): StreamSession[];
  /** Runs whatever became due: the session close and token expiry. */
  runDue(): void;
  /** Clears state, engine, faults and sessions. */
  reset(): void;
  /** Forgets the REST base URL provider (set by the HTTP server once it listens). */
  setBaseUrl(provider: () => string): void;
}

/** Assembles the socket-free sandbox from the same options as `startSandbox`. */
export function createSandboxCore(options: SandboxOptions = {}): SandboxCore {
  const logger: SandboxLogger = options.logger ?? {};
  const credentials = {
    clientId: options.clientId ?? 'sandbox-client-id',
    clientSecret: options.clientSecret ?? 'sandbox-client-secret',
  };
  const seed = options.seed ?? 42;
  const clock = new OffsetClock();
  const state = new SandboxState(options.randomBytes);
  const feed = new PriceFeed(seed, options.liquidity ?? 1000, options.symbols ?? DEFAULT_SYMBOLS);
  const bars = new BarBook(seed, feed, clock.peekMs());
  const events = new Hub<AccountEvent>();
  const engine = new OrderEngine(state, feed, clock, events);
  const violations: string[] = [];
  const onViolation = (message: string) => {
    violations.push(message);
    logger.error?.(message);
  };
  const sessionOptions: SessionOptions = {
    clock,
    heartbeatMs: options.heartbeatMs ?? 15_000,
    authTimeoutMs: options.authTimeoutMs ?? 30_000,
    validate: options.validateResponses ?? true,
    logger,
    onViolation,
    onTraffic: options.onTraffic,
  };
  const brokerage = new BrokerageServer(credentials, sessionOptions);
  const marketData = new MarketDataServer(state, feed, bars, sessionOptions);
  events.on((event) => brokerage.publish(event));

  let nextCloseMs =
    options.sessionCloseAt === undefined ? undefined : new Date(options.sessionCloseAt).getTime();
  if (nextCloseMs !== undefined && Number.isNaN(nextCloseMs))
    throw new TypeError('sessionCloseAt is not a valid time');

  const closeSession = () => {
    engine.closeSession();
    feed.openSession();
  };
  const runDue = () => {
    while (nextCloseMs !== undefined && clock.peekMs() >= nextCloseMs) {
      closeSession();
      nextCloseMs += DAY_MS;
    }
    marketData.checkTokens();
  };
  const afterPriceChange = (symbols: readonly string[]) => {
    const nowMs = clock.nowMs();
    const completed = symbols.flatMap((symbol) => bars.record(symbol, nowMs));
    engine.matchAll();
    runDue();
    marketData.publishTick(completed);
  };
  const tick = (count = 1) => {
    if (!Number.isInteger(count) || count < 1) throw new RangeError('tick(count) needs a positive integer');
    for (let i = 0; i < count; i++) {
      engine.settleCancels();
      feed.step();
      afterPriceChange(feed.list());
    }
  };
  clock.onAdvance = runDue;

  const sandboxFeed: SandboxFeed = {
    tick,
    setPrice(symbol, price) {
      feed.setPrice(symbol, dec(typeof price === 'number' ? String(price) : price));
      afterPriceChange([symbol]);
    },
    price: (symbol) => fmt(feed.price(symbol)),
    symbols: () => feed.list(),
    closeSession,
  };

  const sessions = (kind: StreamKind): StreamSession[] => [
    ...(kind === 'market_data' ? [] : brokerage.sessions),
    ...(kind === 'brokerage' ? [] : marketData.sessions),
  ];
  const faults = new Faults({
    drop: (kind) => sessions(kind).map((s) => s.terminate()).length,
    stall: (kind, ms) => sessions(kind).map((s) => s.stall(ms)).length,
    resume: () => {
      for (const s of sessions('all')) s.resume();
    },
    seqGap: (skip) => [...brokerage.sessions].map((s) => s.gap(skip)).length,
    expireTokens: (connectionId) => marketData.expireTokens(connectionId),
  });

  let baseUrl = () => '';
  const ctx: RestContext = {
    state,
    engine,
    feed,
    clock,
    baseUrl: () => baseUrl(),
    startingCash: options.startingCash ?? '100000.00',
    spellings: options.spellings ?? 'production',
  };
  if (ctx.spellings !== 'production' && ctx.spellings !== 'reference')
    throw new TypeError(`spellings must be 'production' or 'reference', got ${String(ctx.spellings)}`);
  for (const spec of options.faults ?? []) faults.inject(spec);
  const restOptions: RestServerOptions = {
    ctx,
    faults,
    credentials,
    latencyMs: options.latencyMs ?? 0,
    validateResponses: options.validateResponses ?? true,
    logger,
    onViolation,
    onTraffic: options.onTraffic,
  };

  return {
    credentials,
    state,
    engine,
    clock,
    faults,
    feed: sandboxFeed,
    brokerage,
    marketData,
    ctx,
    restOptions,
    violations,
    rest: (request) => handleRestRequest(restOptions, request),
    connect(pathname, peer, remoteAddress = '127.0.0.1') {
      const target = pathname === '/stream' ? brokerage : pathname === '/mdstream' ? marketData : undefined;
      if (!target) return undefined;
      const socket = new InProcessSocket(peer);
      target.accept(socket, remoteAddress);
      return socket;
    },
    sessions,
    runDue,
    reset() {
      state.clear();
      engine.clear();
      faults.clear();
      for (const s of sessions('all')) s.terminate();
    },
    setBaseUrl(provider) {
      baseUrl = provider;
    },
  };
}
