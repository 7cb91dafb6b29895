/**
 * The developer console's live feed and controls over plain HTTP (no browser): the event stream
 * (`/__sandbox/console/events`) carries frames of both the brokerage and the market-data stream
 * within 2 s of the SDK opening them, and the JSON controls move a price, advance the clock and
 * reset the sandbox, as the SDK then sees. test/sandbox/link-browser.test.ts clicks the same
 * controls in Chromium.
 */
import { request } from 'node:http';
import { ConnectTrade } from '../../src';
import { type Sandbox, startSandbox } from '../../src/sandbox';

jest.setTimeout(30_000);

let sb: Sandbox;
let ct: ConnectTrade;
let token: string;
beforeAll(async () => {
  sb = await startSandbox({ tickMs: 100 });
  ct = new ConnectTrade({
    ...sb.credentials,
    baseUrl: sb.url,
    streamUrl: sb.streamUrl,
    marketDataUrl: sb.marketDataUrl,
    maxRetries: 0,
  });
  token = new URL(sb.consoleUrl).searchParams.get('token') ?? '';
});
afterAll(() => sb.close());

const host = () => `127.0.0.1:${sb.port}`;
const origin = () => `http://127.0.0.1:${sb.port}`;

async function linkedUser(id: string) {
  const { user_id, user_secret } = await ct.users.create({ user_id: id });
  const user = ct.forUser({ userId: user_id, userSecret: user_secret });
  const { authorization_url } = await user.connections.create({
    type: 'trade',
    broker: 'ALPACA',
    redirect_url: 'https://app.example/linked',
  });
  const { connectionId } = await sb.authorize(authorization_url);
  return { user, connectionId };
}

interface SseEvent {
  event: string;
  data: unknown;
}

/**
 * Opens the console's event stream as the console page does (its cookie, same Origin) and calls
 * `until` with every event; resolves with the events read once it returns true, rejects at the deadline.
 */
function readEvents(until: (events: SseEvent[]) => boolean, deadlineMs: number): Promise<SseEvent[]> {
  return new Promise((resolve, reject) => {
    const events: SseEvent[] = [];
    let buffer = '';
    const req = request(
      {
        host: '127.0.0.1',
        port: sb.port,
        path: '/__sandbox/console/events',
        headers: {
          host: host(),
          origin: origin(),
          cookie: `ct_console=${token}`,
          accept: 'text/event-stream',
        },
        setHost: false,
      },
      (res) => {
        if (res.statusCode !== 200) {
          finish(new Error(`events answered ${res.statusCode}`));
          return;
        }
        expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let end = buffer.indexOf('\n\n');
          while (end >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            end = buffer.indexOf('\n\n');
            const event = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (event !== undefined && data !== undefined) events.push({ event, data: JSON.parse(data) });
          }
          if (until(events)) finish();
        });
      },
    );
    const timer = setTimeout(
      () =>
        finish(new Error(`no match within ${deadlineMs} ms; got ${events.map((e) => e.event).join(', ')}`)),
      deadlineMs,
    );
    let done = false;
    function finish(error?: Error) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.destroy();
      if (error) reject(error);
      else resolve(events);
    }
    req.on('error', (e) => finish(e));
    req.end();
  });
}

/** Frames live on the event stream (not the `hello` snapshot), by stream. */
function liveFrames(events: SseEvent[], stream: string) {
  return events
    .filter((e) => e.event === 'frame')
    .map((e) => e.data as { stream: string; direction: string; frame: Record<string, unknown> })
    .filter((f) => f.stream === stream);
}

