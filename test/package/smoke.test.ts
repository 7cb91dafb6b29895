/**
 * The BUILT package (packed, unpacked into a consumer project) used four ways: CommonJS require,
 * ESM import, a TypeScript consumer compiled with `moduleResolution: node16` and run, and an
 * esbuild browser bundle in headless Chromium. Each talks to a real sandbox.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { authorizeSandboxConnection, type Sandbox, startSandbox } from '../../src/sandbox';
import { launchChromium } from '../helpers/chromium';
import { closeServer } from '../helpers/close-server';
import { preparePackage, ROOT } from './consumer';

jest.setTimeout(180_000);

let consumer: string;
let sandbox: Sandbox;
beforeAll(async () => {
  consumer = await preparePackage();
  sandbox = await startSandbox({ tickMs: 20, seed: 3 });
});
afterAll(() => sandbox?.close());

const env = () => ({
  ...process.env,
  CONNECT_TRADE_BASE_URL: sandbox.url,
  CONNECT_TRADE_CLIENT_ID: sandbox.credentials.clientId,
  CONNECT_TRADE_CLIENT_SECRET: sandbox.credentials.clientSecret,
});

/** Runs a script in the consumer project (asynchronously: the sandbox lives in this process). */
async function run(file: string, source: string): Promise<unknown> {
  writeFileSync(join(consumer, file), source);
  const { stdout } = await promisify(execFile)(process.execPath, [file], { cwd: consumer, env: env() });
  return JSON.parse(stdout);
}

// The same scenario for require and import: every entry loads, errors are shared across entries,
// the client reaches the sandbox, and bad input is refused before sending.
const scenario = (load: (specifier: string) => string) => `
  const main = ${load('connect-trade')};
  const rest = ${load('connect-trade/rest')};
  const streams = ${load('connect-trade/streams')};
  const sandbox = ${load('connect-trade/sandbox')};
  const ct = new main.ConnectTrade();
  const created = await ct.users.create({ user_id: 'smoke-' + process.pid + '-' + Math.random().toString(36).slice(2) });
  const users = await ct.users.list();
  let validation = 'none';
  try {
    await ct.forUser({ userId: created.user_id, userSecret: created.user_secret }).orders.create({ account_id: 'a', broker: 'ALPACA', symbol: 'AAPL', instrument: 'EQ', side: 'BUY', order_type: 'LMT', order_tif: 'DAY', order_qty: 1 });
  } catch (e) { validation = e instanceof rest.ValidationError && e instanceof main.ConnectTradeError ? e.name : 'wrong class'; }
  process.stdout.write(JSON.stringify({
    found: users.some((u) => u.user_id === created.user_id),
    validation,
    sharedErrors: main.ValidationError === rest.ValidationError && main.ValidationError === streams.ValidationError,
    stream: typeof main.ConnectTrade.prototype.stream,
    restHasNoStream: typeof rest.ConnectTrade.prototype.stream,
    classes: [typeof streams.MarketDataStream, typeof streams.BrokerageStream, typeof sandbox.startSandbox],
    version: main.VERSION,
  }));
`;
const expected = {
  found: true,
  validation: 'ValidationError',
  sharedErrors: true,
  stream: 'function',
  restHasNoStream: 'undefined',
  classes: ['function', 'function', 'function'],
  version: '0.1.0',
};

it('CommonJS require', async () => {
  const source = `(async () => {${scenario((s) => `require(${JSON.stringify(s)})`)}})().catch((e) => { console.error(e); process.exit(1); });`;
  expect(await run('smoke.cjs', source)).toEqual(expected);
});

it('ESM import', async () => {
  expect(
    await run(
      'smoke.mjs',
      scenario((s) => `await import(${JSON.stringify(s)})`),
    ),
  ).toEqual(expected);
});

const TS_CONSUMER = `
import { ConnectTrade, type Order, type OrderStatus } from 'connect-trade';
import { ConnectTrade as RestOnly, ValidationError } from 'connect-trade/rest';
import { MarketDataStream, type Quote } from 'connect-trade/streams';
import { startSandbox } from 'connect-trade/sandbox';

const status: OrderStatus = 'filled';
const pick = (o: Order): string => o.order_id;
const last = (q: Quote): string => q.last;
// @ts-expect-error: not an OrderStatus (proves the types are real, not \`any\`)
const wrong: OrderStatus = 'done';
// @ts-expect-error: the REST-only client has no stream()
export const neverCalled = () => new RestOnly({ clientId: 'c', clientSecret: 's' }).stream();

async function main(): Promise<void> {
  const sandbox = await startSandbox({ tickMs: 0 });
  const ct = new ConnectTrade({ ...sandbox.credentials, baseUrl: sandbox.url });
  const user = await ct.users.create({ user_id: 'ts-consumer' });
  const ok = user.user_id === 'ts-consumer' && new ValidationError([]) instanceof Error;
  await sandbox.close();
  console.log(JSON.stringify({ ok, status, types: [typeof pick, typeof last, typeof wrong, typeof MarketDataStream] }));
}
void main();
`;

