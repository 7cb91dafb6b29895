/**
 * The SDK world: a sandbox core behind SimNet, a workload of several users and accounts placing,
 * replacing, cancelling and listing orders, subscribing to the brokerage stream, opening live
 * stores, while prices move and faults fire; invariants after every step, liveness after a heal.
 */
import { isDeepStrictEqual } from 'node:util';
import { ConnectTrade, type ConnectTradeUser, type LiveStore, OrderOutcomeUnknownError } from '../../../src';
import type { Clock } from '../../../src/core/clock';
import { createSandboxCore, type SandboxCore } from '../../../src/sandbox/core/world';
import { authorizeConnection } from '../../../src/sandbox/http/handlers-platform';
import { quoteOf } from '../../../src/sandbox/market-data';
import type { BrokerageStream } from '../../../src/streams/brokerage-stream';
import type { Order } from '../../../src/types';
import type { SimRunOptions, SimRunResult, SimScenario, SimViolation } from '../scenario';
import { MarketDataClient } from './market-data-client';
import { Rng } from './rng';
import { drawFaultPlan, SimNet } from './sim-net';
import { Trace } from './trace';
import { armTripwires, handlesLeftAfter, realHandles } from './tripwires';
import { installVirtualClock, type VirtualClock } from './virtual-time';

const USERS = 2;
const STEPS = 18;
const HEAL_MS = 90_000;
const SYMBOLS = ['AAPL', 'MSFT'];
/**
 * A brokerage gap (sent on reconnect, before the subscriptions are replayed) covers the updates
 * published until the replay reaches the server: a few deliveries of at most 20 ms each.
 */
const GAP_COVERS_MS = 1_000;

/** A run's failure that stops it at once. */
class Stop extends Error {
  constructor(readonly violation: SimViolation) {
    super(violation.message);
  }
}

interface SimUser {
  user: ConnectTradeUser;
  userId: string;
  connectionIds: string[];
  accounts: { account_id: string; broker: string }[];
}

/** What a subscriber saw: the last version of each order, and the virtual times of its gaps. */
interface Subscriber {
  name: string;
  since: number;
  last: Map<string, Order>;
  gaps: number[];
  stop(): Promise<void> | void;
  open: boolean;
  /** The subscribe call ended (resolved or rejected). */
  settled: boolean;
}

interface CreateCall {
  clOrderId: string;
  accountId: string;
  shared: boolean;
  outcome?: 'order' | 'unknown' | 'definite' | 'untyped';
  /** The "maybe placed" error, for `orders.reconcile`. */
  unknown?: OrderOutcomeUnknownError;
  settled: boolean;
}

/** A clock over the installed fake timers, for the SDK's `clock` option. */
function clockOf(virtual: VirtualClock): Clock {
  return {
    now: () => virtual.Date.now(),
    monotonicNow: () => virtual.performance.now(),
    setTimeout: (fn, ms) => virtual.setTimeout(fn, ms),
    clearTimeout: (handle) => virtual.clearTimeout(handle as never),
  };
}

/** When the next timer is due (virtual ms), or undefined when none is armed. */
function nextDue(virtual: VirtualClock): number | undefined {
  let due: number | undefined;
  const timers = (virtual as unknown as { timers?: Map<number, { callAt: number }> }).timers;
  for (const timer of timers?.values() ?? []) if (due === undefined || timer.callAt < due) due = timer.callAt;
  return due;
}

let warmed = false;

/**
 * Runs one seed of the SDK world to the end. The first call in a process runs a throwaway seed
 * first (and loads what it may not have): the SDK loads some modules lazily, and a first load
 * takes real I/O, which would make the first seed's interleaving depend on the disk (seed 2000 run
 * first in a process once left timers behind this way).
 */
export async function runSdkSeed(seed: number, options: SimRunOptions = {}): Promise<SimRunResult> {
  if (!warmed) {
    warmed = true;
    await runSeed(0, options);
    // Loaded on first use (a market-data request, a failed credential fetch, a frame failing its
    // schema), which the throwaway seed may not meet.
    await import('../../../src/streams/protocol/market-data-requests');
    await import('../../../src/streams/credential-failure');
    await import('../../../src/internal/schema-validator');
  }
  return runSeed(seed, options);
}

