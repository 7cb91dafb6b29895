/**
 * Rate-limiter overhead benchmark (not a test). Run: `npm run bench:ratelimit`.
 * Goal (issue 13 part 2): the limiter costs < 5 % of throughput when it is not binding.
 *
 * "Not binding": platform, per-user and per-account buckets far above the load, maxConcurrency
 * above the loops' concurrency, so every attempt still pays for its buckets (1 000 rotating users:
 * one user bucket each) but never waits. Both measurements run in this one process, interleaved
 * (A B, B A, A B...), and count CPU time of this process only: on a shared machine, wall-clock
 * rates move with the neighbours' load, CPU time per request much less.
 *
 * 1. Isolated: the limiter's own CPU per attempt, `limiter.forCall(transport, ...)(request)` over
 *    an instant in-process transport against the bare transport, BENCH_MICRO (200 000) attempts a
 *    round, median of BENCH_ROUNDS rounds.
 * 2. Whole client, no network: `ct.forUser(...).connections.list()` with a `fetch` that answers
 *    at once from memory, BENCH_MICRO / 10 calls a round, CONCURRENCY at a time, the client
 *    without limits against the one whose limits never bind: CPU µs per call, median of rounds.
 *    No sockets and no server, so the neighbours' load disturbs it far less than (3); and the
 *    denominator is the SDK's own CPU only, the strictest share.
 * 3. End to end: BENCH_CONCURRENCY (16) loops of `ct.forUser(...).connections.list()` against a
 *    loopback server in a child process (bench/tenants-server.cjs), a client without limits, one
 *    with limits that never bind, and a second client without limits (the A/A control: what the
 *    same code "costs" against itself is the noise floor), BENCH_ROUNDS (15) rounds of
 *    BENCH_DURATION_MS (600) each, the order rotating each round: requests per CPU-second and per
 *    wall second, the median of each, and the median and interquartile range of the per-round
 *    ratios against the first client (each round's runs were back to back, same neighbours).
 *
 * Headlines: (2)'s difference (the limiter as the client really calls it), and (1) divided by the
 * CPU per request of (3)'s client without limits. (3)'s ratios are the direct, noisiest check.
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { parseRetryAfter, restErrorFactory } from '../src/core/errors';
import { RateLimiter } from '../src/core/rate-limit';
import type { Transport, WireRequest, WireResponse } from '../src/core/transport';
import { ConnectTrade } from '../src/index';

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const TENANTS = Number(process.env.BENCH_TENANTS ?? 1_000);
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 600);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const MICRO = Number(process.env.BENCH_MICRO ?? 200_000);

/** Limits far above the load: every attempt pays for its buckets, none waits. */
const NOT_BINDING = {
  rateLimit: {
    platform: { rps: 1e7 },
    perUser: { rps: 1e6, burst: 1e6 },
    perAccountOrders: { perMinute: 1e6 },
  },
  maxConcurrency: CONCURRENCY * 4,
};

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const cpuMicros = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return used.user + used.system;
};

/** (1) CPU µs per attempt: the bare transport, and the same through the limiter. */
async function isolated(): Promise<{ bare: number; limited: number }> {
  const OK: WireResponse = { status: 200, headers: {}, text: '[]' };
  const transport: Transport = async () => OK;
  const limiter = new RateLimiter(
    { factory: restErrorFactory, parseRetryAfter },
    NOT_BINDING.rateLimit,
    NOT_BINDING.maxConcurrency,
  );
  const request: WireRequest = {
    url: 'http://127.0.0.1/connections',
    method: 'GET',
    headers: {},
    body: undefined,
    timeout: 30_000,
    maxResponseBytes: 1e6,
  };
  const users = Array.from({ length: TENANTS }, (_, i) => `user-${i}`);
  const bare = async () => {
    for (let i = 0; i < MICRO; i++) await transport(request);
  };
  // As request.ts does per call: forCall (the call's scopes), then the attempt.
  const limited = async () => {
    for (let i = 0; i < MICRO; i++)
      await limiter.forCall(transport, users[i % TENANTS], 'GET', '/connections', {}, undefined)(request);
  };
  const time = async (run: () => Promise<void>) => {
    const before = process.cpuUsage();
    await run();
    return cpuMicros(before) / MICRO;
  };
  await time(bare); // warm-up
  await time(limited);
  const rounds = { bare: [] as number[], limited: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    if (round % 2) {
      rounds.limited.push(await time(limited));
      rounds.bare.push(await time(bare));
    } else {
      rounds.bare.push(await time(bare));
      rounds.limited.push(await time(limited));
    }
  }
  return { bare: median(rounds.bare), limited: median(rounds.limited) };
}

/** (2) CPU µs per call of the whole client over an in-memory fetch, without limits and with limits that never bind. */
async function inMemory(): Promise<{ plain: number; limited: number; control: number }> {
  const common = {
    clientId: 'bench',
    clientSecret: 'bench-secret',
    baseUrl: 'http://127.0.0.1:9',
    fetch: async () =>
      new Response('[]', {
        status: 200,
        headers: { 'content-type': 'application/json', 'x-request-id': 'b' },
      }),
  };
  const clients = {
    plain: new ConnectTrade(common),
    limited: new ConnectTrade({ ...common, ...NOT_BINDING }),
    control: new ConnectTrade(common),
  };
  const names = Object.keys(clients) as (keyof typeof clients)[];
  const calls = Math.max(1_000, Math.floor(MICRO / 10));
  const time = async (ct: ConnectTrade) => {
    let next = 0;
    const before = process.cpuUsage();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < calls) {
          const i = next++;
          await ct.forUser({ userId: `user-${i % TENANTS}`, userSecret: 'bench-user' }).connections.list();
        }
      }),
    );
    return cpuMicros(before) / calls;
  };
  for (const name of names) await time(clients[name]); // warm-up
  const rounds = { plain: [] as number[], limited: [] as number[], control: [] as number[] };
  for (let round = 0; round < ROUNDS; round++)
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round) % names.length] as keyof typeof clients;
      rounds[name].push(await time(clients[name]));
    }
  return { plain: median(rounds.plain), limited: median(rounds.limited), control: median(rounds.control) };
}

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