function tsProject(name: string, compilerOptions: Record<string, unknown>): string {
  const dir = join(consumer, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'index.ts'), TS_CONSUMER);
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        target: 'es2022',
        skipLibCheck: false,
        types: ['node'],
        ...compilerOptions,
      },
      files: ['index.ts'],
    }),
  );
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', dir], {
    encoding: 'utf8',
  });
  return dir;
}

it('TypeScript consumer, moduleResolution node16: compiles, and the output runs', () => {
  const dir = tsProject('ts-node16', { module: 'node16', moduleResolution: 'node16', outDir: 'out' });
  const out = execFileSync(process.execPath, [join(dir, 'out', 'index.js')], { encoding: 'utf8' });
  expect(JSON.parse(out)).toEqual({
    ok: true,
    status: 'filled',
    types: ['function', 'function', 'string', 'function'],
  });
});

// Type-checking alone in bundler, NodeNext and `module: preserve` setups: consumer-matrix.test.ts.

/** Serves the bundle and forwards `/api/*` to the sandbox (same origin: no CORS needed for REST). */
function serve(files: Map<string, string>): Promise<Server> {
  const server = createServer(async (req, res) => {
    const url = req.url ?? '/';
    if (url.startsWith('/api/')) {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(([k]) => /^(client-|user-|content-type)/.test(k)),
      ) as Record<string, string>;
      const upstream = await fetch(`${sandbox.url}${url.slice(4)}`, {
        method: req.method ?? 'GET',
        headers,
        ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
      });
      res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(await upstream.text());
      return;
    }
    const body = files.get(url);
    if (body === undefined) res.writeHead(404).end();
    else
      res
        .writeHead(200, { 'content-type': url.endsWith('.html') ? 'text/html' : 'text/javascript' })
        .end(body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

it('esbuild browser bundle in headless Chromium: REST call, market-data quotes with lazy validation', async () => {
  const result = await build({
    stdin: {
      contents:
        "import { ConnectTrade, ValidationError } from 'connect-trade/rest'; import { MarketDataStream } from 'connect-trade/streams'; globalThis.CT = { ConnectTrade, ValidationError, MarketDataStream };",
      resolveDir: consumer,
      sourcefile: 'page.js',
    },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    minify: true,
    outdir: '/out',
    entryNames: 'entry',
    write: false,
    logLevel: 'silent',
  });
  const files = new Map(result.outputFiles.map((f) => [`/${f.path.split('/').pop()}`, f.text]));
  files.set('/index.html', '<!doctype html><script type="module" src="/entry.js"></script>');
  const ct = new (await import('../../src/rest')).ConnectTrade({
    ...sandbox.credentials,
    baseUrl: sandbox.url,
  });
  const created = await ct.users.create({ user_id: `browser-${process.pid}` });
  const u = ct.forUser({ userId: created.user_id, userSecret: created.user_secret });
  const link = await u.connections.create({ type: 'market_data', redirect_url: 'https://example.test/done' });
  await authorizeSandboxConnection(link.authorization_url);
  const [connection] = await u.connections.list();
  const token = await u.connections.token(connection?.connection_id ?? '');
  // Everything started here is closed in `finally`, whichever step fails (a failed browser launch
  // used to leave the http server open, and Jest never exited).
  let http: Server | undefined;
  let browser: Browser | undefined;
  try {
    http = await serve(files);
    browser = await launchChromium();
    const page = await browser.newPage();
    const origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    await page.goto(`${origin}/index.html`);
    await page.waitForFunction(() => 'CT' in globalThis);
    const out = await page.evaluate(
      async ({ origin, credentials, token, mdUrl }) => {
        // biome-ignore lint/suspicious/noExplicitAny: the bundle's global, untyped inside the page.
        const { ConnectTrade, ValidationError, MarketDataStream } = (globalThis as any).CT;
        // The platform secret in a page is refused unless opted in: this test page talks to its own sandbox.
        const ct = new ConnectTrade({
          ...credentials,
          baseUrl: `${origin}/api`,
          maxRetries: 0,
          dangerouslyAllowBrowser: true,
        });
        const users = await ct.users.list();
        let refused = false;
        try {
          await ct.users.create({ user_id: '' });
        } catch (e) {
          refused = e instanceof ValidationError;
        }
        const md = new MarketDataStream({ url: mdUrl, validate: true, tokenProvider: async () => token });
        await md.connect();
        const quotes = await md.subscribe('quotes', ['AAPL']);
        const first = (await quotes[Symbol.asyncIterator]().next()).value;
        await md.close();
        return { users: users.length, refused, symbol: first.symbol, hasLast: typeof first.last };
      },
      { origin, credentials: sandbox.credentials, token, mdUrl: sandbox.marketDataUrl },
    );
    expect(out).toEqual({ users: expect.any(Number), refused: true, symbol: 'AAPL', hasLast: 'string' });
    expect(out.users).toBeGreaterThan(0);
    expect(sandbox.violations).toEqual([]);
  } finally {
    await browser?.close();
    if (http) await closeServer(http);
  }
});
