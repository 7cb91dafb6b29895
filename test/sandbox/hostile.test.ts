/**
 * A hostile client against the sandbox, over raw sockets: whatever it sends gets a JSON 4xx and the
 * process keeps serving; the admin endpoint refuses cross-site pages and DNS rebinding.
 */
import WebSocket from 'ws';
import type { Sandbox } from '../../src/sandbox';
import { MAX_FRAME_BYTES } from '../../src/sandbox/http/server';
import { call, onboard, testSandbox } from './helpers';
import { type RawResponse, rawGet, rawRequest, rawUpgrade } from './raw-http';

let sb: Sandbox;
beforeAll(async () => {
  sb = await testSandbox();
});
afterAll(() => sb.close());

/** Fails unless the answer is `status` with a `{ message, code }` JSON body. */
function expectJsonError(response: RawResponse, status: number): { message: string; code: string } {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  const body = JSON.parse(response.body);
  expect(body).toEqual({ message: expect.any(String), code: expect.any(String) });
  return body;
}

/** The sandbox still answers a normal request. */
async function stillServing(): Promise<void> {
  expect((await call(sb, 'GET', '/users')).status).toBe(200);
}

describe('malformed requests get a JSON 400 and the sandbox keeps serving', () => {
  const targets = [
    ['a malformed percent-encoding on the authorization page', '/authorize/%ZZ'],
    ['a truncated percent-encoding in a path parameter', '/users/abc%E0%A4%A'],
    ['a malformed percent-encoding in a path parameter', '/accounts/%ZZ/orders/ord_1'],
    ['an absolute target that is not a URL', 'http://[::1'],
    ['an absolute target with a bad port', 'http://127.0.0.1:99999999/users'],
  ] as const;

  it.each(targets)('HTTP: %s', async (_what, target) => {
    const method = /^\/(accounts|users)\//.test(target) ? 'DELETE' : 'GET';
    const response = await rawRequest(
      sb.port,
      [
        `${method} ${target} HTTP/1.1`,
        'host: 127.0.0.1',
        'connection: close',
        `client-id: ${sb.credentials.clientId}`,
        `client-secret: ${sb.credentials.clientSecret}`,
        '',
        '',
      ].join('\r\n'),
    );
    expectJsonError(response, 400);
    await stillServing();
  });

  it.each(targets)('WebSocket upgrade: %s', async (_what, target) => {
    const response = await rawUpgrade(sb.port, target);
    expect([400, 404]).toContain(response.status);
    expectJsonError(response, response.status);
    await stillServing();
  });

  it('a request the HTTP parser refuses (a control byte in a header) gets a JSON 400', async () => {
    const response = await rawGet(sb.port, '/users', ['x-evil: a\u0001b']);
    expectJsonError(response, 400);
    await stillServing();
  });

  it('a request without Host gets a JSON answer (node would send an empty 400)', async () => {
    const response = await rawRequest(sb.port, 'GET /nowhere HTTP/1.1\r\nconnection: close\r\n\r\n');
    expectJsonError(response, 404);
  });

  it('an upgrade with a broken handshake, a wrong method or an unknown path gets a JSON 4xx', async () => {
    expectJsonError(await rawUpgrade(sb.port, '/stream', ['upgrade: websocket']), 400);
    const post = await rawRequest(
      sb.port,
      'POST /stream HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: Upgrade\r\nupgrade: websocket\r\nsec-websocket-version: 13\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\ncontent-length: 0\r\n\r\n',
    );
    expectJsonError(post, 405);
    expectJsonError(await rawUpgrade(sb.port, '/nowhere'), 404);
    await stillServing();
  });

  it('a client that resets its upgrade socket does not crash the process', async () => {
    const { connect } = await import('node:net');
    const socket = connect(sb.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('GET /nowhere HTTP/1.1\r\nhost: x\r\nconnection: Upgrade\r\nupgrade: websocket\r\n\r\n');
    socket.resetAndDestroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await stillServing();
  });
});

describe('errors of the authorization page and of path parameters are 4xx', () => {
  it('an unknown connection on /authorize is a 404 page (the link page is HTML)', async () => {
    const response = await rawRequest(
      sb.port,
      `GET /authorize/conn_nope HTTP/1.1\r\nhost: 127.0.0.1:${sb.port}\r\nconnection: close\r\n\r\n`,
    );
    expect(response.status).toBe(404);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.body).toContain('Link not found');
  });

  it('a malformed path parameter on a REST operation is a 400 naming it, not a 500', async () => {
    const response = await call(sb, 'DELETE', '/users/%ZZ');
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ message: expect.stringContaining('user_id'), code: 'invalid_parameter' });
  });
});

describe('forged cursors', () => {
  it('a cursor whose content is not one the sandbox issued is a 400, whatever it holds', async () => {
    const { who } = await onboard(sb, 'forger');
    const forged = [
      { s: 1, d: 'n', f: null },
      { s: 1, d: 'n', f: { symbols: 5 } },
      { s: 1, d: 'n', f: { status: ['open'] } },
      { s: 1e300, d: 'n', f: {} },
      { s: 1, d: 'x', f: {} },
      null,
      [1, 2],
      'text',
    ].map((c) => Buffer.from(JSON.stringify(c)).toString('base64url'));
    for (const cursor of [...forged, '%%%', 'eyJ']) {
      const response = await call(sb, 'GET', `/orders?next_cursor=${encodeURIComponent(cursor)}`, { who });
      expect({ cursor, status: response.status, code: response.body.code }).toEqual({
        cursor,
        status: 400,
        code: 'invalid_cursor',
      });
    }
    expect(sb.violations).toEqual([]);
  });
});