/** A console control POST, as the page sends it. */
async function control(body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${sb.url}/__sandbox/console/api/control`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      cookie: `ct_console=${token}`,
      origin: origin(),
      ...headers,
    },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('the console’s live feed', () => {
  it('tails frames of both the brokerage and the market-data stream within 2 s', async () => {
    const { user, connectionId } = await linkedUser('console-frames');
    // Both directions of both streams: the SDK's authenticate/subscribe going in, the sandbox's answers coming out.
    const seen = readEvents(
      (events) =>
        ['brokerage', 'market_data'].every((s) => {
          const frames = liveFrames(events, s);
          return frames.some((f) => f.direction === 'in') && frames.some((f) => f.direction === 'out');
        }),
      2000,
    );
    // Let the event stream open before the streams do (its `hello` holds only older frames).
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    const stream = ct.stream({ reconnect: { maxAttempts: 0 } });
    const md = user.marketData(connectionId);
    try {
      await Promise.all([stream.connect(), md.connect()]);
      await md.subscribe('quotes', ['AAPL']);
      const events = await seen;
      expect(Date.now() - started).toBeLessThan(2000);
      const brokerage = liveFrames(events, 'brokerage');
      const marketData = liveFrames(events, 'market_data');
      expect(brokerage.map((f) => f.frame.action ?? f.frame.type ?? f.frame.event)).toContain('authenticate');
      expect(marketData.length).toBeGreaterThan(0);
      // The secret the SDK authenticates with is never on the console.
      expect(JSON.stringify(events)).not.toContain(sb.credentials.clientSecret);
    } finally {
      await Promise.all([stream.close(), md.close()]);
    }
  });
});

describe('the console’s controls (JSON POSTs, the page’s Origin and cookie)', () => {
  it('sets a price the SDK then quotes', async () => {
    const { user, connectionId } = await linkedUser('console-price');
    const answer = await control({ action: 'price', symbol: 'MSFT', price: '123.45' });
    expect(answer).toEqual({ status: 200, body: { price: '123.45' } });
    expect(sb.feed.price('MSFT')).toBe('123.45');
    const md = user.marketData(connectionId);
    try {
      await md.connect();
      const quotes = await md.subscribe('quotes', ['MSFT']);
      const quote = await new Promise<{ bid: string }>((resolve) => quotes.once('data', resolve));
      // The feed keeps walking (a tick every 100 ms), but from the new price, far from MSFT's ~420.
      expect(Number(quote.bid)).toBeGreaterThan(120);
      expect(Number(quote.bid)).toBeLessThan(127);
    } finally {
      await md.close();
    }
  });

  it('advances the sandbox clock by the given milliseconds', async () => {
    const before = sb.clock.nowMs();
    const answer = await control({ action: 'advance_clock', ms: 3_600_000 });
    expect(answer.status).toBe(200);
    // The sandbox clock also runs in real time: an hour later, give or take the request's milliseconds.
    const now = Date.parse(String(answer.body.now));
    expect(now).toBeGreaterThanOrEqual(before + 3_600_000);
    expect(now).toBeLessThan(before + 3_600_000 + 5_000);
    expect(sb.clock.nowMs()).toBeGreaterThanOrEqual(now);
  });

  it('resets: the users, connections and faults are gone', async () => {
    const { user } = await linkedUser('console-reset');
    await control({ action: 'fault', fault: { type: 'fail', status: 503, count: 5 } });
    expect(sb.faults.pending()).not.toEqual([]);
    expect(await control({ action: 'reset' })).toEqual({ status: 200, body: { reset: true } });
    expect(sb.faults.pending()).toEqual([]);
    expect(await ct.users.list()).toEqual([]);
    await expect(user.connections.list()).rejects.toMatchObject({ status: expect.any(Number) });
  });

  it('refuses a control from a foreign Origin and changes nothing', async () => {
    const price = sb.feed.price('AAPL');
    const answer = await fetch(`${sb.url}/__sandbox/console/api/control`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        cookie: `ct_console=${token}`,
        origin: 'https://evil.example',
      },
      body: JSON.stringify({ action: 'price', symbol: 'AAPL', price: '1.00' }),
    });
    expect(answer.status).toBe(403);
    expect(sb.feed.price('AAPL')).toBe(price);
  });
});

it('keeps the last 200 requests in its log, however many the sandbox served', async () => {
  for (let i = 0; i < 230; i++) await ct.users.list();
  const response = await fetch(`${origin()}/__sandbox/console/api/snapshot`, {
    headers: { cookie: `ct_console=${token}` },
  });
  expect(response.status).toBe(200);
  const snapshot = (await response.json()) as { requests: { seq: number }[]; frames: unknown[] };
  expect(snapshot.requests).toHaveLength(200);
  const seqs = snapshot.requests.map((r) => r.seq);
  // The newest, in order: the oldest were dropped, not the latest.
  expect(seqs[199]! - seqs[0]!).toBe(199);
  expect(snapshot.frames.length).toBeLessThanOrEqual(100);
});
