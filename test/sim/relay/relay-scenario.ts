/**
 * The relay simulation (issue 21, the relay part), a scenario of test/sim/scenario.ts. One seed:
 * - a seeded upstream feed publishes seqs; 2-4 relays (`startRelay`, leader election by the lease
 *   and its fencing token) relay it into the simulated Redis (redis-model.ts, running the relay's
 *   own Lua scripts) over simulated connections (sim-net.ts);
 * - consumers read it: `relayStream`s (from `earliest`) and consumer groups of two `relayGroup`
 *   members each;
 * - seeded faults: kill a relay (and maybe start it again), pause one past its lease then resume
 *   it, a Redis failover that loses the last k acknowledged writes (and refuses connections a
 *   while), a dropped connection, a latency spike;
 * - then a heal phase (faults off, every pause over, a relay alive), a last few seqs published,
 *   and everything closed.
 * Virtual time: @sinonjs/fake-timers with an explicit `toFake` list (never nextTick or
 * queueMicrotask); between two timers the real event loop drains every promise (one real
 * `setImmediate`), so the run is deterministic: the same seed gives the same trace hash.
 *
 * Invariants (named as in issue 21):
 * - `relay-fence`: no write from a holder whose lease has ended is accepted (checked on every XADD
 *   a script runs, against the model's lease and fence keys, independently of the script);
 * - `relay-order`: a relayStream delivers seqs in increasing order;
 * - `relay-delivery`: after heal, every published seq reached every relayStream and every consumer
 *   group (after dedupe on the idempotency key), or a gap covering it: for a relayStream a gap
 *   event between its neighbours in arrival order; for a group a handled gap entry between its
 *   neighbours' entry ids (an entry a failover took away does not bound it);
 * - `nondeterminism`: `Math.random` was called, or code of src/relay called a global timer or
 *   `Date.now` instead of the clock it was given (every relay and consumer gets a process's clock);
 * - `unhandled-rejection`, `uncaught-exception`;
 * - `liveness`: the event budget (or the heal phase's virtual deadline) ran out;
 * - `open-handles`: after close, a timer or connection is left.
 */
import { createHash } from 'node:crypto';
import FakeTimers from '@sinonjs/fake-timers';
import type * as RelayApi from '../../../src/relay';
import { relayKeys } from '../../../src/relay/keys';
import type { SimRunOptions, SimRunResult, SimScenario, SimViolation } from '../scenario';
import { Prng } from './prng';
import { RedisModel } from './redis-model';
import { SimProcess, SimServer, world } from './sim-net';
import { SimUpstream } from './sim-upstream';

/** The relay's public functions (the real ones, or a mutant copy's for the mutation test). */
export type RelayModule = Pick<typeof RelayApi, 'startRelay' | 'relayStream' | 'relayGroup'>;

const KEY = 'sim';
/** The relay's Redis keys under KEY (hash-tagged: `{relay:sim}:lease` …). */
const KEYS = relayKeys(KEY);
const START = 1_765_000_000_000;
const TO_FAKE: FakeTimers.FakeMethod[] = [
  'setTimeout',
  'clearTimeout',
  'setImmediate',
  'clearImmediate',
  'setInterval',
  'clearInterval',
  'Date',
];

/** One fault of the plan. */
export type PlannedFault =
  | { at: number; kind: 'kill_relay'; relay: number; restartAfter: number | undefined }
  | { at: number; kind: 'pause_relay'; relay: number; forMs: number }
  | { at: number; kind: 'failover'; lose: number; downMs: number }
  | { at: number; kind: 'conn_reset'; pick: number }
  | { at: number; kind: 'latency_spike'; forMs: number };

/** The seeded plan of one run (printable). */
export interface RelayFaultPlan {
  relays: number;
  streams: number;
  groups: number;
  ttlMs: number;
  claimIdleMs: number;
  maxLatencyMs: number;
  publishEveryMs: number;
  faultPhaseMs: number;
  faults: PlannedFault[];
  /**
   * Replication-aware writes (main's `replication` option): the model has one replica, the relays
   * WAIT for it after each append; during a lag the replica acknowledges nothing (WAIT times out,
   * the batch is kept and sent again). Undefined: no replica, no WAIT (the relay's default on a
   * plain client).
   */
  replication?: { timeoutMs: number; lags: { at: number; forMs: number }[] };
  /**
   * A short retention (the relays' `retention.maxLen`, trimmed `~` by whole stream nodes of
   * `nodeMaxEntries`): consumers that lag lose entries to trimming and must be told (a gap).
   * Undefined: the default retention (nothing is trimmed in a run).
   */
  retention?: { maxLen: number; nodeMaxEntries: number };
}

