/**
 * REST benchmark (not a test). Run: `npm run bench:rest` (builds, then `npx tsx bench/rest.ts`).
 * One loopback server in a child process (bench/orders-server.cjs) answers GET /orders with a page
 * of BENCH_ORDERS (5) orders, POST /orders with the order placed, GET /positions and GET /balances.
 * In ONE run:
 *
 * 1. Throughput of the calls users make, each against a `node:http` keep-alive client sending the
 *    identical request (method, URL, body: checked in process before measuring): requests per
 *    wall-clock second and per second of this process's CPU, BENCH_CONCURRENCY (16) loops,
 *    BENCH_ROUNDS rounds of BENCH_DURATION_MS, every contender in every round; a call's ratio is the
 *    median over rounds of its rate divided by its node:http twin's in the same round. Raw `fetch`
 *    runs for the plain list. With BENCH_BASELINE=<another build's dist/index.js>, that build runs
 *    every call too (before/after in one run). Where `taskset` exists this process runs on CPU 0
 *    and the server on CPU 1.
 * 2. Cold start (skipped with BENCH_COLD_RUNS=0): fresh processes (bench/cold-client.cjs) that make
 *    one request and close nothing; when the first response is read (ms since process start), and
 *    how long each process lives after it. Interleaved, median of BENCH_COLD_RUNS (15).
 * 3. Cold `require` of the package vs `openapi-fetch` alone (bench/import.ts).
 *
 * Goals: every list call ≥ 0.85× node:http (issue 25; wall and CPU), `orders.create` ≥ 0.80× (its
 * validation is the point); cold first response ≤ 1.1× raw fetch's; the process exits within 10 ms
 * of its last response (issue 11).
 */
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { coldRequireMs } from './import';
import * as loopback from './loopback.cjs';
import { handler } from './orders-server.cjs';

const ROOT = join(__dirname, '..');
const DIST = join(ROOT, 'dist/index.js');
const BASELINE = process.env.BENCH_BASELINE;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 1_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const ORDERS = Number(process.env.BENCH_ORDERS ?? 5);
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 15);

type User = ReturnType<typeof userOf>;

function userOf(dist: string, base: string) {
  const { ConnectTrade } = require(dist) as typeof import('../src/index');
  return new ConnectTrade({ clientId: 'bench', clientSecret: 'bench-secret', baseUrl: base }).forUser({
    userId: 'u',
    userSecret: 'bench-user',
  });
}

/** A limit order as users write it: no `cl_order_id` (the SDK generates one), decimals as strings. */
const LMT_ORDER = {
  account_id: 'acc_1',
  broker: 'ALPACA',
  symbol: 'AAPL',
  side: 'BUY',
  order_tif: 'DAY',
  instrument: 'EQ',
  order_type: 'LMT',
  order_qty: '10',
  order_limit_price: '189.5',
} as const;
// node:http sends it with the SDK's field order (cl_order_id after order_type), so the bytes match too.
const { order_qty, order_limit_price, ...HEAD } = LMT_ORDER;
const TAIL = { order_qty, order_limit_price };

// node:http's `cl_order_id`: as long as the SDK's (`ct_` and 24 characters), from a counter (cheaper
// than the SDK's random one: the comparison errs against the SDK).
let sequence = 0;
const nextClOrderId = () => `ct_${(++sequence).toString(36).padStart(24, '0')}`;

/** One call users make, and the same request by hand over node:http. */
interface Call {
  readonly name: string;
  /** The ratio to node:http it must reach (wall and CPU). */
  readonly goal: number;
  readonly sdk: (u: User) => Promise<unknown>;
  readonly http: (agent: http.Agent, port: number) => Promise<unknown>;
}

const get = (path: string) => (agent: http.Agent, port: number) =>
  loopback.nodeHttpRequest(agent, port, path);

