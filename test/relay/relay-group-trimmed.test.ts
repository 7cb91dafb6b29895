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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

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
