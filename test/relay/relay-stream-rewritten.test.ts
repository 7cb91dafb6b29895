/**
 * An update written twice (a failover lost the batch after a reader read it, and the relay's retry
 * wrote it again) reaches a relayStream reader once: its seqs stay increasing. Found by the relay
 * simulation (test/sim/relay/regressions.json, invariant relay-order); fixed on main by the
 * session+seq dedupe (1e315e9), which this test checks. Continuity is by seq within a session, so
 * the index going back says nothing was missed: no gap.
 */
import { createClient } from 'redis';
import { relayStream } from '../../src/relay';
import { relayKeys } from '../../src/relay/keys';
import { type RedisServer, startRedisServer } from '../helpers/redis-server';

jest.setTimeout(30_000);

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(() => redis?.stop());

it('a re-written update is delivered once, and no gap when no seq was missed', async () => {
  const key = `rewritten-${process.pid}`;
  const client = createClient({ url: redis.url });
  client.on('error', () => undefined);
  await client.connect();
  const add = (seq: number, index: number) =>
    client.sendCommand([
      'XADD',
      relayKeys(key).stream,
      '*',
      ...['session_id', 'S1', 'seq', String(seq), 'fence', '1', 'action', 'order_update'],
      ...['user_id', 'u1', 'data', JSON.stringify({ account_id: 'a1' }), 'index', String(index)],
    ]);
  await add(1, 1);
  await add(2, 2);
  await add(2, 2); // the retry of the lost batch, after the failover
  await add(3, 3);
  const reader = relayStream({ redis: redis.url, key, from: 'earliest' });
  const seen: string[] = [];
  reader.on('update', (m) => seen.push(`u${m.seq}`));
  reader.on('gap', () => seen.push('gap'));
  await reader.subscribe(['orders']);
  await reader.connect();
  for (let i = 0; i < 200 && !seen.includes('u3'); i++) await new Promise((r) => setTimeout(r, 20));
  await reader.close();
  client.destroy();
  expect(seen).toEqual(['u1', 'u2', 'u3']);
});