async function runSeed(seed: number, options: SimRunOptions = {}): Promise<SimRunResult> {
  const budget = options.eventBudget ?? 200_000;
  const rng = new Rng(seed);
  const plan = drawFaultPlan(rng.fork(1));
  const handlesBefore = realHandles();
  const virtual = installVirtualClock();
  const trace = new Trace(() => virtual.now);
  const violations: SimViolation[] = [];
  const violate = (invariant: string, message: string) => {
    if (violations.some((v) => v.invariant === invariant)) return;
    violations.push({ invariant, message });
    trace.add(`VIOLATION ${invariant}: ${message}`);
  };
  const unhandled = (reason: unknown) =>
    violate('no-unhandled-rejection', String((reason as Error)?.stack ?? reason));
  process.on('unhandledRejection', unhandled);
  const disarm = armTripwires();
  let net: SimNet | undefined;
  let world: World | undefined;
  try {
    const core = createSandboxCore({
      seed,
      randomBytes: (n) => rng.bytes(n),
      symbols: { AAPL: '190.00', MSFT: '420.00' },
      logger: {},
    });
    core.setBaseUrl(() => 'http://sandbox.sim');
    net = new SimNet(core, rng.fork(2), plan, trace);
    world = new World(core, net, rng.fork(3), trace, virtual, violate);
    await world.run(budget);
    for (const v of net.violations) violate(v.invariant, v.message);
  } catch (error) {
    if (error instanceof Stop) violate(error.violation.invariant, error.violation.message);
    else violate('harness', String((error as Error)?.stack ?? error));
  } finally {
    disarm();
    process.off('unhandledRejection', unhandled);
    const left = virtual.countTimers();
    virtual.uninstall();
    if (world?.closed && left > 0) violate('no-leak', `${left} timers left after close`);
    const leaked = await handlesLeftAfter(handlesBefore);
    if (leaked.length > 0) violate('no-real-handle', `real handles opened: ${leaked.join(', ')}`);
  }
  return {
    scenario: 'sdk',
    seed,
    violations,
    traceHash: trace.digest(),
    traceTail: trace.last(),
    faults: { ...(net?.faults ?? {}) },
    faultPlan: plan,
    events: trace.events,
  };
}

class World {
  private readonly ct: ConnectTrade;
  private readonly users: SimUser[] = [];
  private stream: BrokerageStream | undefined;
  private md: MarketDataClient | undefined;
  private readonly mdRng: Rng;
  private readonly subscribers: Subscriber[] = [];
  private readonly lives: { store: LiveStore; userIndex: number }[] = [];
  private readonly creates: CreateCall[] = [];
  private readonly work = new Set<Promise<unknown>>();
  private idCounter = 0;
  private streamSeq = new Map<string, number>();
  private pendingGapFrom = new Map<string, number>();
  closed = false;

  constructor(
    private readonly core: SandboxCore,
    private readonly net: SimNet,
    private readonly rng: Rng,
    private readonly trace: Trace,
    private readonly virtual: VirtualClock,
    private readonly violate: (invariant: string, message: string) => void,
  ) {
    const jitter = rng.fork(4);
    this.mdRng = rng.fork(5);
    this.ct = new ConnectTrade({
      ...core.credentials,
      baseUrl: 'http://sandbox.sim',
      streamUrl: 'ws://sandbox.sim/stream',
      fetch: net.fetch,
      timeout: 10_000,
      maxRetries: 3,
      clock: clockOf(virtual),
      random: () => jitter.float(),
      idGenerator: () => `sim_${++this.idCounter}`,
    });
  }

  /** Runs the timers until `until()` or the budget ends. */
  private async advance(ms: number, budget: number): Promise<void> {
    const end = this.virtual.now + ms;
    while (this.virtual.now < end) {
      if (this.trace.events > budget)
        throw new Stop({ invariant: 'liveness', message: `event budget ${budget} exhausted` });
      const due = nextDue(this.virtual);
      if (due !== undefined && due <= end) this.virtual.next();
      else this.virtual.tick(end - this.virtual.now);
      // Let promise chains settle between two timers (microtasks only: nothing real is pending).
      await flush();
      if (this.virtual.now > end) break;
    }
  }

  async run(budget: number): Promise<void> {
    this.net.faultsOn = false;
    await this.settle(this.setup(), budget, 'setup');
    this.net.faultsOn = true;
    for (let step = 0; step < STEPS; step++) {
      this.step(step);
      await this.advance(this.rng.int(5, 400), budget);
      this.checkSafety();
    }
    // Heal: faults off, virtual minutes pass, every wait must end.
    this.net.faultsOn = false;
    this.trace.add('heal');
    await this.advance(HEAL_MS, budget);
    if (this.work.size > 0)
      this.violate('liveness', `${this.work.size} calls still pending after ${HEAL_MS} ms of healing`);
    // Probe: a tick and one order per account after every gap: each open subscription must see them.
    await this.settle(this.probe(), budget, 'probe');
    await this.advance(5_000, budget);
    this.checkSafety();
    await this.settle(this.checkLiveness(), budget, 'liveness checks');
    await this.settle(this.close(), budget, 'close');
    await this.advance(60_000, budget);
    this.closed = true;
  }

