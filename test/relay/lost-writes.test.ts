/**
 * A Redis failover that loses the relay's last acknowledged writes must not lose updates silently
 * (found by the relay simulation, test/sim/relay/, seeds in test/sim/relay/regressions.json): the
 * next append of the same term sees that the head does not name its previous batch and writes a
 * `gap` entry first, so a reader that had not read the lost entries gets a gap.
 */
import { createClient } from 'redis';
import { relayStream } from '../../src/relay';
import { relayKeys } from '../../src/relay/keys';
import { APPEND, scriptCommand } from '../../src/relay/scripts';
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

const entry = (seq: number) => [
  'S1',
  String(seq),
  'order_update',
  'u1',
  JSON.stringify({ account_id: 'a1' }),
];

function append(key: string, batch: number, seqs: number[]): Promise<unknown> {
  const k = relayKeys(key);
  return client.sendCommand(
    scriptCommand(
      APPEND,
      [k.lease, k.fence, k.stream, k.head, k.fenced],
      ['r1:1', '1', `r1:1:${batch}`, '', '', ...seqs.flatMap(entry)],
    ).map((a, i) => (i === 0 ? 'EVAL' : i === 1 ? APPEND : a)),
  );
}

it('a gap entry marks writes of the term that Redis lost; a reader that missed them gets a gap', async () => {
  const key = `lost-${process.pid}`;
  const k = relayKeys(key);
  await client.sendCommand(['SET', k.lease, 'r1:1']);
  await client.sendCommand(['SET', k.fence, '1']);
  expect(await append(key, 1, [1, 2])).toBe(2);
  // A reader has read the first batch.
  const reader = relayStream({ redis: redis.url, key, from: 'earliest' });
  const seen: string[] = [];
  reader.on('update', (m) => seen.push(`u${m.seq}`));
  reader.on('gap', () => seen.push('gap'));
  await reader.subscribe(['orders']);
  await reader.connect();
  const until = async (check: () => boolean) => {
    for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
  };
  await until(() => seen.length >= 2);
  expect(seen).toEqual(['u1', 'u2']);
  await reader.close();

  // Batch 2 is acknowledged, then lost by a failover (the new primary has the state after batch 1).
  expect(await append(key, 2, [3])).toBe(1);
  const [[lostId]] = (await client.sendCommand(['XREVRANGE', k.stream, '+', '-', 'COUNT', '1'])) as [
    [string],
  ];
  await client.sendCommand(['XDEL', k.stream, lostId]);
  await client.sendCommand(['HSET', k.head, 'index', '2', 'batch', 'r1:1:1']);

  // The same term's next batch: a gap entry goes first.
  expect(await append(key, 3, [4])).toBe(1);
  const entries = (await client.sendCommand(['XRANGE', k.stream, '-', '+'])) as [string, string[]][];
  const fields = entries.map(([, f]) =>
    Object.fromEntries(f.flatMap((v, i) => (i % 2 ? [] : [[v, f[i + 1]]]))),
  );
  expect(fields.map((f) => `${f.action}:${f.seq}:${f.index}`)).toEqual([
    'order_update:1:1',
    'order_update:2:2',
    'gap:4:3',
    'order_update:4:4',
  ]);
  // It names the last seq before the batch: a reader that applied seq 3 drops it as seen.
  expect(fields[2]?.data).toBe('{"to":3}');

  // A reader resuming after seq 2 (it never saw seq 3) is told: a gap before seq 4.
  const resumed = relayStream({ redis: redis.url, key, from: entries[1]?.[0] as string });
  const after: string[] = [];
  resumed.on('update', (m) => after.push(`u${m.seq}`));
  resumed.on('gap', () => after.push('gap'));
  await resumed.subscribe(['orders']);
  await resumed.connect();
  await until(() => after.length >= 2);
  await resumed.close();
  expect(after).toEqual(['gap', 'u4']);

  // The writer's ordinary retry of a batch that was written is still not written twice.
  expect(await append(key, 3, [4])).toBe(0);
});
