/**
 * REST benchmark (not a test). Run: `npm run bench:rest` (builds, then `npx tsx bench/rest.ts`).
 * One loopback server in a child process serves a page of BENCH_ORDERS (5) orders. In ONE run:
 *
 * 1. Throughput: requests per second with BENCH_CONCURRENCY (16) loops through `u.orders.list`
 *    (the built package, default Node transport) vs `node:http` keep-alive (the practical limit)
 *    vs raw `fetch`, interleaved over rounds (median). With BENCH_BASELINE=<path to another
 *    build's dist/index.js>, that build runs as one more contender (before/after in one run).
 * 2. Cold start: fresh processes (bench/cold-client.cjs) that make one request and close nothing;
 *    when the first response is read (ms since process start), and how long each process lives
 *    after it. Interleaved, median of BENCH_COLD_RUNS (15).
 * 3. Cold `require` of the package vs `openapi-fetch` alone (bench/import.ts).
 *
 * Goals (issue 11 item 8): ≥ 0.8× node:http at concurrency 16; cold first response ≤ 1.1× raw
 * fetch's; the process exits within 10 ms of its last response.
 */
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { join } from 'node:path';
import { coldRequireMs } from './import';
import * as loopback from './loopback.cjs';

const { HEADERS, nodeHttpGet } = loopback;

const ROOT = join(__dirname, '..');
const DIST = join(ROOT, 'dist/index.js');
const BASELINE = process.env.BENCH_BASELINE;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 2_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ORDERS = Number(process.env.BENCH_ORDERS ?? 5);
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 15);

function startServer(): Promise<{ port: number; stop: () => void }> {
  return loopback.startServer('orders-server.cjs', [String(ORDERS)]);
}

interface Rate {
  /** Requests per wall-clock second. */
  wall: number;
  /** Requests per second of this process's CPU time (user + system): its own cost per request. */
  cpu: number;
}

/** Runs `call` from CONCURRENCY loops for DURATION_MS. */
async function measure(call: () => Promise<unknown>): Promise<Rate> {
  let done = 0;
  const end = Date.now() + DURATION_MS;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < end) {
        await call();
        done++;
      }
    }),
  );
  const cpu = process.cpuUsage(cpuBefore);
  return {
    wall: done / ((performance.now() - started) / 1000),
    cpu: done / ((cpu.user + cpu.system) / 1e6),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function userOf(dist: string, base: string) {
  const { ConnectTrade } = require(dist) as typeof import('../src/index');
  return new ConnectTrade({ clientId: 'bench', clientSecret: 'bench-secret', baseUrl: base }).forUser({
    userId: 'u',
    userSecret: 'bench-user',
  });
}

async function throughput(base: string, port: number): Promise<Record<string, Rate>> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const u = userOf(DIST, base);
  const contenders: Record<string, () => Promise<unknown>> = {
    'node:http keep-alive': () => nodeHttpGet(agent, port),
    'raw fetch': async () => (await fetch(`${base}/orders?limit=50`, { headers: HEADERS })).json(),
    'u.orders.list': () => u.orders.list({ limit: 50 }).then((page) => page.data),
  };
  if (BASELINE) {
    const before = userOf(BASELINE, base);
    contenders['u.orders.list (baseline)'] = () =>
      before.orders.list({ limit: 50 }).then((page) => page.data);
  }
  const results: Record<string, Rate[]> = Object.fromEntries(Object.keys(contenders).map((n) => [n, []]));
  for (const call of Object.values(contenders)) await measure(call); // warm-up (JIT, sockets)
  for (let round = 0; round < ROUNDS; round++)
    for (const [name, call] of Object.entries(contenders)) results[name]?.push(await measure(call));
  agent.destroy();
  return Object.fromEntries(
    Object.entries(results).map(([name, rates]) => [
      name,
      { wall: median(rates.map((r) => r.wall)), cpu: median(rates.map((r) => r.cpu)) },
    ]),
  );
}

interface ColdSample {
  firstResponseMs: number;
  exitAfterMs: number;
}