export function makePlan(r: Prng): RelayFaultPlan {
  const ttlMs = r.pick([300, 600, 1_000, 2_000]);
  const faultPhaseMs = r.int(2_000, 6_000);
  const faults: PlannedFault[] = [];
  const count = r.int(1, 7);
  const relays = r.int(2, 4);
  for (let i = 0; i < count; i++) {
    const at = r.int(200, faultPhaseMs - 100);
    const kind = r.pick([
      'kill_relay',
      'pause_relay',
      'pause_relay',
      'failover',
      'failover',
      'conn_reset',
      'latency_spike',
    ] as const);
    if (kind === 'kill_relay')
      faults.push({
        at,
        kind,
        relay: r.int(1, relays),
        restartAfter: r.chance(0.6) ? r.int(100, 3_000) : undefined,
      });
    else if (kind === 'pause_relay')
      faults.push({ at, kind, relay: r.int(1, relays), forMs: r.int(Math.floor(ttlMs / 2), ttlMs * 3) });
    else if (kind === 'failover')
      faults.push({ at, kind, lose: r.int(1, 6), downMs: r.chance(0.5) ? 0 : r.int(10, 1_500) });
    else if (kind === 'conn_reset') faults.push({ at, kind, pick: r.int(0, 1_000) });
    else faults.push({ at, kind, forMs: r.int(100, 2_000) });
  }
  faults.sort((a, b) => a.at - b.at);
  return {
    relays,
    streams: r.int(1, 2),
    groups: r.int(1, 2),
    ttlMs,
    claimIdleMs: r.pick([200, 1_000, 3_000]),
    maxLatencyMs: r.pick([1, 3, 10, 30]),
    publishEveryMs: r.pick([20, 60, 150]),
    faultPhaseMs,
    faults,
  };
}

/**
 * The replication part of a plan, from its own generator (seeded from the seed, not drawn from
 * the plan's): the plans of earlier seeds (regressions.json) stay as they were.
 */
export function makeReplication(r: Prng, faultPhaseMs: number): RelayFaultPlan['replication'] {
  if (!r.chance(0.5)) return undefined;
  const lags: { at: number; forMs: number }[] = [];
  for (let i = r.int(0, 3); i > 0; i--)
    lags.push({ at: r.int(200, faultPhaseMs - 100), forMs: r.int(20, 1_500) });
  lags.sort((a, b) => a.at - b.at);
  return { timeoutMs: r.pick([50, 200, 1_000]), lags };
}

/** The retention part of a plan, from its own generator (earlier seeds keep their plans). */
export function makeRetention(r: Prng): RelayFaultPlan['retention'] {
  if (!r.chance(0.3)) return undefined;
  return { maxLen: r.int(5, 80), nodeMaxEntries: r.pick([2, 5, 10, 100]) };
}

type StreamEvent = { seq: number } | { gap: true };

interface GroupRecord {
  /** Delivered seqs (deduped on the idempotency key) with their entry ids. */
  delivered: Map<number, string>;
  keys: Set<string>;
  gaps: string[];
}

/** Source files of the relay (this checkout's, or a mutant copy's). */
const RELAY_SOURCE = /[\\/]src[\\/]relay[\\/][^\\/]+\.ts$/;

/** The file of the code that called a wrapped global (frames: bypass, the wrapper, that code). */
function callerFile(): string | undefined {
  const prepare = Error.prepareStackTrace;
  const limit = Error.stackTraceLimit;
  Error.prepareStackTrace = (_, sites) => sites;
  Error.stackTraceLimit = 3;
  const holder: { stack?: unknown } = {};
  Error.captureStackTrace(holder, callerFile);
  const sites = holder.stack as NodeJS.CallSite[] | undefined;
  Error.prepareStackTrace = prepare;
  Error.stackTraceLimit = limit;
  return sites?.[2]?.getFileName() ?? undefined;
}

