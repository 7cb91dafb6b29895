/**
 * relayStream's resume after a rollback (its last entry gone: a failover) finds its place again by
 * upstream seq, scanning back from the newest entry. When everything the scan saw was already
 * applied, reading must continue after the newest entry THE SCAN saw. It used to read the newest
 * entry a second time and continue after that one, so an entry appended between the two reads
 * (here a new upstream session's start and its first update) was skipped: the reader never got
 * the new session's gap, nor its updates (found by the relay simulation: seed 100259449 in
 * test/sim/relay/regressions.json).
 */
import { createClient } from 'redis';
import { relayStream } from '../../src/relay';
import { relayKeys } from '../../src/relay/keys';
import { type RedisServer, startRedisServer } from '../helpers/redis-server';
import { until } from '../helpers/until';

jest.setTimeout(30_000);

let redis: RedisServer;
let writer: ReturnType<typeof createClient>;
let reader: ReturnType<typeof createClient>;

beforeAll(async () => {
  redis = await startRedisServer();
  writer = createClient({ url: redis.url, RESP: 2 });
  reader = createClient({ url: redis.url, RESP: 2 });
  for (const client of [writer, reader]) {
    client.on('error', () => undefined);
    await client.connect();
  }
});
afterAll(async () => {
  writer?.destroy();
  reader?.destroy();
  await redis?.stop();
});

let index = 0;
/** An entry as the relay writes it. */
async function add(stream: string, session: string, seq: number, action = 'order_update'): Promise<string> {
  const data = action === 'order_update' ? JSON.stringify({ account_id: 'a1', order_id: `o${seq}` }) : '{}';
  return (await writer.sendCommand([
    ...['XADD', stream, '*', 'session_id', session, 'seq', String(seq), 'fence', '1'],
    ...[
      'action',
      action,
      'user_id',
      action === 'order_update' ? 'u1' : '',
      'data',
      data,
      'index',
      String(++index),
    ],
  ])) as string;
}

it('after a rollback, entries appended while the reader looks for its place are not skipped', async () => {
  const key = `resume-race-${process.pid}`;
  const { stream: streamKey } = relayKeys(key);
  await add(streamKey, 'S1', 0, 'session_start');
  for (const seq of [1, 2, 3]) await add(streamKey, 'S1', seq);

  // The reader's connection: a real one, through which the test interrupts a read (a dropped
  // connection) and appends entries right after the scan's first page comes back.
  let interrupt = false;
  let injectAfterScan = false;
  const connection = {
    async sendCommand(args: string[]): Promise<unknown> {
      const reply = await reader.sendCommand(args);
      if (args[0] === 'XREAD' && interrupt) {
        interrupt = false;
        throw new Error('Socket closed unexpectedly');
      }
      if (args[0] === 'XREVRANGE' && injectAfterScan) {
        injectAfterScan = false;
        // The relay's next leader starts a new upstream session meanwhile.
        await add(streamKey, 'S2', 0, 'session_start');
        await add(streamKey, 'S2', 1);
      }
      return reply;
    },
    duplicate: () => connection,
    connect: () => Promise.resolve(),
    on: () => connection,
    destroy: () => undefined,
  };

  const events: string[] = [];
  const consumer = relayStream({ redis: connection, key, from: 'earliest', batchSize: 10 });
  consumer.on('update', (m) => events.push(`update ${m.seq}`));
  consumer.on('gap', (g) => events.push(`gap ${g.reason}`));
  consumer.on('error', () => undefined);
  await consumer.subscribe(['orders']);
  try {
    await consumer.connect();
    await until(() => events.includes('update 3'), 5_000, 'seqs 1-3');

    // A failover lost the entry of seq 3 (the reader's last); the reader's connection drops.
    const [[last]] = (await writer.sendCommand(['XREVRANGE', streamKey, '+', '-', 'COUNT', '1'])) as [
      [string],
    ];
    await writer.sendCommand(['XDEL', streamKey, last]);
    injectAfterScan = true;
    interrupt = true;

    // The new session's start (a gap for readers) and its first update reach the reader.
    await until(
      () => events.filter((e) => e === 'update 1').length === 2,
      10_000,
      "the new session's first update",
    );
    expect(events).toEqual([
      'gap reconnect',
      'update 1',
      'update 2',
      'update 3',
      'gap reconnect',
      'update 1',
    ]);
  } finally {
    await consumer.close();
  }
});
