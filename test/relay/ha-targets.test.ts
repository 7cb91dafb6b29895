/**
 * The relay's Redis targets on real highly available topologies (test/helpers/redis-topology.ts):
 * Sentinel by address and as a node-redis sentinel client, Cluster by root nodes and as a
 * node-redis cluster client. Every key of a relay is in one slot (checked on the Cluster itself),
 * appends are confirmed by WAIT, and a consumer reads them through the same target.
 */
import { createCluster, createSentinel } from 'redis';
import { relayGroup, relayStream, startRelay } from '../../src/relay';
import { relayKeys } from '../../src/relay/keys';
import { type Sandbox, startSandbox } from '../../src/sandbox';
import {
  type ClusterTopology,
  redisCommand,
  type SentinelTopology,
  startAll,
  startClusterTopology,
  startSentinelTopology,
} from '../helpers/redis-topology';
import { linkedUser, sandboxClient } from '../live/sandbox-helpers';

jest.setTimeout(90_000);

let sb: Sandbox;
let sentinel: SentinelTopology | undefined;
let cluster: ClusterTopology | undefined;

beforeAll(async () => {
  sb = await startSandbox({ tickMs: 0, symbols: { AAPL: '100' } });
  [sentinel, cluster] = await startAll(startSentinelTopology, startClusterTopology);
});
afterAll(async () => {
  await Promise.all([sentinel?.stop(), cluster?.stop(), sb?.close()]);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Relays a few orders through `redis` and reads them back through the same target. */
async function roundTrip(redis: Parameters<typeof startRelay>[0]['redis'], key: string) {
  const ct = sandboxClient(sb);
  const { user, account } = await linkedUser(ct, `ha-${key}`);
  const relay = startRelay({ client: sandboxClient(sb), redis, key, lease: { ttlMs: 3_000 } });
  const stream = relayStream({ redis, key, from: 'earliest' });
  const seqs: number[] = [];
  stream.on('update', (m) => seqs.push(m.seq));
  const handled: string[] = [];
  const group = relayGroup({
    redis,
    key,
    group: 'g',
    consumer: 'c1',
    from: 'earliest',
    handler: (_u, { key: k }) => {
      handled.push(k);
    },
  });
  try {
    await until(() => relay.state === 'leader' && relay.metrics().sessionId !== undefined, 45_000, 'leader');
    await stream.connect();
    await stream.subscribe(['orders', 'positions', 'balances']);
    for (let i = 0; i < 3; i++)
      await user.orders.create({
        account_id: account.account_id,
        broker: account.broker,
        cl_order_id: `ha_${key}_${i}`,
        symbol: 'AAPL',
        instrument: 'EQ',
        side: 'BUY',
        order_tif: 'DAY',
        order_qty: '1',
        order_type: 'MKT',
      });
    await until(() => seqs.length >= 3 && handled.length >= 3, 45_000, 'updates read back');
    const m = relay.metrics();
    // Every seq once, in order.
    expect(seqs).toEqual([...new Set(seqs)].sort((a, b) => a - b));
    expect(new Set(handled).size).toBe(handled.length);
    return m;
  } finally {
    await Promise.all([relay.close(), stream.close(), group.close()]);
  }
}

describe('Sentinel', () => {
  it('relays through { sentinel } with WAIT 1 confirming every append', async () => {
    const topology = sentinel as SentinelTopology;
    const m = await roundTrip(topology.target, 'sent-addr');
    expect(m.entriesWritten).toBeGreaterThanOrEqual(4);
    expect(m.backlog).toBe(0);
    // The replica has every entry the relay counted as written.
    const primary = await topology.primaryPort();
    const replica = topology.nodes.map((n) => n.port).find((p) => p !== primary) as number;
    const length = Number(await redisCommand(replica, ['XLEN', relayKeys('sent-addr').stream]));
    expect(length).toBeGreaterThanOrEqual(m.entriesWritten);
  });

  it('relays through a node-redis sentinel client (createSentinel)', async () => {
    const topology = sentinel as SentinelTopology;
    const client = createSentinel({
      name: topology.name,
      sentinelRootNodes: topology.target.sentinel.nodes,
    });
    const m = await roundTrip(client as never, 'sent-client');
    expect(m.entriesWritten).toBeGreaterThanOrEqual(4);
  });
});

describe('Cluster', () => {
  it('keeps every key of a relay in one slot, on that slot primary, through { cluster }', async () => {
    const topology = cluster as ClusterTopology;
    const key = 'clu-addr';
    const m = await roundTrip(topology.target, key);
    expect(m.entriesWritten).toBeGreaterThanOrEqual(4);
    const keys = relayKeys(key);
    const names = [keys.stream, keys.lease, keys.fence, keys.head, `{relay:${key}}:done:g`];
    const slots = await Promise.all(names.map((k) => topology.keySlot(k)));
    expect(new Set(slots).size).toBe(1);
    const slot = slots[0] as number;
    const primary = await topology.primaryOf(slot);
    // Lease released on close; the others are all there, on the one primary of the slot.
    const count = Number(await redisCommand(primary, ['CLUSTER', 'COUNTKEYSINSLOT', String(slot)]));
    expect(count).toBe(4); // stream, fence, head, done set
    const present = await Promise.all(names.map((k) => redisCommand(primary, ['EXISTS', k])));
    expect(present.map(Number)).toEqual([1, 0, 1, 1, 1]);
    console.log(`cluster: every relay key of "${key}" in slot ${slot} on primary :${primary}`);
  });

  it('relays through a node-redis cluster client (createCluster)', async () => {
    const topology = cluster as ClusterTopology;
    const client = createCluster({ rootNodes: topology.target.cluster.rootNodes });
    const m = await roundTrip(client as never, 'clu-client');
    expect(m.entriesWritten).toBeGreaterThanOrEqual(4);
  });
});
