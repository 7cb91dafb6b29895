/**
 * relayGroup with a short retention: entries trimmed before the group read them used to be
 * skipped without a word (`XREADGROUP >` goes on with the oldest entry left). The group now checks
 * each new read's first entry against the entry before it (`index` is previous + 1) and tells
 * `onGap` when entries were trimmed or deleted unread; reading on without a hole says nothing.
 */
import { createClient } from 'redis';
import { type RelayGroup, relayGroup } from '../../src/relay';
import { relayKeys } from '../../src/relay/keys';
import type { GapInfo } from '../../src/streams/stream-core';
import { type RedisServer, startRedisServer } from '../helpers/redis-server';
import { until } from '../helpers/until';

jest.setTimeout(30_000);

let redis: RedisServer;
let client: ReturnType<typeof createClient>;

beforeAll(async () => {
  redis = await startRedisServer();
  client = createClient({ url: redis.url, RESP: 2 });
  client.on('error', () => undefined);
  await client.connect();
});
afterAll(async () => {
  client?.destroy();
  await redis?.stop();
});

/** Updates of session S1 as the relay writes them (`index` = seq here). */
async function add(stream: string, seqs: number[]): Promise<void> {
  for (const seq of seqs)
    await client.sendCommand([
      ...['XADD', stream, '*', 'session_id', 'S1', 'seq', String(seq), 'fence', '1'],
      ...['action', 'order_update', 'user_id', 'u1', 'data', JSON.stringify({ account_id: 'a1' })],
      ...['index', String(seq)],
    ]);
}

it('a group told of entries trimmed before it read them, and of nothing when none were', async () => {
  const key = `trimmed-${process.pid}`;
  const { stream } = relayKeys(key);
  const events: string[] = [];
  const gaps: { gap: GapInfo; key: string }[] = [];
  const member = (consumer: string): RelayGroup => {
    const m = relayGroup({
      redis: redis.url,
      key,
      group: 'book',
      consumer,
      from: 'earliest',
      handler: (update) => {
        events.push(`update ${update.seq}`);
      },
      onGap: (gap, context) => {
        events.push('gap');
        gaps.push({ gap, key: context.key });
      },
    });
    m.on('error', () => undefined);
    return m;
  };

  await add(stream, [1, 2, 3]);
  const first = member('w1');
  await until(() => events.includes('update 3'), 10_000, 'seqs 1-3');
  await first.close();

  // Read on after a pause, nothing trimmed: no gap.
  await add(stream, [4, 5]);
  const second = member('w2');
  await until(() => events.includes('update 5'), 10_000, 'seqs 4-5');
  await second.close();
  expect(events).toEqual(['update 1', 'update 2', 'update 3', 'update 4', 'update 5']);

  // While no member runs, the retention trims 6 and 7 (and what was read) away unread.
  await add(stream, [6, 7, 8, 9, 10]);
  await client.sendCommand(['XTRIM', stream, 'MAXLEN', '3']);
  const third = member('w3');
  try {
    await until(() => events.includes('update 10'), 10_000, 'seqs 8-10');
    expect(events.slice(5)).toEqual(['gap', 'update 8', 'update 9', 'update 10']);
    expect(gaps).toEqual([{ gap: { reason: 'seq' }, key: 'S1:trimmed:8' }]);
  } finally {
    await third.close();
  }
});

it('a pending entry trimmed before it was acknowledged is told as a gap when claimed', async () => {
  const key = `trimmed-pending-${process.pid}`;
  const { stream } = relayKeys(key);
  await add(stream, [1, 2, 3]);
  const ids = ((await client.sendCommand(['XRANGE', stream, '-', '+'])) as [string][]).map(([id]) => id);
  const handled: number[] = [];
  const gaps: { gap: GapInfo; key: string }[] = [];
  const m = relayGroup({
    redis: redis.url,
    key,
    group: 'book',
    consumer: 'w1',
    from: 'earliest',
    claimIdleMs: 300,
    handler: (update) => {
      // Seq 2 fails once: its entry stays pending, to be retried after claimIdleMs.
      if (update.seq === 2 && !handled.includes(-2)) {
        handled.push(-2);
        throw new Error('database down');
      }
      handled.push(update.seq);
    },
    onGap: (gap, context) => {
      gaps.push({ gap, key: context.key });
    },
  });
  m.on('error', () => undefined);
  try {
    await until(() => handled.includes(3), 10_000, 'seqs 1-3 read');
    // Before the retry, the retention trims seq 2's entry (and seq 1's) away.
    await client.sendCommand(['XTRIM', stream, 'MAXLEN', '1']);
    await until(() => gaps.length > 0, 10_000, 'the gap');
    expect(gaps).toEqual([{ gap: { reason: 'seq' }, key: `trimmed:${ids[1]}` }]);
    expect(handled).toEqual([1, -2, 3]);
  } finally {
    await m.close();
  }
});

