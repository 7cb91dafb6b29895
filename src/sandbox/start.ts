/**
 * Assembles a sandbox: one node:http server for REST, the authorization page and the admin
 * endpoint, with both WebSocket streams on the same port (`/stream`, `/mdstream`).
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { authorizeSandboxConnection, sandboxConnectionId } from './authorize';
import { iso } from './clock';
import { CONSOLE_PATH, DevConsole } from './console/dev-console';
import { ownsPath, servePage } from './console/routes';
import { createSandboxCore } from './core/world';
import { type AdminControls, handleAdmin } from './http/admin';
import { type AdminPolicy, isLoopbackName } from './http/admin-guard';
import { openPaperAccount } from './http/handlers-platform';
import { handleRest } from './http/rest-server';
import { createSandboxServer } from './http/server';
import { LinkPages } from './link/link-page';
import type { SandboxLogger } from './logger';
import type { Sandbox, SandboxOptions, SandboxTraffic } from './options';

/** Starts a sandbox and resolves once it listens. */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  // The developer console records every exchange; `onTraffic` still sees each one.
  let devConsole: DevConsole | undefined;
  const onTraffic = (entry: SandboxTraffic) => {
    devConsole?.record(entry);
    options.onTraffic?.(entry);
  };
  const core = createSandboxCore({ ...options, onTraffic });
  const logger: SandboxLogger = options.logger ?? {};
  const { credentials, clock, faults, ctx, violations, runDue, reset, restOptions, brokerage, marketData } =
    core;
  const sandboxFeed = core.feed;
  let baseUrl = '';
  core.setBaseUrl(() => baseUrl);
  const admin: AdminControls = {
    info: () => ({
      url: baseUrl,
      stream_url: sandbox.streamUrl,
      market_data_url: sandbox.marketDataUrl,
      symbols: sandboxFeed.symbols(),
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
      sandboxFeed.tick(count);
      return Object.fromEntries(sandboxFeed.symbols().map((s) => [s, sandboxFeed.price(s)]));
    },
    closeSession: sandboxFeed.closeSession,
    advanceClock: (ms) => {
      clock.advance(ms);
      return iso(clock.peekMs());
    },
    reset,
  };
  let requestCounter = 0;
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
    state: core.state,
    controls: admin,
    token: consoleToken,
    prices: () => Object.fromEntries(sandboxFeed.symbols().map((s) => [s, sandboxFeed.price(s)])),
  });
  const pages = {
    link: new LinkPages({
      state: core.state,
      nowMs: () => clock.peekMs(),
      openAccount: (c) => openPaperAccount(ctx, c),
    }),
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
        return handleAdmin({ controls: admin, policy: adminPolicy, req, res, path: url.pathname });
      return handleRest(restOptions, { req, res, url, requestId });
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
  if (tickMs > 0) timers.push(setInterval(() => sandboxFeed.tick(1), tickMs));
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
      devConsole?.close();
      for (const timer of timers) clearInterval(timer);
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
