/**
 * The deterministic simulation on every CI run: every seed that ever failed (regressions.json),
 * then 300 fresh seeds across two worker threads, in at most 60 s; and replay is exact.
 */
import regressionsFile from './regressions.json';
import { failureReport, runHere, runSeeds } from './runner';

const FRESH = 300;
const regressions = regressionsFile as { seeds: { seed: number; invariant: string }[] };
// Fresh seeds move with the day, so CI keeps exploring; any failure prints its repro command.
const from = 1_000_000 + (Math.floor(Date.now() / 86_400_000) % 1000) * FRESH;

describe('deterministic simulation', () => {
  it('replays a seed exactly: same trace hash twice', async () => {
    const [a] = await runHere([7]);
    const [b] = await runHere([7]);
    expect(a?.traceHash).toMatch(/^[0-9a-f]{16}$/);
    expect(b?.traceHash).toBe(a?.traceHash);
    expect(a?.events).toBeGreaterThan(100);
  }, 60_000);

  it(`runs the regressions and ${FRESH} fresh seeds within 60 s, with no violation`, async () => {
    const seeds = [
      ...regressions.seeds.map((s) => s.seed),
      ...Array.from({ length: FRESH }, (_, i) => from + i),
    ];
    const summary = await runSeeds({ seeds, workers: 2 });
    const failed = summary.results.filter((r) => r.violations.length > 0);
    if (failed.length > 0) throw new Error(failed.map(failureReport).join('\n\n'));
    console.log(summary.line);
    expect(summary.seconds).toBeLessThanOrEqual(60);
  }, 120_000);
});
