/**
 * Platform secrets must not ship to browsers by accident: the REST entry bundled for browsers
 * (esbuild, platform browser) runs in headless Chromium, where a client given a clientSecret
 * refuses to start unless `dangerouslyAllowBrowser: true`, and sends no script-set user-agent.
 * Chromium must be present (CI installs it): no skipping.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { build } from 'esbuild';
import { launchChromium } from '../helpers/chromium';

jest.setTimeout(60_000);

async function serve(entry: string, api: (req: IncomingMessage) => void): Promise<Server> {
  const result = await build({
    entryPoints: [join(__dirname, 'browser/rest-entry.ts')],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    // The Node transport is only ever imported lazily, in Node: a chunk of its own the page never loads.
    external: ['node:*'],
    splitting: true,
    outdir: '/virtual',
    write: false,
    logLevel: 'silent',
  });
  const scripts = new Map(result.outputFiles.map((f) => [`/${f.path.split('/').pop()}`, f.text]));
  const server = createServer((req, res) => {
    const script = scripts.get(req.url === '/entry.js' ? '/rest-entry.js' : (req.url ?? ''));
    if (script !== undefined) return res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    if (req.url === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end(entry);
    api(req);
    res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

test('in a browser, a clientSecret needs dangerouslyAllowBrowser; the secret-free client is unaffected', async () => {
  const seen: IncomingMessage[] = [];
  const server = await serve('<!doctype html><script type="module" src="/entry.js"></script>', (req) =>
    seen.push(req),
  );
  let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
  try {
    browser = await launchChromium();
    const page = await browser.newPage();
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => 'ConnectTradeRest' in globalThis);
    const result = await page.evaluate(async (baseUrl) => {
      // biome-ignore lint/suspicious/noExplicitAny: the bundle's global, untyped inside the page.
      const { ConnectTrade } = (globalThis as any).ConnectTradeRest;
      const outcome = (make: () => unknown) => {
        try {
          make();
          return 'ok';
        } catch (error) {
          return `${(error as Error).name}: ${(error as Error).message}`;
        }
      };
      const options = { clientId: 'cid', clientSecret: 'cs_browser_secret', baseUrl };
      const allowed = new ConnectTrade({ ...options, dangerouslyAllowBrowser: true });
      await allowed.users.list();
      return {
        refused: outcome(() => new ConnectTrade(options)),
        allowed: outcome(() => new ConnectTrade({ ...options, dangerouslyAllowBrowser: true })),
        noSecret: outcome(() => new ConnectTrade({ clientId: 'cid', baseUrl })),
        userAgent: navigator.userAgent,
      };
    }, origin);
    expect(result.refused).toMatch(/^ConfigurationError: clientSecret in a browser/);
    expect(result.refused).not.toContain('cs_browser_secret');
    expect(result.allowed).toBe('ok');
    expect(result.noSecret).toBe('ok');
    // The browser's own user-agent went out, not one the SDK made up.
    expect(seen[0]?.headers['user-agent']).toBe(result.userAgent);
  } finally {
    await browser?.close();
    await new Promise((resolve) => server.close(resolve));
  }
});
