/**
 * The simulated world around the Redis model: processes that can be paused and killed, and
 * connections to the model that look like node-redis clients to the relay (its `RedisClientLike`
 * seam, src/relay/redis-link.ts). All on the virtual clock (the global timers, faked by the
 * scenario with @sinonjs/fake-timers):
 * - every message (command to the server, reply back) takes a seeded latency of at least 1 ms, and
 *   one connection never reorders (each message leaves after the previous one arrived);
 * - the server runs a command when it arrives, atomically; a blocking read waits for a write to its
 *   key or for its timeout;
 * - a reset connection loses what was in flight (a command may have run with its reply lost);
 * - a failover loses the model's last k writes, drops every connection, and refuses connections
 *   for a while;
 * - a paused process sees nothing (no timer of its clock fires, no reply or upstream message is
 *   delivered) until it resumes: then its overdue timers fire first, then its held I/O, as Node's
 *   event loop would after a stop-the-world pause.
 */
import type { Clock } from '../../../src/core/clock';
import { isBlocked, type RedisModel } from './redis-model';
import { type ClientReply, ErrorReply, type Reply, type SimpleError, toClientReply } from './replies';

/**
 * The virtual clock as the simulated world's own code reads it (this file, sim-upstream.ts, the
 * scenario): set per run to the fake clock's own functions, so the global timers and `Date.now`
 * (watched by the scenario's seam tripwire, which is costly per call) are left to the code under test.
 */
export const world = {
  now: (): number => Date.now(),
  setTimeout: (fn: () => void, ms: number): ReturnType<typeof setTimeout> => setTimeout(fn, ms),
  clearTimeout: (handle: ReturnType<typeof setTimeout> | undefined): void => clearTimeout(handle),
  /**
   * Set by a timer that only ran the server's side (a command reaching it): synchronous work that
   * settles no promise, so the scenario need not let the event loop drain after it.
   */
  serverOnly: false,
};

/** The trace of a run: every event in order, hashed by the scenario. */
export type Trace = (event: string) => void;

/** A process of the simulated fleet (a relay, or the consumers' app server). */
export class SimProcess {
  paused = false;
  dead = false;
  private resuming = false;
  private readonly timers = new Set<SimTimer>();
  private held: (() => void)[] = [];
  private heldTimers: SimTimer[] = [];
  readonly connections = new Set<SimConnection>();
  private readonly killHooks: (() => void)[] = [];

  constructor(readonly name: string) {}

  /** Runs `fn` when the process is killed (its sockets close). */
  onKill(fn: () => void): void {
    this.killHooks.push(fn);
  }

  /** The process's clock: wall time goes on while it is paused, its timers do not fire. */
  readonly clock: Clock = {
    now: () => world.now(),
    // Virtual time never goes back.
    monotonicNow: () => world.now(),
    setTimeout: (fn, ms) => {
      const timer: SimTimer = { fn, due: world.now() + Math.max(0, ms), handle: undefined, fired: false };
      if (this.dead) return timer;
      this.timers.add(timer);
      timer.handle = world.setTimeout(
        () => {
          timer.handle = undefined;
          if (this.dead) return;
          if (this.paused) this.heldTimers.push(timer);
          else this.fire(timer);
        },
        Math.max(0, ms),
      );
      return timer;
    },
    clearTimeout: (handle) => {
      const timer = handle as SimTimer | undefined;
      if (!timer || typeof timer !== 'object' || !('due' in timer)) return;
      if (timer.handle !== undefined) world.clearTimeout(timer.handle);
      timer.handle = undefined;
      timer.fired = true;
      this.timers.delete(timer);
    },
  };

  private fire(timer: SimTimer): void {
    if (timer.fired) return;
    timer.fired = true;
    this.timers.delete(timer);
    timer.fn();
  }

  /** Delivers I/O to the process: now, or when it resumes. */
  deliver(fn: () => void): void {
    if (this.dead) return;
    if (this.paused) this.held.push(fn);
    else fn();
  }

  pause(): void {
    this.paused = true;
  }

  /**
   * Resumes: overdue timers first (in due order), then held I/O in arrival order, one per event;
   * the process counts as paused until all of it ran, so nothing new overtakes what was held.
   */
  resume(): void {
    if (!this.paused || this.dead || this.resuming) return;
    this.resuming = true;
    const step = () => {
      if (this.dead) return;
      this.heldTimers.sort((a, b) => a.due - b.due);
      const timer = this.heldTimers.shift();
      const io = timer ? undefined : this.held.shift();
      if (!timer && !io) {
        this.paused = false;
        this.resuming = false;
        return;
      }
      world.setTimeout(step, 0);
      if (timer) this.fire(timer);
      else io?.();
    };
    world.setTimeout(step, 0);
  }

