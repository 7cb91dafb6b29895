/**
 * The link page and the developer console in a real headless Chromium (playwright-core), against a
 * sandbox on port 0 and a local redirect receiver standing in for the platform's app. Every row of
 * the magic-credentials table and the cancel path end at the receiver with the documented query,
 * and the SDK sees the matching connection status; used and expired links; GET alone changes
 * nothing; the popup's postMessage; the console's live request log, a fault toggled there hitting
 * the next SDK call; axe-core on both pages. The screenshots in docs/images/ come from here.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import axe from 'axe-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { runExample } from '../../scripts/run-examples';
import { ConnectTrade } from '../../src';
import { type Sandbox, startSandbox } from '../../src/sandbox';
import { launchChromium } from '../helpers/chromium';
import { closeServer } from '../helpers/close-server';
import { requireChromium } from '../helpers/prereqs';

jest.setTimeout(120_000);

const IMAGES = join(__dirname, '..', '..', 'docs', 'images');
const APP_QUERY = 'state=a%20b%2Fc&x=1';

let sb: Sandbox;
let browser: Browser;
let context: BrowserContext;
let receiver: Server;
let appOrigin: string;
/** Every request the receiver got: path + query, byte for byte. */
const received: string[] = [];
let user: ReturnType<ConnectTrade['forUser']>;

beforeAll(async () => {
  sb = await startSandbox({ tickMs: 200 });
  receiver = createServer((req, res) => {
    received.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    // The platform's page: it records what a popup tells it.
    res.end(
      '<!doctype html><html lang="en"><head><title>App</title></head><body><main><h1>App</h1></main>' +
        "<script>window.messages=[];addEventListener('message',function(e){messages.push({data:e.data,origin:e.origin})})</script></body></html>",
    );
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  appOrigin = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  const ct = new ConnectTrade({ ...sb.credentials, baseUrl: sb.url, maxRetries: 0 });
  const { user_id, user_secret } = await ct.users.create({ user_id: 'browser-linker' });
  user = ct.forUser({ userId: user_id, userSecret: user_secret });
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
});

afterAll(async () => {
  await browser?.close();
  await sb?.close();
  if (receiver) await closeServer(receiver);
});

const link = (broker = 'ALPACA') =>
  user.connections.create({ type: 'trade', broker, redirect_url: `${appOrigin}/linked?${APP_QUERY}` });
const connection = async (id: string) => (await user.connections.list()).find((c) => c.connection_id === id);

/** Serious and critical axe-core violations of the page as it is now. */
async function axeViolations(page: Page): Promise<string[]> {
  // evaluate() is not subject to the page's CSP (an injected <script> would be).
  await page.evaluate(axe.source);
  const results = await page.evaluate(() =>
    (window as unknown as { axe: typeof axe }).axe.run(document, { resultTypes: ['violations'] }),
  );
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** Collects CSP violations and script errors of a page. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    // A 4xx page (422 with an alert, 410 used) is logged as a failed load: not an error here.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
  });
  return errors;
}

async function login(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Connect' }).click();
}

/** Opens the link, keeps the preselected broker, and returns the page on the login step. */
async function openLogin(url: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(url);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('Username').waitFor();
  return page;
}

/** Waits until the browser arrived at the receiver; returns the query it got. */
async function arrived(page: Page): Promise<string> {
  await page.waitForURL((u) => u.origin === appOrigin, { timeout: 10_000 });
  const url = new URL(page.url());
  expect(received).toContain(url.pathname + url.search);
  return url.search.slice(1);
}