function coldRun(args: string[]): ColdSample {
  const out = execFileSync(process.execPath, [join(__dirname, 'cold-client.cjs'), ...args], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  return JSON.parse(out.trim().split('\n').pop() ?? '{}') as ColdSample;
}

function coldStart(base: string): Record<string, { first: number; exit: number }> {
  const contenders: Record<string, string[]> = {
    'raw fetch': ['fetch', base],
    'u.orders.list': ['sdk', base, DIST],
  };
  if (BASELINE) contenders['u.orders.list (baseline)'] = ['sdk', base, BASELINE];
  const samples: Record<string, ColdSample[]> = Object.fromEntries(
    Object.keys(contenders).map((n) => [n, []]),
  );
  for (const args of Object.values(contenders)) coldRun(args); // warm the OS file cache
  for (let run = 0; run < COLD_RUNS; run++)
    for (const [name, args] of Object.entries(contenders)) samples[name]?.push(coldRun(args));
  return Object.fromEntries(
    Object.entries(samples).map(([name, list]) => [
      name,
      { first: median(list.map((s) => s.firstResponseMs)), exit: median(list.map((s) => s.exitAfterMs)) },
    ]),
  );
}

async function main() {
  const { port, stop } = await startServer();
  const base = `http://127.0.0.1:${port}`;
  let rps: Record<string, Rate>;
  let cold: Record<string, { first: number; exit: number }>;
  try {
    rps = await throughput(base, port);
    cold = coldStart(base);
  } finally {
    stop();
  }

  const limit = rps['node:http keep-alive'] ?? { wall: Number.NaN, cpu: Number.NaN };
  const raw = rps['raw fetch'] ?? { wall: Number.NaN, cpu: Number.NaN };
  console.log(
    `node ${process.version}; ${ORDERS}-order page; concurrency ${CONCURRENCY}; ${ROUNDS} rounds of ${DURATION_MS} ms (median)`,
  );
  console.log(
    'contender                  req/s wall  vs node:http | req per client CPU-s  vs node:http  vs raw fetch',
  );
  for (const [name, { wall, cpu }] of Object.entries(rps))
    console.log(
      `${name.padEnd(26)} ${wall.toFixed(0).padStart(10)}  ${(wall / limit.wall).toFixed(2).padStart(11)}x | ${cpu.toFixed(0).padStart(20)}  ${(cpu / limit.cpu).toFixed(2).padStart(11)}x  ${(cpu / raw.cpu).toFixed(2).padStart(11)}x`,
    );
  console.log(`cold process, one request, nothing closed (median of ${COLD_RUNS}):`);
  const rawFirst = cold['raw fetch']?.first ?? Number.NaN;
  for (const [name, { first, exit }] of Object.entries(cold))
    console.log(
      `${name.padEnd(26)} first response at ${first.toFixed(1)} ms (${(first / rawFirst).toFixed(2)}x raw fetch); exits ${exit.toFixed(1)} ms after it`,
    );
  const sdk = rps['u.orders.list'] ?? { wall: 0, cpu: 0 };
  const sdkRatio = Math.min(sdk.wall / limit.wall, sdk.cpu / limit.cpu);
  const coldRatio = (cold['u.orders.list']?.first ?? Number.NaN) / rawFirst;
  const exitMs = cold['u.orders.list']?.exit ?? Number.NaN;
  console.log(
    `goals: ≥0.80x node:http (wall and CPU) ${sdkRatio >= 0.8 ? 'MET' : 'NOT MET'} (${(sdk.wall / limit.wall).toFixed(2)}x wall, ${(sdk.cpu / limit.cpu).toFixed(2)}x CPU); cold first response ≤1.10x raw fetch ${coldRatio <= 1.1 ? 'MET' : 'NOT MET'} (${coldRatio.toFixed(2)}x); exit ≤10 ms ${exitMs <= 10 ? 'MET' : 'NOT MET'} (${exitMs.toFixed(1)} ms)`,
  );
  const coldRequire = coldRequireMs(['connect-trade', 'connect-trade/rest', 'openapi-fetch'], 7);
  console.log(
    `cold require (bench/import.ts, median of 7): connect-trade ${coldRequire['connect-trade']?.toFixed(1)} ms, connect-trade/rest ${coldRequire['connect-trade/rest']?.toFixed(1)} ms, openapi-fetch alone ${coldRequire['openapi-fetch']?.toFixed(1)} ms`,
  );
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