describe('the admin endpoint refuses what a web page could send', () => {
  const post = (headers: string[], body = '{"count":1}') =>
    rawRequest(
      sb.port,
      [
        'POST /__sandbox/tick HTTP/1.1',
        'connection: close',
        `content-length: ${Buffer.byteLength(body)}`,
        ...headers,
        '',
        body,
      ].join('\r\n'),
    );

  it('accepts a JSON POST from a non-browser client and from its own origin', async () => {
    const host = `host: 127.0.0.1:${sb.port}`;
    expect((await post([host, 'content-type: application/json'])).status).toBe(200);
    const origin = `origin: http://localhost:${sb.port}`;
    expect(
      (await post([`host: localhost:${sb.port}`, origin, 'content-type: application/json'])).status,
    ).toBe(200);
  });

  it('refuses a text/plain POST (a "simple" cross-site request) with 415', async () => {
    const response = await post([`host: 127.0.0.1:${sb.port}`, 'content-type: text/plain']);
    expectJsonError(response, 415);
    expectJsonError(await post([`host: 127.0.0.1:${sb.port}`]), 415);
  });

  it('refuses a foreign Origin, a null Origin and another local port with 403', async () => {
    for (const origin of ['https://evil.example', 'null', `http://127.0.0.1:${sb.port + 1}`, 'garbage']) {
      const response = await post([
        `host: 127.0.0.1:${sb.port}`,
        `origin: ${origin}`,
        'content-type: application/json',
      ]);
      expectJsonError(response, 403);
    }
  });

  it('refuses a Host that is neither loopback nor the bound host (DNS rebinding) with 403', async () => {
    for (const host of [`evil.example:${sb.port}`, 'attacker.test', '192.168.1.10']) {
      const response = await post([`host: ${host}`, 'content-type: application/json']);
      expectJsonError(response, 403);
    }
    const get = await rawRequest(
      sb.port,
      'GET /__sandbox HTTP/1.1\r\nhost: evil.example\r\nconnection: close\r\n\r\n',
    );
    expectJsonError(get, 403);
  });

  it('accepts a Host named in allowedHosts', async () => {
    const other = await testSandbox({ allowedHosts: ['sandbox.internal'] });
    try {
      const response = await rawRequest(
        other.port,
        'GET /__sandbox HTTP/1.1\r\nhost: sandbox.internal:4010\r\nconnection: close\r\n\r\n',
      );
      expect(response.status).toBe(200);
    } finally {
      await other.close();
    }
  });

  it('with an admin token, requires it', async () => {
    const other = await testSandbox({ adminToken: 's3cret-admin' });
    try {
      const url = `${other.url}/__sandbox/tick`;
      const init = { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } };
      expect((await fetch(url, init)).status).toBe(401);
      const ok = await fetch(url, {
        ...init,
        headers: { ...init.headers, 'x-sandbox-admin-token': 's3cret-admin' },
      });
      expect(ok.status).toBe(200);
    } finally {
      await other.close();
    }
  });
});

describe('startSandbox on a non-loopback interface without an admin token', () => {
  it('warns through the logger it was given', async () => {
    const warnings: string[] = [];
    const open = await testSandbox({ host: '0.0.0.0', logger: { warn: (line) => warnings.push(line) } });
    try {
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/0\.0\.0\.0, which is not loopback/);
      expect(warnings[0]).toContain('adminToken');
    } finally {
      await open.close();
    }
  });

  it('emits a process warning when it has no logger, and stays quiet on loopback or with a token', async () => {
    const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const quietWarnings: string[] = [];
    try {
      const open = await testSandbox({ host: '0.0.0.0' });
      await open.close();
      expect(emitWarning).toHaveBeenCalledTimes(1);
      expect(emitWarning.mock.calls[0]?.[0]).toMatch(/not loopback/);
      expect(emitWarning.mock.calls[0]?.[1]).toEqual({ code: 'CONNECT_TRADE_SANDBOX_OPEN_ADMIN' });
      for (const options of [{ host: '127.0.0.1' }, { host: '0.0.0.0', adminToken: 'tok-0123' }]) {
        const quiet = await testSandbox({ ...options, logger: { warn: (line) => quietWarnings.push(line) } });
        await quiet.close();
      }
      expect(quietWarnings).toEqual([]);
      expect(emitWarning).toHaveBeenCalledTimes(1);
    } finally {
      emitWarning.mockRestore();
    }
  });
});

describe('WebSocket frames are capped', () => {
  it(`a frame over ${MAX_FRAME_BYTES} bytes closes the connection with 1009, and the sandbox keeps serving`, async () => {
    const ws = new WebSocket(sb.streamUrl);
    try {
      await new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      });
      const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
      ws.on('error', () => {});
      ws.send('x'.repeat(MAX_FRAME_BYTES + 1));
      expect(await closed).toBe(1009);
    } finally {
      ws.terminate();
    }
    expect(MAX_FRAME_BYTES).toBeLessThanOrEqual(1024 * 1024);
    await stillServing();
  });
});
