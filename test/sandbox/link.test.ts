/**
 * The link page and the developer console over plain HTTP (no browser): the scenario engine through
 * `authorize`, the redirect contract, GET-changes-nothing, CSRF, single use and expiry, and the
 * Host / Origin / token refusals of both pages. test/browser/link-page.test.ts drives the same
 * pages in Chromium.
 */
import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { ConnectTrade } from '../../src';
import {
  authorizeSandboxConnection,
  type LinkScenario,
  parseLinkRedirect,
  type Sandbox,
  startSandbox,
} from '../../src/sandbox';
import { consoleAssets } from '../../src/sandbox/console/assets';
import { sdkCall } from '../../src/sandbox/console/sdk-call';

let sb: Sandbox;
let user: ReturnType<ConnectTrade['forUser']>;
const REDIRECT = 'https://app.example/linked?state=a%20b%2Fc&x=1';
beforeAll(async () => {
  sb = await startSandbox({ tickMs: 0 });
  const ct = new ConnectTrade({ ...sb.credentials, baseUrl: sb.url, maxRetries: 0 });
  const { user_id, user_secret } = await ct.users.create({ user_id: 'linker' });
  user = ct.forUser({ userId: user_id, userSecret: user_secret });
});
afterAll(() => sb.close());

const link = (broker = 'ALPACA', redirect_url = REDIRECT) =>
  user.connections.create({ type: 'trade', broker, redirect_url });
const statusOf = async (id: string) => (await user.connections.list()).find((c) => c.connection_id === id);

