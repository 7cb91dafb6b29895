/**
 * Stream throughput benchmark (`npm run bench:stream`). A server in a child process blasts frames;
 * in the same run we measure:
 *  1. order_update messages/s decoded and dispatched through BrokerageStream (`on('order_update')`),
 *     against a raw `ws` client doing JSON.parse on the same server (goal: >= 0.95x raw);
 *  2. quote updates/s through MarketDataStream's conflating iterator (latest quote per symbol).
 * Rounds alternate raw/SDK; the median of each is reported. Every listener is registered before
 * the request that makes data flow (frames may arrive in the same read as the answer), and every
 * wait has a deadline (`BENCH_TIMEOUT_MS`, default 60 s): a stuck run fails instead of hanging.
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import WebSocket from 'ws';
import { BrokerageStream, MarketDataStream } from '../src/streams';

const COUNT = Number(process.env.COUNT ?? 200_000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 60_000);

/** `promise`, or a rejection naming `what` after TIMEOUT_MS. */
function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`bench: ${what} did not finish within ${TIMEOUT_MS} ms`)),
      TIMEOUT_MS,
    );
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

async function startServer(): Promise<{ url: string; stop: () => void }> {
  const child = fork(join(__dirname, 'stream-server.ts'), [], { execArgv: ['--import', 'tsx'] });
  const port = await within(
    new Promise<number>((resolve, reject) => {
      child.once('message', (m: { port: number }) => resolve(m.port));
      child.once('exit', (code) => reject(new Error(`bench server exited (${code})`)));
    }),
    'starting the server',
  ).catch((error) => {
    child.kill();
    throw error;
  });
  return { url: `ws://127.0.0.1:${port}`, stop: () => child.kill() };
}

/** Wall-clock rate, and the rate per second of this process's CPU (user + system). */
interface Rate {
  wall: number;
  cpu: number;
}

function meter(): () => Rate {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  return () => {
    const wall = (performance.now() - t0) / 1000;
    const c = process.cpuUsage(c0);
    return { wall: COUNT / wall, cpu: COUNT / ((c.user + c.system) / 1e6) };
  };
}

function raw(url: string): Promise<Rate> {
  let socket: WebSocket | undefined;
  const run = new Promise<Rate>((resolve, reject) => {
    const ws = new WebSocket(`${url}/?count=${COUNT}`, { perMessageDeflate: false });
    socket = ws;
    let received = 0;
    let stop: () => Rate;
    ws.on('open', () => {
      ws.send(JSON.stringify({ action: 'authenticate', client_id: 'cid', client_secret: 'bench_secret' }));
      stop = meter();
      ws.send(JSON.stringify({ action: 'subscribe', request_id: 'r1', topics: ['orders'] }));
    });
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString());
      if (message.action === 'order_update' && ++received === COUNT) {
        const rate = stop();
        ws.close();
        resolve(rate);
      }
    });
    ws.on('error', reject);
  });
  return within(run, 'a raw ws round').finally(() => socket?.terminate());
}

async function sdk(url: string): Promise<Rate> {
  const stream = new BrokerageStream({
    clientId: 'cid',
    clientSecret: 'bench_secret',
    url: `${url}/?count=${COUNT}`,
  });
  try {
    await within(stream.connect(), 'BrokerageStream.connect');
    let received = 0;
    let stop: () => Rate = meter();
    // Registered before subscribing: updates may arrive in the same read as `subscribed`.
    const done = new Promise<Rate>((resolve) => {
      stream.on('order_update', (order) => {
        if (order.order_id && ++received === COUNT) resolve(stop());
      });
    });
    stop = meter();
    await within(stream.subscribe(['orders']), 'BrokerageStream.subscribe');
    return await within(done, `receiving ${COUNT} order updates (got ${received})`);
  } finally {
    await stream.close();
  }
}

async function quotes(url: string): Promise<{ rate: number; consumed: number }> {
  const md = new MarketDataStream({
    url: `${url}/?count=${COUNT}`,
    tokenProvider: async () => ({ token: 'bench_token', expires_at: '2099-01-01T00:00:00Z' }),
  });
  let consumer: Promise<void> | undefined;
  try {
    await within(md.connect(), 'MarketDataStream.connect');
    let received = 0;
    let consumed = 0;
    const start = performance.now();
    // Registered before subscribing: quotes that arrive in the same read as `subscribed` count too.
    const finished = new Promise<number>((resolve) => {
      md.on('quotes', () => {
        if (++received === COUNT) resolve(COUNT / ((performance.now() - start) / 1000));
      });
    });
    const symbols = ['AAPL', 'MSFT', 'NVDA', 'AMZN', 'GOOG', 'META', 'TSLA', 'AMD', 'NFLX', 'INTC'];
    const sub = await within(md.subscribe('quotes', symbols), 'MarketDataStream.subscribe');
    // A consumer that yields to the event loop per item, as real code awaiting I/O would.
    consumer = (async () => {
      for await (const _quote of sub) {
        consumed++;
        await new Promise((r) => setImmediate(r));
      }
    })();
    const rate = await within(finished, `receiving ${COUNT} quotes`);
    return { rate, consumed };
  } finally {
    await md.close();
    if (consumer) await within(consumer, 'the quote consumer ending');
  }
}

async function main(): Promise<void> {
  const server = await startServer();
  try {
    await raw(server.url); // warm-up
    await sdk(server.url);
    const rawRates: Rate[] = [];
    const sdkRates: Rate[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      if (process.env.SWAP) {
        sdkRates.push(await sdk(server.url));
        rawRates.push(await raw(server.url));
      } else {
        rawRates.push(await raw(server.url));
        sdkRates.push(await sdk(server.url));
      }
    }
    const median = (rates: Rate[], key: keyof Rate) => {
      const sorted = rates.map((r) => r[key]).sort((x, y) => x - y);
      return sorted[Math.floor(sorted.length / 2)] as number;
    };
    const q = await quotes(server.url);
    const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
    console.log(`order_update, ${COUNT} messages x ${ROUNDS} rounds (medians):`);
    for (const key of ['cpu', 'wall'] as const) {
      const r = median(rawRates, key);
      const k = median(sdkRates, key);
      const label = key === 'cpu' ? 'per client CPU-second' : 'wall clock';
      console.log(
        `  ${label}: raw ws + JSON.parse ${fmt(r)} msg/s; BrokerageStream ${fmt(k)} msg/s; ratio ${(k / r).toFixed(3)}x`,
      );
    }
    console.log(`  rounds raw (cpu): ${rawRates.map((r) => fmt(r.cpu)).join(', ')}`);
    console.log(`  rounds sdk (cpu): ${sdkRates.map((r) => fmt(r.cpu)).join(', ')}`);
    console.log(`quotes through the conflating iterator, ${COUNT} updates over 10 symbols:`);
    console.log(
      `  dispatched: ${fmt(q.rate)} msg/s; iterator yielded ${q.consumed} latest quotes to a slow consumer`,
    );
  } finally {
    server.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
