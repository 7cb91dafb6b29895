/**
 * The market-data stream bundled for browsers (esbuild, platform browser) runs in headless
 * Chromium against a loopback `ws` server: connect, authenticate with a token, subscribe, receive
 * quotes, survive a server-side drop. Chromium must be present (`npm test` provides it): no skipping.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import type { Browser } from 'playwright-core';
import type { Quote } from '../../src/types';
import { launchChromium } from '../helpers/chromium';
import { closeServer } from '../helpers/close-server';
import { type ServerSocket, TestWsServer } from '../helpers/ws-server';

jest.setTimeout(60_000);

const quote = (last: string): Quote => ({
  symbol: 'AAPL',
  bid: '190.01',
  bid_size: '300',
  ask: '190.03',
  ask_size: '200',
  last,
  last_size: '100',
  timestamp: '2026-11-25T14:30:00.123Z',
});

async function bundle() {
  const result = await build({
    entryPoints: [join(__dirname, 'browser/entry.ts')],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    splitting: true, // the `validate` option's schema validator becomes a lazily loaded chunk
    target: 'es2022',
    outdir: '/virtual',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  return { files: result.outputFiles, metafile: result.metafile as Metafile };
}

function serve(files: { path: string; text: string }[]): Promise<Server> {
  const byName = new Map(files.map((f) => [`/${f.path.split('/').pop()}`, f.text]));
  byName.set('/index.html', '<!doctype html><script type="module" src="/entry.js"></script>');
  const server = createServer((req, res) => {
    const body = byName.get(req.url ?? '');
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    res
      .writeHead(200, { 'content-type': req.url?.endsWith('.html') ? 'text/html' : 'text/javascript' })
      .end(body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

test('the browser bundle pulls no Node-only module and keeps the schema validator out of the entry chunk', async () => {
  const { metafile } = await bundle();
  const inputs = Object.keys(metafile.inputs);
  expect(inputs.some((p) => p.includes('src/streams/market-data-stream.ts'))).toBe(true);
  expect(inputs.filter((p) => /node_modules\/(ws|undici)\//.test(p) || p.startsWith('node:'))).toEqual([]);
  for (const output of Object.values(metafile.outputs))
    expect(output.imports.filter((i) => i.external || i.path.startsWith('node:'))).toEqual([]);
  const entry = Object.values(metafile.outputs).find((o) => o.entryPoint?.endsWith('entry.ts'));
  expect(Object.keys(entry?.inputs ?? {}).filter((p) => p.includes('node_modules/ajv'))).toEqual([]);
  expect(entry?.bytes ?? Infinity).toBeLessThan(200_000);
});

test('MarketDataStream in headless Chromium: token auth, subscribe, quotes, survives a server drop', async () => {
  const { files } = await bundle();
  // Everything started here is closed in `finally`, whichever step fails (a failed browser launch
  // used to leave both servers open, and Jest never exited).
  let http: Server | undefined;
  let ws: TestWsServer<'market-data'> | undefined;
  let browser: Browser | undefined;
  try {
    http = await serve(files.map((f) => ({ path: f.path, text: f.text })));
    const server = await TestWsServer.start('market-data', (socket: ServerSocket<'market-data'>) => {
      socket.ws.on('message', (data) => {
        const frame = JSON.parse(String(data));
        if (frame.action === 'authenticate')
          socket.send({
            action: 'authenticated',
            connection_id: 'conn_1',
            expires_at: '2099-01-01T00:00:00Z',
          });
        if (frame.action === 'subscribe') {
          socket.send({
            action: 'subscribed',
            request_id: frame.request_id,
            channel: frame.channel,
            symbols: frame.symbols,
          });
          const first = server.sockets.indexOf(socket) === 0;
          socket.send({ action: 'update', channel: 'quotes', data: quote(first ? '1' : '2') });
          // The server drops the first connection without a close frame.
          if (first) setTimeout(() => socket.terminate(), 50);
        }
      });
    });
    ws = server;
    browser = await launchChromium();
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${(http.address() as AddressInfo).port}/index.html`);
    await page.waitForFunction(() => 'ConnectTradeStreams' in globalThis);
    const result = await page.evaluate(async (url) => {
      // biome-ignore lint/suspicious/noExplicitAny: the bundle's global, untyped inside the page.
      const { MarketDataStream } = (globalThis as any).ConnectTradeStreams;
      let n = 0;
      const md = new MarketDataStream({
        url,
        reconnect: { initialDelay: 10, maxDelay: 50 },
        tokenProvider: async () => ({ token: `browser_token_${++n}`, expires_at: '2099-01-01T00:00:00Z' }),
      });
      const reconnected = new Promise((resolve) => md.once('reconnected', resolve));
      await md.connect();
      const quotes = await md.subscribe('quotes', ['AAPL']);
      const iterator = quotes[Symbol.asyncIterator]();
      const first = (await iterator.next()).value;
      await reconnected;
      const second = (await iterator.next()).value;
      const state = md.state;
      await md.close();
      return { first: first.last, second: second.last, tokens: n, state, globalWebSocket: typeof WebSocket };
    }, server.url);
    expect(result).toEqual({
      first: '1',
      second: '2',
      tokens: 2,
      state: 'open',
      globalWebSocket: 'function',
    });
    expect(server.sockets).toHaveLength(2);
    expect(server.sockets[0]?.received[0]).toEqual({ action: 'authenticate', token: 'browser_token_1' });
    expect(server.sockets[1]?.received.map((f) => f.action)).toEqual(['authenticate', 'subscribe']);
    expect(server.sockets[1]?.received[0]?.token).toBe('browser_token_2');
  } finally {
    await browser?.close();
    await ws?.close();
    if (http) await closeServer(http);
  }
});