describe('the link page, row by row of the magic credentials', () => {
  const rows: [string, string, string | undefined, string, string, number][] = [
    // username, password, one-time code, added query, connections.list status, accounts
    ['someone', 'pass_good', undefined, 'connection_id={id}&status=success', 'active', 1],
    ['user_mfa', 'pass_good', '123456', 'connection_id={id}&status=success', 'active', 1],
    ['user_locked', 'pass_good', undefined, 'status=error&error_code=account_locked', 'error', 0],
    ['user_down', 'pass_good', undefined, 'status=error&error_code=broker_unavailable', 'error', 0],
    ['user_ratelimited', 'pass_good', undefined, 'status=error&error_code=rate_limited', 'error', 0],
    ['user_noaccounts', 'pass_good', undefined, 'connection_id={id}&status=success', 'active', 0],
  ];
  it.each(rows)(
    '%s / %s ends at the receiver with the documented query',
    async (username, password, code, added, status, accounts) => {
      const { authorization_url, connection_id } = await link();
      const page = await openLogin(authorization_url);
      await login(page, username, password);
      if (code) {
        await page.getByLabel('One-time code').fill(code);
        await page.getByRole('button', { name: 'Submit code' }).click();
      }
      expect(await arrived(page)).toBe(`${APP_QUERY}&${added.replace('{id}', connection_id ?? '')}`);
      const seen = await connection(connection_id ?? '');
      expect(seen?.status).toBe(status);
      expect(seen?.accounts ?? []).toHaveLength(accounts);
      await page.close();
    },
  );

  it('a wrong password is an alert the user can retry from; so is a wrong one-time code', async () => {
    const { authorization_url, connection_id } = await link();
    const page = await openLogin(authorization_url);
    await login(page, 'someone', 'wrong');
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/Invalid username or password/);
    await page.locator('main').screenshot({ path: join(IMAGES, 'link-error.png') });
    expect((await connection(connection_id ?? ''))?.status).toBe('pending');
    await login(page, 'user_mfa', 'pass_good');
    await page.getByLabel('One-time code').fill('999999');
    await page.getByRole('button', { name: 'Submit code' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/one-time code is not valid/);
    await page.getByLabel('One-time code').fill('123456');
    await page.locator('main').screenshot({ path: join(IMAGES, 'link-code.png') });
    await page.getByRole('button', { name: 'Submit code' }).click();
    expect(await arrived(page)).toBe(`${APP_QUERY}&connection_id=${connection_id}&status=success`);
    await page.close();
  });

  it('Cancel ends at the receiver with status=cancelled&error=access_denied', async () => {
    const { authorization_url, connection_id } = await link();
    const page = await openLogin(authorization_url);
    await page.getByRole('button', { name: 'Cancel' }).click();
    expect(await arrived(page)).toBe(`${APP_QUERY}&status=cancelled&error=access_denied`);
    expect((await connection(connection_id ?? ''))?.status).toBe('revoked');
    await page.close();
  });

  it('the Scenario select drives the same engine', async () => {
    const { authorization_url, connection_id } = await link();
    const page = await openLogin(authorization_url);
    await page.getByLabel('Scenario').selectOption('broker_unavailable');
    await page.locator('main').screenshot({ path: join(IMAGES, 'link-login.png') });
    await login(page, 'someone', 'pass_good');
    expect(await arrived(page)).toBe(`${APP_QUERY}&status=error&error_code=broker_unavailable`);
    expect((await connection(connection_id ?? ''))?.status).toBe('error');
    await page.close();
  });
});

describe('the link page', () => {
  it('shows the brokers with the named one preselected; loading it alone changes nothing; no serious axe violation', async () => {
    const { authorization_url, connection_id } = await link('SCHWAB');
    const page = await context.newPage();
    const errors = watchErrors(page);
    for (let i = 0; i < 3; i++) await page.reload().catch(() => page.goto(authorization_url));
    await page.goto(authorization_url);
    expect(await page.getByRole('radio').count()).toBeGreaterThanOrEqual(20);
    expect(await page.getByRole('radio', { name: 'Charles Schwab' }).isChecked()).toBe(true);
    await page.locator('main').screenshot({ path: join(IMAGES, 'link-broker.png') });
    expect(await axeViolations(page)).toEqual([]);
    expect(await connection(connection_id ?? '')).toMatchObject({ status: 'pending', accounts: [] });
    // The other steps too.
    await page.getByRole('button', { name: 'Continue' }).click();
    await login(page, 'someone', 'nope');
    expect(await axeViolations(page)).toEqual([]);
    await login(page, 'user_mfa', 'pass_good');
    await page.getByLabel('One-time code').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a used link and an expired one show a page saying so and go nowhere', async () => {
    const used = await link();
    await sb.authorize(used.authorization_url);
    const page = await context.newPage();
    const before = received.length;
    await page.goto(used.authorization_url);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
      'This link was already used',
    );
    await page.locator('main').screenshot({ path: join(IMAGES, 'link-used.png') });
    expect(await axeViolations(page)).toEqual([]);

    const stale = await link();
    sb.clock.advance(Date.parse(stale.expires_at ?? '') - sb.clock.nowMs() + 1);
    await page.goto(stale.authorization_url);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
      'This link has expired',
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(new URL(page.url()).origin).toBe(sb.url);
    expect(received.length).toBe(before);
    expect((await connection(stale.connection_id ?? ''))?.status).toBe('pending');
    await page.close();
  });

  it('in a popup, tells the opener with the redirect URL’s exact origin, then redirects', async () => {
    const { authorization_url, connection_id } = await link();
    const opener = await context.newPage();
    await opener.goto(`${appOrigin}/start`);
    const [popup] = await Promise.all([
      opener.waitForEvent('popup'),
      opener.evaluate((url) => {
        window.open(url, 'link', 'popup,width=600,height=700');
      }, authorization_url),
    ]);
    await popup.getByRole('button', { name: 'Continue' }).click();
    await login(popup, 'someone', 'pass_good');
    await expect(arrived(popup)).resolves.toBe(`${APP_QUERY}&connection_id=${connection_id}&status=success`);
    const messages = await opener.evaluate(() => (window as unknown as { messages: unknown[] }).messages);
    expect(messages).toEqual([
      {
        origin: sb.url,
        data: {
          type: 'connect-trade:link',
          status: 'success',
          connection_id: connection_id,
          redirect_url: `${appOrigin}/linked?${APP_QUERY}&connection_id=${connection_id}&status=success`,
        },
      },
    ]);
    await popup.close();
    await opener.close();
  });
});