  /** Runs `task` while advancing time until it ends (bounded). */
  private async settle<T>(task: Promise<T>, budget: number, what: string): Promise<T> {
    let done = false;
    let failure: unknown;
    let value: T | undefined;
    task.then(
      (v) => {
        done = true;
        value = v;
      },
      (e) => {
        done = true;
        failure = e;
      },
    );
    for (let i = 0; i < 600 && !done; i++) await this.advance(1_000, budget);
    if (!done) throw new Stop({ invariant: 'liveness', message: `${what} never ended` });
    if (failure) throw failure;
    return value as T;
  }

  private async setup(): Promise<void> {
    for (let i = 0; i < USERS; i++) {
      const userId = `user_${i}`;
      const { user_secret } = await this.ct.users.create({ user_id: userId });
      const user = this.ct.forUser({ userId, userSecret: user_secret });
      const accounts: SimUser['accounts'] = [];
      const connectionIds: string[] = [];
      for (let c = 0; c < 1 + (i % 2); c++) {
        const { connection_id } = await user.connections.create({
          type: 'trade',
          redirect_url: 'https://app.sim/cb',
        });
        authorizeConnection(this.core.ctx, connection_id as string);
        connectionIds.push(connection_id as string);
      }
      for (const a of await user.accounts.list())
        accounts.push({ account_id: a.account_id, broker: a.broker });
      this.users.push({ user, userId, accounts, connectionIds });
    }
    const first = this.users[0] as SimUser;
    this.md = new MarketDataClient(
      first.user.marketData(first.connectionIds[0] as string, {
        url: 'ws://sandbox.sim/mdstream',
        WebSocket: this.net.WebSocket,
        heartbeatTimeout: 35_000,
      }),
      {
        rng: this.mdRng,
        trace: this.trace,
        symbols: SYMBOLS,
        violate: this.violate,
        track: (what, task, background) => this.track(what, task, background),
        serverQuote: (symbol) => quoteOf(this.core.marketData.feed, symbol, 0),
      },
    );
    const md = this.md;
    this.net.onDelivered = (url, text) => md.delivered(url, text);
    await this.md.stream.connect();
    this.stream = this.ct.stream({ WebSocket: this.net.WebSocket, heartbeatTimeout: 35_000 });
    this.watchSeqs(this.stream);
    await this.stream.connect();
  }

  /** Delivered seqs strictly increase per session, and every skipped one was announced by a gap. */
  private watchSeqs(stream: BrokerageStream): void {
    let current = '';
    stream.on('authenticated', (info) => {
      current = info.session_id;
    });
    stream.on('gap', (info) => {
      this.trace.add(`gap ${info.reason} from ${info.from ?? '?'}`);
      for (const s of this.subscribers) s.gaps.push(this.virtual.now);
      this.pendingGapFrom.set(current, info.from ?? 0);
    });
    stream.on('update', (message) => {
      const meta = { seq: message.seq as number };
      const session = current;
      const last = this.streamSeq.get(session) ?? 0;
      if (meta.seq <= last)
        this.violate('seq-increasing', `session ${session}: seq ${meta.seq} delivered after ${last}`);
      else if (meta.seq > last + 1 && last > 0 && !this.gapCovers(last + 1))
        this.violate(
          'seq-gap-announced',
          `session ${session}: seq ${last} -> ${meta.seq} without a gap event`,
        );
      this.streamSeq.set(session, Math.max(last, meta.seq));
      this.pendingGapFrom.clear();
    });
  }

  private gapCovers(from: number): boolean {
    for (const start of this.pendingGapFrom.values()) if (start <= from) return true;
    return false;
  }

  private track<T>(what: string, task: Promise<T>, background = false): void {
    const p = task.then(
      () => this.trace.add(`done ${what}`),
      (error: Error) => this.trace.add(`failed ${what}: ${error?.name}`),
    );
    if (background) return;
    this.work.add(p);
    void p.finally(() => this.work.delete(p));
  }

