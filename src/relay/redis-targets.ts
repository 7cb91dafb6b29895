/**
 * Where the relay reaches Redis, and how it finds the primary that holds its keys. Every target
 * becomes the same thing: a {@link NodeConnection}, one connection to the current primary of the
 * relay's slot, on which a command and the `WAIT` after it travel together.
 *
 * - a URL: that server;
 * - `{ sentinel: { name, nodes } }`: the sentinels are asked for the primary of `name`
 *   (`SENTINEL GET-MASTER-ADDR-BY-NAME`), which must answer `ROLE` as a master;
 * - `{ cluster: { rootNodes } }` or a node-redis cluster client: the primary of the slot of the
 *   relay's hash tag, through node-redis's slot map (refreshed after every failure);
 * - a node-redis sentinel client: a master connection leased from its pool (`acquire()`);
 * - a node-redis client: a `duplicate()` of it (as before).
 */
import { type Clock, systemClock } from '../core/clock';
import { errorFactory } from '../core/errors';

/** The part of a node-redis client (`createClient()` of `redis` 4, 5 or 6) the relay uses. */
export interface RedisClientLike {
  /** Sends a raw command (the relay speaks nothing else). */
  sendCommand(args: string[]): Promise<unknown>;
  /** A new client with the same settings: the relay never uses a given client's own connection. */
  duplicate(overrides?: Record<string, unknown>): RedisClientLike;
  /** Opens the connection. */
  connect(): Promise<unknown>;
  /** Listens to `error` and `end`. */
  on(event: string, listener: (error: unknown) => void): unknown;
  /** Closes at once (node-redis 5 and 6). */
  destroy?(): unknown;
  /** Closes at once (node-redis 4). */
  disconnect?(): Promise<unknown>;
}

/** The part of a node-redis 5/6 sentinel client (`createSentinel()`) the relay uses. */
export interface RedisSentinelLike {
  /** A new sentinel client with the same settings. */
  duplicate(overrides?: Record<string, unknown>): RedisSentinelLike;
  /** Connects to the sentinels and the master. */
  connect(): Promise<unknown>;
  /** Leases one master connection of the pool. */
  acquire(): Promise<{
    /** Sends a raw command on the leased master connection. */
    sendCommand(isReadonly: boolean | undefined, args: string[]): Promise<unknown>;
    /** Gives the connection back to the pool. */
    release(): unknown;
  }>;
  /** The current master, as the sentinels last said. */
  getMasterNode(): { host: string; port: number } | undefined;
  /** Listens to `error`. */
  on(event: string, listener: (error: unknown) => void): unknown;
  /** Closes at once. */
  destroy(): unknown;
}

/** The part of a node-redis 5/6 cluster client (`createCluster()`) the relay uses. */
export interface RedisClusterLike {
  /** A new cluster client with the same settings. */
  duplicate(overrides?: Record<string, unknown>): RedisClusterLike;
  /** Discovers the slots and connects. */
  connect(): Promise<unknown>;
  /** Sends a command routed by `firstKey` (follows MOVED and refreshes the slot map). */
  sendCommand(
    firstKey: string | undefined,
    isReadonly: boolean | undefined,
    args: string[],
  ): Promise<unknown>;
  /** The connected client of the primary of `key`'s slot. */
  getNodeClientForKey(key: string, isReadonly?: boolean): Promise<RedisClientLike>;
  /** Listens to `error`. */
  on(event: string, listener: (error: unknown) => void): unknown;
  /** Closes at once. */
  destroy(): unknown;
}

/** A host and port. */
export interface RedisNodeAddress {
  /** Host name or IP address. */
  host: string;
  /** TCP port. */
  port: number;
}

/** Sentinel settings: the primary's name and some sentinels (3 is enough). */
export interface SentinelTarget {
  /** The name the sentinels monitor (`sentinel monitor <name> ...`). */
  name: string;
  /** Some of the sentinels. */
  nodes: readonly RedisNodeAddress[];
  /** node-redis client options for the primary (e.g. `{ password, username, socket: { tls } }`). */
  nodeClientOptions?: Record<string, unknown>;
  /** node-redis client options for the sentinels. */
  sentinelClientOptions?: Record<string, unknown>;
}

/** Cluster settings, as node-redis `createCluster` takes them. */
export interface ClusterTarget {
  /** Some nodes of the cluster, as node-redis client options (`{ url }` or `{ socket: { host, port } }`). */
  rootNodes: readonly Record<string, unknown>[];
  /** node-redis client options for every node (e.g. `{ password }`). */
  defaults?: Record<string, unknown>;
}

