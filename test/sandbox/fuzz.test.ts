/**
 * A property-based hostile client: random request lines, headers and bodies over raw sockets, on
 * the REST, authorization, admin and upgrade paths. Every answer must be a 4xx (or a success) with a
 * JSON body, never a 5xx or a dropped connection, the sandbox must not break its own spec, and it
 * must still serve afterwards. Seed: FUZZ_SEED, else fixed under CI, else random (printed on failure).
 */
import { connect } from 'node:net';
import fc from 'fast-check';
import type { Sandbox } from '../../src/sandbox';
import { call, testSandbox } from './helpers';

let sb: Sandbox;
beforeAll(async () => {
  sb = await testSandbox();
});
afterAll(() => sb.close());

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Sends raw bytes; resolves once the server closes, or once a 101 (upgrade accepted) arrives. */
function exchange(port: number, request: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = Buffer.alloc(0);
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      const text = data.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      const head = end < 0 ? text : text.slice(0, end);
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const at = line.indexOf(':');
        if (at > 0) headers[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim();
      }
      const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(statusLine)?.[1] ?? Number.NaN);
      resolve({
        status,
        headers,
        body: end < 0 ? '' : data.subarray(Buffer.byteLength(head, 'latin1') + 4).toString('utf8'),
      });
    };
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within 5 s to ${JSON.stringify(request.slice(0, 200))}`));
    }, 5000);
    socket.on('data', (chunk) => {
      data = Buffer.concat([data, chunk]);
      if (/^HTTP\/1\.1 101 /.test(data.toString('latin1')) && data.includes('\r\n\r\n')) finish();
    });
    socket.on('close', finish);
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.write(Buffer.from(request, 'latin1'));
  });
}

/** Any text without CR or LF (a request line or header value that stays one line). */
const line = (maxLength: number) =>
  fc
    .oneof(
      fc.string({ maxLength }),
      fc.string({ unit: 'binary', maxLength }),
      fc.stringMatching(/^[%[\]:@/?#&=.A-Za-z0-9]*$/),
    )
    .map((s) => s.replace(/[\r\n]/g, ''));

const request = fc.record({
  method: fc.constantFrom('GET', 'POST', 'DELETE', 'PATCH', 'PUT', 'OPTIONS', 'G ET', ''),
  template: fc.constantFrom(
    '/users/{x}',
    '/accounts/{x}/orders/{x}',
    '/connections/{x}/token',
    '/authorize/{x}',
    '/__sandbox/{x}',
    '/__sandbox',
    '/orders?{x}',
    '/{x}',
    'http://{x}',
    '{x}',
    '/stream',
    '/mdstream?{x}',
  ),
  x: line(40),
  credentials: fc.boolean(),
  upgrade: fc.boolean(),
  host: fc.option(fc.oneof(fc.constant('127.0.0.1'), line(30)), { nil: undefined }),
  origin: fc.option(line(30), { nil: undefined }),
  contentType: fc.option(fc.oneof(fc.constant('application/json'), line(30)), { nil: undefined }),
  extraHeader: fc.option(fc.tuple(line(12), line(30)), { nil: undefined }),
  body: fc.option(fc.oneof(fc.json({ maxDepth: 4 }), line(200)), { nil: undefined }),
});

type FuzzRequest = typeof request extends fc.Arbitrary<infer T> ? T : never;

function render(r: FuzzRequest): string {
  const target = r.template.replaceAll('{x}', r.x);
  const lines = [`${r.method} ${target} HTTP/1.1`];
  if (r.host !== undefined) lines.push(`host: ${r.host}`);
  if (r.origin !== undefined) lines.push(`origin: ${r.origin}`);
  if (r.contentType !== undefined) lines.push(`content-type: ${r.contentType}`);
  if (r.credentials)
    lines.push(`client-id: ${sb.credentials.clientId}`, `client-secret: ${sb.credentials.clientSecret}`);
  if (r.extraHeader) lines.push(`${r.extraHeader[0]}: ${r.extraHeader[1]}`);
  if (r.upgrade)
    lines.push(
      'connection: Upgrade',
      'upgrade: websocket',
      'sec-websocket-version: 13',
      'sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==',
    );
  else lines.push('connection: close');
  const body = r.body ?? '';
  lines.push(`content-length: ${Buffer.byteLength(body, 'latin1')}`);
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

describe('fuzzed requests against the sandbox', () => {
  it('always get a JSON answer below 500, and the sandbox keeps serving', async () => {
    const seed = Number(process.env.FUZZ_SEED ?? (process.env.CI ? 20_261_130 : Date.now() % 1_000_000));
    const statuses = new Map<number, number>();
    try {
      await fc.assert(
        fc.asyncProperty(request, async (r) => {
          const answer = await exchange(sb.port, render(r));
          statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
          if (answer.status === 101) return; // a valid handshake on /stream or /mdstream
          expect(answer.status).toBeGreaterThanOrEqual(200);
          expect(answer.status).toBeLessThan(500);
          // The browser pages (link page, developer console) answer HTML or plain text, the rest JSON.
          const page = /^\/(authorize\/|__sandbox\/(console|assets\/))/.test(
            r.template.replaceAll('{x}', r.x),
          );
          if (answer.body !== '' && page)
            expect(answer.headers['content-type']).toMatch(/^(text\/html|text\/plain|application\/json)/);
          else if (answer.body !== '') {
            expect(answer.headers['content-type']).toMatch(/^application\/json/);
            expect(() => JSON.parse(answer.body)).not.toThrow();
          }
        }),
        { seed, numRuns: 300, endOnFailure: true },
      );
    } catch (error) {
      throw new Error(`fuzz failed with FUZZ_SEED=${seed}: ${(error as Error).message}`);
    }
    // The generator reached many answers, not one path over and over.
    expect(statuses.size).toBeGreaterThanOrEqual(3);
    expect(sb.violations).toEqual([]);
    expect((await call(sb, 'GET', '/users')).status).toBe(200);
  }, 60_000);
});
