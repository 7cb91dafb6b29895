/**
 * relayGroup on a REAL redis-server: each entry handled by one member, acknowledged after the
 * handler, claimed by another member once its consumer stalls or fails (at least once, same key),
 * own pending entries retried after a restart, gap entries handed to onGap.
 */
import { createClient } from 'redis';
import { type RelayGroup, relayGroup } from '../../src/relay';
import { relayKeys } from '../../src/relay/keys';
import { Lease, leaseTiming } from '../../src/relay/lease';
import { RedisLink } from '../../src/relay/redis-link';
import { type PendingEntry, StreamWriter } from '../../src/relay/writer';
import { type RedisServer, startRedisServer } from '../helpers/redis-server';
import { sleep, until } from '../helpers/until';

jest.setTimeout(30_000);

let redis: RedisServer;
let n = 0;
const freshKey = () => `g${process.pid}-${++n}`;

beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(() => redis?.stop());

/** Appends entries as a leader would. */
async function write(key: string, entries: PendingEntry[]): Promise<void> {
  const keys = relayKeys(key);
  const link = new RedisLink(redis.url);
  try {
    const lease = new Lease(link, keys, 'writer', leaseTiming(5_000));
    const got = await lease.acquire();
    if (!got.acquired) throw new Error('lease taken');
    let written = 0;
    const writer = new StreamWriter(link, {
      keys,
      token: got.token,
      fence: got.fence,
      retention: { maxLen: 10_000 },
      maxBuffered: 10_000,
      commandTimeoutMs: 2_000,
      events: {
        written: (count) => {
          written += count;
        },
        fenced: () => undefined,
        failed: () => undefined,
      },
    });
    for (const e of entries) writer.push(e);
    await until(() => written === entries.length, 5_000, 'writes');
    await lease.release(got.token);
  } finally {
    link.close();
  }
}

const update = (seq: number): PendingEntry => ({
  sessionId: 'ses_9',
  seq,
  action: 'order_update',
  userId: 'u1',
  data: JSON.stringify({ account_id: 'acc', order_id: `o${seq}` }),
});

async function pending(key: string, group: string): Promise<number> {
  const client = createClient({ url: redis.url });
  await client.connect();
  try {
    const reply = (await client.sendCommand(['XPENDING', relayKeys(key).stream, group])) as unknown[];
    return Number(reply[0]);
  } finally {
    await client.close();
  }
}