const CALLS: readonly Call[] = [
  {
    name: 'orders.list({ limit })',
    goal: 0.85,
    sdk: (u) => u.orders.list({ limit: 50 }).then((page) => page.data),
    http: get('/orders?limit=50'),
  },
  {
    name: 'orders.list({ status, limit })',
    goal: 0.85,
    sdk: (u) => u.orders.list({ status: 'open', limit: 50 }).then((page) => page.data),
    http: get('/orders?status=open&limit=50'),
  },
  {
    name: 'orders.list({ status, symbols, start_time, limit })',
    goal: 0.85,
    sdk: (u) =>
      u.orders
        .list({ status: 'open', symbols: ['AAPL', 'MSFT'], start_time: '2026-11-25T00:00:00Z', limit: 50 })
        .then((page) => page.data),
    http: get('/orders?status=open&symbols=AAPL,MSFT&start_time=2026-11-25T00%3A00%3A00Z&limit=50'),
  },
  {
    name: 'orders.create(LMT)',
    goal: 0.8,
    sdk: (u) => u.orders.create({ ...LMT_ORDER }),
    http: (agent, port) =>
      loopback.nodeHttpRequest(
        agent,
        port,
        '/orders',
        'POST',
        JSON.stringify({ ...HEAD, cl_order_id: nextClOrderId(), ...TAIL }),
      ),
  },
  {
    name: 'positions.list({ symbols })',
    goal: 0.85,
    sdk: (u) => u.positions.list({ symbols: ['AAPL', 'MSFT'] }),
    http: get('/positions?symbols=AAPL,MSFT'),
  },
  {
    name: 'balances.list({ account_id })',
    goal: 0.85,
    sdk: (u) => u.balances.list({ account_id: 'acc_1' }),
    http: get('/balances?account_id=acc_1'),
  },
];

interface Seen {
  method: string;
  url: string;
  contentType: string | undefined;
  body: unknown;
}

/**
 * Sends each call once from both contenders to an in-process copy of the server and checks they sent
 * the same request: method, URL (query string included), content type and body (`cl_order_id`
 * aside: each side makes its own). A bench whose node:http side sent less would flatter nobody.
 */