/** Compares two stream entry ids. */
function compareIds(a: string, b: string): number {
  const [am, as] = idParts(a);
  const [bm, bs] = idParts(b);
  return am !== bm ? am - bm : as - bs;
}

/** `ms-seq` as numbers (a part that is missing counts as 0). */
function idParts(id: string): [number, number] {
  const dash = id.indexOf('-');
  if (dash < 0) return [Number(id), 0];
  return [Number(id.slice(0, dash)), Number(id.slice(dash + 1))];
}

/** A relay scenario over the given relay module (default: this checkout's src/relay). */
export function createRelayScenario(options: { load?: () => RelayModule; name?: string } = {}): SimScenario {
  const load = options.load ?? (() => require('../../../src/relay') as RelayModule);
  return {
    name: options.name ?? 'relay',
    run: (seed, runOptions) => runRelaySeed(load(), seed, runOptions),
  };
}

async function runRelaySeed(
  api: RelayModule,
  seed: number,
  runOptions: SimRunOptions = {},
): Promise<SimRunResult> {
  const budget = runOptions.eventBudget ?? 250_000;
  const root = new Prng(seed);
  const plan = makePlan(root.fork());
  const replication = makeReplication(new Prng(seed ^ 0x5eed_0f23), plan.faultPhaseMs);
  if (replication) plan.replication = replication;
  const retention = makeRetention(new Prng(seed ^ 0x7e7e_0a11));
  if (retention) plan.retention = retention;
  const net = root.fork();
  const hash = createHash('sha256');
  const tail: string[] = [];
  // The report keeps the last 500 events; RELAY_SIM_TRACE=all keeps all of them (debugging a seed).
  const keep = process.env.RELAY_SIM_TRACE === 'all' ? Number.POSITIVE_INFINITY : 500;
  const violations: SimViolation[] = [];
  const faults: Record<string, number> = {};
  let events = 0;

  const realSetImmediate = globalThis.setImmediate;
  const drain = () => new Promise<void>((resolve) => realSetImmediate(resolve));
  const clock = FakeTimers.withGlobal(globalThis).install({ now: START, toFake: TO_FAKE, loopLimit: budget });
  // The simulated world's own timers and time: the fake clock's, not the (watched) globals.
  const worldBefore = { ...world };
  world.now = () => clock.now;
  world.setTimeout = (fn, ms) => clock.setTimeout(fn, ms) as unknown as ReturnType<typeof setTimeout>;
  world.clearTimeout = (handle) => clock.clearTimeout(handle as unknown as FakeTimers.TimerId);
  const trace = (event: string) => {
    const line = `${world.now() - START} ${event}`;
    hash.update(`${line}\n`);
    tail.push(line);
    if (tail.length > keep) tail.shift();
    if (process.env.RELAY_SIM_TRACE === 'stderr') process.stderr.write(`${line}\n`);
  };
  const violate = (invariant: string, message: string) => {
    if (violations.some((v) => v.invariant === invariant)) return;
    violations.push({ invariant, message });
    trace(`VIOLATION ${invariant}: ${message}`);
  };
  const onUnhandled = (reason: unknown) =>
    violate(
      'unhandled-rejection',
      reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason),
    );
  process.on('unhandledRejection', onUnhandled);
  // Tripwires: the run must take no randomness but its seed's.
  const mathRandom = Math.random;
  Math.random = () => {
    violate('nondeterminism', 'Math.random was called during a run');
    return 0.5;
  };
  // Seams: the relay and its consumers take time and timers from the clock they were given (a
  // process's), never from the globals; a call from src/relay to a global timer or Date.now would
  // bypass pauses (and, outside a simulation, fake nothing).
  const bypass = (name: string) => {
    const file = callerFile();
    if (file !== undefined && RELAY_SOURCE.test(file))
      violate(
        'nondeterminism',
        `${file.slice(file.lastIndexOf('src'))} called the global ${name}, not its clock`,
      );
  };
  const seamGlobals = {
    setTimeout: globalThis.setTimeout,
    setInterval: globalThis.setInterval,
    now: Date.now,
  };
  globalThis.setTimeout = Object.assign((...args: Parameters<typeof setTimeout>) => {
    bypass('setTimeout');
    return seamGlobals.setTimeout(...args);
  }, seamGlobals.setTimeout) as typeof setTimeout;
  globalThis.setInterval = Object.assign((...args: Parameters<typeof setInterval>) => {
    bypass('setInterval');
    return seamGlobals.setInterval(...args);
  }, seamGlobals.setInterval) as typeof setInterval;
  Date.now = () => {
    bypass('Date.now');
    return seamGlobals.now.call(Date);
  };

  let spikeUntil = 0;
  const latency = () => (world.now() < spikeUntil ? net.int(50, 600) : net.int(1, plan.maxLatencyMs));
  const model = new RedisModel({
    now: () => world.now(),
    replicas: replication ? 1 : 0,
    ...(retention ? { nodeMaxEntries: retention.nodeMaxEntries } : {}),
  });
  const server = new SimServer(model, latency, trace);
  const upstream = new SimUpstream(latency, trace);

  // relay-fence: every XADD a script runs must come from the lease's current holder and fence.
  model.scriptObserver = (args, reply) => {
    if ((args[0] ?? '').toUpperCase() !== 'XADD' || typeof reply !== 'string') return;
    const fields = args.slice(3);
    const at = fields.indexOf('fence');
    const fence = at >= 0 ? fields[at + 1] : undefined;
    const lease = model.peekString(KEYS.lease);
    const current = model.peekString(KEYS.fence);
    if (fence === undefined || lease === undefined || !lease.endsWith(`:${fence}`) || current !== fence)
      violate(
        'relay-fence',
        `entry ${reply} written with fence ${fence} while the lease is ${lease ?? '(none)'} and the fence counter ${current}`,
      );
  };

  /** Entry ids a failover took away (a consumer may have read them before). */
  const lostIds = new Set<string>();
  const streamIds = (): string[] => {
    const reply = model.execute(['XRANGE', KEYS.stream, '-', '+']);
    return Array.isArray(reply) ? reply.map((e) => (Array.isArray(e) ? String(e[0]) : '')) : [];
  };
  const relayRandom = root.fork();
  const relays: { process: SimProcess; handle: RelayApi.RelayHandle }[] = [];
  const startRelayProcess = (n: number) => {
    const process = new SimProcess(`r${n}`);
    const handle = api.startRelay({
      client: upstream.clientFor(process),
      redis: server.client(process),
      key: KEY,
      id: `r${n}`,
      lease: { ttlMs: plan.ttlMs },
      clock: process.clock,
      random: () => relayRandom.next(),
      ...(replication ? { replication: { replicas: 1, timeoutMs: replication.timeoutMs } } : {}),
      ...(retention ? { retention: { maxLen: retention.maxLen } } : {}),
    });
    handle.on('error', (error) =>
      trace(`r${n} error ${(error as { code?: string }).code ?? ''} ${error.message.slice(0, 80)}`),
    );
    handle.on('role', (role, info) => trace(`r${n} role ${role} ${info.fence ?? ''}`));
    relays[n - 1] = { process, handle };
  };

  const app = new SimProcess('app');
  const consumerRandom = root.fork();
  const streams: { stream: RelayApi.RelayStream; events: StreamEvent[]; last: number }[] = [];
  const groups: GroupRecord[] = [];
  const members: RelayApi.RelayGroup[] = [];

  try {
    for (let n = 1; n <= plan.relays; n++) startRelayProcess(n);
    for (let i = 0; i < plan.streams; i++) {
      const stream = api.relayStream({
        redis: server.client(app),
        key: KEY,
        from: 'earliest',
        batchSize: consumerRandom.int(1, 50),
        clock: app.clock,
        random: () => consumerRandom.next(),
      });
      const record = { stream, events: [] as StreamEvent[], last: 0 };
      streams.push(record);
      stream.on('update', (message) => {
        trace(`stream${i} update ${message.seq}`);
        if (message.seq <= record.last)
          violate('relay-order', `relayStream ${i} delivered seq ${message.seq} after ${record.last}`);
        record.last = Math.max(record.last, message.seq);
        record.events.push({ seq: message.seq });
      });
      stream.on('gap', (info) => {
        trace(`stream${i} gap ${info.reason} ${info.from ?? ''}-${info.to ?? ''}`);
        record.events.push({ gap: true });
      });
      stream.on('error', (error) => trace(`stream${i} error ${error.message.slice(0, 80)}`));
      void stream.subscribe(['orders', 'positions', 'balances']);
      void stream.connect().catch((error) => trace(`stream${i} connect failed ${error.message}`));
    }
    for (let g = 0; g < plan.groups; g++) {
      const record: GroupRecord = { delivered: new Map(), keys: new Set(), gaps: [] };
      groups.push(record);
      for (let c = 0; c < 2; c++) {
        const member = api.relayGroup({
          redis: server.client(app),
          key: KEY,
          group: `g${g}`,
          consumer: `c${c}`,
          from: 'earliest',
          claimIdleMs: plan.claimIdleMs,
          batchSize: consumerRandom.int(1, 20),
          clock: app.clock,
          random: () => consumerRandom.next(),
          handler: (update, context) => {
            trace(`g${g}/c${c} handle ${context.key}`);
            if (record.keys.has(context.key)) return; // dedupe on the idempotency key
            record.keys.add(context.key);
            if (!record.delivered.has(update.seq)) record.delivered.set(update.seq, context.entryId);
          },
          onGap: (gap, context) => {
            trace(`g${g}/c${c} gap ${gap.reason} ${context.entryId}`);
            record.gaps.push(context.entryId);
          },
        });
        member.on('error', (error) =>
          trace(`g${g}/c${c} error ${String((error as Error)?.message).slice(0, 80)}`),
        );
        members.push(member);
      }
    }

    // The upstream publishes during the fault phase.
    const faultEnd = START + plan.faultPhaseMs;
    const publishRandom = root.fork();
    let publishing = true;
    let publishTimer: ReturnType<typeof setTimeout> | undefined;
    const schedulePublish = () => {
      publishTimer = world.setTimeout(
        () => {
          if (!publishing) return;
          const burst = publishRandom.chance(0.1) ? publishRandom.int(2, 30) : 1;
          for (let i = 0; i < burst; i++) upstream.publish();
          if (world.now() < faultEnd) schedulePublish();
        },
        publishRandom.int(1, plan.publishEveryMs * 2),
      );
    };
    schedulePublish();

    // The faults, at their planned times.
    const count = (kind: string) => {
      faults[kind] = (faults[kind] ?? 0) + 1;
    };
    let failoversLeft = plan.faults.filter((f) => f.kind === 'failover').length;
    if (failoversLeft === 0) model.keepUndo = false;
    for (const fault of plan.faults)
      world.setTimeout(() => {
        const target = 'relay' in fault ? relays[fault.relay - 1] : undefined;
        if (fault.kind === 'kill_relay') {
          if (!target || target.process.dead) return;
          count(fault.kind);
          trace(`FAULT kill r${fault.relay}`);
          target.process.kill();
          if (fault.restartAfter !== undefined)
            world.setTimeout(() => {
              trace(`restart r${fault.relay}`);
              startRelayProcess(fault.relay);
            }, fault.restartAfter);
        } else if (fault.kind === 'pause_relay') {
          if (!target || target.process.dead || target.process.paused) return;
          count(fault.kind);
          trace(`FAULT pause r${fault.relay} ${fault.forMs}`);
          const paused = target.process;
          paused.pause();
          world.setTimeout(() => {
            trace(`resume r${fault.relay}`);
            paused.resume();
          }, fault.forMs);
        } else if (fault.kind === 'failover') {
          count(fault.kind);
          trace(`FAULT failover lose=${fault.lose}`);
          const before = streamIds();
          server.failover(fault.lose, fault.downMs);
          const after = new Set(streamIds());
          for (const id of before) if (!after.has(id)) lostIds.add(id);
          // After the last planned failover no write is ever undone: stop paying for undo records.
          if (--failoversLeft === 0) model.keepUndo = false;
        } else if (fault.kind === 'conn_reset') {
          const open = [...server.connections];
          if (open.length === 0) return;
          count(fault.kind);
          const victim = open[fault.pick % open.length];
          trace(`FAULT reset ${victim?.name}`);
          victim?.reset('network');
        } else {
          count(fault.kind);
          trace(`FAULT latency spike ${fault.forMs}`);
          spikeUntil = world.now() + fault.forMs;
        }
      }, fault.at);
    for (const lag of replication?.lags ?? [])
      world.setTimeout(() => {
        count('replica_lag');
        trace(`FAULT replica lag ${lag.forMs}`);
        model.acknowledging = 0;
        world.setTimeout(() => {
          trace('replica caught up');
          model.acknowledging = undefined;
        }, lag.forMs);
      }, lag.at);

    const runUntil = async (done: () => boolean, what: string, withinMs: number): Promise<boolean> => {
      const deadline = world.now() + withinMs;
      let first = true;
      while (!done()) {
        if (violations.length > 0) return false;
        if (events >= budget) {
          violate('liveness', `event budget (${budget}) exhausted while ${what}`);
          return false;
        }
        if (clock.countTimers() === 0) {
          violate('liveness', `nothing left to run while ${what}`);
          return false;
        }
        if (world.now() > deadline) {
          violate('liveness', `${what}: not done within ${withinMs} virtual ms`);
          return false;
        }
        world.serverOnly = false;
        try {
          clock.next();
        } catch (error) {
          violate('uncaught-exception', (error as Error)?.stack ?? String(error));
          return false;
        }
        events++;
        // A command reaching the server resolves nothing: when nothing else was queued before it
        // (not the first event of this wait: code between waits may have), the next timer may
        // fire at once.
        if (!world.serverOnly || first) await drain();
        first = false;
      }
      return true;
    };

    // Fault phase.
    await runUntil(() => world.now() >= faultEnd, 'the fault phase', plan.faultPhaseMs + 1_000);
    // Heal: no more faults; pauses end, the server is up, at least one relay runs.
    if (violations.length === 0) {
      publishing = false;
      world.clearTimeout(publishTimer);
      trace('HEAL');
      spikeUntil = 0;
      model.acknowledging = undefined;
      for (const relay of relays) if (relay.process.paused) relay.process.resume();
      // Faults still scheduled (a restart, a resume) run on: wait for them to be over.
      const latest = Math.max(
        0,
        ...plan.faults.map((f) =>
          f.kind === 'kill_relay'
            ? f.at + (f.restartAfter ?? 0)
            : f.kind === 'pause_relay'
              ? f.at + f.forMs
              : f.kind === 'failover'
                ? f.at + f.downMs
                : f.at,
        ),
        ...(replication?.lags ?? []).map((lag) => lag.at + lag.forMs),
      );
      await runUntil(() => world.now() >= START + latest + 1, 'the last faults', latest + 10_000);
      for (const relay of relays) if (relay.process.paused) relay.process.resume();
      if (relays.every((r) => r.process.dead)) {
        trace('start a relay for the heal phase');
        startRelayProcess(relays.length + 1);
      }
      await runUntil(() => upstream.ready, 'a leader with an upstream session (heal)', 60_000);
      // The last seqs: every consumer must get them.
      for (let i = 0; i < 5 && violations.length === 0; i++) {
        upstream.publish();
        const at = world.now() + 20;
        await runUntil(() => world.now() >= at, 'publishing', 1_000);
      }
      // Consumers catch up (group members finish what they hold, claim what a dead one held):
      // relay-delivery must hold within the heal phase's deadline.
      // Consumers catch up (group members finish what they hold, claim what a dead one held):
      // relay-delivery must hold (every seq delivered, or covered by a gap) within the deadline.
      const last = upstream.lastSeq;
      let missing: [string, string] | undefined;
      let checkedAt = 0;
      const healDeadline = world.now() + 60_000;
      await runUntil(
        () => {
          if (world.now() - checkedAt < 250 && world.now() <= healDeadline) return false;
          checkedAt = world.now();
          missing = undefined;
          checkDelivery(upstream.published, streams, groups, lostIds, (invariant, message) => {
            missing ??= [invariant, message];
          });
          return missing === undefined || world.now() > healDeadline;
        },
        `every consumer reading (or a gap covering) seqs up to ${last} (heal)`,
        120_000,
      );
      if (missing !== undefined && violations.length === 0) violate(...(missing as [string, string]));
    }

    // Close everything; nothing may be left.
    if (violations.length === 0) {
      trace('CLOSE');
      let closed = false;
      const unclosed = new Set<string>();
      const closeOne = (name: string, close: () => Promise<void>) => {
        unclosed.add(name);
        return close().then(() => {
          unclosed.delete(name);
          trace(`closed ${name}`);
        });
      };
      const closing = Promise.all([
        ...relays.flatMap((r, n) => (r.process.dead ? [] : [closeOne(`r${n + 1}`, () => r.handle.close())])),
        ...streams.map((s, i) => closeOne(`stream${i}`, () => s.stream.close())),
        ...members.map((m, i) => closeOne(`g${i >> 1}/c${i & 1}`, () => m.close())),
      ]).then(() => {
        closed = true;
      });
      // A close that never ends is reported (liveness), never awaited forever.
      if (!(await runUntil(() => closed, 'closing', 30_000))) {
        const liveness = violations.find((v) => v.invariant === 'liveness');
        if (liveness) liveness.message += ` (close() not ended: ${[...unclosed].join(', ')})`;
        trace(`not closed: ${[...unclosed].join(', ')}`);
      } else {
        await closing;
        await drain();
        const left = clock.countTimers();
        const open = server.connections.size;
        const relayTimers = relays.reduce((n, r) => n + (r.process.dead ? 0 : r.process.pendingTimers), 0);
        if (left > 0 || open > 0 || relayTimers > 0)
          violate(
            'open-handles',
            `after close: ${left} timers, ${open} Redis connections, ${relayTimers} relay timers`,
          );
      }
    }
  } catch (error) {
    violate('uncaught-exception', (error as Error)?.stack ?? String(error));
  } finally {
    Math.random = mathRandom;
    globalThis.setTimeout = seamGlobals.setTimeout;
    globalThis.setInterval = seamGlobals.setInterval;
    Date.now = seamGlobals.now;
    Object.assign(world, worldBefore);
    process.off('unhandledRejection', onUnhandled);
    clock.uninstall();
  }
  return {
    scenario: 'relay',
    seed,
    violations,
    traceHash: hash.digest('hex'),
    traceTail: tail,
    faults,
    faultPlan: plan,
    events,
  };
}

