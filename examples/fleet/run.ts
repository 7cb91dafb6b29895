/**
 * A whole fleet on one machine: a sandbox (unless CONNECT_TRADE_* point at one), two relays and
 * three app-server workers, each with live stores for several users, all through one Redis.
 * Orders are placed; the leading relay is killed halfway; the other takes over; every worker's
 * stores end equal to the REST truth and every fill reaching Redis is booked exactly once.
 *
 *   REDIS_URL=redis://127.0.0.1:6379 npx tsx examples/fleet/run.ts
 */
import { type ChildProcess, fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { type Account, ConnectTrade, type ConnectTradeUser } from 'connect-trade';
import { authorizeSandboxConnection, startSandbox } from 'connect-trade/sandbox';

const USERS = 6;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  if (!process.env.REDIS_URL) throw new Error('Set REDIS_URL (e.g. redis://127.0.0.1:6379) to a Redis ≥ 6.2');
  const sandbox = process.env.CONNECT_TRADE_BASE_URL ? undefined : await startSandbox({ tickMs: 100 });
  const env: Record<string, string | undefined> = {
    ...process.env,
    FLEET_KEY: `fleet-${Date.now()}`,
    ...(sandbox && {
      CONNECT_TRADE_BASE_URL: sandbox.url,
      CONNECT_TRADE_STREAM_URL: sandbox.streamUrl,
      CONNECT_TRADE_CLIENT_ID: sandbox.credentials.clientId,
      CONNECT_TRADE_CLIENT_SECRET: sandbox.credentials.clientSecret,
    }),
  };
  const ct = new ConnectTrade({
    clientId: env.CONNECT_TRADE_CLIENT_ID,
    clientSecret: env.CONNECT_TRADE_CLIENT_SECRET,
    baseUrl: env.CONNECT_TRADE_BASE_URL,
  });
  const children: ChildProcess[] = [];
  // relay.ts and worker.ts sit beside this script (process.argv[1]: the same in ESM and CommonJS apps).
  const here = dirname(process.argv[1] ?? '.');
  const start = (file: string, name: string, extra: Record<string, string> = {}) => {
    const child = fork(join(here, file), [], {
      execArgv: ['--import', 'tsx'],
      env: { ...env, ...extra, FLEET_NAME: name },
    });
    children.push(child);
    return child;
  };
  const waitFor = (child: ChildProcess, type: string, ms = 30_000) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${type} within ${ms} ms`)), ms);
      const onMessage = (m: Record<string, unknown>) => {
        if (m.type !== type || (type === 'role' && m.role !== 'leader')) return;
        clearTimeout(timer);
        child.off('message', onMessage);
        resolve(m);
      };
      child.on('message', onMessage);
    });

  try {
    // Users, each with a linked broker account (the sandbox approves the link at once).
    const users: { user: ConnectTradeUser; userId: string; userSecret: string; account: Account }[] = [];
    for (let i = 0; i < USERS; i++) {
      const { user_id, user_secret } = await ct.users.create({ user_id: `fleet-${Date.now()}-${i}` });
      const user = ct.forUser({ userId: user_id, userSecret: user_secret });
      const link = await user.connections.create({
        type: 'trade',
        broker: 'ALPACA',
        redirect_url: 'https://app.example.com/linked',
      });
      await authorizeSandboxConnection(link.authorization_url);
      const [account] = await user.accounts.list();
      if (!account) throw new Error('no account');
      users.push({ user, userId: user_id, userSecret: user_secret, account });
    }

    const relays = [start('relay.ts', 'relay-a'), start('relay.ts', 'relay-b')];
    const leader = await Promise.race(relays.map((r) => waitFor(r, 'role').then(() => r)));
    const fleetUsers = JSON.stringify(users.map(({ userId, userSecret }) => ({ userId, userSecret })));
    const workers = ['worker-1', 'worker-2', 'worker-3'].map((name) =>
      start('worker.ts', name, { FLEET_USERS: fleetUsers }),
    );
    const booked: string[] = [];
    for (const w of workers)
      w.on('message', (m: { type?: string; key?: string }) => {
        if (m.type === 'booked' && m.key) booked.push(m.key);
      });
    await Promise.all(workers.map((w) => waitFor(w, 'ready')));

    const place = async (round: number) => {
      for (const [i, { user, account }] of users.entries())
        await user.orders.create({
          account_id: account.account_id,
          broker: account.broker,
          symbol: 'AAPL',
          instrument: 'EQ',
          side: 'BUY',
          order_type: 'MKT',
          order_tif: 'DAY',
          order_qty: String(i + round),
        });
    };
    await place(1);
    await sleep(1_000);
    console.log('run: killing the leading relay (kill -9)');
    const standby = relays.find((r) => r !== leader);
    leader.kill('SIGKILL');
    // Updates sent before the new leader's session subscribed are not in Redis: the workers'
    // stores get them from the resync its session_start entry triggers. Wait, to see them relayed.
    if (standby) await waitFor(standby, 'session', 10_000);
    await sleep(500);
    await place(2);

    // Every order filled (REST), then every worker's stores agree with REST.
    const truth = async () => {
      const all = new Map<string, string[]>();
      for (const { user, userId } of users)
        all.set(
          userId,
          (await user.orders.list({ status: 'all' }).toArray({ max: 1_000 }))
            .map((o) => `${o.order_id}:${o.status}:${o.filled_qty}`)
            .sort(),
        );
      return all;
    };
    let agreed = false;
    for (let attempt = 0; attempt < 50 && !agreed; attempt++) {
      await sleep(200);
      const expected = await truth();
      if ([...expected.values()].some((orders) => orders.some((o) => !o.includes(':filled:')))) continue;
      const reports = await Promise.all(
        workers.map((w) => {
          const report = waitFor(w, 'report', 5_000);
          w.send({ type: 'report' });
          return report;
        }),
      );
      agreed = reports.every((r) =>
        (r.stores as { userId: string; stale: boolean; orders: string[] }[]).every(
          (s) => !s.stale && JSON.stringify(s.orders) === JSON.stringify(expected.get(s.userId)),
        ),
      );
    }
    if (!agreed) throw new Error('the workers’ live stores did not converge to the REST truth');
    if (new Set(booked).size !== booked.length) throw new Error('a fill was booked twice');
    console.log(
      `run: ${workers.length} workers × ${USERS} users agree with REST after a failover; ${booked.length} fills booked once each`,
    );
    for (const w of workers) w.send({ type: 'stop' });
    await Promise.all(workers.map((w) => new Promise((resolve) => w.once('exit', resolve))));
  } finally {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await sandbox?.close();
  }
}

const watchdog = setTimeout(() => {
  console.error('run: gave up after 90 s');
  process.exit(1);
}, 90_000);
watchdog.unref();
main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