it('a trim check cut short by a dropped connection is run again', async () => {
  const key = `trimmed-retry-${process.pid}`;
  const { stream } = relayKeys(key);
  const own = createClient({ url: redis.url, RESP: 2 });
  own.on('error', () => undefined);
  await own.connect();
  // The member's connection: real, but its first trim check (XREVRANGE) loses the connection.
  let dropCheck = true;
  const connection = {
    async sendCommand(args: string[]): Promise<unknown> {
      if (args[0] === 'XREVRANGE' && dropCheck) {
        dropCheck = false;
        throw new Error('Socket closed unexpectedly');
      }
      return own.sendCommand(args);
    },
    duplicate: () => connection,
    connect: () => Promise.resolve(),
    on: () => connection,
    destroy: () => undefined,
  };
  await add(stream, [1]);
  await client.sendCommand(['XGROUP', 'CREATE', stream, 'book', '$']);
  // Written and trimmed before the (existing) group read them: 2-4 are gone, 5 is left.
  await add(stream, [2, 3, 4, 5]);
  await client.sendCommand(['XTRIM', stream, 'MAXLEN', '1']);
  const events: string[] = [];
  const m = relayGroup({
    redis: connection,
    key,
    group: 'book',
    consumer: 'w1',
    // The entry read when the check failed stays pending: it is retried after claimIdleMs.
    claimIdleMs: 200,
    handler: (update) => {
      events.push(`update ${update.seq}`);
    },
    onGap: (_gap, context) => {
      events.push(`gap ${context.key}`);
    },
  });
  m.on('error', () => undefined);
  try {
    await until(() => events.includes('update 5'), 10_000, 'seq 5');
    expect(dropCheck).toBe(false);
    expect(events).toEqual(['gap S1:trimmed:5', 'update 5']);
  } finally {
    await m.close();
    own.destroy();
  }
});

it('entries whose read reply was lost are checked when claimed (found by the relay simulation)', async () => {
  const key = `trimmed-lost-reply-${process.pid}`;
  const { stream } = relayKeys(key);
  const own = createClient({ url: redis.url, RESP: 2 });
  own.on('error', () => undefined);
  await own.connect();
  // The member's connection: real, but the reply of its first new read is lost (Redis delivered it).
  let loseRead = true;
  const connection = {
    async sendCommand(args: string[]): Promise<unknown> {
      const reply = await own.sendCommand(args);
      if (args[0] === 'XREADGROUP' && args.at(-1) === '>' && reply !== null && loseRead) {
        loseRead = false;
        throw new Error('Socket closed unexpectedly');
      }
      return reply;
    },
    duplicate: () => connection,
    connect: () => Promise.resolve(),
    on: () => connection,
    destroy: () => undefined,
  };
  await add(stream, [1]);
  await client.sendCommand(['XGROUP', 'CREATE', stream, 'book', '$']);
  await add(stream, [2, 3, 4, 5]);
  await client.sendCommand(['XTRIM', stream, 'MAXLEN', '1']);
  const events: string[] = [];
  const m = relayGroup({
    redis: connection,
    key,
    group: 'book',
    consumer: 'w1',
    claimIdleMs: 200,
    handler: (update) => {
      events.push(`update ${update.seq}`);
    },
    onGap: (_gap, context) => {
      events.push(`gap ${context.key}`);
    },
  });
  m.on('error', () => undefined);
  try {
    await until(() => events.includes('update 5'), 10_000, 'seq 5');
    expect(loseRead).toBe(false);
    expect(events).toEqual(['gap S1:trimmed:5', 'update 5']);
  } finally {
    await m.close();
    own.destroy();
  }
});
