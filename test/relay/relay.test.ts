/**
 * The relay against a REAL redis-server and the sandbox as upstream: lease renewal timing,
 * standbys that never connect, stepping down when the lease is lost, fencing of a zombie writer,
 * trimming → gap, resume from an entry id, and a live store fed through Redis.
 */
import { createClient } from 'redis';
import { RelayError } from '../../src/core/errors';
import { type RelayHandle, relayStream, startRelay } from '../../src/relay';
import { relayKeys } from '../../src/relay/keys';
import { Lease, leaseTiming } from '../../src/relay/lease';
import { RedisLink } from '../../src/relay/redis-link';
import { StreamWriter } from '../../src/relay/writer';
import { type Sandbox, startSandbox } from '../../src/sandbox';
import { type RedisServer, startRedisServer } from '../helpers/redis-server';
import { linkedUser, sandboxClient } from '../live/sandbox-helpers';

jest.setTimeout(30_000);

let redis: RedisServer;
let sb: Sandbox;
/** `authenticated` frames the sandbox sent: one per upstream session opened. */
let sessionsOpened = 0;
let keyCounter = 0;
const freshKey = () => `t${process.pid}-${++keyCounter}`;

beforeAll(async () => {
  redis = await startRedisServer();
  sb = await startSandbox({
    tickMs: 0,
    symbols: { AAPL: '100' },
    onTraffic: (t) => {
      if (t.kind === 'frame' && t.stream === 'brokerage' && t.direction === 'out')
        if ((t.frame as { action?: string }).action === 'authenticated') sessionsOpened++;
    },
  });
});
afterAll(async () => {
  await sb?.close();
  await redis?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** A raw Redis client of the test itself. */
async function raw() {
  const client = createClient({ url: redis.url });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

describe('startRelay', () => {
  it('checks its options before touching Redis', () => {
    const client = sandboxClient(sb);
    expect(() => startRelay({ client, redis: 'http://nope' })).toThrow('must be a redis:// or rediss:// URL');
    expect(() => startRelay({ client, redis: redis.url, lease: { ttlMs: 10 } })).toThrow('lease.ttlMs');
    expect(() => startRelay({ client, redis: redis.url, retention: {} })).toThrow(
      'retention must be bounded',
    );
    expect(() => startRelay({ client: {} as never, redis: redis.url })).toThrow('ConnectTrade client');
  });

  it('derives renewal well before expiry from the TTL', () => {
    const t = leaseTiming(5_000);
    expect(t.renewEveryMs).toBeLessThan(t.ttlMs / 2);
    // The holder steps down before the key can expire, even if its last renewal took a while.
    expect(t.ttlMs - t.marginMs).toBeGreaterThan(t.renewEveryMs);
    expect(t.marginMs).toBeGreaterThan(t.commandTimeoutMs);
  });

  it('elects one leader; the standby never opens the upstream; the lease never runs low', async () => {
    const key = freshKey();
    const ttlMs = 2_000;
    const before = sessionsOpened;
    const relays: RelayHandle[] = [];
    const r = await raw();
    try {
      relays.push(startRelay({ client: sandboxClient(sb), redis: redis.url, key, lease: { ttlMs } }));
      await until(() => relays[0]?.state === 'leader', 5_000, 'first leader');
      relays.push(startRelay({ client: sandboxClient(sb), redis: redis.url, key, lease: { ttlMs } }));
      const standbyRoles: string[] = [];
      relays[1]?.on('role', (role) => standbyRoles.push(role));
      let minPttl = Number.POSITIVE_INFINITY;
      const end = Date.now() + 3 * ttlMs;
      while (Date.now() < end) {
        minPttl = Math.min(minPttl, Number(await r.sendCommand(['PTTL', relayKeys(key).lease])));
        await sleep(25);
      }
      expect(relays.map((x) => x.state)).toEqual(['leader', 'standby']);
      // The standby never led (so never opened the upstream) while the leader renewed its lease.
      expect(standbyRoles).toEqual([]);
      expect(relays[1]?.metrics().terms).toBe(0);
      expect(sessionsOpened - before).toBeGreaterThanOrEqual(1);
      // Renewed every ttl/3: the remaining time stays far from zero (margin for a busy machine).
      expect(minPttl).toBeGreaterThan(ttlMs * 0.3);
      const m = relays[1]?.metrics();
      expect(m).toMatchObject({ role: 'standby', upstream: 'none', fence: undefined });
      expect(m?.leaseHolder).toBe(relays[0]?.metrics().leaseHolder);
      expect(relays[0]?.metrics()).toMatchObject({ role: 'leader', upstream: 'open', terms: 1 });
      // A graceful close releases the lease: the standby takes over at once.
      await relays[0]?.close();
      await until(() => relays[1]?.state === 'leader', 3_000, 'takeover');
      expect(standbyRoles).toEqual(['leader']);
      expect((relays[1]?.metrics().fence ?? 0) > (relays[0]?.metrics().fence ?? 0)).toBe(true);
    } finally {
      for (const relay of relays) await relay.close();
      await r.close();
    }
  });

  it('steps down and closes the upstream as soon as a renewal is refused', async () => {
    const key = freshKey();
    const ttlMs = 2_000;
    const relay = startRelay({ client: sandboxClient(sb), redis: redis.url, key, lease: { ttlMs } });
    const r = await raw();
    try {
      await until(() => relay.metrics().upstream === 'open', 5_000, 'upstream open');
      const roles: string[] = [];
      relay.on('role', (role) => roles.push(role));
      relay.on('error', () => undefined);
      // Someone else holds the lease now (as after a partition the relay did not notice).
      await r.sendCommand(['SET', relayKeys(key).lease, 'intruder:999', 'PX', '60000']);
      const t0 = Date.now();
      await until(() => relay.state === 'standby', 3_000, 'step down');
      // At the next renewal (every ttl/3), long before the old lease would have run out.
      expect(Date.now() - t0).toBeLessThan(ttlMs);
      expect(roles).toEqual(['standby']);
      expect(relay.metrics()).toMatchObject({ upstream: 'none', fence: undefined });
      // While the intruder's lease is valid the relay stays a standby.
      await sleep(600);
      expect(relay.state).toBe('standby');
      expect(relay.metrics().leaseHolder).toBe('intruder:999');
    } finally {
      await relay.close();
      await r.close();
    }
  });

  it('steps down when Redis stays unreachable longer than the lease allows', async () => {
    const key = freshKey();
    const ttlMs = 2_000;
    const relay = startRelay({ client: sandboxClient(sb), redis: redis.url, key, lease: { ttlMs } });
    relay.on('error', () => undefined);
    try {
      await until(() => relay.metrics().upstream === 'open', 5_000, 'upstream open');
      redis.kill('SIGSTOP');
      const t0 = Date.now();
      try {
        await until(() => relay.state === 'standby', 4_000, 'step down while Redis is away');
      } finally {
        redis.kill('SIGCONT');
      }
      // Before the key can expire (ttl after the last renewal), not after.
      expect(Date.now() - t0).toBeLessThan(ttlMs);
      expect(relay.metrics().upstream).toBe('none');
      await until(() => relay.state === 'leader', 5_000, 'leads again once Redis is back');
    } finally {
      await relay.close();
    }
  });
});

describe('fencing', () => {
  it('refuses (and counts) every write of a writer whose lease was taken over', async () => {
    const key = freshKey();
    const keys = relayKeys(key);
    const link = new RedisLink(redis.url);
    const timing = leaseTiming(300);
    const r = await raw();
    try {
      const zombieLease = new Lease(link, keys, 'zombie', timing);
      const a = await zombieLease.acquire();
      if (!a.acquired) throw new Error('no lease');
      const written: number[] = [];
      const fenced: number[] = [];
      const events = {
        written: (n: number) => written.push(n),
        fenced: (n: number) => fenced.push(n),
        failed: () => undefined,
      };
      const zombie = new StreamWriter(link, {
        keys,
        token: a.token,
        fence: a.fence,
        retention: { maxLen: 1000 },
        maxBuffered: 100,
        commandTimeoutMs: 1000,
        events,
      });
      zombie.push({
        sessionId: 's1',
        seq: 1,
        action: 'order_update',
        userId: 'u',
        data: '{"account_id":"a"}',
      });
      await until(() => written.length === 1, 2_000, 'first write');
      // The zombie pauses past its lease; another relay takes over with a newer fence.
      await sleep(400);
      const next = await new Lease(link, keys, 'next', timing).acquire();
      expect(next.acquired && next.fence === a.fence + 1).toBe(true);
      zombie.push({
        sessionId: 's1',
        seq: 2,
        action: 'order_update',
        userId: 'u',
        data: '{"account_id":"a"}',
      });
      zombie.push({
        sessionId: 's1',
        seq: 3,
        action: 'order_update',
        userId: 'u',
        data: '{"account_id":"a"}',
      });
      await until(() => fenced.length === 1, 2_000, 'fenced write');
      expect(fenced).toEqual([2]);
      expect(Number(await r.sendCommand(['GET', keys.fenced]))).toBe(2);
      const entries = (await r.sendCommand(['XRANGE', keys.stream, '-', '+'])) as [string, string[]][];
      expect(entries.map(([, f]) => f[f.indexOf('seq') + 1])).toEqual(['1']);
      // Nor may it write after its lease merely expired, before anyone took over.
      await r.sendCommand(['DEL', keys.lease]);
      const stale = new StreamWriter(link, {
        keys,
        token: a.token,
        fence: a.fence,
        retention: { maxLen: 1000 },
        maxBuffered: 100,
        commandTimeoutMs: 1000,
        events,
      });
      stale.push({
        sessionId: 's1',
        seq: 4,
        action: 'order_update',
        userId: 'u',
        data: '{"account_id":"a"}',
      });
      await until(() => fenced.length === 2, 2_000, 'second fenced write');
      expect(await r.sendCommand(['XLEN', keys.stream])).toBe(1);
      // A zombie whose term ends while its append is in flight (its lease deadline fires as soon as
      // it runs again) still reports what Redis refused.
      const late = new StreamWriter(link, {
        keys,
        token: a.token,
        fence: a.fence,
        retention: { maxLen: 1000 },
        maxBuffered: 100,
        commandTimeoutMs: 1000,
        events,
      });
      late.append({
        sessionId: 's1',
        seq: 5,
        action: 'order_update',
        userId: 'u',
        data: '{"account_id":"a"}',
      });
      await new Promise((resolve) => setImmediate(resolve)); // the append is sent
      late.stop();
      await until(() => fenced.length === 3, 2_000, 'the in-flight append reported fenced');
      expect(Number(await r.sendCommand(['GET', keys.fenced]))).toBe(4);
      // A term that ends (upstream evicted, deadline passed) still sends what it had queued, once:
      // a zombie's last updates reach Redis and are refused there, counted.
      const ending = new StreamWriter(link, {
        keys,
        token: a.token,
        fence: a.fence,
        retention: { maxLen: 1000 },
        maxBuffered: 100,
        commandTimeoutMs: 1000,
        events,
      });
      ending.append({
        sessionId: 's1',
        seq: 6,
        action: 'order_update',
        userId: 'u',
        data: '{"account_id":"a"}',
      });
      await ending.finish(1_000);
      ending.append({
        sessionId: 's1',
        seq: 7,
        action: 'order_update',
        userId: 'u',
        data: '{"account_id":"a"}',
      }); // refused: finished
      expect(fenced).toEqual([2, 1, 1, 1]);
      expect(Number(await r.sendCommand(['GET', keys.fenced]))).toBe(5);
      expect(await r.sendCommand(['XLEN', keys.stream])).toBe(1);
    } finally {
      link.close();
      await r.close();
    }
  });

  it('writes a retried batch once', async () => {
    const key = freshKey();
    const keys = relayKeys(key);
    const link = new RedisLink(redis.url);
    const r = await raw();
    try {
      const lease = await new Lease(link, keys, 'w', leaseTiming(5_000)).acquire();
      if (!lease.acquired) throw new Error('no lease');
      const { runScript, APPEND } = await import('../../src/relay/scripts');
      const args = [lease.token, String(lease.fence), 'batch-1', '', '', 's', '1', 'order_update', 'u', '{}'];
      const keyList = [keys.lease, keys.fence, keys.stream, keys.head, keys.fenced];
      expect(await runScript(link, { script: APPEND, keys: keyList, args, timeoutMs: 1000 })).toBe(1);
      expect(await runScript(link, { script: APPEND, keys: keyList, args, timeoutMs: 1000 })).toBe(0);
      expect(await r.sendCommand(['XLEN', keys.stream])).toBe(1);
    } finally {
      link.close();
      await r.close();
    }
  });
});

describe('bounded write buffer', () => {
  it('drops what exceeds maxBuffered and writes one gap entry for it as soon as there is room', async () => {
    const keys = relayKeys(freshKey());
    const link = new RedisLink(redis.url);
    const r = await raw();
    try {
      const lease = await new Lease(link, keys, 'w', leaseTiming(5_000)).acquire();
      if (!lease.acquired) throw new Error('no lease');
      let written = 0;
      const writer = new StreamWriter(link, {
        keys,
        token: lease.token,
        fence: lease.fence,
        retention: { maxLen: 1000 },
        maxBuffered: 3,
        commandTimeoutMs: 2_000,
        events: {
          written: (n) => {
            written += n;
          },
          fenced: () => undefined,
          failed: () => undefined,
        },
      });
      // Ten updates in one turn of the event loop: three fit, seven are dropped.
      for (let seq = 1; seq <= 10; seq++)
        writer.append({
          sessionId: 's',
          seq,
          action: 'order_update',
          userId: 'u',
          data: '{"account_id":"a"}',
        });
      expect(writer.backlog).toBe(3);
      // No later update arrives: the gap entry must not wait for one.
      await until(() => written === 4, 2_000, 'the gap entry');
      const entries = (await r.sendCommand(['XRANGE', keys.stream, '-', '+'])) as [string, string[]][];
      const field = (f: string[], name: string) => f[f.indexOf(name) + 1];
      expect(entries.map(([, f]) => `${field(f, 'action')}:${field(f, 'seq')}`)).toEqual([
        'order_update:1',
        'order_update:2',
        'order_update:3',
        'gap:10',
      ]);
      expect(JSON.parse(field(entries[3]?.[1] ?? [], 'data') ?? '')).toEqual({ from: 4, to: 10 });
      expect(writer.backlog).toBe(0);
      // A finishing term whose lease is still valid writes what it had queued.
      writer.append({
        sessionId: 's',
        seq: 11,
        action: 'order_update',
        userId: 'u',
        data: '{"account_id":"a"}',
      });
      await writer.finish(1_000);
      expect(written).toBe(5);
      expect(await r.sendCommand(['XLEN', keys.stream])).toBe(5);
    } finally {
      link.close();
      await r.close();
    }
  });
});

/** Writes `count` order updates through a fresh lease, as a leader would. */
async function writeUpdates(key: string, from: number, count: number): Promise<void> {
  const keys = relayKeys(key);
  const link = new RedisLink(redis.url);
  try {
    const lease = new Lease(link, keys, `w${from}`, leaseTiming(5_000));
    let got = await lease.acquire();
    while (!got.acquired) {
      await sleep(got.remainingMs + 5);
      got = await lease.acquire();
    }
    let written = 0;
    const writer = new StreamWriter(link, {
      keys,
      token: got.token,
      fence: got.fence,
      retention: { maxLen: 100_000 },
      maxBuffered: 100_000,
      commandTimeoutMs: 2000,
      events: {
        written: (n) => {
          written += n;
        },
        fenced: () => undefined,
        failed: () => undefined,
      },
    });
    for (let seq = from; seq < from + count; seq++)
      writer.push({
        sessionId: 'ses',
        seq,
        action: 'order_update',
        userId: 'u1',
        data: JSON.stringify({ account_id: 'acc', order_id: `o${seq}` }),
      });
    await until(() => written === count, 5_000, 'writes');
    await lease.release(got.token);
  } finally {
    link.close();
  }
}

describe('retention', () => {
  it('bounds the stream by count (MAXLEN ~) and by age (MINID ~ on the Redis clock)', async () => {
    const r = await raw();
    const link = new RedisLink(redis.url);
    try {
      for (const retention of [{ maxLen: 100 }, { maxAgeMs: 200 }]) {
        const key = freshKey();
        const keys = relayKeys(key);
        const lease = await new Lease(link, keys, 'w', leaseTiming(5_000)).acquire();
        if (!lease.acquired) throw new Error('no lease');
        let written = 0;
        const writer = new StreamWriter(link, {
          keys,
          token: lease.token,
          fence: lease.fence,
          retention,
          maxBuffered: 100_000,
          commandTimeoutMs: 2_000,
          events: {
            written: (n) => {
              written += n;
            },
            fenced: () => undefined,
            failed: () => undefined,
          },
        });
        const push = (from: number, count: number) => {
          for (let seq = from; seq < from + count; seq++)
            writer.push({
              sessionId: 's',
              seq,
              action: 'order_update',
              userId: 'u',
              data: '{"account_id":"a"}',
            });
        };
        push(1, 3_000);
        await until(() => written === 3_000, 5_000, 'writes');
        if (retention.maxAgeMs) {
          await sleep(400); // everything so far is older than maxAgeMs
          push(3_001, 10);
          await until(() => written === 3_010, 5_000, 'late writes');
        }
        const length = Number(await r.sendCommand(['XLEN', keys.stream]));
        // Approximate trimming removes whole nodes (100 entries by default): bounded, not exact.
        expect(length).toBeLessThan(retention.maxLen ? 300 : 200);
        expect(length).toBeGreaterThanOrEqual(retention.maxLen ? 100 : 10);
      }
    } finally {
      link.close();
      await r.close();
    }
  });
});

describe('relayStream', () => {
  it('checks its options', () => {
    expect(() => relayStream({ redis: redis.url, from: 'yesterday' })).toThrow('from');
    expect(() => relayStream({ redis: 42 as never })).toThrow('redis');
  });

  it('resumes from an entry id without a gap while entries are retained, with a gap once they were trimmed', async () => {
    const key = freshKey();
    const r = await raw();
    const first = relayStream({ redis: redis.url, key, from: 'earliest' });
    const seqs: number[] = [];
    try {
      await first.connect();
      await first.subscribe(['orders']);
      first.on('order_update', (_o, meta) => seqs.push(meta.seq));
      await writeUpdates(key, 1, 3);
      await until(() => seqs.length === 3, 5_000, 'three updates');
      await first.close();
      const resumeAt = first.lastEntryId as string;

      // Retained: a new consumer from that id gets exactly what followed, no gap.
      await writeUpdates(key, 4, 20);
      const retained = relayStream({ redis: redis.url, key, from: resumeAt });
      const got: number[] = [];
      const gaps: unknown[] = [];
      retained.on('gap', (g) => gaps.push(g));
      retained.on('order_update', (_o, meta) => got.push(meta.seq));
      await retained.subscribe(['orders']);
      await retained.connect();
      await until(() => got.length === 20, 5_000, 'twenty updates');
      expect(got).toEqual(Array.from({ length: 20 }, (_, i) => i + 4));
      expect(gaps).toEqual([]);
      await retained.close();

      // Trimmed: the entries after the id are gone, so the consumer says gap.
      await r.sendCommand(['XTRIM', relayKeys(key).stream, 'MAXLEN', '=', '5']);
      const trimmed = relayStream({ redis: redis.url, key, from: resumeAt });
      const late: number[] = [];
      const lateGaps: unknown[] = [];
      trimmed.on('gap', (g) => lateGaps.push(g));
      trimmed.on('order_update', (_o, meta) => late.push(meta.seq));
      await trimmed.subscribe(['orders']);
      await trimmed.connect();
      await until(() => late.length === 5, 5_000, 'the retained five');
      expect(lateGaps).toEqual([{ reason: 'seq' }]);
      expect(late).toEqual([19, 20, 21, 22, 23]);
      await trimmed.close();
    } finally {
      await first.close();
      await r.close();
    }
  });

  it('reports a gap when entries between two it read are missing (trimmed or deleted)', async () => {
    const key = freshKey();
    const keys = relayKeys(key);
    const r = await raw();
    const consumer = relayStream({ redis: redis.url, key });
    const events: string[] = [];
    try {
      consumer.on('gap', () => events.push('gap'));
      consumer.on('order_update', (_o, meta) => events.push(`u${meta.seq}`));
      await consumer.subscribe(['orders']);
      await consumer.connect();
      const add = (index: number, seq: number) =>
        r.sendCommand([
          'XADD', keys.stream, '*', 'session_id', 's', 'seq', String(seq), 'fence', '1',
          'action', 'order_update', 'user_id', 'u', 'data', '{"account_id":"a"}', 'index', String(index),
        ]); // biome-ignore format: one entry per line
      await add(1, 1);
      await add(2, 2);
      await add(5, 5); // 3 and 4 are gone
      await until(() => events.length === 4, 5_000, 'events');
      expect(events).toEqual(['u1', 'u2', 'gap', 'u5']);
    } finally {
      await consumer.close();
      await r.close();
    }
  });

  it('after a Redis disconnect reads on from its last entry: `resumed`, nothing lost or repeated', async () => {
    const key = freshKey();
    const r = await raw();
    const consumer = relayStream({ redis: redis.url, key });
    const seqs: number[] = [];
    const events: string[] = [];
    try {
      consumer.on('order_update', (_o, meta) => seqs.push(meta.seq));
      consumer.on('reconnecting', () => events.push('reconnecting'));
      consumer.on('resumed', () => events.push('resumed'));
      consumer.on('gap', () => events.push('gap'));
      consumer.on('error', () => undefined);
      await consumer.subscribe(['orders']);
      await consumer.connect();
      await writeUpdates(key, 1, 50);
      await until(() => seqs.length === 50, 5_000, 'first fifty');
      // Drop every other client's connection (the consumer's blocking read among them).
      await r.sendCommand(['CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes']);
      await writeUpdates(key, 51, 50);
      await until(() => seqs.length === 100, 5_000, 'all hundred');
      await until(() => events.includes('resumed'), 5_000, 'resumed');
      expect(events).toEqual(['reconnecting', 'resumed']);
      expect(seqs).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
      expect(consumer.state).toBe('open');
    } finally {
      await consumer.close();
      await r.close();
    }
  });

  it('turns a Redis that lost the stream into a gap, and a malformed entry into an error and a gap', async () => {
    const key = freshKey();
    const keys = relayKeys(key);
    const consumer = relayStream({ redis: redis.url, key });
    const events: string[] = [];
    const errors: unknown[] = [];
    try {
      consumer.on('gap', () => events.push('gap'));
      consumer.on('resumed', () => events.push('resumed'));
      consumer.on('order_update', (_o, meta) => events.push(`u${meta.seq}`));
      consumer.on('error', (e) => errors.push(e));
      await consumer.subscribe(['orders']);
      await consumer.connect();
      await writeUpdates(key, 1, 2);
      await until(() => events.length === 2, 5_000, 'two updates');
      const r = await raw();
      await r.sendCommand(['XADD', keys.stream, '*', 'action', 'order_update', 'seq', '3', 'data', '{oops']);
      await until(() => events.length === 3, 5_000, 'malformed entry');
      expect(events[2]).toBe('gap');
      expect(errors.some((e) => e instanceof RelayError && e.code === 'malformed_entry')).toBe(true);
      await r.sendCommand(['DEL', keys.stream]); // as a Redis restarted without persistence
      await r.sendCommand(['CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes']);
      await until(() => events.length === 4, 5_000, 'verdict after the disconnect');
      expect(events[3]).toBe('gap');
      await r.close();
    } finally {
      await consumer.close();
    }
  });

  it('filters locally by topic and account; updates() iterates what subscriptions deliver', async () => {
    const key = freshKey();
    const consumer = relayStream({ redis: redis.url, key });
    try {
      // Updates carry no connection_id: without a way to know a connection's accounts, refused.
      await expect(consumer.subscribe(['orders'], { connection_id: 'c' })).rejects.toThrow(
        'connectionAccounts',
      );
      await consumer.connect();
      const it = consumer.updates({ topics: ['orders'] });
      await consumer.subscribe(['orders'], { account_id: 'other' });
      await writeUpdates(key, 1, 2); // account "acc": filtered out
      const sub = await consumer.subscribe(['orders'], { account_id: 'acc' });
      await writeUpdates(key, 3, 1);
      const next = await it.next();
      expect(next.value).toMatchObject({ action: 'order_update', seq: 3, user_id: 'u1' });
      expect(it.backlog).toBe(0);
      await sub.unsubscribe();
      expect(consumer.listSubscriptions()).toHaveLength(1);
    } finally {
      await consumer.close();
    }
  });
});

describe('relayStream connection filter', () => {
  it('filters by connection_id through the accounts connectionAccounts gives, like the server does', async () => {
    const key = freshKey();
    const asked: string[] = [];
    const consumer = relayStream({
      redis: redis.url,
      key,
      connectionAccounts: async (id) => {
        asked.push(id);
        return id === 'conn_1' ? ['acc'] : ['elsewhere'];
      },
    });
    try {
      await consumer.connect();
      const seqs: number[] = [];
      consumer.on('order_update', (_o, meta) => seqs.push(meta.seq));
      const other = await consumer.subscribe(['orders'], { connection_id: 'conn_2' });
      await writeUpdates(key, 1, 2); // account "acc" is not conn_2's: filtered out
      // Both filters: both must hold.
      const both = await consumer.subscribe(['orders'], { connection_id: 'conn_1', account_id: 'nope' });
      await writeUpdates(key, 3, 1);
      await sleep(200);
      expect(seqs).toEqual([]);
      await consumer.subscribe(['orders'], { connection_id: 'conn_1' });
      await writeUpdates(key, 4, 2);
      await until(() => seqs.length === 2, 5_000, 'updates of conn_1');
      expect(seqs).toEqual([4, 5]);
      expect(asked).toEqual(['conn_2', 'conn_1', 'conn_1']);
      await other.unsubscribe();
      await both.unsubscribe();
      expect(consumer.listSubscriptions().map((s) => s.filter)).toEqual([{ connection_id: 'conn_1' }]);
    } finally {
      await consumer.close();
    }
  });

  it('rejects typed when connectionAccounts answers badly or not at all', async () => {
    const bad = relayStream({
      redis: redis.url,
      key: freshKey(),
      connectTimeoutMs: 200,
      connectionAccounts: (id) => (id === 'slow' ? new Promise<string[]>(() => undefined) : [42 as never]),
    });
    try {
      await expect(bad.subscribe(['orders'], { connection_id: 'c' })).rejects.toMatchObject({
        name: 'ValidationError',
        issues: [{ path: 'connection_id', message: expect.stringContaining('account ids') }],
      });
      await expect(bad.subscribe(['orders'], { connection_id: 'slow' })).rejects.toMatchObject({
        name: 'ValidationError',
        issues: [{ path: 'connection_id', message: expect.stringContaining('200 ms') }],
      });
      expect(bad.listSubscriptions()).toEqual([]);
    } finally {
      await bad.close();
    }
  });
});

describe('upstream gaps', () => {
  it('writes session_start for each upstream session and a gap entry for a skipped seq; readers get gap events', async () => {
    const key = freshKey();
    const ct = sandboxClient(sb);
    // A long lease: this test is about gap entries, not about leases (a short one can lapse on a
    // saturated machine, and the new session's session_start would be one more gap).
    const relay = startRelay({ client: ct, redis: redis.url, key, lease: { ttlMs: 10_000 } });
    const source = relayStream({ redis: redis.url, key, from: 'earliest' });
    const gaps: { reason: string }[] = [];
    const seqs: number[] = [];
    source.on('gap', (g) => gaps.push(g));
    source.on('order_update', (_o, meta) => seqs.push(meta.seq));
    await source.subscribe(['orders']);
    await source.connect();
    const r = await raw();
    try {
      await until(() => relay.metrics().upstream === 'open', 5_000, 'relay leading');
      await until(() => gaps.length === 1, 5_000, 'the session_start entry');
      expect(gaps[0]).toEqual({ reason: 'reconnect' });
      const { user, account } = await linkedUser(ct, `relay-gap-${key}`);
      const order = {
        account_id: account.account_id,
        broker: account.broker,
        symbol: 'AAPL',
        instrument: 'EQ',
        side: 'BUY',
        order_type: 'LMT',
        order_limit_price: '1.00',
        order_tif: 'DAY',
        order_qty: '1',
      } as const;
      await user.orders.create(order);
      await until(() => seqs.length >= 1, 5_000, 'a first update');
      sb.faults.inject({ type: 'seq_gap', skip: 3 });
      await user.orders.create(order);
      await until(() => gaps.some((g) => g.reason === 'seq'), 5_000, 'the gap entry');
      const last = seqs[seqs.length - 1] ?? 0;
      expect(gaps.filter((g) => g.reason === 'seq')).toHaveLength(1);
      const entries = (await r.sendCommand(['XRANGE', relayKeys(key).stream, '-', '+'])) as [
        string,
        string[],
      ][];
      const actions = entries.map(([, f]) => f[f.indexOf('action') + 1]);
      expect(actions[0]).toBe('session_start');
      expect(actions).toContain('gap');
      expect(last).toBeGreaterThan(0);
    } finally {
      await r.close();
      await source.close();
      await relay.close();
    }
  });
});

describe('a live store on a relay stream', () => {
  it('follows a user through the sandbox → relay → Redis → relayStream path and equals REST', async () => {
    const key = freshKey();
    const ct = sandboxClient(sb);
    const relay = startRelay({ client: ct, redis: redis.url, key, lease: { ttlMs: 2_000 } });
    const source = relayStream({ redis: redis.url, key });
    try {
      await until(() => relay.metrics().upstream === 'open', 5_000, 'relay leading');
      const { user, account } = await linkedUser(ct, `relay-live-${key}`);
      const live = await user.live({ account_ids: [account.account_id], stream: source });
      const order = await user.orders.submitAndWait(
        {
          account_id: account.account_id,
          broker: account.broker,
          symbol: 'AAPL',
          instrument: 'EQ',
          side: 'BUY',
          order_type: 'MKT',
          order_tif: 'DAY',
          order_qty: '3',
        },
        'filled',
        { live, timeout: 10_000 },
      );
      expect(order.status).toBe('filled');
      await until(() => live.positions.get(account.account_id, 'AAPL')?.quantity === '3', 5_000, 'position');
      const [balance] = await user.balances.list();
      await until(() => live.balances.get(account.account_id)?.cash === balance?.cash, 5_000, 'cash');
      expect(live.stale).toBe(false);
      expect(relay.metrics().entriesWritten).toBeGreaterThan(1);

      // A Redis blip the consumer recovers from without losing entries: the store goes stale on
      // `reconnecting` and is current again on `resumed`, with no REST resync.
      const resyncs = live.stats.resyncs;
      const events: string[] = [];
      live.on('stale', ({ reason }) => events.push(`stale:${reason}`));
      live.on('synced', () => events.push('synced'));
      source.on('error', () => undefined);
      relay.on('error', () => undefined);
      const r = await raw();
      await r.sendCommand(['CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes']);
      await r.close();
      await until(() => events.includes('synced'), 5_000, 'current again');
      expect(events).toEqual(['stale:disconnected', 'synced']);
      expect(live.stale).toBe(false);
      expect(live.stats.resyncs).toBe(resyncs);
      await live.close();
    } finally {
      await source.close();
      await relay.close();
    }
  });
});
