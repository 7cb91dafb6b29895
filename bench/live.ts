/**
 * Live store benchmark (`npm run bench:live`), against the sandbox on loopback (in a child process):
 *  1. with OPEN (1,000) open orders, the time from a dropped brokerage socket to `synced`
 *     (reconnect with a 50 ms backoff ceiling, resubscribe barrier, snapshot of every page, replay);
 *  2. the heap the store holds with BIG (10,000) orders (measured with --expose-gc, before/after open).
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { ConnectTrade, type ConnectTradeUser, type LiveStore } from '../src/index';
import { authorizeSandboxConnection } from '../src/sandbox/authorize';

const OPEN = Number(process.env.OPEN ?? 1_000);
const BIG = Number(process.env.BIG ?? 10_000);
const DROPS = Number(process.env.DROPS ?? 7);

interface Endpoints {
  url: string;
  streamUrl: string;
  credentials: { clientId: string; clientSecret: string };
}

async function startChild(): Promise<{ endpoints: Endpoints; stop: () => void }> {
  const child = fork(join(__dirname, 'live-sandbox.ts'), [], { execArgv: ['--import', 'tsx'] });
  const endpoints = await new Promise<Endpoints>((resolve) =>
    child.once('message', (m: Endpoints) => resolve(m)),
  );
  return { endpoints, stop: () => child.disconnect() };
}

async function newUser(ct: ConnectTrade, id: string) {
  const { user_id, user_secret } = await ct.users.create({ user_id: id });
  const user = ct.forUser({ userId: user_id, userSecret: user_secret });
  const { authorization_url } = await user.connections.create({
    type: 'trade',
    redirect_url: 'http://127.0.0.1:9/x',
  });
  await authorizeSandboxConnection(authorization_url);
  const [account] = await user.accounts.list();
  if (!account) throw new Error('no account');
  return { user, account };
}

async function placeResting(
  user: ConnectTradeUser,
  account: { account_id: string; broker: string },
  count: number,
) {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      await user.orders.create({
        account_id: account.account_id,
        broker: account.broker,
        side: 'BUY',
        order_type: 'LMT',
        order_limit_price: '1',
        order_tif: 'GTC',
        instrument: 'EQ',
        symbol: 'AAPL',
        order_qty: '1',
      });
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
}

function heap(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc (npm run bench:live does)');
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

async function dropToSynced(
  live: LiveStore,
  drop: () => Promise<void>,
): Promise<{ total: number; reconnect: number }> {
  const start = performance.now();
  let reconnectedAt = Number.NaN;
  const synced = new Promise<void>((resolve) => live.once('synced', () => resolve()));
  const stream = (live as unknown as { settings: { stream: { once(e: string, f: () => void): void } } })
    .settings.stream;
  stream.once('reconnected', () => {
    reconnectedAt = performance.now();
  });
  await drop();
  await synced;
  return { total: performance.now() - start, reconnect: reconnectedAt - start };
}

async function main(): Promise<void> {
  const { endpoints, stop } = await startChild();
  const ct = new ConnectTrade({
    ...endpoints.credentials,
    baseUrl: endpoints.url,
    streamUrl: endpoints.streamUrl,
  });
  const drop = async () => {
    await fetch(`${endpoints.url}/__sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'drop_streams', stream: 'brokerage' }),
    });
  };
  try {
    // 1. Drop-to-synced with OPEN open orders.
    const a = await newUser(ct, 'bench-open');
    await placeResting(a.user, a.account, OPEN);
    const stream = ct.stream({ reconnect: { initialDelay: 50, maxDelay: 50 } });
    const live = await a.user.live({ account_ids: [a.account.account_id], stream });
    if (live.orders.size !== OPEN) throw new Error(`expected ${OPEN} orders, got ${live.orders.size}`);
    const runs: { total: number; reconnect: number }[] = [];
    for (let i = 0; i < DROPS; i++) runs.push(await dropToSynced(live, drop));
    await live.close();
    await stream.close();
    const total = median(runs.map((r) => r.total));
    const reconnect = median(runs.map((r) => r.reconnect));
    console.log(`drop -> synced with ${OPEN} open orders: median ${total.toFixed(1)} ms over ${DROPS} drops`);
    console.log(
      `  of which socket reconnect + re-authentication: ${reconnect.toFixed(1)} ms; resync: ${(total - reconnect).toFixed(1)} ms`,
    );
    console.log(`  all runs (ms): ${runs.map((r) => r.total.toFixed(0)).join(', ')}`);

    // 2. Memory with BIG orders.
    const b = await newUser(ct, 'bench-big');
    const t0 = performance.now();
    await placeResting(b.user, b.account, BIG);
    const placedMs = performance.now() - t0;
    const stream2 = ct.stream();
    await stream2.connect();
    const before = heap();
    const t1 = performance.now();
    const big = await b.user.live({ account_ids: [b.account.account_id], stream: stream2 });
    const openMs = performance.now() - t1;
    const after = heap();
    if (big.orders.size !== BIG) throw new Error(`expected ${BIG} orders, got ${big.orders.size}`);
    const bytes = after - before;
    console.log(
      `placed ${BIG} orders in ${(placedMs / 1000).toFixed(1)} s; live() loaded them in ${openMs.toFixed(0)} ms`,
    );
    console.log(
      `heap held by live with ${BIG} orders: ${(bytes / 1024 / 1024).toFixed(2)} MiB (${Math.round(bytes / BIG)} bytes/order)`,
    );
    await big.close();
    await stream2.close();
  } finally {
    stop();
  }
  console.log(`node ${process.version}`);
}

void main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
