/**
 * An end-to-end test of a platform's broker-link flow, as your own e2e suite would write it:
 * Playwright (playwright-core) drives the sandbox's link page in Chromium, and your app's
 * `redirect_url` handler (here a tiny node:http server) reads the outcome with `parseLinkRedirect`.
 * Two runs: a user who links (any username, password `pass_good`) and one whose broker account is
 * locked (`user_locked`), which your app must show as an error.
 *
 * Run against a sandbox (`npx connect-trade sandbox`, then paste its export lines):
 *   CHROMIUM_PATH=/usr/bin/chromium npx tsx examples/e2e/link-flow.ts
 * Without CHROMIUM_PATH, playwright-core uses the browser `npx playwright install chromium` fetched.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConnectTrade } from 'connect-trade';
import { type LinkRedirect, parseLinkRedirect } from 'connect-trade/sandbox';
import { chromium } from 'playwright-core';

/** Your app: the page `redirect_url` points at. It records each outcome with the app's own `state`. */
async function startApp() {
  const outcomes: { state: string | null; outcome: LinkRedirect }[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://app.local');
    if (url.pathname === '/linked') {
      const outcome = parseLinkRedirect(url);
      outcomes.push({ state: url.searchParams.get('state'), outcome });
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(
        `<!doctype html><title>App</title><h1>${outcome.status === 'success' ? 'Broker linked' : 'Linking failed'}</h1>`,
      );
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, outcomes, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function main(): Promise<void> {
  const ct = new ConnectTrade(); // CONNECT_TRADE_* point at the sandbox
  const { user_id, user_secret } = await ct.users.create({ user_id: `e2e-${Date.now()}` });
  const user = ct.forUser({ userId: user_id, userSecret: user_secret });
  const app = await startApp();
  const browser = await chromium.launch({
    ...(process.env.CHROMIUM_PATH && { executablePath: process.env.CHROMIUM_PATH }),
    args: ['--no-sandbox', '--disable-gpu'],
    timeout: 60_000,
  });
  try {
    for (const [username, expected] of [
      ['alice', 'success'],
      ['user_locked', 'error'],
    ] as const) {
      const state = `state-${username}`;
      const link = await user.connections.create({
        type: 'trade',
        broker: 'ALPACA',
        redirect_url: `${app.origin}/linked?state=${state}`,
      });
      const page = await browser.newPage();
      await page.goto(link.authorization_url);
      await page.getByRole('button', { name: 'Continue' }).click(); // ALPACA is preselected
      await page.getByLabel('Username').fill(username);
      await page.getByLabel('Password').fill('pass_good');
      await page.getByRole('button', { name: 'Connect' }).click();
      await page.waitForURL((url) => url.origin === app.origin, { timeout: 10_000 });
      const heading = await page.getByRole('heading', { level: 1 }).textContent();
      await page.close();

      const last = app.outcomes.at(-1);
      if (last?.state !== state || last.outcome.status !== expected)
        throw new Error(`${username}: expected ${expected} with state ${state}, got ${JSON.stringify(last)}`);
      const connection = (await user.connections.list()).find((c) => c.connection_id === link.connection_id);
      console.log(
        `${username}: app shows "${heading}", outcome ${JSON.stringify(last.outcome)}, connection ${connection?.status}`,
      );
      if ((expected === 'success') !== (connection?.status === 'active'))
        throw new Error(`${username}: the connection is ${connection?.status}`);
    }
    console.log('Done.');
  } finally {
    await browser.close();
    await app.close();
  }
}

main().catch((error: unknown) => {
  console.error('FAILED:', error);
  process.exitCode = 1;
});
