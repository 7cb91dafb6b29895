/**
 * Tenants benchmark (not a test): does the cost of a request grow with the number of distinct users
 * a process has served? Run: `npm run bench:tenants` (= `node --expose-gc --import tsx bench/tenants.ts`).
 *
 * One `ConnectTrade` per process, a new `ct.forUser(...)` per request, against a loopback server in
 * a child process. At each step (0 users, then after BENCH_USERS distinct users each made one
 * request, default 100k and 500k) it reports requests/s and p50 of `u.connections.list()`, the
 * mean cost of one failing request (`u.accounts.list()` answered 401, i.e. an error built and
 * scrubbed), and the heap after a full GC. Users are dropped as soon as their request ends.
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { ConnectTrade } from '../src/index';

const STEPS = (process.env.BENCH_USERS ?? '100000,500000').split(',').map(Number);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const SAMPLE = Number(process.env.BENCH_SAMPLE ?? 4_000);
const FAILING = Number(process.env.BENCH_FAILING ?? 200);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
// Overall deadline: a run that cannot finish in time says so instead of hanging.
const DEADLINE = Date.now() + Number(process.env.BENCH_DEADLINE_MS ?? 30 * 60_000);

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('Run with --expose-gc (npm run bench:tenants does)');

async function startServer(): Promise<{ port: number; stop: () => void }> {
  const child = fork(join(__dirname, 'tenants-server.cjs'), [], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve) =>
    child.stdout?.once('data', (d) => resolve(Number(String(d)))),
  );
  return { port, stop: () => child.kill() };
}

let nextUser = 0;
function user(ct: ConnectTrade) {
  const n = nextUser++;
  return ct.forUser({ userId: `user-${n}`, userSecret: `us_bench_secret_${n.toString(36)}_${n * 7919}` });
}

/** Runs `count` calls from CONCURRENCY loops; returns each call's duration (ms). */
async function run(count: number, call: () => Promise<unknown>): Promise<number[]> {
  const durations: number[] = [];
  let left = count;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (left-- > 0) {
        if (Date.now() > DEADLINE) throw new Error('bench deadline passed');
        const started = performance.now();
        await call();
        durations.push(performance.now() - started);
      }
    }),
  );
  return durations;
}

async function heapAfterGc(): Promise<number> {
  // Several passes with turns in between: finalizers and WeakRef targets need a new job to go.
  for (let i = 0; i < 4; i++) {
    await new Promise((r) => setTimeout(r, 20));
    gc?.();
  }
  return process.memoryUsage().heapUsed;
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

async function measure(ct: ConnectTrade) {
  // Median of ROUNDS rounds: the machine is shared, single rounds wander.
  const rps: number[] = [];
  const p50: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    const durations = await run(SAMPLE, () => user(ct).connections.list());
    rps.push(SAMPLE / ((performance.now() - started) / 1000));
    p50.push(median(durations));
  }
  const failStart = performance.now();
  for (let i = 0; i < FAILING; i++) {
    const error = await user(ct)
      .accounts.list()
      .catch((e: unknown) => e);
    if (!(error instanceof Error) || error.name !== 'AuthenticationError')
      throw new Error(`unexpected ${error}`);
  }
  const failMs = (performance.now() - failStart) / FAILING;
  return {
    rps: median(rps),
    p50: median(p50),
    failMs,
    heap: await heapAfterGc(),
  };
}

async function main() {
  const server = await startServer();
  try {
    const ct = new ConnectTrade({
      clientId: 'bench',
      clientSecret: 'cs_bench_platform_secret',
      baseUrl: `http://127.0.0.1:${server.port}`,
      maxRetries: 0,
    });
    // Warm-up (JIT, keep-alive sockets, lazy transport) with ONE user, so "0 users" means it.
    const warm = ct.forUser({ userId: 'warm-up', userSecret: 'us_bench_warm_up' });
    await run(10_000, () => warm.connections.list());
    for (let i = 0; i < FAILING; i++) await warm.accounts.list().catch(() => undefined);
    const rows: { users: number; rps: number; p50: number; failMs: number; heap: number }[] = [];
    rows.push({ users: 0, ...(await measure(ct)) });
    for (const target of STEPS) {
      const grow = target - nextUser;
      if (grow > 0) await run(grow, () => user(ct).connections.list());
      rows.push({ users: target, ...(await measure(ct)) });
    }
    const base = rows[0];
    if (!base) return;
    console.log(
      `Node ${process.version}, concurrency ${CONCURRENCY}, median of ${ROUNDS} × ${SAMPLE} requests, ${FAILING} failing requests`,
    );
    console.log(
      '| distinct users | req/s | p50 (ms) | one failing request (ms) | heap after GC (MB) | vs 0 users |',
    );
    console.log(
      '| -------------: | ----: | -------: | -----------------------: | -----------------: | ---------: |',
    );
    for (const r of rows)
      console.log(
        `| ${r.users.toLocaleString('en')} | ${Math.round(r.rps).toLocaleString('en')} | ${r.p50.toFixed(2)} | ${r.failMs.toFixed(2)} | ${(r.heap / 2 ** 20).toFixed(1)} | req/s ${((r.rps / base.rps - 1) * 100).toFixed(1)} %, heap ${((r.heap - base.heap) / 2 ** 20).toFixed(1)} MB |`,
      );
  } finally {
    server.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