/** relay-delivery: every published seq reached every consumer, or a gap covers it. */
function checkDelivery(
  published: readonly number[],
  streams: readonly { events: StreamEvent[] }[],
  groups: readonly GroupRecord[],
  lostIds: ReadonlySet<string>,
  violate: (invariant: string, message: string) => void,
): void {
  streams.forEach((s, i) => {
    const delivered = new Set<number>();
    for (const e of s.events) if ('seq' in e) delivered.add(e.seq);
    for (const seq of published) {
      if (delivered.has(seq)) continue;
      let before = -1;
      let after = s.events.length;
      s.events.forEach((e, at) => {
        if (!('seq' in e)) return;
        if (e.seq < seq) before = at;
        else if (e.seq > seq && at < after) after = at;
      });
      const covered = s.events.slice(before + 1, after).some((e) => 'gap' in e);
      if (!covered) {
        violate('relay-delivery', `relayStream ${i} never received seq ${seq}, and no gap covers it`);
        return;
      }
    }
  });
  groups.forEach((g, i) => {
    const seqs = [...g.delivered.keys()].sort((a, b) => a - b);
    for (const seq of published) {
      if (g.delivered.has(seq)) continue;
      let prev: string | undefined;
      let next: string | undefined;
      for (const s of seqs) {
        if (s < seq) prev = g.delivered.get(s);
        else if (s > seq && !lostIds.has(g.delivered.get(s) as string)) {
          // An entry a failover took away after the group read it cannot bound the gap: the
          // relay's gap entry for those writes comes after it.
          next = g.delivered.get(s);
          break;
        }
      }
      const covered = g.gaps.some(
        (id) =>
          (prev === undefined || compareIds(id, prev) > 0) &&
          // A gap told at an entry (trimmed entries before it) covers what precedes it.
          (next === undefined || compareIds(id, next) <= 0),
      );
      if (!covered) {
        violate('relay-delivery', `consumer group g${i} never handled seq ${seq}, and no gap covers it`);
        return;
      }
    }
  });
}
