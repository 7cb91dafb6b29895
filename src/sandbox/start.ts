/**
 * Assembles a sandbox: one node:http server for REST, the authorization page and the admin
 * endpoint, with both WebSocket streams on the same port (`/stream`, `/mdstream`).
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { authorizeSandboxConnection, sandboxConnectionId } from './authorize';
import { BarBook } from './bars';
import { iso, OffsetClock } from './clock';
import { CONSOLE_PATH, DevConsole } from './console/dev-console';
import { ownsPath, servePage } from './console/routes';
import { dec, fmt } from './decimal';
import { type AccountEvent, Hub } from './events';
import { Faults, type StreamKind } from './faults';
import { DEFAULT_SYMBOLS, PriceFeed } from './feed';
import { type AdminControls, handleAdmin } from './http/admin';
import { type AdminPolicy, isLoopbackName } from './http/admin-guard';
import type { RestContext } from './http/context';
import { openPaperAccount } from './http/handlers-platform';
import { handleRest } from './http/rest-server';
import { createSandboxServer } from './http/server';
import { LinkPages } from './link/link-page';
import type { SandboxLogger } from './logger';
import type { Sandbox, SandboxFeed, SandboxOptions, SandboxTraffic } from './options';
import { OrderEngine } from './order-engine';
import { SandboxState } from './state';
import { BrokerageServer } from './streams/brokerage';
import { MarketDataServer } from './streams/market-data';
import type { SessionOptions, StreamSession } from './streams/session';

const DAY_MS = 86_400_000;

/** Starts a sandbox and resolves once it listens. */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const logger: SandboxLogger = options.logger ?? {};
  const credentials = {
    clientId: options.clientId ?? 'sandbox-client-id',
    clientSecret: options.clientSecret ?? 'sandbox-client-secret',
  };
  const seed = options.seed ?? 42;
  const clock = new OffsetClock();
  const state = new SandboxState();
  const feed = new PriceFeed(seed, options.liquidity ?? 1000, options.symbols ?? DEFAULT_SYMBOLS);
  const bars = new BarBook(seed, feed, clock.peekMs());
  const events = new Hub<AccountEvent>();
  const engine = new OrderEngine(state, feed, clock, events);
  const violations: string[] = [];
  const onViolation = (message: string) => {
    violations.push(message);
    logger.error?.(message);
  };
  // The developer console records every exchange; `onTraffic` still sees each one.
  let devConsole: DevConsole | undefined;
  const onTraffic = (entry: SandboxTraffic) => {
    devConsole?.record(entry);
    options.onTraffic?.(entry);
  };
  const sessionOptions: SessionOptions = {
    clock,
    heartbeatMs: options.heartbeatMs ?? 15_000,
    authTimeoutMs: options.authTimeoutMs ?? 30_000,
    validate: options.validateResponses ?? true,
    logger,
    onViolation,
    onTraffic,
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
  /** Runs whatever became due: the session close and token expiry. */
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

  const streams = (kind: StreamKind): StreamSession[] => [
    ...(kind === 'market_data' ? [] : brokerage.sessions),
    ...(kind === 'brokerage' ? [] : marketData.sessions),
  ];
  const faults = new Faults({
    drop: (kind) => streams(kind).map((s) => s.terminate()).length,
    stall: (kind, ms) => streams(kind).map((s) => s.stall(ms)).length,
    resume: () => {
      for (const s of streams('all')) s.resume();
    },
    seqGap: (skip) => [...brokerage.sessions].map((s) => s.gap(skip)).length,
    expireTokens: (connectionId) => marketData.expireTokens(connectionId),
  });

  let baseUrl = '';
  const ctx: RestContext = {
    state,
    engine,
    feed,
    clock,
    baseUrl: () => baseUrl,
    startingCash: options.startingCash ?? '100000.00',
    spellings: options.spellings ?? 'production',
  };
  if (ctx.spellings !== 'production' && ctx.spellings !== 'reference')
    throw new TypeError(`spellings must be 'production' or 'reference', got ${String(ctx.spellings)}`);
  const reset = () => {
    state.clear();
    engine.clear();
    faults.clear();
    for (const s of streams('all')) s.terminate();
  };
  const admin: AdminControls = {
    info: () => ({
      url: baseUrl,
      stream_url: sandbox.streamUrl,
      market_data_url: sandbox.marketDataUrl,
      symbols: feed.list(),
      now: iso(clock.peekMs()),
    }),
    injectFault: (spec) => faults.inject(spec),
    pendingFaults: () => faults.pending(),
    clearFaults: () => faults.clear(),
    setPrice: (symbol, price) => {
      sandboxFeed.setPrice(symbol, price);
      return sandboxFeed.price(symbol);
    },
    tick: (count) => {
      tick(count);
      return Object.fromEntries(feed.list().map((s) => [s, fmt(feed.price(s))]));
    },
    closeSession,
    advanceClock: (ms) => {
      clock.advance(ms);
      return iso(clock.peekMs());
    },
    reset,
  };
  for (const spec of options.faults ?? []) faults.inject(spec);

  let requestCounter = 0;
  const restOptions = {
    ctx,
    faults,
    credentials,
    latencyMs: options.latencyMs ?? 0,
    validateResponses: options.validateResponses ?? true,
    logger,
    onViolation,
    onTraffic,
  };
  const boundHost = options.host ?? '127.0.0.1';
  let port = 0;
  const adminPolicy: AdminPolicy = {
    boundHost,
    port: () => port,
    allowedHosts: options.allowedHosts ?? [],
    adminToken: options.adminToken,
  };
  const consoleToken = options.consoleToken ?? randomBytes(16).toString('hex');
  devConsole = new DevConsole({
    state,
    controls: admin,
    token: consoleToken,
    prices: () => Object.fromEntries(feed.list().map((s) => [s, fmt(feed.price(s))])),
  });
  const pages = {
    link: new LinkPages({ state, nowMs: () => clock.peekMs(), openAccount: (c) => openPaperAccount(ctx, c) }),
    console: devConsole,
    policy: adminPolicy,
  };
  const { server, wss } = createSandboxServer({
    logger,
    request(req, res, url) {
      requestCounter += 1;
      const requestId = `req_sbx_${requestCounter}`;
      if (ownsPath(url.pathname)) return servePage(pages, req, res, url);
      if (url.pathname === '/__sandbox' || url.pathname.startsWith('/__sandbox/'))
        return handleAdmin(admin, adminPolicy, req, res, url.pathname);
      return handleRest(restOptions, req, res, url, requestId);
    },
    stream(pathname) {
      const target = pathname === '/stream' ? brokerage : pathname === '/mdstream' ? marketData : undefined;
      return target && ((ws, req) => target.accept(ws, req.socket.remoteAddress ?? ''));
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, boundHost, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  port = address.port;
  const host = address.address.includes(':') ? `[${address.address}]` : address.address;
  baseUrl = `http://${host}:${port}`;

  const timers: NodeJS.Timeout[] = [setInterval(runDue, 1000)];
  const tickMs = options.tickMs ?? 500;
  if (tickMs > 0) timers.push(setInterval(() => tick(1), tickMs));
  for (const timer of timers) timer.unref();

  const sandbox: Sandbox = {
    url: baseUrl,
    streamUrl: `ws://${host}:${port}/stream`,
    marketDataUrl: `ws://${host}:${port}/mdstream`,
    port,
    credentials,
    env: Object.freeze({
      CONNECT_TRADE_BASE_URL: baseUrl,
      CONNECT_TRADE_STREAM_URL: `ws://${host}:${port}/stream`,
      CONNECT_TRADE_MARKET_DATA_URL: `ws://${host}:${port}/mdstream`,
      CONNECT_TRADE_CLIENT_ID: credentials.clientId,
      CONNECT_TRADE_CLIENT_SECRET: credentials.clientSecret,
    }),
    faults,
    feed: sandboxFeed,
    clock,
    violations,
    consoleUrl: `${baseUrl}${CONSOLE_PATH}?token=${consoleToken}`,
    async authorize(authorizationUrl, authorizeOptions) {
      sandboxConnectionId(authorizationUrl);
      if (new URL(authorizationUrl).port !== String(port))
        throw new TypeError(`${authorizationUrl} belongs to another server than this sandbox (${baseUrl})`);
      // The same GET + POST a browser sends.
      return authorizeSandboxConnection(authorizationUrl, authorizeOptions);
    },
    reset,
    async close() {
      for (const timer of timers) clearInterval(timer);
      devConsole?.close();
      for (const client of wss.clients) client.terminate();
      wss.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  logger.info?.(
    `sandbox listening on ${baseUrl} (streams: ${sandbox.streamUrl}, ${sandbox.marketDataUrl}; developer console: ${sandbox.consoleUrl})`,
  );
  if (!isLoopbackName(boundHost) && options.adminToken === undefined) warnOpenAdmin(boundHost, logger);
  return sandbox;
}

/** An admin API anyone on the network can drive: said through the logger, or as a process warning without one. */
function warnOpenAdmin(host: string, logger: SandboxLogger): void {
  const warning =
    `WARNING: listening on ${host}, which is not loopback, without --admin-token (the adminToken option): ` +
    'anyone who can reach this port can reset the sandbox and inject faults through /__sandbox. Set one ' +
    '(the CLI also reads CONNECT_TRADE_SANDBOX_ADMIN_TOKEN); admin requests then need the header x-sandbox-admin-token.';
  if (logger.warn) logger.warn(warning);
  else process.emitWarning(warning, { code: 'CONNECT_TRADE_SANDBOX_OPEN_ADMIN' });
}