describe('relayGroup', () => {
  it('checks its options', () => {
    const handler = () => undefined;
    expect(() => relayGroup({ redis: redis.url, group: 'a b', consumer: 'c', handler })).toThrow('group');
    expect(() => relayGroup({ redis: redis.url, group: 'g', consumer: 'c', handler: 1 as never })).toThrow(
      'handler',
    );
    expect(() =>
      relayGroup({ redis: redis.url, group: 'g', consumer: 'c', handler, claimIdleMs: 1 }),
    ).toThrow('claimIdleMs');
  });

  it('hands each entry to exactly one member and acknowledges it', async () => {
    const key = freshKey();
    const seen: { consumer: string; key: string }[] = [];
    const members: RelayGroup[] = [];
    try {
      for (const consumer of ['w1', 'w2', 'w3'])
        members.push(
          relayGroup({
            redis: redis.url,
            key,
            group: 'book',
            consumer,
            handler: async (u, ctx) => {
              expect(ctx.key).toBe(`ses_9:${u.seq}`);
              expect(ctx.meta).toEqual({ seq: u.seq, user_id: 'u1', session_id: 'ses_9' });
              seen.push({ consumer, key: ctx.key });
              await sleep(1);
            },
          }),
        );
      await sleep(300); // the group exists (created at "latest") before anything is written
      await write(
        key,
        Array.from({ length: 200 }, (_, i) => update(i + 1)),
      );
      await until(() => seen.length >= 200, 10_000, 'all handled');
      await sleep(200);
      expect(seen).toHaveLength(200);
      expect(new Set(seen.map((s) => s.key)).size).toBe(200);
      expect(new Set(seen.map((s) => s.consumer)).size).toBeGreaterThan(1);
      expect(await pending(key, 'book')).toBe(0);
      expect(members.reduce((sum, m) => sum + m.stats.acked, 0)).toBe(200);
    } finally {
      for (const m of members) await m.close();
    }
  });

  it('lets another member claim the entry of a stalled member after claimIdleMs (same key)', async () => {
    const key = freshKey();
    const handledBy: Record<string, string[]> = {};
    const errors: unknown[] = [];
    const record = (consumer: string, k: string) => {
      handledBy[k] = [...(handledBy[k] ?? []), consumer];
    };
    // w1 hangs on seq 1 (as a dead worker would): w2 must claim it and handle seq 2 too.
    const stuck = relayGroup({
      redis: redis.url,
      key,
      group: 'book',
      consumer: 'w1',
      claimIdleMs: 300,
      batchSize: 1,
      handler: (u, { key: k }) => {
        record('w1', k);
        if (u.seq === 1) return new Promise<void>(() => undefined);
        return undefined;
      },
    });
    stuck.on('error', (e) => errors.push(e));
    let w2: RelayGroup | undefined;
    try {
      await sleep(300);
      await write(key, [update(1), update(2)]);
      await until(() => (handledBy['ses_9:1'] ?? []).includes('w1'), 5_000, 'w1 takes seq 1');
      w2 = relayGroup({
        redis: redis.url,
        key,
        group: 'book',
        consumer: 'w2',
        claimIdleMs: 300,
        handler: (_u, { key: k }) => record('w2', k),
      });
      await until(() => (handledBy['ses_9:1'] ?? []).includes('w2'), 5_000, 'w2 claims seq 1');
      await until(() => (handledBy['ses_9:2'] ?? []).length > 0, 5_000, 'seq 2 handled');
      expect(handledBy['ses_9:1']).toEqual(['w1', 'w2']); // at least once: both saw it
      expect(w2.stats.claimed).toBeGreaterThanOrEqual(1);
      await until(() => w2 !== undefined && w2.stats.acked >= 1, 5_000, 'acks');
    } finally {
      await w2?.close();
      await stuck.close();
    }
  });

  it('retries a failed handler, and a restarted member its own pending entries first', async () => {
    const key = freshKey();
    let fail = true;
    const calls: string[] = [];
    const first = relayGroup({
      redis: redis.url,
      key,
      group: 'book',
      consumer: 'solo',
      claimIdleMs: 200,
      handler: (_u, { key: k }) => {
        calls.push(k);
        if (fail) throw new Error('database down');
      },
    });
    const errors: unknown[] = [];
    first.on('error', (e) => errors.push(e));
    await sleep(300);
    await write(key, [update(7)]);
    await until(() => calls.length >= 1, 5_000, 'first attempt');
    await first.close();
    expect(first.stats.failed).toBe(1);
    expect(errors.map((e) => (e as Error).message)).toContain('database down');
    expect(await pending(key, 'book')).toBe(1);
    fail = false;
    const restarted = relayGroup({
      redis: redis.url,
      key,
      group: 'book',
      consumer: 'solo',
      claimIdleMs: 60_000,
      handler: (_u, { key: k }) => {
        calls.push(k);
      },
    });
    try {
      await until(() => restarted.stats.acked === 1, 5_000, 'retried from the own pending list');
      expect(calls).toEqual(['ses_9:7', 'ses_9:7']);
      expect(await pending(key, 'book')).toBe(0);
    } finally {
      await restarted.close();
    }
  });

  it('hands session_start and gap entries to onGap and acknowledges malformed entries with an error', async () => {
    const key = freshKey();
    const gaps: unknown[] = [];
    const errors: unknown[] = [];
    const handled: number[] = [];
    const member = relayGroup({
      redis: redis.url,
      key,
      group: 'book',
      consumer: 'w',
      from: 'earliest',
      handler: (u) => {
        handled.push(u.seq);
      },
      onGap: (gap, ctx) => {
        gaps.push({ gap, key: ctx.key });
      },
    });
    member.on('error', (e) => errors.push(e));
    try {
      await write(key, [
        { sessionId: 'ses_2', seq: 0, action: 'session_start', userId: '', data: '{}' },
        { ...update(1), sessionId: 'ses_2' },
        { sessionId: 'ses_2', seq: 4, action: 'gap', userId: '', data: '{"from":2,"to":4}' },
        { ...update(5), sessionId: 'ses_2', data: 'not json' },
      ]);
      await until(() => member.stats.acked === 4, 5_000, 'all four acknowledged');
      expect(handled).toEqual([1]);
      expect(gaps).toEqual([
        { gap: { reason: 'reconnect' }, key: 'ses_2:gap:0' },
        { gap: { reason: 'seq', from: 2, to: 4 }, key: 'ses_2:gap:4' },
      ]);
      expect(errors).toHaveLength(1);
      expect(await pending(key, 'book')).toBe(0);
    } finally {
      await member.close();
    }
  });
});