/** A raw request with exactly the given headers (fetch would set Host and Origin itself). */
function raw(
  method: string,
  path: string,
  headers: Record<string, string>,
  body = '',
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: sb.port, method, path, headers, setHost: false },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => {
          text += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
const host = () => `127.0.0.1:${sb.port}`;
const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

describe('the magic credentials and scenarios, through authorize (the page’s GET + POST)', () => {
  const rows: [string, Parameters<Sandbox['authorize']>[1], string, string, number][] = [
    // what, options, redirect query added, connection status, accounts
    ['any username + pass_good', { username: 'someone' }, 'connection_id={id}&status=success', 'active', 1],
    [
      'user_mfa + 123456',
      { username: 'user_mfa', code: '123456' },
      'connection_id={id}&status=success',
      'active',
      1,
    ],
    ['user_locked', { username: 'user_locked' }, 'status=error&error_code=account_locked', 'error', 0],
    ['user_down', { username: 'user_down' }, 'status=error&error_code=broker_unavailable', 'error', 0],
    [
      'user_ratelimited',
      { username: 'user_ratelimited' },
      'status=error&error_code=rate_limited',
      'error',
      0,
    ],
    ['user_noaccounts', { username: 'user_noaccounts' }, 'connection_id={id}&status=success', 'active', 0],
    ['cancel', { cancel: true }, 'status=cancelled&error=access_denied', 'revoked', 0],
  ];
  it.each(rows)(
    '%s: redirect keeps the app’s query byte for byte and adds the outcome',
    async (_what, options, added, status, accounts) => {
      const { authorization_url } = await link();
      const result = await sb.authorize(authorization_url, options);
      expect(result.redirectUrl).toBe(`${REDIRECT}&${added.replace('{id}', result.connectionId)}`);
      const connection = await statusOf(result.connectionId);
      expect(connection?.status).toBe(status);
      expect(connection?.accounts ?? []).toHaveLength(accounts);
      expect(parseLinkRedirect(result.redirectUrl).status).toBe(result.status);
    },
  );

  it.each<[LinkScenario, string]>([
    ['account_locked', 'error'],
    ['rate_limited', 'error'],
    ['no_accounts', 'success'],
    ['success', 'success'],
  ])('the scenario option %s overrides the credentials', async (scenario, outcome) => {
    const { authorization_url } = await link();
    const result = await authorizeSandboxConnection(authorization_url, { scenario, username: 'user_locked' });
    expect(result.status).toBe(outcome);
  });

  it('a wrong password or code is an alert and the same link can try again', async () => {
    const { authorization_url, connection_id } = await link();
    await expect(sb.authorize(authorization_url, { password: 'nope' })).rejects.toThrow(
      /Invalid username or password/,
    );
    await expect(sb.authorize(authorization_url, { username: 'user_mfa', code: '000000' })).rejects.toThrow(
      /one-time code is not valid/,
    );
    await expect(sb.authorize(authorization_url, { scenario: 'invalid_credentials' })).rejects.toThrow(
      /Invalid/,
    );
    expect((await statusOf(connection_id ?? ''))?.status).toBe('pending');
    expect((await sb.authorize(authorization_url, { username: 'user_mfa' })).status).toBe('success');
  });

  it('the picked broker is the connection’s broker', async () => {
    const { authorization_url } = await link('SANDBOX');
    const { connectionId } = await sb.authorize(authorization_url, { broker: 'SCHWAB' });
    expect((await statusOf(connectionId))?.broker).toBe('SCHWAB');
  });
});

describe('the redirect contract', () => {
  it('appends before the fragment, after a bare ? or a trailing &, and parses back', async () => {
    for (const [base, expected] of [
      ['https://a.example/cb', 'https://a.example/cb?status=cancelled&error=access_denied'],
      ['https://a.example/cb?', 'https://a.example/cb?status=cancelled&error=access_denied'],
      ['https://a.example/cb?s=%7E&', 'https://a.example/cb?s=%7E&status=cancelled&error=access_denied'],
      [
        'https://a.example/cb?s=1#frag?x',
        'https://a.example/cb?s=1&status=cancelled&error=access_denied#frag?x',
      ],
    ] as const) {
      const { authorization_url } = await link('ALPACA', base);
      expect((await sb.authorize(authorization_url, { cancel: true })).redirectUrl).toBe(expected);
    }
    expect(parseLinkRedirect('https://a.example/cb?state=1&connection_id=c%201&status=success')).toEqual({
      status: 'success',
      connectionId: 'c 1',
    });
    expect(parseLinkRedirect(new URL('https://a.example/?status=error&error_code=rate_limited'))).toEqual({
      status: 'error',
      errorCode: 'rate_limited',
    });
    expect(parseLinkRedirect('status=cancelled&error=access_denied')).toEqual({
      status: 'cancelled',
      error: 'access_denied',
    });
    expect(() => parseLinkRedirect('https://a.example/?state=1')).toThrow(TypeError);
    expect(() => parseLinkRedirect('https://a.example/?status=success')).toThrow(/no connection_id/);
  });
});

describe('the page', () => {
  it('GET shows the broker picker (preselected) and changes nothing, however often', async () => {
    const { authorization_url, connection_id } = await link('SCHWAB');
    for (let i = 0; i < 3; i++) {
      const page = await fetch(authorization_url, { redirect: 'manual' });
      expect(page.status).toBe(200);
      expect(page.headers.get('location')).toBeNull();
      const html = await page.text();
      expect(html).toContain('value="SCHWAB" checked');
      expect(html.match(/type="radio" name="broker"/g)?.length).toBeGreaterThanOrEqual(20);
      expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    }
    const connection = await statusOf(connection_id ?? '');
    expect(connection).toMatchObject({ status: 'pending', accounts: [] });
  });

  it('a POST without a valid CSRF token changes nothing', async () => {
    const { authorization_url, connection_id } = await link();
    const path = new URL(authorization_url).pathname;
    const form = (csrf: string) =>
      `csrf=${encodeURIComponent(csrf)}&broker=ALPACA&action=connect&username=u&password=pass_good&scenario=auto`;
    const type = { host: host(), 'content-type': 'application/x-www-form-urlencoded' };
    for (const csrf of ['', 'x.y', `${csrfOf(await (await fetch(authorization_url)).text())}A`]) {
      const answer = await raw('POST', path, type, form(csrf));
      expect(answer.status).toBe(403);
      expect(answer.headers['x-connect-trade-link-step']).toBe('refused');
    }
    // Another connection's token does not work here either.
    const other = await link();
    const foreign = csrfOf(await (await fetch(other.authorization_url)).text());
    expect((await raw('POST', path, type, form(foreign))).status).toBe(403);
    expect((await statusOf(connection_id ?? ''))?.status).toBe('pending');
    // The page's own token does.
    const own = csrfOf(await (await fetch(authorization_url)).text());
    expect((await raw('POST', path, type, form(own))).headers['x-connect-trade-link-step']).toBe('result');
    expect((await statusOf(connection_id ?? ''))?.status).toBe('active');
  });

  it('works once: a used link shows a page saying so and redirects nowhere', async () => {
    const { authorization_url } = await link();
    await sb.authorize(authorization_url);
    const again = await fetch(authorization_url, { redirect: 'manual' });
    expect(again.status).toBe(410);
    expect(again.headers.get('location')).toBeNull();
    expect(await again.text()).toContain('already used');
    await expect(sb.authorize(authorization_url)).rejects.toThrow(/says used/);
  });

  it('expires at its expires_at (on the sandbox clock)', async () => {
    const { authorization_url, expires_at, connection_id } = await link();
    expect((await fetch(authorization_url)).status).toBe(200);
    sb.clock.advance(Date.parse(expires_at ?? '') - sb.clock.nowMs() + 1);
    const page = await fetch(authorization_url, { redirect: 'manual' });
    expect(page.status).toBe(410);
    expect(page.headers.get('location')).toBeNull();
    expect(await page.text()).toContain('This link has expired');
    await expect(authorizeSandboxConnection(authorization_url)).rejects.toThrow(/says expired/);
    expect((await statusOf(connection_id ?? ''))?.status).toBe('pending');
  });
});

describe('secure by default', () => {
  it('refuses a Host that is not a loopback name with the sandbox’s port (403), on both pages', async () => {
    const { authorization_url } = await link();
    const path = new URL(authorization_url).pathname;
    for (const badHost of [
      'evil.example',
      `evil.example:${sb.port}`,
      '127.0.0.1',
      '127.0.0.1:1',
      `localhost.evil:${sb.port}`,
    ]) {
      expect((await raw('GET', path, { host: badHost })).status).toBe(403);
      expect(
        (await raw('GET', `/__sandbox/console${new URL(sb.consoleUrl).search}`, { host: badHost })).status,
      ).toBe(403);
    }
    for (const good of [host(), `localhost:${sb.port}`, `127.0.0.2:${sb.port}`])
      expect((await raw('GET', path, { host: good })).status).toBe(200);
  });

  it('refuses a cross-origin POST and a cross-site one (Origin, Sec-Fetch-Site) before it changes anything', async () => {
    const { authorization_url, connection_id } = await link();
    const path = new URL(authorization_url).pathname;
    const csrf = csrfOf(await (await fetch(authorization_url)).text());
    const form = `csrf=${encodeURIComponent(csrf)}&broker=ALPACA&action=connect&username=u&password=pass_good`;
    const base = { host: host(), 'content-type': 'application/x-www-form-urlencoded' };
    for (const extra of [
      { origin: 'https://evil.example' },
      { origin: `http://127.0.0.1:${sb.port + 1}` },
      { origin: 'null' },
      { 'sec-fetch-site': 'cross-site' },
    ]) {
      const answer = await raw('POST', path, { ...base, ...extra }, form);
      expect(answer.status).toBe(403);
    }
    expect((await statusOf(connection_id ?? ''))?.status).toBe('pending');
    const ok = await raw('POST', path, { ...base, origin: `http://localhost:${sb.port}` }, form);
    expect(ok.headers['x-connect-trade-link-step']).toBe('result');
  });

  it('the console wants the run’s token: none 401, wrong 403; its live stream checks Origin; no framing', async () => {
    const token = new URL(sb.consoleUrl).searchParams.get('token') ?? '';
    expect(token).toMatch(/^[0-9a-f]{32}$/);
    for (const path of [
      '/__sandbox/console',
      '/__sandbox/console/events',
      '/__sandbox/console/api/snapshot',
      '/__sandbox/console/console.js',
    ])
      expect((await raw('GET', path, { host: host() })).status).toBe(401);
    expect((await raw('GET', '/__sandbox/console?token=nope', { host: host() })).status).toBe(403);
    expect(
      (await raw('GET', '/__sandbox/console/api/snapshot', { host: host(), cookie: 'ct_console=nope' }))
        .status,
    ).toBe(403);
    const control = JSON.stringify({ action: 'reset' });
    const json = { host: host(), 'content-type': 'application/json' };
    expect((await raw('POST', '/__sandbox/console/api/control', json, control)).status).toBe(401);
    expect(
      (
        await raw(
          'POST',
          '/__sandbox/console/api/control',
          { ...json, cookie: `ct_console=${token}`, origin: 'https://evil.example' },
          control,
        )
      ).status,
    ).toBe(403);
    expect(
      (
        await raw('GET', '/__sandbox/console/events', {
          host: host(),
          cookie: `ct_console=${token}`,
          origin: 'https://evil.example',
        })
      ).status,
    ).toBe(403);

    // The token in the address bar becomes an HttpOnly, SameSite=Strict cookie scoped to the console.
    const entry = await raw('GET', `/__sandbox/console?token=${token}`, { host: host() });
    expect(entry.status).toBe(303);
    expect(entry.headers.location).toBe('/__sandbox/console');
    expect(String(entry.headers['set-cookie'])).toMatch(
      /^ct_console=[0-9a-f]{32}; HttpOnly; SameSite=Strict; Path=\/__sandbox\/console$/,
    );
    const page = await raw('GET', '/__sandbox/console', { host: host(), cookie: `ct_console=${token}` });
    expect(page.status).toBe(200);
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['content-security-policy']).toMatch(/default-src 'self'.*frame-ancestors 'none'/);
    expect(page.body).not.toMatch(/https?:\/\//); // nothing from a CDN
  });
});

describe('the console’s assets', () => {
  it('are at most 80 KB gzip, load nothing from elsewhere, and never enter the SDK bundles', async () => {
    const { js, css } = await consoleAssets();
    const gzip = gzipSync(js).length + gzipSync(css).length;
    expect(gzip).toBeLessThanOrEqual(80_000);
    expect(js.includes('uplot') && js.includes('EventSource')).toBe(true); // (not toContain: a failure would print 77 KB)
    expect(`${js}${css}`).not.toMatch(/(src|href)=["']https?:|@import|url\(["']?https?:/);
    // The SDK entries' module graphs reach neither the client code nor its libraries.
    for (const entry of ['src/index.ts', 'src/sandbox.ts', 'src/rest.ts', 'src/streams.ts']) {
      const result = await build({
        entryPoints: [entry],
        bundle: true,
        platform: 'node',
        write: false,
        metafile: true,
        logLevel: 'silent',
        external: ['esbuild'],
      });
      const inputs = Object.keys(result.metafile.inputs);
      expect(inputs.filter((p) => /node_modules\/(preact|htm|uplot)\/|console\/client\//.test(p))).toEqual(
        [],
      );
    }
  });

  it('"Copy as SDK call" writes the SDK call of a logged request', () => {
    expect(sdkCall('createOrder', '/orders', { symbol: 'AAPL' })).toBe(
      'await user.orders.create({\n  "symbol": "AAPL"\n});',
    );
    expect(sdkCall('listOrders', '/orders?account_id=acc_1&status=open', undefined)).toBe(
      'await user.orders.list({\n  "account_id": "acc_1",\n  "status": "open"\n});',
    );
    expect(sdkCall('cancelOrder', '/accounts/acc_1/orders/ord_2', undefined)).toBe(
      'await user.orders.cancel("acc_1", "ord_2");',
    );
    expect(sdkCall('createUser', '/users', { user_id: 'u' })).toContain('ct.users.create(');
  });
});
