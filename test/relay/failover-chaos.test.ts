/**
 * Failover chaos, in separate processes: the sandbox (here) as the upstream, a real redis-server,
 * three relay processes and three app-server processes holding live stores for 12 users, while
 * orders are placed and filled continuously. Five times: kill -9 the leader; SIGSTOP the next
 * leader past its lease, then SIGCONT it (the zombie); kill -9 and restart an app server.
 *
 * Asserts: the only sessions the sandbox ever evicted (4002) belonged to a stopped relay, so no two
 * running relays ever held the upstream at once; the zombie's writes were fenced (0 accepted: the
 * fence never goes backwards along the stream); every store equals the REST truth at the end; no
 * entry was delivered twice to a process and no upstream update was appended twice; the upstream
 * was absent at most lease TTL + 2 s per failover. Prints the figures.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import type { Balance, ConnectTradeUser, Order, Position } from '../../src/index';
import { relayKeys } from '../../src/relay/keys';
import { authorizeSandboxConnection, type Sandbox, startSandbox } from '../../src/sandbox';
import { type RedisServer, startRedisServer } from '../helpers/redis-server';
import { sandboxClient } from '../live/sandbox-helpers';

jest.setTimeout(150_000);

const TTL_MS = 2_000;
const ROUNDS = 5;
const USERS = 12;
const KEY = 'chaos';

interface Child {
  proc: ChildProcess;
  kind: 'relay' | 'consumer';
  messages: Record<string, unknown>[];
  stopped: boolean;
  exited: boolean;
  lastMetrics?: { role: string; fencedWrites: number; entriesWritten: number } | undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out (${ms} ms) waiting for ${what}`);
    await sleep(20);
  }
}

let redis: RedisServer;
let sb: Sandbox;
const children: Child[] = [];
/** Sandbox-side record of brokerage sessions. */
const sessions = { opened: 0, openedAt: [] as number[], active: undefined as string | undefined };
const evictions: { session: string | undefined; t: number }[] = [];
/** Which relay process opened each session (from the relays' `session` events). */
const ownerOf = new Map<string, number>();
/** Pids that were stopped when each eviction happened. */
const stoppedAtEviction: number[][] = [];
/** What happened when (ms since the start), printed with the figures. */
const timeline: string[] = [];
const epoch = Date.now();
const mark = (what: string) => timeline.push(`${Date.now() - epoch} ${what}`);

function spawnChild(kind: Child['kind'], env: Record<string, string>): Child {
  const file = join(__dirname, 'fleet', kind === 'relay' ? 'relay-process.ts' : 'consumer-process.ts');
  const proc = fork(file, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  const child: Child = { proc, kind, messages: [], stopped: false, exited: false };
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + String(d)).slice(-2_000);
  });
  proc.on('exit', (code, signal) => {
    child.exited = true;
    if (code && code !== 0 && signal === null) {
      const failed = child.messages.find((m) => m.type === 'failed');
      console.error(`${kind} ${proc.pid} exited ${code}: ${String(failed?.error ?? '')} ${stderr}`);
    }
  });
  proc.on('message', (m: Record<string, unknown>) => {
    child.messages.push(m);
    if (child.messages.length > 500) child.messages.splice(0, child.messages.length - 200);
    if (m.type === 'session') ownerOf.set(String(m.sessionId), proc.pid ?? 0);
    if (m.type === 'role' || m.type === 'session')
      timeline.push(
        `${Number(m.t) - epoch} ${kind} ${proc.pid} ${m.type} ${m.role ?? m.sessionId} fence ${m.fence}`,
      );
    if (m.type === 'metrics' || m.type === 'closed') child.lastMetrics = m.metrics as Child['lastMetrics'];
  });
  children.push(child);
  return child;
}

const running = (kind: Child['kind']) => children.filter((c) => c.kind === kind && !c.exited);
const standbys = () => running('relay').filter((c) => !c.stopped && c.lastMetrics?.role === 'standby').length;
const leader = () => running('relay').find((c) => !c.stopped && c.lastMetrics?.role === 'leader');

/** Whether a process is stopped (state `T` in /proc/<pid>/stat). */
function isStopped(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('T');
  } catch {
    return false;
  }
}

function killHard(child: Child): Promise<void> {
  if (child.exited) return Promise.resolve();
  const gone = new Promise<void>((resolve) => child.proc.once('exit', () => resolve()));
  child.proc.kill('SIGKILL');
  return gone;
}