interface Rate {
  wall: number;
  cpu: number;
}

/** (2) Requests per wall second and per CPU second of this process, CONCURRENCY loops over DURATION_MS. */
async function endToEnd(ct: ConnectTrade): Promise<Rate> {
  let done = 0;
  const end = Date.now() + DURATION_MS;
  const started = performance.now();
  const before = process.cpuUsage();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < end) {
        await ct.forUser({ userId: `user-${done % TENANTS}`, userSecret: 'bench-user' }).connections.list();
        done++;
      }
    }),
  );
  const cpu = cpuMicros(before);
  return { wall: done / ((performance.now() - started) / 1000), cpu: done / (cpu / 1e6) };
}

const pct = (ratio: number) => `${ratio >= 1 ? '+' : '−'}${(Math.abs(ratio - 1) * 100).toFixed(1)} %`;
const num = (n: number) => Math.round(n).toLocaleString('en');

async function main(): Promise<void> {
  console.log(
    `node ${process.version}, ${TENANTS} tenants, ${ROUNDS} interleaved rounds (medians); load average ${require('node:os')
      .loadavg()
      .map((l: number) => l.toFixed(2))
      .join(' ')}\n`,
  );

  const micro = await isolated();
  const limiterMicros = micro.limited - micro.bare;
  console.log(`1. isolated, ${MICRO.toLocaleString('en')} attempts a round (CPU µs per attempt)`);
  console.log(
    `   bare transport ${micro.bare.toFixed(3)} µs, through the limiter ${micro.limited.toFixed(3)} µs`,
  );
  console.log(`   the limiter's own cost: ${limiterMicros.toFixed(3)} µs per attempt\n`);

  const whole = await inMemory();
  console.log(
    `2. whole client, in-memory fetch, ${Math.max(1_000, Math.floor(MICRO / 10)).toLocaleString('en')} calls a round (CPU µs per call)`,
  );
  console.log(
    `   no limiter ${whole.plain.toFixed(2)} µs, limiter not binding ${whole.limited.toFixed(2)} µs, no limiter again (A/A control) ${whole.control.toFixed(2)} µs`,
  );
  console.log(
    `   the limiter adds ${(whole.limited - whole.plain).toFixed(2)} µs per call: ${pct(whole.limited / whole.plain)} of the SDK's own CPU\n`,
  );

  const server = await startServer();
  try {
    const common = {
      clientId: 'bench',
      clientSecret: 'bench-secret',
      baseUrl: `http://127.0.0.1:${server.port}`,
    };
    const clients = {
      plain: new ConnectTrade(common),
      limited: new ConnectTrade({ ...common, ...NOT_BINDING }),
      control: new ConnectTrade(common),
    };
    const names = Object.keys(clients) as (keyof typeof clients)[];
    for (const name of names) await endToEnd(clients[name]); // warm-up: JIT, sockets, the lazy limiter chunk
    const rounds: Record<keyof typeof clients, Rate>[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const result = {} as Record<keyof typeof clients, Rate>;
      // Rotating order: no client always runs first (or right after the same neighbour).
      for (let i = 0; i < names.length; i++) {
        const name = names[(i + round) % names.length] as keyof typeof clients;
        result[name] = await endToEnd(clients[name]);
      }
      rounds.push(result);
    }
    const of = (who: keyof typeof clients, key: keyof Rate) => median(rounds.map((r) => r[who][key]));
    const ratios = (who: keyof typeof clients, key: keyof Rate) => {
      const sorted = rounds.map((r) => r[who][key] / r.plain[key]).sort((x, y) => x - y);
      const at = (q: number) => sorted[Math.floor(q * (sorted.length - 1))] ?? Number.NaN;
      return `${pct(median(sorted))} (IQR ${pct(at(0.25))} … ${pct(at(0.75))})`;
    };
    console.log(`3. end to end, ${CONCURRENCY} loops, ${ROUNDS} × ${DURATION_MS} ms a client\n`);
    console.log(
      '| client | req per CPU-second | vs no limiter, per round | req/s (wall) | vs no limiter, per round |',
    );
    console.log('| --- | ---: | ---: | ---: | ---: |');
    const label = {
      plain: 'no limiter',
      limited: 'limiter, not binding',
      control: 'no limiter again (A/A control)',
    };
    for (const name of names)
      console.log(
        `| ${label[name]} | ${num(of(name, 'cpu'))} | ${name === 'plain' ? '' : ratios(name, 'cpu')} | ${num(of(name, 'wall'))} | ${name === 'plain' ? '' : ratios(name, 'wall')} |`,
      );
    console.log('');
    const requestMicros = 1e6 / of('plain', 'cpu');
    console.log(
      `headline: the limiter's own ${limiterMicros.toFixed(2)} µs (1) is ${((limiterMicros / requestMicros) * 100).toFixed(1)} % of ~${requestMicros.toFixed(0)} µs of CPU per request over loopback (3); as the client calls it (2), ${pct(whole.limited / whole.plain)} of the SDK's own CPU, ${(((whole.limited - whole.plain) / requestMicros) * 100).toFixed(1)} % of a loopback request's (goal < 5 %)`,
    );
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