describe('the developer console', () => {
  it('logs an SDK call within 2 s, copies it as an SDK call, and a fault toggled there hits the next SDK call', async () => {
    const page = await context.newPage();
    const errors = watchErrors(page);
    const started = Date.now();
    await page.goto(sb.consoleUrl);
    await page.getByRole('heading', { name: 'REST requests' }).waitFor();
    await page.locator('canvas').first().waitFor();
    const loadMs = Date.now() - started;
    expect(new URL(page.url()).search).toBe(''); // the token left the address bar for a cookie

    const { connection_id } = await link();
    const sent = Date.now();
    await user.connections.token(connection_id ?? '').catch(() => undefined);
    const row = page.getByRole('button', { name: `/connections/${connection_id}/token` });
    await row.waitFor({ timeout: 2000 });
    const shownMs = Date.now() - sent;
    expect(shownMs).toBeLessThan(2000);

    await page.getByRole('button', { name: '/connections', exact: true }).first().click();
    const sdk = page.locator('pre.sdk');
    await expect(sdk.textContent()).resolves.toContain('await user.connections.create({');
    await page.getByRole('button', { name: 'Copy as SDK call' }).click();
    // The request body is shown, the user's secret never is.
    await expect(page.getByText('[redacted]').count()).resolves.toBe(0);

    await page.getByLabel('Fault').selectOption('fail503');
    await page.getByRole('button', { name: 'Inject fault' }).click();
    await page.getByText('fault: done').waitFor();
    await expect(user.accounts.list()).rejects.toMatchObject({ status: 503 });
    await expect(user.accounts.list()).resolves.toBeInstanceOf(Array);
    await page.locator('td.bad', { hasText: '503' }).first().waitFor();

    await page.getByRole('button', { name: 'Tick' }).click();
    await page.getByText('tick: done').waitFor();
    await page.getByRole('tab', { name: /connections/ }).click();
    await page.waitForTimeout(700); // a few price samples on the charts
    await page.screenshot({
      path: join(IMAGES, 'console.png'),
      clip: { x: 0, y: 0, width: 1100, height: 760 },
    });
    expect(await axeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    console.log(`console: first render ${loadMs} ms, SDK call shown after ${shownMs} ms`);
    await page.close();
  });

  it('a browser without the token sees no data', async () => {
    const fresh = await browser.newContext(); // no console cookie
    const page = await fresh.newPage();
    const response = await page.goto(`${sb.url}/__sandbox/console`);
    expect(response?.status()).toBe(401);
    await expect(page.textContent('body')).resolves.toContain('needs the token');
    const events = await page.evaluate(async () => (await fetch('/__sandbox/console/events')).status);
    expect(events).toBe(401);
    await fresh.close();
  });
});

describe('the developer console’s stream tail and controls', () => {
  /** Clicks a control button and returns the JSON the sandbox answered. */
  async function click(page: Page, name: string): Promise<Record<string, unknown>> {
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/__sandbox/console/api/control'), { timeout: 5000 }),
      page.getByRole('button', { name, exact: true }).click(),
    ]);
    expect(response.status()).toBe(200);
    return (await response.json()) as Record<string, unknown>;
  }

  it('tails frames of both streams within 2 s', async () => {
    const page = await context.newPage();
    await page.goto(sb.consoleUrl);
    await page.getByRole('heading', { name: /Stream frames/ }).waitFor();
    const ct = new ConnectTrade({
      ...sb.credentials,
      baseUrl: sb.url,
      streamUrl: sb.streamUrl,
      marketDataUrl: sb.marketDataUrl,
      maxRetries: 0,
    });
    const { authorization_url } = await link();
    const { connectionId } = await sb.authorize(authorization_url);
    const stream = ct.stream({ reconnect: { maxAttempts: 0 } });
    const md = user.marketData(connectionId, { url: sb.marketDataUrl });
    try {
      const opened = Date.now();
      await Promise.all([stream.connect(), md.connect()]);
      const frames = page.locator('ol.frames li');
      await frames.filter({ hasText: 'brokerage' }).first().waitFor({ timeout: 2000 });
      await frames.filter({ hasText: 'market data' }).first().waitFor({ timeout: 2000 });
      expect(Date.now() - opened).toBeLessThan(2000);
      await expect(frames.filter({ hasText: 'authenticate' }).count()).resolves.toBeGreaterThan(0);
    } finally {
      await Promise.all([stream.close(), md.close()]);
      await page.close();
    }
  });

  it('Set price, +1 %, −1 %, Advance clock and Reset act on the sandbox', async () => {
    const page = await context.newPage();
    await page.goto(sb.consoleUrl);
    await page.getByRole('heading', { name: 'Controls' }).waitFor();
    await page.getByLabel('Symbol', { exact: true }).selectOption('MSFT');
    await page.getByLabel('Price', { exact: true }).fill('1000.00');
    expect(await click(page, 'Set price')).toEqual({ price: '1000' });
    // The feed walks on (a tick every 200 ms, ~0.1 % each), so the moves are checked within a band.
    const up = Number((await click(page, '+1 %')).price);
    expect(up).toBeGreaterThan(1005);
    expect(up).toBeLessThan(1015);
    const down = Number((await click(page, '−1 %')).price);
    expect(down / up).toBeGreaterThan(0.985);
    expect(down / up).toBeLessThan(0.995);
    // The sandbox prices from there on.
    const now = Number(sb.feed.price('MSFT'));
    expect(now / down).toBeGreaterThan(0.99);
    expect(now / down).toBeLessThan(1.01);

    const before = sb.clock.nowMs();
    await page.getByLabel('Minutes').fill('90');
    const advanced = await click(page, 'Advance clock');
    expect(Date.parse(String(advanced.now)) - before).toBeGreaterThanOrEqual(90 * 60_000);
    expect(Date.parse(String(advanced.now)) - before).toBeLessThan(90 * 60_000 + 5000);

    // Reset asks first: dismissed, nothing is sent and the users stay.
    const users = (await new ConnectTrade({ ...sb.credentials, baseUrl: sb.url }).users.list()).length;
    expect(users).toBeGreaterThan(0);
    page.once('dialog', (d) => void d.dismiss());
    await page.getByRole('button', { name: 'Reset', exact: true }).click();
    await page.waitForTimeout(300);
    expect(await new ConnectTrade({ ...sb.credentials, baseUrl: sb.url }).users.list()).toHaveLength(users);
    page.once('dialog', (d) => void d.accept());
    expect(await click(page, 'Reset')).toEqual({ reset: true });
    expect(await new ConnectTrade({ ...sb.credentials, baseUrl: sb.url }).users.list()).toEqual([]);
    await page.getByRole('tab', { name: 'users (0)' }).waitFor({ timeout: 2000 });
    await page.close();
  });
});

describe('examples/e2e/link-flow.ts (a platform’s own e2e test of the link flow)', () => {
  it('drives the link page in Chromium and its app reads both outcomes', async () => {
    process.env.CHROMIUM_PATH = requireChromium();
    const result = await runExample('e2e/link-flow.ts', 90_000);
    if (!result.ok) throw new Error(`link-flow.ts failed:\n${result.output}`);
    expect(result.output).toMatch(
      /alice: app shows "Broker linked", outcome \{"status":"success","connectionId":"conn_\d+"\}, connection active/,
    );
    expect(result.output).toMatch(
      /user_locked: app shows "Linking failed", outcome \{"status":"error","errorCode":"account_locked"\}, connection error/,
    );
    expect(result.output).toContain('Done.');
  });
});