async function checkIdentical(): Promise<void> {
  const answer = handler(ORDERS);
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      text += c;
    });
    req.on('end', () => {
      const body = text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>);
      if (body && typeof body.cl_order_id === 'string' && /^ct_[0-9a-z]{24}$/.test(body.cl_order_id))
        body.cl_order_id = 'ct_<24>';
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        contentType: req.headers['content-type'],
        body,
      });
    });
    answer(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const agent = new http.Agent({ keepAlive: true });
  const u = userOf(DIST, `http://127.0.0.1:${port}`);
  try {
    for (const call of CALLS) {
      seen.length = 0;
      await call.http(agent, port);
      await call.sdk(u);
      const [byHand, bySdk] = seen.map((s) => JSON.stringify(s));
      if (seen.length !== 2 || byHand !== bySdk)
        throw new Error(`${call.name}: node:http sent ${byHand}, the SDK ${bySdk}`);
    }
  } finally {
    agent.destroy();
    server.close();
  }
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

/** A contender's rates (medians) and, but for node:http, its ratios to its node:http twin (medians of per-round ratios). */
interface Result {
  readonly call: Call;
  readonly contender: string;
  readonly rate: Rate;
  readonly ratio: Rate | undefined;
}

async function throughput(base: string, port: number): Promise<Result[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const clients: [string, User][] = [['SDK', userOf(DIST, base)]];
  if (BASELINE) clients.push(['baseline', userOf(BASELINE, base)]);
  interface Slot {
    call: Call;
    contender: string;
    run: () => Promise<unknown>;
    twin: Slot | undefined;
    rates: Rate[];
  }
  const slots: Slot[] = [];
  for (const call of CALLS) {
    const twin: Slot = {
      call,
      contender: 'node:http',
      run: () => call.http(agent, port),
      twin: undefined,
      rates: [],
    };
    slots.push(twin);
    for (const [contender, u] of clients)
      slots.push({ call, contender, run: () => call.sdk(u), twin, rates: [] });
    if (call === CALLS[0]) {
      const url = `${base}/orders?limit=50`;
      const run = async () => (await fetch(url, { headers: loopback.HEADERS })).json();
      slots.push({ call, contender: 'raw fetch', run, twin, rates: [] });
    }
  }
  for (const slot of slots) await measure(slot.run); // warm-up (JIT, sockets)
  for (let round = 0; round < ROUNDS; round++)
    for (const slot of slots) slot.rates.push(await measure(slot.run));
  agent.destroy();
  return slots.map((slot) => {
    const perRound = (key: keyof Rate) =>
      median(slot.rates.map((rate, i) => rate[key] / (slot.twin?.rates[i]?.[key] ?? Number.NaN)));
    return {
      call: slot.call,
      contender: slot.contender,
      rate: { wall: median(slot.rates.map((r) => r.wall)), cpu: median(slot.rates.map((r) => r.cpu)) },
      ratio: slot.twin ? { wall: perRound('wall'), cpu: perRound('cpu') } : undefined,
    };
  });
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

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');

async function main() {
  await checkIdentical();
  const placement = loopback.pinning();
  const loadBefore = load();
  const { port, stop } = await loopback.startServer('orders-server.cjs', [String(ORDERS)], placement.fork);
  const base = `http://127.0.0.1:${port}`;
  let results: Result[];
  let cold: Record<string, { first: number; exit: number }> | undefined;
  try {
    results = await throughput(base, port);
    if (COLD_RUNS > 0) cold = coldStart(base);
  } finally {
    stop();
  }

  console.log(
    `node ${process.version}; ${ORDERS}-order page; concurrency ${CONCURRENCY}; ${ROUNDS} rounds of ${DURATION_MS} ms; ${placement.note}; load average ${loadBefore} before, ${load()} after`,
  );
  console.log('requests identical to node:http (method, URL, content type, body): checked');
  console.log(
    "ratios: median over rounds of the contender's rate / its node:http twin's rate in the same round",
  );
  const fixed = (n: number, digits: number, width: number) => n.toFixed(digits).padStart(width);
  let allMet = true;
  for (const call of CALLS) {
    console.log(`\n${call.name} (goal ≥ ${call.goal.toFixed(2)}x)`);
    console.log('  contender   req/s wall  vs node:http | req per client CPU-s  vs node:http');
    for (const r of results.filter((x) => x.call === call)) {
      const ratio = r.ratio ?? { wall: 1, cpu: 1 };
      console.log(
        `  ${r.contender.padEnd(10)} ${fixed(r.rate.wall, 0, 11)}  ${fixed(ratio.wall, 2, 11)}x | ${fixed(r.rate.cpu, 0, 20)}  ${fixed(ratio.cpu, 2, 11)}x`,
      );
    }
    const sdk = results.find((x) => x.call === call && x.contender === 'SDK')?.ratio;
    const met = !!sdk && Math.min(sdk.wall, sdk.cpu) >= call.goal;
    allMet &&= met;
    console.log(
      `  goal ≥ ${call.goal.toFixed(2)}x: ${met ? 'MET' : 'NOT MET'} (${sdk?.wall.toFixed(2)}x wall, ${sdk?.cpu.toFixed(2)}x CPU)`,
    );
  }
  console.log(`\nevery call at its goal: ${allMet ? 'MET' : 'NOT MET'}`);
  if (cold) {
    console.log(`cold process, one request, nothing closed (median of ${COLD_RUNS}):`);
    const rawFirst = cold['raw fetch']?.first ?? Number.NaN;
    for (const [name, { first, exit }] of Object.entries(cold))
      console.log(
        `${name.padEnd(26)} first response at ${first.toFixed(1)} ms (${(first / rawFirst).toFixed(2)}x raw fetch); exits ${exit.toFixed(1)} ms after it`,
      );
    const coldRatio = (cold['u.orders.list']?.first ?? Number.NaN) / rawFirst;
    const exitMs = cold['u.orders.list']?.exit ?? Number.NaN;
    console.log(
      `goals: cold first response ≤1.10x raw fetch ${coldRatio <= 1.1 ? 'MET' : 'NOT MET'} (${coldRatio.toFixed(2)}x); exit ≤10 ms ${exitMs <= 10 ? 'MET' : 'NOT MET'} (${exitMs.toFixed(1)} ms)`,
    );
    const coldRequire = coldRequireMs(['connect-trade', 'connect-trade/rest', 'openapi-fetch'], 7);
    console.log(
      `cold require (bench/import.ts, median of 7): connect-trade ${coldRequire['connect-trade']?.toFixed(1)} ms, connect-trade/rest ${coldRequire['connect-trade/rest']?.toFixed(1)} ms, openapi-fetch alone ${coldRequire['openapi-fetch']?.toFixed(1)} ms`,
    );
  }
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