  private step(step: number): void {
    const pick = this.rng.int(0, 99);
    const u = this.rng.pick(this.users);
    const account = this.rng.pick(u.accounts);
    this.trace.add(`step ${step} action ${pick} ${u.userId}`);
    if (this.net.draw('restart')) this.net.restart();
    if (this.net.draw('skip_seq')) for (const s of this.core.brokerage.sessions) s.gap(1);
    if (this.net.draw('token_expiry')) this.core.marketData.expireTokens(undefined);
    if (pick < 35) {
      const concurrent = this.rng.chance(0.25);
      const same = concurrent && this.rng.chance(0.5);
      const clOrderId = this.rng.chance(0.5) ? `c${step}_${this.rng.int(0, 1e6)}` : undefined;
      const sharedId = `shared_${step}_${this.rng.int(0, 1e6)}`;
      const n = concurrent ? 2 : 1;
      for (let i = 0; i < n; i++)
        this.create(u, account, same ? sharedId : i === 0 ? clOrderId : undefined, same);
    } else if (pick < 45) {
      const mine = this.serverOrders(account.account_id);
      if (mine.length > 0)
        this.track('cancel', u.user.orders.cancel(account.account_id, this.rng.pick(mine).order_id));
    } else if (pick < 55) {
      const open = this.serverOrders(account.account_id).filter(
        (o) => o.status === 'working' || o.status === 'pending',
      );
      if (open.length > 0) {
        const order = this.rng.pick(open);
        this.track(
          'replace',
          u.user.orders.replace(account.account_id, order.order_id, {
            order_qty: String(this.rng.int(1, 20)),
          } as never),
        );
      }
    } else if (pick < 65) {
      this.track('list', listAll(u.user, account.account_id, this.rng.int(1, 4)));
    } else if (pick < 80) {
      for (let i = 0; i < this.rng.int(1, 3); i++) this.core.feed.tick();
      this.trace.add('prices moved');
    } else if (pick < 88) {
      this.toggleSubscriber();
    } else {
      this.toggleLive(this.users.indexOf(u));
    }
    // Market data on its own draw: a quote subscription opened or closed now and then.
    if (this.mdRng.chance(0.2)) this.md?.toggle();
  }

  /** After the heal: prices move once and every account places one market order. */
  private async probe(): Promise<void> {
    this.core.feed.tick();
    this.trace.add('probe tick');
    for (const u of this.users)
      for (const a of u.accounts)
        await u.user.orders.create({
          account_id: a.account_id,
          broker: a.broker,
          side: 'BUY',
          order_type: 'MKT',
          order_tif: 'DAY',
          instrument: 'EQ',
          symbol: SYMBOLS[0] as string,
          order_qty: '1',
        } as never);
  }

  private create(
    u: SimUser,
    account: SimUser['accounts'][number],
    clOrderId: string | undefined,
    shared: boolean,
  ): void {
    const symbol = this.rng.pick(SYMBOLS);
    const market = Number(this.core.feed.price(symbol));
    const limit = this.rng.chance(0.5);
    const request = {
      account_id: account.account_id,
      broker: account.broker,
      side: this.rng.pick(['BUY', 'SELL'] as const),
      order_type: limit ? 'LMT' : 'MKT',
      order_tif: 'DAY',
      instrument: 'EQ',
      symbol,
      order_qty: String(this.rng.int(1, 5)),
      ...(limit ? { order_limit_price: (market * (0.98 + this.rng.float() * 0.04)).toFixed(2) } : {}),
      ...(clOrderId ? { cl_order_id: clOrderId } : {}),
    } as never;
    const call: CreateCall = {
      clOrderId: clOrderId ?? '',
      accountId: account.account_id,
      shared,
      settled: false,
    };
    this.creates.push(call);
    const task = u.user.orders.create(request).then(
      (order) => {
        call.settled = true;
        call.clOrderId = order.cl_order_id;
        call.outcome = 'order';
      },
      (error: { clOrderId?: unknown; name?: string }) => {
        call.settled = true;
        if (typeof error?.clOrderId !== 'string' || error.clOrderId === '') {
          call.outcome = 'untyped';
          this.violate(
            'create-outcome-typed',
            `orders.create failed with ${error?.name} carrying no clOrderId: ${(error as Error)?.message}`,
          );
          return;
        }
        call.clOrderId = error.clOrderId;
        call.outcome = error instanceof OrderOutcomeUnknownError ? 'unknown' : 'definite';
        if (error instanceof OrderOutcomeUnknownError) call.unknown = error;
      },
    );
    this.track(`create ${clOrderId ?? '(generated)'}`, task);
  }