/** The server's truth for one account, over REST. */
async function restTruth(user: ConnectTradeUser, accountId: string) {
  const orders = new Map<string, Order>();
  for await (const o of user.orders.list({ account_id: accountId, status: 'open', limit: 500 }))
    orders.set(o.order_id, o);
  for await (const o of user.orders.list({ account_id: accountId, status: 'all', limit: 500 }))
    orders.set(o.order_id, o);
  const positions = (await user.positions.list()).filter((p) => p.account_id === accountId);
  const balances = (await user.balances.list()).filter((b) => b.account_id === accountId);
  return views({ orders: [...orders.values()], positions, balances });
}

/** What a store must agree on (valuation fields move without updates; see test/live/chaos.test.ts). */
function views(state: { orders: Order[]; positions: Position[]; balances: Balance[] }) {
  const by = <T>(items: T[], key: (t: T) => string) =>
    [...items].sort((a, b) => key(a).localeCompare(key(b)));
  return JSON.stringify({
    orders: by(state.orders, (o) => o.order_id),
    positions: by(state.positions, (p) => p.symbol).map((p) => [p.symbol, p.quantity, p.average_price]),
    balances: by(state.balances, (b) => b.account_id ?? '').map((b) => [b.cash, b.updated_at]),
  });
}

beforeAll(async () => {
  redis = await startRedisServer();
  sb = await startSandbox({
    tickMs: 0,
    symbols: { AAPL: '100', MSFT: '200' },
    validateResponses: false,
    onTraffic: (t) => {
      if (t.kind !== 'frame' || t.stream !== 'brokerage' || t.direction !== 'out') return;
      const frame = t.frame as { action?: string; code?: string; session_id?: string };
      if (frame.action === 'error' && frame.code === 'session_replaced') {
        evictions.push({ session: sessions.active, t: Date.now() });
        stoppedAtEviction.push(
          running('relay')
            .filter((c) => c.stopped)
            .map((c) => c.proc.pid ?? 0),
        );
      }
      if (frame.action === 'authenticated') {
        sessions.opened++;
        sessions.openedAt.push(Date.now());
        sessions.active = frame.session_id;
      }
    },
  });
});

afterAll(async () => {
  for (const child of children) {
    if (child.stopped) child.proc.kill('SIGCONT');
    await killHard(child);
  }
  await sb?.close();
  await redis?.stop();
});

async function redisGet(key: string): Promise<unknown> {
  const r = createClient({ url: redis.url });
  await r.connect();
  try {
    return await r.sendCommand(['GET', key]);
  } finally {
    await r.close();
  }
}

/** A user with a linked account; the secret goes to the app-server processes. */
async function onboard(ct: ReturnType<typeof sandboxClient>, id: string) {
  const { user_id, user_secret } = await ct.users.create({ user_id: id });
  const user = ct.forUser({ userId: user_id, userSecret: user_secret });
  const { authorization_url } = await user.connections.create({
    type: 'trade',
    redirect_url: 'http://127.0.0.1:9/linked',
  });
  const { connectionId } = await authorizeSandboxConnection(authorization_url);
  const [account] = await user.accounts.list({ connection_id: connectionId });
  if (!account) throw new Error('no account');
  return {
    user,
    userId: user_id,
    userSecret: user_secret,
    accountId: account.account_id,
    broker: account.broker,
  };
}

/** Asks an app server for its stores and counters. */
async function stateOf(child: Child): Promise<Record<string, unknown>> {
  const before = child.messages.length;
  child.proc.send({ type: 'state' });
  await until(
    () => child.messages.slice(before).some((m) => m.type === 'state') || child.exited,
    10_000,
    'state',
  );
  const state = child.messages.slice(before).find((m) => m.type === 'state');
  if (!state) throw new Error('app server exited');
  return state;
}

