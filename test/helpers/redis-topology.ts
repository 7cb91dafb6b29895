/**
 * Highly available Redis topologies on one machine, from the same `redis-server` binary as
 * test/helpers/redis-server.ts, on loopback ports, for the relay's failover tests:
 * - Sentinel: a primary, a replica (optionally replicating through a TCP proxy that can cut the
 *   link) and 3 sentinels (`redis-server <conf> --sentinel`, quorum 2);
 * - Cluster: 3 primaries (`--cluster-enabled yes`, `CLUSTER ADDSLOTSRANGE`, `CLUSTER MEET`), each
 *   with a replica (`CLUSTER REPLICATE`).
 * `stop()` stops every process it started (also after a failed start); call it in `afterAll`.
 */
import { createClient } from 'redis';
import { type RedisServer, startRedisServer } from './redis-server';
import { startTcpProxy, type TcpProxy } from './tcp-proxy';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/**
 * Deadline of each set-up and failover wait. Generous: they end as soon as the condition holds, and
 * on a saturated machine (load 35 on 2 cores) a replica sync or a promotion can take tens of seconds.
 */
const SETUP_MS = 90_000;

/**
 * Starts several topologies at once; if one fails, the others are stopped too (no process is left
 * behind) and the first error is thrown.
 */
export async function startAll<T extends readonly (() => Promise<{ stop(): Promise<void> }>)[]>(
  ...starts: T
): Promise<{ [K in keyof T]: Awaited<ReturnType<T[K]>> }> {
  const results = await Promise.allSettled(starts.map((start) => start()));
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) {
    await Promise.all(results.map((r) => (r.status === 'fulfilled' ? r.value.stop() : undefined)));
    throw (failed as PromiseRejectedResult).reason;
  }
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as never;
}

