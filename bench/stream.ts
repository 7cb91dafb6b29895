/**
 * Stream throughput benchmark (`npm run bench:stream`). A server in a child process blasts frames;
 * in the same run we measure:
 *  1. order_update messages/s decoded and dispatched through BrokerageStream (`on('order_update')`),
 *     against a raw `ws` client doing JSON.parse on the same server (goal: >= 0.95x raw);
 *  2. quote updates/s through MarketDataStream's conflating iterator (latest quote per symbol).
 * Rounds alternate raw/SDK; the best round of each is reported.
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import WebSocket from 'ws';
import { BrokerageStream, MarketDataStream } from '../src/streams';

const COUNT = Number(process.env.COUNT ?? 200_000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);

async function startServer(): Promise<{ url: string; stop: () => void }> {
  const child = fork(join(__dirname, 'stream-server.ts'), [], { execArgv: ['--import', 'tsx'] });
  const port = await new Promise<number>((resolve) =>
    child.once('message', (m: { port: number }) => resolve(m.port)),
  );
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
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url}/?count=${COUNT}`, { perMessageDeflate: false });
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
}

async function sdk(url: string): Promise<Rate> {
  const stream = new BrokerageStream({
    clientId: 'cid',
    clientSecret: 'bench_secret',
    url: `${url}/?count=${COUNT}`,
  });
  await stream.connect();
  let received = 0;
  let stop: () => Rate;
  const done = new Promise<Rate>((resolve) => {
    stream.on('order_update', (order) => {
      if (order.order_id && ++received === COUNT) resolve(stop());
    });
  });
  stop = meter();
  await stream.subscribe(['orders']);
  const rate = await done;
  await stream.close();
  return rate;
}

async function quotes(url: string): Promise<{ rate: number; consumed: number }> {
  const md = new MarketDataStream({
    url: `${url}/?count=${COUNT}`,
    tokenProvider: async () => ({ token: 'bench_token', expires_at: '2099-01-01T00:00:00Z' }),
  });
  await md.connect();
  let received = 0;
  let consumed = 0;
  const start = performance.now();
  const sub = await md.subscribe('quotes', [
    'AAPL',
    'MSFT',
    'NVDA',
    'AMZN',
    'GOOG',
    'META',
    'TSLA',
    'AMD',
    'NFLX',
    'INTC',
  ]);
  const finished = new Promise<number>((resolve) => {
    md.on('quotes', () => {
      if (++received === COUNT) resolve(COUNT / ((performance.now() - start) / 1000));
    });
  });
  // A consumer that yields to the event loop per item, as real code awaiting I/O would.
  const consumer = (async () => {
    for await (const _quote of sub) {
      consumed++;
      await new Promise((r) => setImmediate(r));
    }
  })();
  const rate = await finished;
  await md.close();
  await consumer;
  return { rate, consumed };
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

void main();
