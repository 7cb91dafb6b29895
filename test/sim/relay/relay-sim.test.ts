/**
 * The relay simulation (relay-scenario.ts) on the regression seeds and on fresh seeds, and its
 * replay: the same seed gives the same trace hash. Fresh seeds start at RELAY_SIM_FROM (default:
 * a random start); a failing seed prints its invariant, fault plan, repro command and
 * the end of its trace. RELAY_SIM_SEEDS sets how many fresh seeds (default 40: test/sim/sim.test.ts runs 300 more
 * fresh seeds of this world in the test command, beside the SDK's).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SimRunResult } from '../scenario';
import { createRelayScenario, type RelayModule, relayScenario } from '.';

jest.setTimeout(600_000);

const regressions = JSON.parse(readFileSync(join(__dirname, 'regressions.json'), 'utf8')) as {
  seeds: { seed: number; invariant: string }[];
};

function report(result: SimRunResult): string {
  return [
    `relay seed ${result.seed}: ${result.violations.map((v) => `${v.invariant}: ${v.message}`).join('; ')}`,
    `replay: RELAY_SIM_FROM=${result.seed} RELAY_SIM_SEEDS=1 npx jest test/sim/relay/relay-sim.test.ts -t fresh`,
    `fault plan: ${JSON.stringify(result.faultPlan)}`,
    'last trace events:',
    ...result.traceTail.slice(-80),
  ].join('\n');
}

it('every regression seed holds every invariant', async () => {
  expect(regressions.seeds.length).toBeGreaterThan(0);
  for (const { seed } of regressions.seeds) {
    const result = await relayScenario.run(seed);
    if (result.violations.length > 0) throw new Error(report(result));
  }
});

it('fresh seeds hold every invariant, and every fault kind is drawn', async () => {
  const count = Number(process.env.RELAY_SIM_SEEDS ?? 40);
  // Fresh seeds each run (a failure prints its replay command); RELAY_SIM_FROM fixes the start.
  const from = Number(process.env.RELAY_SIM_FROM ?? 1 + Math.floor(Math.random() * 1_000_000_000));
  const started = Date.now();
  const faults: Record<string, number> = {};
  let events = 0;
  for (let seed = from; seed < from + count; seed++) {
    const result = await relayScenario.run(seed);
    if (result.violations.length > 0) throw new Error(report(result));
    events += result.events;
    for (const [kind, n] of Object.entries(result.faults)) faults[kind] = (faults[kind] ?? 0) + n;
  }
  const seconds = (Date.now() - started) / 1000;
  // One summary line, as the runner prints it.
  process.stdout.write(
    `relay: ${count} seeds from ${from}, 0 violations, ${seconds.toFixed(1)} s (${(count / seconds).toFixed(1)} seeds/s, ${events} events), faults ${JSON.stringify(faults)}\n`,
  );
  if (count >= 40)
    for (const kind of [
      'kill_relay',
      'pause_relay',
      'failover',
      'conn_reset',
      'latency_spike',
      'replica_lag',
    ])
      expect(faults[kind] ?? 0).toBeGreaterThan(0);
});

it('replays exactly: the same seed gives the same trace hash; another seed another hash', async () => {
  const a = await relayScenario.run(4242);
  const b = await relayScenario.run(4242);
  const c = await relayScenario.run(4243);
  expect(a.traceHash).toMatch(/^[0-9a-f]{64}$/);
  expect(b.traceHash).toBe(a.traceHash);
  expect(b.events).toBe(a.events);
  expect(c.traceHash).not.toBe(a.traceHash);
  expect(a.traceTail.length).toBeGreaterThan(0);
  expect(a.traceTail.length).toBeLessThanOrEqual(500);
});

it('a close() that never ends is reported as liveness, not awaited forever', async () => {
  const real = require('../../../src/relay') as RelayModule;
  const stuck = createRelayScenario({
    name: 'relay-stuck-close',
    load: () => ({
      ...real,
      startRelay: (options) => {
        const handle = real.startRelay(options);
        // The relay stops, but its close() never settles (as a term waiting on a lost answer did).
        const close = handle.close.bind(handle);
        handle.close = () => close().then(() => new Promise<void>(() => undefined));
        return handle;
      },
    }),
  });
  const result = await stuck.run(4242);
  expect(result.violations).toEqual([
    { invariant: 'liveness', message: expect.stringMatching(/closing \(close\(\) not ended: r1, r2/) },
  ]);
});