/** Runs one command on a node and closes the connection (admin commands of the tests). */
export async function redisCommand(port: number, args: string[], timeoutMs = 5_000): Promise<unknown> {
  const client = createClient({
    socket: { host: '127.0.0.1', port, connectTimeout: timeoutMs, reconnectStrategy: false },
    disableOfflineQueue: true,
  });
  client.on('error', () => undefined);
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      (async () => {
        await client.connect();
        return client.sendCommand(args);
      })(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${args[0]} on ${port} timed out`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    client.destroy();
  }
}

async function until<T>(what: string, ms: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out (${ms} ms) waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(50);
  }
}

async function stopAll(
  servers: readonly (RedisServer | undefined)[],
  proxies: readonly (TcpProxy | undefined)[],
) {
  await Promise.all([
    ...servers.map((s) => s?.stop().catch(() => undefined)),
    ...proxies.map((p) => p?.stop().catch(() => undefined)),
  ]);
}

/** The INFO replication field of a node. */
export async function replicationField(port: number, field: string): Promise<string | undefined> {
  const info = String(await redisCommand(port, ['INFO', 'replication'], 3_000));
  const line = info.split(/\r?\n/).find((l) => l.startsWith(`${field}:`));
  return line?.slice(field.length + 1);
}

export interface SentinelTopology {
  /** The name the sentinels monitor. */
  readonly name: string;
  /** The data nodes: [the initial primary, the initial replica]. */
  readonly nodes: readonly RedisServer[];
  readonly sentinels: readonly RedisServer[];
  /** The replica's replication link goes through this proxy (when asked for). */
  readonly proxy: TcpProxy | undefined;
  /** The relay target: `{ sentinel: { name, nodes } }`. */
  readonly target: { sentinel: { name: string; nodes: { host: string; port: number }[] } };
  /** The port of the current primary, as the sentinels say. */
  primaryPort(): Promise<number>;
  /** The data node on a port. */
  node(port: number): RedisServer;
  /** Waits until the sentinels name a primary other than `port` and it answers ROLE as master. */
  waitForNewPrimary(oldPort: number, ms?: number): Promise<number>;
  /** Waits until the node on `port` is a replica of the current primary with its link up. */
  waitForReplica(port: number, ms?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A primary, a replica and 3 sentinels. `downAfterMs` is the sentinels' `down-after-milliseconds`
 * (failure detection). `proxied`: the replica replicates through a TCP proxy (the lossy test cuts it).
 */
export async function startSentinelTopology(
  options: { downAfterMs?: number; proxied?: boolean } = {},
): Promise<SentinelTopology> {
  const name = 'relaymaster';
  const downAfterMs = options.downAfterMs ?? 1_000;
  const servers: RedisServer[] = [];
  let proxy: TcpProxy | undefined;
  try {
    const primary = await startRedisServer({ own: true });
    servers.push(primary);
    proxy = options.proxied ? await startTcpProxy(primary.port) : undefined;
    const replica = await startRedisServer({
      own: true,
      args: ['--replicaof', '127.0.0.1', String(proxy?.port ?? primary.port)],
    });
    servers.push(replica);
    await until('the replica to sync', SETUP_MS, async () =>
      (await replicationField(replica.port, 'master_link_status')) === 'up' ? true : undefined,
    );
    const config = [
      'sentinel resolve-hostnames no',
      `sentinel monitor ${name} 127.0.0.1 ${primary.port} 2`,
      `sentinel down-after-milliseconds ${name} ${downAfterMs}`,
      // Long: a sentinel "fixes" a replica that points elsewhere (the proxy) only after this.
      `sentinel failover-timeout ${name} 60000`,
      `sentinel parallel-syncs ${name} 1`,
      '',
    ].join('\n');
    const sentinels: RedisServer[] = [];
    for (let i = 0; i < 3; i++) {
      const sentinel = await startRedisServer({ own: true, config, args: ['--sentinel'] });
      servers.push(sentinel);
      sentinels.push(sentinel);
    }
    const nodes = [primary, replica];
    const primaryPort = async () => {
      for (const s of sentinels) {
        try {
          const reply = await redisCommand(s.port, ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name], 3_000);
          if (Array.isArray(reply)) return Number(reply[1]);
        } catch {
          // try the next sentinel
        }
      }
      throw new Error('no sentinel answered');
    };
    // Every sentinel must know the replica and the other sentinels before a failover can work.
    await until('the sentinels to see the replica and each other', SETUP_MS, async () => {
      for (const s of sentinels) {
        const info = await redisCommand(s.port, ['SENTINEL', 'MASTER', name], 3_000);
        const map = new Map<string, string>();
        if (Array.isArray(info))
          for (let i = 0; i + 1 < info.length; i += 2) map.set(String(info[i]), String(info[i + 1]));
        else for (const [k, v] of Object.entries(info as object)) map.set(k, String(v));
        if (map.get('num-slaves') !== '1' || map.get('num-other-sentinels') !== '2') return undefined;
      }
      return true;
    });
    const node = (port: number) => {
      const found = nodes.find((n) => n.port === port);
      if (!found) throw new Error(`no data node on ${port}`);
      return found;
    };
    return {
      name,
      nodes,
      sentinels,
      proxy,
      target: { sentinel: { name, nodes: sentinels.map((s) => ({ host: '127.0.0.1', port: s.port })) } },
      primaryPort,
      node,
      async waitForNewPrimary(oldPort, ms = SETUP_MS) {
        return until(`a new primary (not ${oldPort})`, ms, async () => {
          const port = await primaryPort();
          if (port === oldPort) return undefined;
          const role = (await redisCommand(port, ['ROLE'], 3_000)) as unknown[];
          return role[0] === 'master' ? port : undefined;
        });
      },
      async waitForReplica(port, ms = SETUP_MS) {
        await until(`node ${port} to replicate the primary`, ms, async () => {
          const primaryNow = await primaryPort();
          const [role, link, masterPort] = await Promise.all([
            replicationField(port, 'role'),
            replicationField(port, 'master_link_status'),
            replicationField(port, 'master_port'),
          ]);
          return role === 'slave' && link === 'up' && Number(masterPort) === primaryNow ? true : undefined;
        });
      },
      stop: () => stopAll(servers, [proxy]),
    };
  } catch (error) {
    await stopAll(servers, [proxy]);
    throw error;
  }
}

export interface ClusterTopology {
  /** 6 nodes: 3 primaries (first) and their replicas, in slot order. */
  readonly nodes: readonly RedisServer[];
  /** The relay target: `{ cluster: { rootNodes } }`. */
  readonly target: { cluster: { rootNodes: { url: string }[] } };
  /** The port of the primary serving a slot now (`CLUSTER SHARDS` as a node sees it). */
  primaryOf(slot: number): Promise<number>;
  /** The port of a replica of the primary on `port`. */
  replicaOf(port: number): Promise<number>;
  /** The slot of a key (`CLUSTER KEYSLOT`). */
  keySlot(key: string): Promise<number>;
  /** The data node on a port. */
  node(port: number): RedisServer;
  /** Waits until every live node reports `cluster_state:ok`. */
  waitForOk(ms?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Cluster nodes as one node sees them: `[id, port, flags, master id]`. */
async function clusterNodes(
  port: number,
): Promise<{ id: string; port: number; flags: string; master: string }[]> {
  const text = String(await redisCommand(port, ['CLUSTER', 'NODES'], 3_000));
  return text
    .trim()
    .split('\n')
    .map((line) => {
      const [id = '', address = '', flags = '', master = ''] = line.split(' ');
      return { id, port: Number(address.split('@')[0]?.split(':')[1]), flags, master };
    });
}

/** 3 primaries each with a replica; `nodeTimeoutMs` is `cluster-node-timeout` (failure detection). */
export async function startClusterTopology(
  options: { nodeTimeoutMs?: number } = {},
): Promise<ClusterTopology> {
  const nodeTimeoutMs = options.nodeTimeoutMs ?? 1_000;
  const servers: RedisServer[] = [];
  try {
    for (let i = 0; i < 6; i++)
      servers.push(
        await startRedisServer({
          own: true,
          args: [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            'nodes.conf',
            '--cluster-node-timeout',
            String(nodeTimeoutMs),
            // A replica that lost its primary recently may still be promoted.
            '--cluster-replica-validity-factor',
            '0',
          ],
        }),
      );
    const primaries = servers.slice(0, 3);
    const ranges = [
      [0, 5460],
      [5461, 10922],
      [10923, 16383],
    ];
    await Promise.all(
      primaries.map((p, i) =>
        redisCommand(p.port, ['CLUSTER', 'ADDSLOTSRANGE', String(ranges[i]?.[0]), String(ranges[i]?.[1])]),
      ),
    );
    const first = servers[0] as RedisServer;
    for (const s of servers.slice(1))
      await redisCommand(first.port, ['CLUSTER', 'MEET', '127.0.0.1', String(s.port)]);
    await until('every node to know the others', SETUP_MS, async () => {
      for (const s of servers) if ((await clusterNodes(s.port)).length !== 6) return undefined;
      return true;
    });
    for (let i = 0; i < 3; i++) {
      const primary = primaries[i] as RedisServer;
      const replica = servers[i + 3] as RedisServer;
      const id = String(await redisCommand(primary.port, ['CLUSTER', 'MYID']));
      await until('the replica to know its primary', SETUP_MS, async () => {
        await redisCommand(replica.port, ['CLUSTER', 'REPLICATE', id]);
        return true;
      });
    }
    const waitForOk = async (ms = SETUP_MS) => {
      await until('cluster_state:ok on every node', ms, async () => {
        for (const s of servers) {
          if (s.pid === undefined) continue;
          let info: string;
          try {
            info = String(await redisCommand(s.port, ['CLUSTER', 'INFO'], 3_000));
          } catch {
            continue; // a killed node
          }
          if (!info.includes('cluster_state:ok')) return undefined;
        }
        return true;
      });
    };
    await waitForOk();
    await until('every replica to sync', SETUP_MS, async () => {
      for (const r of servers.slice(3))
        if ((await replicationField(r.port, 'master_link_status')) !== 'up') return undefined;
      return true;
    });
    const node = (port: number) => {
      const found = servers.find((n) => n.port === port);
      if (!found) throw new Error(`no node on ${port}`);
      return found;
    };
    const anyLive = async <T>(fn: (port: number) => Promise<T>): Promise<T> => {
      let last: unknown;
      for (const s of servers) {
        try {
          return await fn(s.port);
        } catch (error) {
          last = error;
        }
      }
      throw last;
    };
    return {
      nodes: servers,
      target: { cluster: { rootNodes: servers.slice(0, 3).map((s) => ({ url: s.url })) } },
      async primaryOf(slot) {
        return anyLive(async (port) => {
          const slots = (await redisCommand(port, ['CLUSTER', 'SLOTS'], 3_000)) as unknown[][];
          for (const range of slots)
            if (Number(range[0]) <= slot && slot <= Number(range[1]))
              return Number((range[2] as unknown[])[1]);
          throw new Error(`slot ${slot} unserved`);
        });
      },
      async replicaOf(port) {
        return anyLive(async (p) => {
          const all = await clusterNodes(p);
          const primary = all.find((n) => n.port === port);
          const replica = all.find((n) => n.master === primary?.id && !n.flags.includes('fail'));
          if (!replica) throw new Error(`no replica of ${port}`);
          return replica.port;
        });
      },
      async keySlot(key) {
        return anyLive(async (port) => Number(await redisCommand(port, ['CLUSTER', 'KEYSLOT', key], 3_000)));
      },
      node,
      waitForOk,
      stop: () => stopAll(servers, []),
    };
  } catch (error) {
    await stopAll(servers, []);
    throw error;
  }
}
