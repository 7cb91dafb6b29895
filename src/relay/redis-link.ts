/**
 * One Redis connection of the relay, with a deadline on every command. Built on node-redis (the
 * optional peer dependency `redis`, loaded here and nowhere else) but speaking raw commands through
 * `sendCommand`, which behaves the same in node-redis 4, 5 and 6.
 *
 * A command that fails or misses its deadline destroys the connection; the next command opens a
 * new one. This is deliberate: a reply that never came (a paused or partitioned Redis) would
 * otherwise hold every later command of the same socket behind it, and the relay's lease and
 * resume logic already know what to do after "this command may or may not have run".
 */
import { errorFactory, type RelayError } from '../core/errors';
import { platformClock, type RelayClock } from './relay-clock';

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

/** Where the relay reaches Redis: a URL (`redis://127.0.0.1:6379`) or a node-redis client. */
export type RedisTarget = string | RedisClientLike;

interface RedisModule {
  createClient(options: Record<string, unknown>): RedisClientLike;
}

let loaded: Promise<RedisModule> | undefined;

/** Loads `redis` once; a missing package becomes one clear RelayError. */
function loadRedis(): Promise<RedisModule> {
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

/** Checks a Redis target option; throws a ValidationError naming `path`. */
export function checkRedisTarget(target: unknown, path = 'redis'): asserts target is RedisTarget {
  const ok =
    (typeof target === 'string' && /^rediss?:\/\//.test(target)) ||
    (typeof target === 'object' &&
      target !== null &&
      typeof (target as RedisClientLike).sendCommand === 'function' &&
      typeof (target as RedisClientLike).duplicate === 'function');
  if (!ok)
    throw errorFactory.validation([
      { path, message: 'must be a redis:// or rediss:// URL or a node-redis client' },
    ]);
}

/** Milliseconds a connection attempt may take. */
const CONNECT_TIMEOUT_MS = 2_000;

/** A lazily (re)connected Redis connection with per-command deadlines. */
export class RedisLink {
  private client: RedisClientLike | undefined;
  private connecting: Promise<RedisClientLike> | undefined;
  private closed = false;

  constructor(
    private readonly target: RedisTarget,
    private readonly onDrop: (error: RelayError) => void = () => undefined,
    /** The relay's clock: command deadlines here, and the timers of whoever uses this link. */
    readonly clock: RelayClock = platformClock,
  ) {}

  /** True while a connection is established. */
  get connected(): boolean {
    return this.client !== undefined;
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
      return await Promise.race([client.sendCommand(args), deadline]);
    } catch (error) {
      // A script or command error (Redis answered) keeps the connection; anything else drops it.
      if (isReplyError(error)) throw error;
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

  /** Closes the connection for good (pending commands are rejected). */
  close(): void {
    this.closed = true;
    if (this.client) this.drop(this.client);
  }

  private open(): Promise<RedisClientLike> {
    if (this.closed)
      return Promise.reject(errorFactory.relay('redis_unavailable', 'Relay connection closed'));
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= this.connect().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async connect(): Promise<RedisClientLike> {
    const client =
      typeof this.target === 'string'
        ? (await loadRedis()).createClient({
            url: this.target,
            // The link reconnects itself (see the file comment); node-redis must not queue or retry.
            socket: { connectTimeout: CONNECT_TIMEOUT_MS, reconnectStrategy: false },
            disableOfflineQueue: true,
          })
        : this.target.duplicate({ disableOfflineQueue: true });
    client.on('error', () => undefined); // reported through the failing command instead
    let timer: unknown;
    try {
      await Promise.race([
        client.connect(),
        new Promise((_, reject) => {
          timer = this.clock.setTimeout(
            () => reject(new Error(`connect timed out after ${CONNECT_TIMEOUT_MS} ms`)),
            CONNECT_TIMEOUT_MS,
          );
        }),
      ]);
    } catch (error) {
      destroy(client);
      const relayError = errorFactory.relay(
        'redis_unavailable',
        `Cannot connect to Redis: ${describe(error)}`,
        error,
      );
      this.onDrop(relayError);
      throw relayError;
    } finally {
      this.clock.clearTimeout(timer);
    }
    if (this.closed) {
      destroy(client);
      throw errorFactory.relay('redis_unavailable', 'Relay connection closed');
    }
    // node-redis may still try to reconnect a duplicated client by itself: the first sign of
    // trouble drops it so the link opens a fresh one.
    client.on('end', () => {
      if (this.client === client) this.client = undefined;
    });
    this.client = client;
    return client;
  }

  private drop(client: RedisClientLike): void {
    if (this.client === client) this.client = undefined;
    destroy(client);
  }
}

function destroy(client: RedisClientLike): void {
  try {
    if (client.destroy) client.destroy();
    else void client.disconnect?.().catch(() => undefined);
  } catch {
    // already closed
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