/**
 * Where the relay reaches Redis: a URL (`redis://127.0.0.1:6379`), `{ sentinel }`, `{ cluster }`,
 * or a node-redis client, sentinel client or cluster client (the relay opens its own connections
 * from it and never uses the given one's).
 */
export type RedisTarget =
  | string
  | { sentinel: SentinelTarget }
  | { cluster: ClusterTarget }
  | RedisClientLike
  | RedisSentinelLike
  | RedisClusterLike;

/** What kind of deployment a target is. */
export type TargetKind = 'single' | 'sentinel' | 'cluster';

/** One connection to the primary holding the relay's keys. */
export interface NodeConnection {
  /** `host:port` of the primary (a change between connections is a failover). */
  readonly node: string;
  /** Sends one raw command on this connection. */
  send(args: string[]): Promise<unknown>;
  /** Listens to the connection's end (node-redis `end`/`error`). */
  onEnd(listener: () => void): void;
  /** Closes this connection. */
  close(): void;
}

/** Opens connections for one target; `close()` releases what it shares between them. */
export interface Connector {
  readonly kind: TargetKind;
  open(connectTimeoutMs: number): Promise<NodeConnection>;
  close(): void;
}

interface RedisModule {
  createClient(options: Record<string, unknown>): RedisClientLike;
  createCluster(options: Record<string, unknown>): RedisClusterLike;
}

let loaded: Promise<RedisModule> | undefined;

/** Loads `redis` once; a missing package becomes one clear RelayError. */
export function loadRedis(): Promise<RedisModule> {
  loaded ??= import('redis').then(
    (m: unknown) => ((m as { default?: RedisModule }).default ?? m) as RedisModule,
    (cause: unknown) => {
      loaded = undefined;
      throw errorFactory.relay(
        'redis_missing',
        'connect-trade/relay needs the optional peer dependency "redis" (npm install redis)',
        cause,
      );
    },
  );
  return loaded;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isFn = (v: unknown, name: string) => isObject(v) && typeof v[name] === 'function';
const isAddress = (n: unknown) =>
  isObject(n) &&
  typeof n.host === 'string' &&
  n.host !== '' &&
  Number.isInteger(n.port) &&
  (n.port as number) > 0 &&
  (n.port as number) < 65_536;

/** The kind of a target, or undefined when it is not one. */
export function targetKind(target: unknown): TargetKind | undefined {
  if (typeof target === 'string') return /^rediss?:\/\//.test(target) ? 'single' : undefined;
  if (!isObject(target)) return undefined;
  if ('sentinel' in target) {
    const s = target.sentinel;
    return isObject(s) &&
      typeof s.name === 'string' &&
      s.name !== '' &&
      Array.isArray(s.nodes) &&
      s.nodes.length > 0 &&
      s.nodes.every(isAddress)
      ? 'sentinel'
      : undefined;
  }
  if ('cluster' in target) {
    const c = target.cluster;
    return isObject(c) && Array.isArray(c.rootNodes) && c.rootNodes.length > 0 && c.rootNodes.every(isObject)
      ? 'cluster'
      : undefined;
  }
  if (isFn(target, 'getNodeClientForKey') && isFn(target, 'duplicate')) return 'cluster';
  if (isFn(target, 'acquire') && isFn(target, 'getMasterNode') && isFn(target, 'duplicate'))
    return 'sentinel';
  if (isFn(target, 'sendCommand') && isFn(target, 'duplicate')) return 'single';
  return undefined;
}

/** Checks a Redis target option; throws a ValidationError naming `path`. */
export function checkRedisTarget(target: unknown, path = 'redis'): asserts target is RedisTarget {
  if (targetKind(target) === undefined)
    throw errorFactory.validation([
      {
        path,
        message:
          'must be a redis:// or rediss:// URL, { sentinel: { name, nodes: [{ host, port }] } }, { cluster: { rootNodes } } or a node-redis client, sentinel client or cluster client',
      },
    ]);
}

/** Races a promise against a deadline on the relay's clock (the error names what timed out). */
async function within<T>(clock: Clock, promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: unknown;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = clock.setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clock.clearTimeout(timer);
  }
}

function destroyClient(client: { destroy?(): unknown; disconnect?(): Promise<unknown> }): void {
  try {
    if (client.destroy) void Promise.resolve(client.destroy()).catch(() => undefined);
    else void client.disconnect?.().catch(() => undefined);
  } catch {
    // already closed
  }
}

