/**
 * REST throughput and cold-import benchmark (not a test). Run: `npm run bench:rest` (builds, then
 * `npx tsx bench/rest.ts`). One loopback server in a child process; in the same run, requests per
 * second through `u.orders.list` (built package, default Node transport) vs raw `fetch` vs
 * `node:http` keep-alive, each with the same concurrency, interleaved over several rounds (median).
 * Then cold `require` time of the built package vs `openapi-fetch` alone (bench/import.ts).
 */
import { fork } from 'node:child_process';
import http from 'node:http';
import { join } from 'node:path';
import { coldRequireMs } from './import';

const ROOT = join(__dirname, '..');
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 2_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const HEADERS = {
  'client-id': 'bench',
  'client-secret': 'bench-secret',
  'user-id': 'u',
  'user-secret': 'bench-user',
};

async function startServer(): Promise<{ port: number; stop: () => void }> {
  const child = fork(join(__dirname, 'orders-server.cjs'), [], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve) =>
    child.stdout?.once('data', (d) => resolve(Number(String(d)))),
  );
  return { port, stop: () => child.kill() };
}

/** Runs `call` from CONCURRENCY loops for DURATION_MS; returns requests per second. */
async function measure(call: () => Promise<unknown>): Promise<number> {
  let done = 0;
  const end = Date.now() + DURATION_MS;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < end) {
        await call();
        done++;
      }
    }),
  );
  return done / ((performance.now() - started) / 1000);
}

function nodeHttpGet(agent: http.Agent, port: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: '/orders?limit=50', method: 'GET', headers: HEADERS, agent },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => {
          text += c;
        });
        res.on('end', () => resolve(JSON.parse(text)));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function main() {
  const { ConnectTrade } = require(join(ROOT, 'dist/index.js')) as typeof import('../src/index');
  const { port, stop } = await startServer();
  const base = `http://127.0.0.1:${port}`;
  const u = new ConnectTrade({ clientId: 'bench', clientSecret: 'bench-secret', baseUrl: base }).forUser({
    userId: 'u',
    userSecret: 'bench-user',
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const contenders: Record<string, () => Promise<unknown>> = {
    'raw fetch': async () => (await fetch(`${base}/orders?limit=50`, { headers: HEADERS })).json(),
    'node:http keep-alive': () => nodeHttpGet(agent, port),
    'u.orders.list': () => u.orders.list({ limit: 50 }).then((page) => page.data),
  };
  const results: Record<string, number[]> = Object.fromEntries(
    Object.keys(contenders).map((name) => [name, []]),
  );
  for (const call of Object.values(contenders)) await measure(call); // warm-up (JIT, sockets)
  for (let round = 0; round < ROUNDS; round++)
    for (const [name, call] of Object.entries(contenders)) results[name]?.push(await measure(call));
  stop();
  agent.destroy();

  const raw = median(results['raw fetch'] ?? []);
  console.log(
    `node ${process.version}, concurrency ${CONCURRENCY}, ${ROUNDS} rounds of ${DURATION_MS} ms (median)`,
  );
  for (const [name, values] of Object.entries(results)) {
    const rps = median(values);
    console.log(
      `${name.padEnd(22)} ${rps.toFixed(0).padStart(7)} req/s  ${(rps / raw).toFixed(2)}x raw fetch`,
    );
  }
  const cold = coldRequireMs(['connect-trade', 'connect-trade/rest', 'openapi-fetch'], 7);
  console.log(
    `cold require (bench/import.ts, median of 7): connect-trade ${cold['connect-trade']?.toFixed(1)} ms, connect-trade/rest ${cold['connect-trade/rest']?.toFixed(1)} ms, openapi-fetch alone ${cold['openapi-fetch']?.toFixed(1)} ms`,
  );
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