  private toggleSubscriber(): void {
    const stream = this.stream;
    if (!stream) return;
    const open = this.subscribers.filter((s) => s.open);
    if (open.length > 0 && this.rng.chance(0.4)) {
      const s = this.rng.pick(open);
      s.open = false;
      this.trace.add(`unsubscribe ${s.name}`);
      this.track('unsubscribe', Promise.resolve(s.stop()));
      return;
    }
    const name = `sub${this.subscribers.length}`;
    const iterator = this.rng.chance(0.5);
    const s: Subscriber = {
      name,
      since: Number.POSITIVE_INFINITY,
      last: new Map(),
      gaps: [],
      open: true,
      settled: false,
      stop: () => {},
    };
    this.subscribers.push(s);
    this.trace.add(`subscribe ${name} ${iterator ? 'iterator' : 'listener'}`);
    // Refused, or the stream ended while waiting: not an open subscription.
    const refused = (error: unknown) => {
      s.settled = true;
      s.open = false;
      throw error;
    };
    if (iterator) {
      // An iterator reads what the stream receives: it needs a subscription of its own too.
      const it = stream.updates({ topics: ['orders'] });
      s.stop = async () => {
        await it.return?.();
      };
      this.track(
        `subscribe ${name}`,
        stream.subscribe(['orders']).then((sub) => {
          s.settled = true;
          s.since = this.virtual.now;
          s.stop = async () => {
            await it.return?.();
            await sub.unsubscribe();
          };
          if (!s.open) return s.stop();
        }, refused),
      );
      this.track(
        `iterate ${name}`,
        (async () => {
          for await (const message of it) {
            if (message.action === 'order_update')
              s.last.set((message.data as Order).order_id, message.data as Order);
          }
        })(),
        true,
      );
    } else {
      const listener = (order: Order) => {
        if (s.since !== Number.POSITIVE_INFINITY) s.last.set(order.order_id, order);
      };
      stream.on('order_update', listener);
      const subscribing = stream.subscribe(['orders']).then((sub) => {
        s.settled = true;
        s.since = this.virtual.now;
        s.stop = async () => {
          stream.off('order_update', listener);
          await sub.unsubscribe();
        };
        if (!s.open) return s.stop();
      }, refused);
      this.track(`subscribe ${name}`, subscribing);
    }
  }

  private toggleLive(userIndex: number): void {
    const open = this.lives.filter((l) => l.userIndex === userIndex);
    const u = this.users[userIndex] as SimUser;
    if (open.length > 0 && this.rng.chance(0.5)) {
      const entry = open[0] as (typeof open)[number];
      this.lives.splice(this.lives.indexOf(entry), 1);
      this.trace.add(`live close ${u.userId}`);
      this.track('live close', entry.store.close());
      return;
    }
    this.trace.add(`live open ${u.userId}`);
    this.track(
      'live open',
      u.user.live({ stream: this.stream, account_ids: u.accounts.map((a) => a.account_id) }).then((store) => {
        store.on('error', () => {});
        if (this.closed) return store.close();
        this.lives.push({ store, userIndex });
      }),
    );
  }

  /** At most one server order per (account, cl_order_id). */
  private checkSafety(): void {
    const seen = new Map<string, string>();
    for (const { order: o } of this.core.state.orders.values()) {
      const key = `${o.account_id}|${o.cl_order_id}`;
      const other = seen.get(key);
      if (other)
        this.violate(
          'one-order-per-cl-order-id',
          `orders ${other} and ${o.order_id} share cl_order_id ${o.cl_order_id}`,
        );
      seen.set(key, o.order_id);
    }
  }

  private serverOrder(accountId: string, clOrderId: string): Order | undefined {
    return this.serverOrders(accountId).find((o) => o.cl_order_id === clOrderId);
  }

  private serverOrders(accountId: string): Order[] {
    return [...this.core.state.orders.values()]
      .map((r) => r.order as Order)
      .filter((o) => o.account_id === accountId);
  }