  /** Kills the process: its timers never fire, its connections close, nothing reaches it again. */
  kill(): void {
    this.dead = true;
    for (const timer of this.timers) if (timer.handle !== undefined) world.clearTimeout(timer.handle);
    this.timers.clear();
    this.held = [];
    this.heldTimers = [];
    for (const connection of [...this.connections]) connection.reset('killed');
    for (const hook of this.killHooks) hook();
  }

  /** Timers of this process still armed (a closed relay must leave none). */
  get pendingTimers(): number {
    return this.timers.size + this.heldTimers.length;
  }
}

interface SimTimer {
  fn: () => void;
  due: number;
  handle: ReturnType<typeof setTimeout> | undefined;
  fired: boolean;
}

/** Latency of one message, in ms (at least 1). */
export type Latency = () => number;

/** The Redis server of the world: the model, whether it accepts connections, and who is connected. */
export class SimServer {
  down = false;
  readonly connections = new Set<SimConnection>();
  private nextConnection = 1;

  constructor(
    readonly model: RedisModel,
    readonly latency: Latency,
    readonly trace: Trace,
  ) {}

  /** A node-redis-like client of `process` (the relay duplicates it for each connection it opens). */
  client(process: SimProcess): SimRedisClient {
    return new SimRedisClient(this, process, () => this.nextConnection++);
  }

  /** A failover to a replica missing the last `k` writes; connections refused for `downMs`. */
  failover(k: number, downMs: number): number {
    const lost = this.model.failover(k);
    this.trace(`failover lost=${lost} down=${downMs}`);
    for (const connection of [...this.connections]) connection.reset('failover');
    if (downMs > 0) {
      this.down = true;
      world.setTimeout(() => {
        this.down = false;
        this.trace('server up');
      }, downMs);
    }
    return lost;
  }
}

type Listener = (error: unknown) => void;

/** What the relay holds: `duplicate()` gives a new connection. */
export class SimRedisClient {
  constructor(
    private readonly server: SimServer,
    private readonly process: SimProcess,
    private readonly nextId: () => number,
  ) {}

  duplicate(): SimConnection {
    return new SimConnection(this.server, this.process, this.nextId());
  }

  // The root client is never used for commands: the relay always duplicates it.
  sendCommand(): Promise<unknown> {
    return Promise.reject(new Error('the relay must not use the given client itself'));
  }
  connect(): Promise<unknown> {
    return Promise.resolve();
  }
  on(): this {
    return this;
  }
  destroy(): void {}
}

interface InFlight {
  args: string[];
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  settled: boolean;
  /** The server's timer of a blocked read, its write listener. */
  cleanup: (() => void) | undefined;
}

/** One connection to the simulated server. */
export class SimConnection {
  private state: 'new' | 'connecting' | 'open' | 'closed' = 'new';
  private readonly listeners = new Map<string, Listener[]>();
  private readonly inFlight = new Set<InFlight>();
  /** When the last message sent each way arrives (no reordering on one connection). */
  private lastToServer = 0;
  private lastToClient = 0;
  /** Messages on the wire (cancelled when the connection closes: nothing arrives on a closed socket). */
  private readonly wire = new Set<ReturnType<typeof setTimeout>>();
  readonly name: string;

  constructor(
    private readonly server: SimServer,
    private readonly process: SimProcess,
    id: number,
  ) {
    this.name = `${process.name}#${id}`;
    process.connections.add(this);
  }

  on(event: string, listener: Listener): this {
    const list = this.listeners.get(event) ?? [];
    list.push(listener);
    this.listeners.set(event, list);
    return this;
  }

  duplicate(): SimConnection {
    return new SimConnection(this.server, this.process, 0);
  }

  connect(): Promise<unknown> {
    if (this.state !== 'new') return Promise.reject(new Error('Socket already opened'));
    this.state = 'connecting';
    return new Promise((resolve, reject) => {
      const arrive = this.toServer();
      world.setTimeout(() => {
        const refused = this.server.down || this.state === 'closed';
        const back = this.toClient();
        world.setTimeout(() => {
          this.process.deliver(() => {
            if (refused || this.state === 'closed') {
              if (this.state !== 'closed') this.state = 'closed';
              this.process.connections.delete(this);
              reject(new Error('connect ECONNREFUSED'));
              return;
            }
            this.state = 'open';
            this.server.connections.add(this);
            this.server.trace(`connect ${this.name}`);
            resolve(undefined);
          });
        }, back);
      }, arrive);
    });
  }

