/**
 * The relay's advanced seams: `startRelay`, `relayStream` and `relayGroup` take the SDK's one
 * `Clock` and `random()` (src/core/clock.ts, src/core/random.ts), check them, and read time and
 * timers only from the clock given (the relay simulation, test/sim/relay/, trips on any global
 * timer or `Date.now` called from src/relay). Here a private fake clock that nothing else ticks:
 * a deadline that fires, or a timestamp that shows, came from it.
 */
import FakeTimers from '@sinonjs/fake-timers';
import type { Clock } from '../../src/core/clock';
import { relayGroup, relayStream, startRelay } from '../../src/relay';

const START = 1_700_000_000_000;

function privateClock(): { clock: Clock; fake: FakeTimers.Clock } {
  const fake = FakeTimers.createClock(START);
  return {
    fake,
    clock: {
      now: () => fake.now,
      monotonicNow: () => fake.now,
      setTimeout: (fn, ms) => fake.setTimeout(fn, ms),
      clearTimeout: (handle) => fake.clearTimeout(handle as FakeTimers.TimerId),
    },
  };
}

/** Resolves `promise`'s outcome, or 'pending' if it is not settled within `ms` of real time. */
async function settledWithin(promise: Promise<unknown>, ms: number): Promise<string> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const outcome = await Promise.race([
    promise.then(
      () => 'resolved',
      (error: Error) => `rejected: ${error.message}`,
    ),
    new Promise<string>((resolve) => (timer = setTimeout(() => resolve('pending'), ms))),
  ]);
  clearTimeout(timer);
  return outcome;
}

/** A node-redis-like client: `answer` replies to each command (a promise for a slow one). */
function fakeRedis(answer: (args: string[]) => unknown) {
  const commands: string[][] = [];
  const client = {
    commands,
    sendCommand(args: string[]): Promise<unknown> {
      commands.push(args);
      return Promise.resolve(answer(args));
    },
    duplicate: () => client,
    connect: () => Promise.resolve(),
    on: () => client,
    destroy: () => undefined,
  };
  return client;
}

it('checks the clock and random options of all three', () => {
  const redis = 'redis://127.0.0.1:1';
  const noMonotonic = { now: () => 0, setTimeout: () => 0, clearTimeout: () => undefined };
  const cases: (() => unknown)[] = [
    () => startRelay({ client: { stream: () => ({}) as never }, redis, clock: noMonotonic as never }),
    () => relayStream({ redis, clock: noMonotonic as never }),
    () =>
      relayGroup({ redis, group: 'g', consumer: 'c', handler: () => undefined, clock: noMonotonic as never }),
  ];
  for (const make of cases) {
    expect(make).toThrow(expect.objectContaining({ name: 'ValidationError' }));
    expect(make).toThrow(/clock\.monotonicNow must be a function/);
  }
  expect(() => relayStream({ redis, random: 0.5 as never })).toThrow(/random/);
  expect(() =>
    relayGroup({ redis, group: 'g', consumer: 'c', handler: () => undefined, random: 1 as never }),
  ).toThrow(/random/);
});

it("relayStream's connect deadline runs on the clock it was given", async () => {
  const { clock, fake } = privateClock();
  // A Redis that never connects.
  const redis = { ...fakeRedis(() => undefined), connect: () => new Promise<never>(() => undefined) };
  redis.duplicate = () => redis;
  const stream = relayStream({ redis, connectTimeoutMs: 30_000, clock, random: () => 0.5 });
  const connecting = stream.connect();
  connecting.catch(() => undefined);
  await fake.tickAsync(30_000);
  // Before: a platform timer, so 30 s of the given clock did not end the wait.
  expect(await settledWithin(connecting, 1_000)).toBe(
    'rejected: Relay stream could not reach Redis within 30000 ms',
  );
  await stream.close();
});

it("relayGroup's acknowledgement timestamps the done set with the clock it was given", async () => {
  const { clock, fake } = privateClock();
  const fields = [
    ...['session_id', 'S1', 'seq', '1', 'fence', '1', 'action', 'order_update'],
    ...['user_id', 'u1', 'data', '{"account_id":"a1"}', 'index', '1'],
  ];
  const redis = fakeRedis((args) => {
    if (args[0] === 'XAUTOCLAIM') return ['0-0', [['1-0', fields]], []];
    if (args[0] === 'ZSCORE') return null;
    if (args[0] === 'EVALSHA') return 1;
    // Nothing new: an empty read, after a moment (a blocking read's timeout).
    if (args[0] === 'XREADGROUP') return new Promise((resolve) => setTimeout(() => resolve(null), 5));
    return 'OK';
  });
  const handled: number[] = [];
  const member = relayGroup({
    redis,
    group: 'book',
    consumer: 'w1',
    clock,
    random: () => 0.5,
    handler: (update) => {
      handled.push(update.seq);
    },
  });
  for (let i = 0; i < 100 && !redis.commands.some((c) => c[0] === 'EVALSHA'); i++)
    await new Promise((resolve) => setTimeout(resolve, 10));
  const closing = member.close();
  await fake.tickAsync(5_000);
  await closing;
  expect(handled).toEqual([1]);
  const ack = redis.commands.find((c) => c[0] === 'EVALSHA');
  // GROUP_ACK: sha, 2 keys (done set, stream), then group, entry id, key, now, max.
  expect(ack?.slice(5, 9)).toEqual(['book', '1-0', 'S1:1', String(START)]);
});
