/**
 * Rate-limiter overhead benchmark (not a test). Run: `npm run bench:ratelimit`.
 * One loopback server in a child process (bench/tenants-server.cjs: GET /connections answers []).
 * BENCH_CONCURRENCY (16) loops call `ct.forUser(...).connections.list()` for a rotating set of
 * BENCH_TENANTS (1 000) users, through a client WITHOUT limits and through one whose limits never
 * bind (platform, per-user and per-account buckets far above the load, maxConcurrency above
 * BENCH_CONCURRENCY), so every request still pays for its buckets. Interleaved over BENCH_ROUNDS (5)
 * rounds of BENCH_DURATION_MS (2 000) each; the median of each is compared.
 * Goal (issue 13 part 2): the limiter costs < 5 % of throughput when it is not binding.
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { ConnectTrade } from '../src/index';

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const TENANTS = Number(process.env.BENCH_TENANTS ?? 1_000);
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 2_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

async function startServer(): Promise<{ port: number; stop: () => void }> {
  const child = fork(join(__dirname, 'tenants-server.cjs'), [], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the bench server did not start in 10 s')), 10_000);
    child.stdout?.once('data', (d) => {
      clearTimeout(timer);
      resolve(Number(String(d)));
    });
  });
  return { port, stop: () => child.kill() };
}

/** Requests per wall-clock second and per second of this process's CPU, from CONCURRENCY loops over DURATION_MS, each request for the next tenant. */
async function measure(ct: ConnectTrade): Promise<{ wall: number; cpu: number }> {
  let done = 0;
  const end = Date.now() + DURATION_MS;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < end) {
        await ct.forUser({ userId: `user-${done % TENANTS}`, userSecret: 'bench-user' }).connections.list();
        done++;
      }
    }),
  );
  const cpu = process.cpuUsage(cpuBefore);
  // Per CPU second too: on a shared machine wall-clock rates swing with the neighbours' load.
  return { wall: done / ((performance.now() - started) / 1000), cpu: done / ((cpu.user + cpu.system) / 1e6) };
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

async function main(): Promise<void> {
  const server = await startServer();
  try {
    const baseUrl = `http://127.0.0.1:${server.port}`;
    const common = { clientId: 'bench', clientSecret: 'bench-secret', baseUrl };
    const contenders: Record<string, ConnectTrade> = {
      'no limiter': new ConnectTrade(common),
      'limiter, not binding': new ConnectTrade({
        ...common,
        rateLimit: {
          platform: { rps: 1e7 },
          perUser: { rps: 1e6, burst: 1e6 },
          perAccountOrders: { perMinute: 1e6 },
        },
        maxConcurrency: CONCURRENCY * 4,
      }),
    };
    const rates: Record<string, { wall: number; cpu: number }[]> = Object.fromEntries(
      Object.keys(contenders).map((n) => [n, []]),
    );
    for (const ct of Object.values(contenders)) await measure(ct); // warm-up: JIT, sockets, lazy modules
    for (let round = 0; round < ROUNDS; round++)
      for (const [name, ct] of round % 2 ? Object.entries(contenders).reverse() : Object.entries(contenders))
        rates[name]?.push(await measure(ct));
    const of = (name: string, key: 'wall' | 'cpu') => median((rates[name] ?? []).map((r) => r[key]));
    console.log(`concurrency ${CONCURRENCY}, ${TENANTS} tenants, ${ROUNDS} × ${DURATION_MS} ms (median)\n`);
    console.log('| client | req/s (wall) | vs no limiter | req per CPU-second | vs no limiter |');
    console.log('|---|---|---|---|---|');
    for (const name of Object.keys(rates)) {
      const cell = (key: 'wall' | 'cpu') =>
        `${Math.round(of(name, key)).toLocaleString('en')} | ${((of(name, key) / of('no limiter', key) - 1) * 100).toFixed(1)} %`;
      console.log(`| ${name} | ${cell('wall')} | ${cell('cpu')} |`);
    }
  } finally {
    server.stop();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