  sendCommand(args: string[]): Promise<unknown> {
    if (this.state !== 'open') return Promise.reject(new Error('The client is closed'));
    return new Promise((resolve, reject) => {
      const call: InFlight = { args, resolve, reject, settled: false, cleanup: undefined };
      this.inFlight.add(call);
      this.send(() => {
        world.serverOnly = true;
        this.arrive(call);
      }, this.toServer());
    });
  }

  /** Closes at once (node-redis 5/6 `destroy`): what is in flight is rejected. */
  destroy(): void {
    if (this.state === 'closed') return;
    this.close(new Error('Disconnects client'), false);
  }

  /** The network or the server dropped the connection (a reply in flight is lost). */
  reset(why: string): void {
    if (this.state === 'closed') return;
    this.server.trace(`reset ${this.name} ${why}`);
    this.close(new Error(`Socket closed unexpectedly (${why})`), true);
  }

  private close(error: Error, emitEnd: boolean): void {
    this.state = 'closed';
    this.server.connections.delete(this);
    this.process.connections.delete(this);
    for (const call of this.inFlight) {
      call.cleanup?.();
      call.cleanup = undefined;
      if (!call.settled) {
        call.settled = true;
        this.process.deliver(() => call.reject(error));
      }
    }
    this.inFlight.clear();
    for (const handle of this.wire) world.clearTimeout(handle);
    this.wire.clear();
    if (emitEnd)
      this.process.deliver(() => {
        for (const listener of this.listeners.get('error') ?? []) listener(error);
        for (const listener of this.listeners.get('end') ?? []) listener(error);
      });
  }

  /** Runs `fn` after `ms`, as a message on this connection's wire. */
  private send(fn: () => void, ms: number): void {
    const handle = world.setTimeout(() => {
      this.wire.delete(handle);
      fn();
    }, ms);
    this.wire.add(handle);
  }

  private toServer(): number {
    const at = Math.max(world.now() + this.server.latency(), this.lastToServer);
    this.lastToServer = at;
    return at - world.now();
  }

  private toClient(): number {
    const at = Math.max(world.now() + this.server.latency(), this.lastToClient);
    this.lastToClient = at;
    return at - world.now();
  }

  /** The command reaches the server (unless the connection dropped meanwhile) and runs. */
  private arrive(call: InFlight): void {
    if (call.settled || this.state !== 'open') return;
    const result = this.server.model.execute(call.args);
    this.server.trace(`exec ${this.name} ${describe(call.args)} -> ${summary(result)}`);
    if (!isBlocked(result)) {
      this.reply(call, result);
      return;
    }
    // A blocking read: answered by the first write that gives it something, or its timeout.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stop = this.server.model.onWrite((event) => {
      if (!event.keys.includes(result.key)) return;
      const reply = result.retry();
      if (reply === undefined) return;
      finish();
      this.server.trace(`unblock ${this.name} -> ${summary(reply)}`);
      this.reply(call, reply);
    });
    const finish = () => {
      stop();
      if (timer !== undefined) world.clearTimeout(timer);
      call.cleanup = undefined;
    };
    call.cleanup = finish;
    if (result.ms > 0)
      timer = world.setTimeout(() => {
        finish();
        this.reply(call, result.timeout);
      }, result.ms);
  }

  private reply(call: InFlight, reply: Reply): void {
    this.send(() => {
      if (call.settled || this.state !== 'open') return;
      call.settled = true;
      this.inFlight.delete(call);
      let value: ClientReply;
      try {
        value = toClientReply(reply);
      } catch (error) {
        this.process.deliver(() => call.reject(error as SimpleError));
        return;
      }
      this.process.deliver(() => call.resolve(value));
    }, this.toClient());
  }
}

function describe(args: readonly string[]): string {
  const name = (args[0] ?? '').toUpperCase();
  if (name === 'EVALSHA' || name === 'EVAL') {
    // The script by its first keys and token: enough to replay, short enough to print.
    const n = Number(args[2]);
    return `${name} ${args.slice(3, 3 + n).join(' ')} ${args.slice(3 + n, 6 + n).join(' ')} (+${Math.max(0, args.length - 6 - n)})`;
  }
  return args.join(' ').slice(0, 160);
}

/** A short, deterministic description of a reply for the trace. */
function summary(reply: Reply | ReturnType<RedisModel['execute']>): string {
  if (isBlocked(reply)) return 'blocked';
  if (reply instanceof ErrorReply) return `ERR(${reply.message.slice(0, 60)})`;
  if (Array.isArray(reply)) return `[${reply.length}:${summary(reply[0] ?? null)}]`;
  if (typeof reply === 'object' && reply !== null) return reply.value;
  return String(reply).slice(0, 60);
}
