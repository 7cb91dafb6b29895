/**
 * `close()` while the lease is being acquired: the term that starts and ends at once leaves no
 * timer armed (found by the relay simulation, test/sim/relay/regressions.json: before the fix the
 * term's lease deadline was armed after it had ended and kept the process alive for ~the TTL).
 */
import { EventEmitter } from 'node:events';
import type { Clock } from '../../src/core/clock';
import { startRelay } from '../../src/relay';
import type { BrokerageStream } from '../../src/streams/brokerage-stream';

/** The platform's timers, counted. */
function countingClock(): Clock & { pending: Set<unknown> } {
  const pending = new Set<unknown>();
  return {
    pending,
    now: () => Date.now(),
    monotonicNow: () => performance.now(),
    setTimeout: (fn, ms) => {
      const handle = setTimeout(() => {
        pending.delete(handle);
        fn();
      }, ms);
      pending.add(handle);
      return handle;
    },
    clearTimeout: (handle) => {
      pending.delete(handle);
      clearTimeout(handle as ReturnType<typeof setTimeout>);
    },
  };
}

/** A node-redis-like client whose lease acquisition answers (fence 1) after 50 ms. */
function slowRedis() {
  const client = {
    commands: [] as string[][],
    sendCommand(args: string[]): Promise<unknown> {
      client.commands.push(args);
      if (args[0] === 'EVALSHA' && args[2] === '2') return new Promise((r) => setTimeout(() => r(1), 50));
      return Promise.resolve(1);
    },
    duplicate: () => client,
    connect: () => Promise.resolve(),
    on: () => client,
    destroy: () => undefined,
  };
  return client;
}

class QuietStream extends EventEmitter {
  state = 'idle';
  connect = () => Promise.resolve();
  subscribe = () => Promise.resolve({});
  close = () => Promise.resolve();
}

it('close() during the acquisition: the term ends at once, the lease is released, no timer is left', async () => {
  const clock = countingClock();
  const redis = slowRedis();
  const relay = startRelay({
    client: { stream: () => new QuietStream() as unknown as BrokerageStream },
    redis,
    id: 'r1',
    lease: { ttlMs: 1_000 },
    clock,
    random: () => 0.5,
  });
  const roles: string[] = [];
  relay.on('role', (role) => roles.push(role));
  await new Promise((r) => setTimeout(r, 10)); // the acquisition is in flight
  await relay.close();
  expect(roles).toEqual(['leader']); // it did take the lease
  expect(redis.commands.some((c) => c[2] === '1' && c[4] === 'r1:1')).toBe(true); // ...and released it
  expect(clock.pending.size).toBe(0);
});