it('survives kill -9, paused zombies and app-server restarts without losing or repeating anything', async () => {
  const started = Date.now();
  const ct = sandboxClient(sb, 4);
  // Users are onboarded while the relays boot (process start-up is most of the set-up time).
  const onboarding = Promise.all(Array.from({ length: USERS }, (_, i) => onboard(ct, `fleet-${i}`)));
  const env = {
    REDIS_URL: redis.url,
    RELAY_KEY: KEY,
    RELAY_TTL_MS: String(TTL_MS),
    CONNECT_TRADE_BASE_URL: sb.url,
    CONNECT_TRADE_STREAM_URL: sb.streamUrl,
    CONNECT_TRADE_CLIENT_ID: sb.credentials.clientId,
    CONNECT_TRADE_CLIENT_SECRET: sb.credentials.clientSecret,
  };
  for (let i = 0; i < 3; i++) spawnChild('relay', env);
  const users = await onboarding;
  const consumerEnv = {
    ...env,
    USERS: JSON.stringify(
      users.map(({ userId, userSecret, accountId }) => ({ userId, userSecret, accountId })),
    ),
  };
  const startConsumer = async () => {
    const c = spawnChild('consumer', consumerEnv);
    await until(() => c.messages.some((m) => m.type === 'ready') || c.exited, 30_000, 'app server ready');
    const failed = c.messages.find((m) => m.type === 'failed');
    if (c.exited) throw new Error(`app server ${c.proc.pid} failed to start: ${String(failed?.error)}`);
    return c;
  };

  // App servers boot while the relays elect a leader (they read from the latest entry either way).
  await Promise.all([
    until(() => leader() !== undefined, 15_000, 'a first leader'),
    startConsumer(),
    startConsumer(),
    startConsumer(),
  ]);

  // Orders placed and filled continuously (the feed ticks here: prices move, orders fill).
  let trading = true;
  let placed = 0;
  const trader = (async () => {
    let n = 0;
    while (trading) {
      const u = users[n % users.length];
      if (!u) break;
      n++;
      const limit = n % 3 === 0;
      await u.user.orders
        .create({
          account_id: u.accountId,
          broker: u.broker,
          cl_order_id: `fleet_${n}`,
          symbol: n % 2 ? 'AAPL' : 'MSFT',
          instrument: 'EQ',
          side: 'BUY',
          order_tif: 'DAY',
          order_qty: '1',
          ...(limit
            ? {
                order_type: 'LMT' as const,
                order_limit_price: (Number(sb.feed.price(n % 2 ? 'AAPL' : 'MSFT')) * 0.999).toFixed(2),
              }
            : { order_type: 'MKT' as const }),
        })
        .then(() => placed++)
        .catch(() => undefined);
      sb.feed.tick();
      await sleep(40);
    }
  })();

  const absences: { kind: string; ms: number }[] = [];
  /** Waits for the next upstream session after `since`; returns how long the upstream was absent. */
  const nextSession = async (since: number) => {
    await until(() => sessions.openedAt.some((t) => t > since), TTL_MS + 8_000, 'a new upstream session');
    return (sessions.openedAt.find((t) => t > since) ?? 0) - since;
  };
  const restarts: Promise<Child>[] = [];
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      // 1. kill -9 the leader; a standby takes over once the lease expires. Keep three relays: the
      // replacement boots while the next step runs (a failover needs one standby, not two).
      const ready = () => leader() !== undefined && standbys() >= 1;
      await until(ready, 15_000, 'a leader and a standby');
      const victim = leader();
      if (!victim) throw new Error('no leader');
      let t0 = Date.now();
      mark(`kill -9 ${victim.proc.pid}`);
      await killHard(victim);
      absences.push({ kind: 'kill -9', ms: await nextSession(t0) });
      spawnChild('relay', env);
      await until(() => leader() !== undefined, 10_000, 'leader after kill');

      await until(ready, 15_000, 'a leader and a standby');
      // 2. SIGSTOP the new leader past its lease, mid-write (it stops itself between receiving an
      // update and writing it, like a GC pause or a frozen VM would), then let it run again.
      const zombie = leader();
      if (!zombie) throw new Error('no leader to pause');
      zombie.stopped = true;
      zombie.proc.send({ type: 'stop-mid-write' });
      await until(() => isStopped(zombie.proc.pid ?? 0), 5_000, 'the leader to stop mid-write');
      t0 = Date.now();
      mark(`stopped ${zombie.proc.pid}`);
      absences.push({ kind: 'SIGSTOP', ms: await nextSession(t0) });
      await sleep(200);
      zombie.proc.kill('SIGCONT');
      zombie.stopped = false;
      const fencedBefore = zombie.lastMetrics?.fencedWrites ?? 0;
      await until(
        () =>
          zombie.lastMetrics?.role === 'standby' && (zombie.lastMetrics?.fencedWrites ?? 0) > fencedBefore,
        15_000,
        'the zombie to be fenced and step down',
      ).catch((error) => {
        throw new Error(
          `${(error as Error).message}; zombie ${zombie.proc.pid} metrics ${JSON.stringify(zombie.lastMetrics)}; fenced before ${fencedBefore}; timeline:\n${timeline.slice(-12).join('\n')}`,
        );
      });

      // 3. An app server dies and comes back (it reloads its stores and reads from the latest
      // entry); the next round does not wait for it.
      const server = running('consumer').find((c) => c.messages.some((m) => m.type === 'ready'));
      if (server) await killHard(server);
      restarts.push(startConsumer());
    }
    await Promise.all(restarts);
  } finally {
    trading = false;
    await trader;
  }

  // Fill what can fill, then let everything settle.
  for (let i = 0; i < 5; i++) sb.feed.tick();
  const truths = new Map<string, string>();
  for (const u of users) truths.set(u.accountId, await restTruth(u.user, u.accountId));
  const servers = running('consumer');
  expect(servers).toHaveLength(3);
  let mismatched: string[] = [];
  await until(
    async () => {
      mismatched = [];
      for (const server of servers) {
        const state = await stateOf(server);
        for (const store of state.stores as {
          accountIds: string[];
          stale: boolean;
          orders: Order[];
          positions: Position[];
          balances: Balance[];
        }[]) {
          const accountId = store.accountIds[0] ?? '';
          if (store.stale || views(store) !== truths.get(accountId))
            mismatched.push(`${server.proc.pid}/${accountId}`);
        }
      }
      return mismatched.length === 0;
    },
    20_000,
    'every store to equal the REST truth',
  ).catch(() => undefined);

  // No entry delivered twice to an app server.
  const states = await Promise.all(servers.map(stateOf));
  const duplicates = states.reduce((sum, s) => sum + Number(s.duplicates), 0);

  // The stream itself: each upstream update appended once; the fence never goes backwards.
  const r = createClient({ url: redis.url });
  await r.connect();
  let appended = 0;
  let fenceBackwards = 0;
  let repeatedUpdates = 0;
  const updateKeys = new Set<string>();
  try {
    let lastFence = 0;
    let cursor = '-';
    for (;;) {
      const page = (await r.sendCommand(['XRANGE', relayKeys(KEY).stream, cursor, '+', 'COUNT', '1000'])) as [
        string,
        string[],
      ][];
      const fresh = cursor === '-' ? page : page.slice(1);
      if (fresh.length === 0) break;
      for (const [, f] of fresh) {
        const field = (name: string) => f[f.indexOf(name) + 1] ?? '';
        const fence = Number(field('fence'));
        if (fence < lastFence) fenceBackwards++;
        lastFence = Math.max(lastFence, fence);
        if (field('action').endsWith('_update')) {
          appended++;
          const k = `${field('session_id')}:${field('seq')}`;
          if (updateKeys.has(k)) repeatedUpdates++;
          updateKeys.add(k);
        }
      }
      cursor = fresh[fresh.length - 1]?.[0] ?? '+';
    }
  } finally {
    await r.close();
  }

  // Only stopped relays were ever evicted: two running relays never held the upstream together.
  const evictedRunning = evictions.filter((e, i) => {
    const owner = e.session === undefined ? undefined : ownerOf.get(e.session);
    return owner === undefined || !(stoppedAtEviction[i] ?? []).includes(owner);
  });

  // Each zombie tried to write what it held when it stopped: Redis refused it (and counted it).
  const fenced = children
    .filter((c) => c.kind === 'relay')
    .reduce((sum, c) => sum + (c.lastMetrics?.fencedWrites ?? 0), 0);
  const fencedInRedis = Number(await redisGet(relayKeys(KEY).fenced));
  const worst = Math.max(...absences.map((a) => a.ms));
  console.log(
    [
      `relay failover chaos: ${ROUNDS} rounds (kill -9 the leader, SIGSTOP the next one past its ${TTL_MS} ms lease, restart an app server), ${USERS} users, 3 relays, 3 app servers`,
      `  orders placed ${placed}; updates appended ${appended}; upstream sessions ${sessions.opened}; evictions ${evictions.length} (all of stopped zombies)`,
      `  zombie writes refused by the fence: ${fenced} entries; accepted: 0 (fence never went backwards)`,
      `  upstream absent per failover (ms): ${absences.map((a) => `${a.kind} ${a.ms}`).join(', ')}; worst ${worst} (limit ${TTL_MS + 2_000})`,
      `  entries delivered twice: ${duplicates}; updates appended twice: ${repeatedUpdates}; stores equal to REST: ${3 * USERS}/${3 * USERS}`,
      `  total ${((Date.now() - started) / 1000).toFixed(1)} s; load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
      ...timeline.map((line) => `  ${line}`),
    ].join('\n'),
  );
  expect(mismatched).toEqual([]);
  expect(duplicates).toBe(0);
  expect(fenceBackwards).toBe(0);
  expect(repeatedUpdates).toBe(0);
  expect(evictedRunning).toEqual([]);
  expect(fenced).toBeGreaterThanOrEqual(ROUNDS);
  expect(fencedInRedis).toBe(fenced);
  expect(absences).toHaveLength(2 * ROUNDS);
  for (const a of absences) expect(a.ms).toBeLessThanOrEqual(TTL_MS + 2_000);
});