  private async checkLiveness(): Promise<void> {
    // Every create ended; a definite failure left no order (unless another create shared its id).
    for (const call of this.creates) {
      if (!call.settled) {
        this.violate('every-wait-ends', `orders.create ${call.clOrderId || '(generated)'} never settled`);
        continue;
      }
      const held = this.serverOrder(call.accountId, call.clOrderId);
      const placed = held !== undefined;
      if (call.outcome === 'definite' && placed && !call.shared)
        this.violate(
          'create-outcome',
          `orders.create ${call.clOrderId} failed definitely, yet the server holds the order`,
        );
      if (call.unknown) {
        // "Maybe placed": orders.reconcile, given the error itself, finds the order exactly when the server holds it.
        const u = this.users.find((x) => x.accounts.some((a) => a.account_id === call.accountId)) as SimUser;
        const found = await u.user.orders.reconcile(call.unknown);
        this.trace.add(
          `reconcile ${call.clOrderId}: ${found?.order_id ?? 'null'} (server ${held?.order_id ?? 'none'})`,
        );
        if (found?.order_id !== held?.order_id)
          this.violate(
            'maybe-placed-found',
            `order ${call.clOrderId} (outcome unknown): orders.reconcile gave ${found?.order_id ?? 'null'}, the server holds ${held?.order_id ?? 'none'}`,
          );
      }
    }
    // Every subscribe call ended (one the app gave up on meanwhile included): unanswered, it never became a subscription.
    for (const s of this.subscribers.filter((x) => !x.settled))
      this.violate('subscription-complete', `subscribe of ${s.name} never confirmed after the heal`);
    // Every open subscriber saw the last version of every order changed since it subscribed, or a
    // gap covering that change (a gap covers what happened before it, and until the replay).
    for (const s of this.subscribers.filter((x) => x.open && x.since !== Number.POSITIVE_INFINITY)) {
      for (const { order: o } of this.core.state.orders.values()) {
        const seen = s.last.get(o.order_id);
        const fresh = await this.restOrder(o.order_id);
        if (!fresh) continue;
        const updated = Date.parse(fresh.updated_at ?? fresh.created_at ?? '');
        if (updated < s.since) continue;
        if (seen && seen.status === fresh.status && seen.filled_qty === fresh.filled_qty) continue;
        if (s.gaps.some((t) => t >= s.since && updated <= t + GAP_COVERS_MS)) continue;
        this.violate(
          'subscription-complete',
          `${s.name} last saw ${o.order_id} as ${seen?.status ?? 'nothing'}/${seen?.filled_qty ?? '-'}, the server has ${fresh.status}/${fresh.filled_qty}`,
        );
      }
    }
    this.md?.checkLiveness();
    // Every open live store equals a fresh REST snapshot.
    for (const { store, userIndex } of this.lives) {
      const u = this.users[userIndex] as SimUser;
      const fromRest: Record<string, string> = {};
      for (const a of u.accounts)
        for (const o of await listAll(u.user, a.account_id))
          fromRest[o.order_id] = `${o.status}/${o.filled_qty}`;
      const fromStore: Record<string, string> = {};
      for (const o of store.orders) fromStore[o.order_id] = `${o.status}/${o.filled_qty}`;
      if (!isDeepStrictEqual(fromStore, fromRest))
        this.violate(
          'live-equals-rest',
          `live store of ${u.userId} differs from REST: ${diff(fromStore, fromRest)}`,
        );
    }
  }

  private restOrders = new Map<string, Order>();
  private async restOrder(orderId: string): Promise<Order | undefined> {
    if (this.restOrders.size === 0)
      for (const u of this.users)
        for (const a of u.accounts)
          for (const o of await listAll(u.user, a.account_id)) this.restOrders.set(o.order_id, o);
    return this.restOrders.get(orderId);
  }

  private async close(): Promise<void> {
    for (const s of this.subscribers) if (s.open) await s.stop();
    for (const { store } of this.lives) await store.close();
    await this.md?.close();
    await this.stream?.close();
  }
}

/** Every order of an account (any status, walking every page). */
async function listAll(user: ConnectTradeUser, accountId: string, limit = 500): Promise<Order[]> {
  const out: Order[] = [];
  for await (const order of user.orders.list({ account_id: accountId, status: 'all', limit }))
    out.push(order);
  return out;
}

function diff(a: Record<string, string>, b: Record<string, string>): string {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => a[k] !== b[k]);
  return keys
    .slice(0, 5)
    .map((k) => `${k}: store ${a[k] ?? 'missing'} vs rest ${b[k] ?? 'missing'}`)
    .join('; ');
}

// Captured before any run fakes it: a real turn of the event loop drains every promise chain.
const realSetImmediate = globalThis.setImmediate;

/** Lets every queued promise reaction (and nextTick) run: nothing real is pending inside a run. */
function flush(): Promise<void> {
  return new Promise((resolve) => realSetImmediate(resolve));
}

export const sdkScenario: SimScenario = { name: 'sdk', run: runSdkSeed };
