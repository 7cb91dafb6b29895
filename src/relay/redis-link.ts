/**
 * One Redis connection of the relay, with a deadline on every command. Built on node-redis (the
 * optional peer dependency `redis`, loaded in redis-targets.ts and nowhere else) but speaking raw
 * commands, to the primary that holds the relay's keys whatever the target (a URL, Sentinel,
 * Cluster: see redis-targets.ts).
 *
 * A command that fails or misses its deadline destroys the connection; the next command opens a
 * new one. This is deliberate: a reply that never came (a paused or partitioned Redis) would
 * otherwise hold every later command of the same socket behind it, and the relay's lease and
 * resume logic already know what to do after "this command may or may not have run". A reply
 * saying the node is no longer the primary of the slot (MOVED, ASK, TRYAGAIN, CLUSTERDOWN,
 * READONLY, MASTERDOWN, UNBLOCKED, LOADING) drops the connection too: the next one finds the
 * current primary. Such a refusal reaches the caller as a RelayError `write_refused`.
 *
 * Commands the relay sends (the simulation's Redis model follows this list):
 * EVALSHA/EVAL (scripts.ts: SET NX PX, GET, INCR, PEXPIRE, DEL, HMGET, HSET, XADD, XTRIM, TIME,
 * PTTL, EXISTS, INCRBY, ZADD, ZREMRANGEBYRANK, XACK), WAIT, GET, HGET, XREAD, XREVRANGE, XRANGE,
 * XGROUP CREATE, XREADGROUP, XAUTOCLAIM, XACK, ZSCORE, ROLE, SENTINEL GET-MASTER-ADDR-BY-NAME (sentinels only), and through the
 * cluster client EXISTS.
 */
import { type Clock, systemClock } from '../core/clock';
import { errorFactory, type RelayError } from '../core/errors';
import {
  type Connector,
  connectorFor,
  type NodeConnection,
  type RedisTarget,
  type TargetKind,
} from './redis-targets';

export {
  type ClusterTarget,
  checkRedisTarget,
  type RedisClientLike,
  type RedisClusterLike,
  type RedisNodeAddress,
  type RedisSentinelLike,
  type RedisTarget,
  type SentinelTarget,
  type TargetKind,
} from './redis-targets';

/** Milliseconds a connection attempt may take. */
const CONNECT_TIMEOUT_MS = 2_000;

/** Replies of a node that is not (or no longer) the primary of the relay's slot. */
const TOPOLOGY_REPLY = /^(MOVED|ASK|TRYAGAIN|CLUSTERDOWN|READONLY|MASTERDOWN|UNBLOCKED|LOADING|NOREPLICAS)\b/;

/** A lazily (re)connected Redis connection with per-command deadlines. */
export class RedisLink {
  private client: NodeConnection | undefined;
  private connecting: Promise<NodeConnection> | undefined;
  private closed = false;
  private readonly connector: Connector;
  /** The primary of the last connection (`host:port`), and how many times it changed. */
  private lastNode: string | undefined;
  private nodeChanges = 0;
  private connections = 0;

  /**
   * @param tagKey a key with the relay's hash tag: on Cluster, its slot decides the node.
   * @param clock the relay's clock: command and connect deadlines here, and the timers of whoever uses this link.
   */
  constructor(
    target: RedisTarget,
    private readonly onDrop: (error: RelayError) => void = () => undefined,
    tagKey = '{relay}',
    readonly clock: Clock = systemClock,
  ) {
    this.connector = connectorFor(target, tagKey, clock);
  }

  /** `single`, `sentinel` or `cluster`. */
  get kind(): TargetKind {
    return this.connector.kind;
  }

  /** True while a connection is established. */
  get connected(): boolean {
    return this.client !== undefined;
  }

  /** The primary the link last reached (`host:port`). */
  get node(): string | undefined {
    return this.lastNode;
  }

  /** How many times the primary changed between connections (a failover seen by this link). */
  get primaryChanges(): number {
    return this.nodeChanges;
  }

  /** Counts connections opened: equal before and after two commands means both used one connection. */
  get generation(): number {
    return this.connections;
  }

  /** Sends one command; rejects with a RelayError (and drops the connection) on failure or after `timeoutMs`. */
  async send(args: string[], timeoutMs: number): Promise<unknown> {
    // Connecting has its own deadline (CONNECT_TIMEOUT_MS); the command's starts once connected.
    const client = await this.open();
    let timer: unknown;
    const deadline = new Promise<never>((_, reject) => {
      timer = this.clock.setTimeout(
        () =>
          reject(errorFactory.relay('redis_unavailable', `Redis ${args[0]} timed out after ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([client.send(args), deadline]);
    } catch (error) {
      if (isReplyError(error)) {
        const message = String((error as Error).message);
        // A script or command error keeps the connection; a node that is not the primary does not.
        if (!TOPOLOGY_REPLY.test(message)) throw error;
        this.drop(client);
        const refused = errorFactory.relay(
          'write_refused',
          `Redis ${client.node} refused ${args[0]} (${message.split(' ')[0]}): failover or slot migration in progress`,
          error,
        );
        this.onDrop(refused);
        throw refused;
      }
      this.drop(client);
      const relayError =
        (error as { name?: string }).name === 'RelayError'
          ? (error as RelayError)
          : errorFactory.relay('redis_unavailable', `Redis ${args[0]} failed: ${describe(error)}`, error);
      this.onDrop(relayError);
      throw relayError;
    } finally {
      this.clock.clearTimeout(timer);
    }
  }

  /** Connects now if not connected (with its own deadline); resolves once connected. */
  async ready(): Promise<void> {
    await this.open();
  }

  /** Drops the connection now (the next command finds the primary again). */
  reset(): void {
    if (this.client) this.drop(this.client);
  }

  /** Closes the connection for good (pending commands are rejected). */
  close(): void {
    this.closed = true;
    if (this.client) this.drop(this.client);
    this.connector.close();
  }

  private open(): Promise<NodeConnection> {
    if (this.closed)
      return Promise.reject(errorFactory.relay('redis_unavailable', 'Relay connection closed'));
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= this.connect().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async connect(): Promise<NodeConnection> {
    let client: NodeConnection;
    try {
      client = await this.connector.open(CONNECT_TIMEOUT_MS);
    } catch (error) {
      const relayError =
        (error as { name?: string }).name === 'RelayError'
          ? (error as RelayError)
          : errorFactory.relay('redis_unavailable', `Cannot connect to Redis: ${describe(error)}`, error);
      this.onDrop(relayError);
      throw relayError;
    }
    if (this.closed) {
      client.close();
      throw errorFactory.relay('redis_unavailable', 'Relay connection closed');
    }
    // node-redis may still try to reconnect by itself: the first sign of trouble drops the
    // connection so the link opens a fresh one (to the primary of the moment).
    client.onEnd(() => {
      if (this.client === client) this.client = undefined;
    });
    if (this.lastNode !== undefined && this.lastNode !== client.node) this.nodeChanges++;
    this.lastNode = client.node;
    this.connections++;
    this.client = client;
    return client;
  }

  private drop(client: NodeConnection): void {
    if (this.client === client) this.client = undefined;
    client.close();
  }
}

/** Redis answered with an error reply (NOSCRIPT, WRONGTYPE, BUSYGROUP...): the connection is fine. */
export function isReplyError(error: unknown): boolean {
  const name = (error as { name?: string; constructor?: { name?: string } } | null)?.constructor?.name;
  return name === 'SimpleError' || name === 'ErrorReply' || name === 'BlobError';
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