/** The relay's own settings on every client it creates: it reconnects itself, node-redis must not queue or retry. */
function plainOptions(connectTimeoutMs: number, extra: Record<string, unknown> = {}) {
  const socket = isObject(extra.socket) ? extra.socket : {};
  return {
    ...extra,
    socket: { ...socket, connectTimeout: connectTimeoutMs, reconnectStrategy: false },
    disableOfflineQueue: true,
  };
}

async function connectPlain(client: RedisClientLike, connectTimeoutMs: number, node: string, clock: Clock) {
  client.on('error', () => undefined); // reported through the failing command instead
  try {
    await within(clock, client.connect(), connectTimeoutMs, `connect to ${node}`);
  } catch (error) {
    destroyClient(client);
    throw error;
  }
  return client;
}

function plainConnection(client: RedisClientLike, node: string): NodeConnection {
  return {
    node,
    send: (args) => client.sendCommand(args),
    onEnd: (listener) => {
      client.on('end', listener);
    },
    close: () => destroyClient(client),
  };
}

function nodeOfUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '6379'}`;
  } catch {
    return url;
  }
}

/** `ROLE` must say master: a sentinel's answer can be stale during a switch. */
async function checkPrimary(connection: NodeConnection, timeoutMs: number, clock: Clock): Promise<void> {
  const role = await within(clock, connection.send(['ROLE']), timeoutMs, `ROLE on ${connection.node}`);
  const name = Array.isArray(role) ? String(role[0]) : '';
  if (name !== 'master')
    throw errorFactory.relay(
      'write_refused',
      `Redis ${connection.node} is a ${name || 'non-primary'} now (failover in progress): writes refused`,
    );
}

/** A connector for a target (the `redis` package is loaded on first use); its deadlines run on `clock`. */
export function connectorFor(target: RedisTarget, tagKey: string, clock: Clock = systemClock): Connector {
  const kind = targetKind(target) as TargetKind;
  if (typeof target === 'string')
    return {
      kind,
      async open(connectTimeoutMs) {
        const redis = await loadRedis();
        const node = nodeOfUrl(target);
        const client = redis.createClient(plainOptions(connectTimeoutMs, { url: target }));
        return plainConnection(await connectPlain(client, connectTimeoutMs, node, clock), node);
      },
      close() {},
    };
  if ('sentinel' in target) return sentinelConnector(target.sentinel, clock);
  if ('cluster' in target) return clusterConnector(undefined, target.cluster, tagKey, clock);
  if (kind === 'cluster') return clusterConnector(target as RedisClusterLike, undefined, tagKey, clock);
  if (kind === 'sentinel') return sentinelClientConnector(target as RedisSentinelLike, clock);
  const given = target as RedisClientLike;
  return {
    kind,
    async open(connectTimeoutMs) {
      const client = given.duplicate({ disableOfflineQueue: true });
      return plainConnection(await connectPlain(client, connectTimeoutMs, 'client', clock), 'client');
    },
    close() {},
  };
}

/** Sentinel by address: ask each sentinel in turn for the primary, connect, check its role. */
function sentinelConnector(settings: SentinelTarget, clock: Clock): Connector {
  let next = 0;
  return {
    kind: 'sentinel',
    async open(connectTimeoutMs) {
      const redis = await loadRedis();
      let lastError: unknown;
      for (let tried = 0; tried < settings.nodes.length; tried++) {
        const sentinel = settings.nodes[(next + tried) % settings.nodes.length] as RedisNodeAddress;
        let address: unknown;
        const client = redis.createClient(
          plainOptions(connectTimeoutMs, {
            ...settings.sentinelClientOptions,
            socket: { ...(settings.sentinelClientOptions?.socket as object), ...sentinel },
          }),
        );
        try {
          await connectPlain(client, connectTimeoutMs, `sentinel ${sentinel.host}:${sentinel.port}`, clock);
          address = await within(
            clock,
            client.sendCommand(['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', settings.name]),
            connectTimeoutMs,
            'SENTINEL GET-MASTER-ADDR-BY-NAME',
          );
        } catch (error) {
          lastError = error;
          continue;
        } finally {
          destroyClient(client);
        }
        if (!Array.isArray(address) || address.length < 2) {
          lastError = new Error(
            `sentinel ${sentinel.host}:${sentinel.port} knows no primary "${settings.name}"`,
          );
          continue;
        }
        // Stay with a sentinel that answered.
        next = (next + tried) % settings.nodes.length;
        const host = String(address[0]);
        const port = Number(address[1]);
        const node = `${host}:${port}`;
        const primary = redis.createClient(
          plainOptions(connectTimeoutMs, {
            ...settings.nodeClientOptions,
            socket: { ...(settings.nodeClientOptions?.socket as object), host, port },
          }),
        );
        const connection = plainConnection(await connectPlain(primary, connectTimeoutMs, node, clock), node);
        try {
          await checkPrimary(connection, connectTimeoutMs, clock);
        } catch (error) {
          connection.close();
          throw error;
        }
        return connection;
      }
      throw lastError instanceof Error ? lastError : new Error('no sentinel answered');
    },
    close() {},
  };
}

/** A given node-redis sentinel client: a duplicate of it, whose master connections are leased. */
function sentinelClientConnector(given: RedisSentinelLike, clock: Clock): Connector {
  let shared: Promise<RedisSentinelLike> | undefined;
  let closed = false;
  return {
    kind: 'sentinel',
    async open(connectTimeoutMs) {
      shared ??= (async () => {
        const sentinel = given.duplicate();
        sentinel.on('error', () => undefined);
        await within(clock, sentinel.connect(), connectTimeoutMs, 'connect to the sentinels');
        return sentinel;
      })().catch((error) => {
        shared = undefined;
        throw error;
      });
      const sentinel = await shared;
      if (closed) throw new Error('closed');
      const lease = await within(clock, sentinel.acquire(), connectTimeoutMs, 'lease a master connection');
      const master = sentinel.getMasterNode();
      const listeners: (() => void)[] = [];
      sentinel.on('topology-change', () => {
        for (const l of listeners.splice(0)) l();
      });
      const connection: NodeConnection = {
        node: master ? `${master.host}:${master.port}` : 'sentinel',
        send: (args) => lease.sendCommand(false, args),
        onEnd: (listener) => {
          listeners.push(listener);
        },
        close: () => {
          try {
            lease.release();
          } catch {
            // released already
          }
        },
      };
      await checkPrimary(connection, connectTimeoutMs, clock);
      return connection;
    },
    close() {
      closed = true;
      void shared?.then((s) => destroyClient(s)).catch(() => undefined);
    },
  };
}

/**
 * Cluster: one node-redis cluster client per connector (the slot map), and per connection the
 * client of the primary of the relay's slot. Opening first sends a keyed command through the
 * cluster client itself, which follows a MOVED and refreshes the slot map after a failover.
 */
function clusterConnector(
  given: RedisClusterLike | undefined,
  settings: ClusterTarget | undefined,
  tagKey: string,
  clock: Clock,
): Connector {
  let shared: Promise<RedisClusterLike> | undefined;
  let closed = false;
  return {
    kind: 'cluster',
    async open(connectTimeoutMs) {
      shared ??= (async () => {
        const cluster =
          given?.duplicate() ??
          (await loadRedis()).createCluster({
            rootNodes: settings?.rootNodes.map((n) => ({ ...n })),
            defaults: plainOptions(connectTimeoutMs, settings?.defaults),
          });
        cluster.on('error', () => undefined);
        await within(clock, cluster.connect(), connectTimeoutMs, 'connect to the cluster');
        return cluster;
      })().catch((error) => {
        shared = undefined;
        throw error;
      });
      const current = shared;
      const cluster = await current;
      if (closed) throw new Error('closed');
      await within(clock, cluster.sendCommand(tagKey, false, ['EXISTS', tagKey]), connectTimeoutMs, 'EXISTS');
      const client = await within(
        clock,
        cluster.getNodeClientForKey(tagKey, false),
        connectTimeoutMs,
        "reach the relay slot's primary",
      );
      const options = (client as { options?: { socket?: { host?: string; port?: number } } }).options;
      const node = `${options?.socket?.host ?? '?'}:${options?.socket?.port ?? '?'}`;
      const listeners: (() => void)[] = [];
      client.on('end', () => {
        for (const l of listeners.splice(0)) l();
      });
      const connection: NodeConnection = {
        node,
        send: (args) => client.sendCommand(args),
        onEnd: (listener) => {
          listeners.push(listener);
        },
        // The node client belongs to the cluster client's pool: a connection dropped after a
        // failure (a stuck reply, a MOVED) takes the whole cluster client, so the next one starts
        // from a fresh slot map and sockets.
        close: () => {
          if (shared === current) shared = undefined;
          void current.then((c) => destroyClient(c)).catch(() => undefined);
        },
      };
      await checkPrimary(connection, connectTimeoutMs, clock);
      return connection;
    },
    close() {
      closed = true;
      void shared?.then((c) => destroyClient(c)).catch(() => undefined);
    },
  };
}
