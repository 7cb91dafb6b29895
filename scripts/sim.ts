/**
 * The deterministic simulation (issue 21): `npm run sim -- --seeds N [--from S] [--seed S] [--workers K]`.
 * Prints each seed's trace hash with `--seed`, a failure report per failing seed, and one summary
 * line `N seeds, V violations, T s, F faults (per kind: ...)`; exits 1 on any violation.
 * Failing seeds are added to test/sim/regressions.json (CI runs them all).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { failureReport, runSeeds } from '../test/sim/runner';

const REGRESSIONS = join(__dirname, '..', 'test', 'sim', 'regressions.json');

function arg(name: string): number | undefined {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return undefined;
  const value = Number(process.argv[at + 1]);
  if (!Number.isSafeInteger(value) || value < 0) {
    console.error(`--${name} needs a non-negative integer`);
    process.exit(2);
  }
  return value;
}

async function main(): Promise<void> {
  const one = arg('seed');
  const count = arg('seeds') ?? 100;
  const from = arg('from') ?? 1;
  const seeds = one !== undefined ? [one] : Array.from({ length: count }, (_, i) => from + i);
  const summary = await runSeeds({ seeds, workers: one !== undefined ? 1 : (arg('workers') ?? 1) });
  const failed = summary.results.filter((r) => r.violations.length > 0);
  if (one !== undefined)
    for (const r of summary.results)
      console.log(`seed ${r.seed} ${r.scenario}: trace ${r.traceHash}, ${r.events} events`);
  for (const r of failed) console.log(failureReport(r));
  if (failed.length > 0) {
    const known = JSON.parse(readFileSync(REGRESSIONS, 'utf8')) as {
      seeds: { seed: number; invariant: string }[];
    };
    for (const r of failed)
      if (!known.seeds.some((s) => s.seed === r.seed))
        known.seeds.push({ seed: r.seed, invariant: r.violations[0]?.invariant ?? '?' });
    writeFileSync(REGRESSIONS, `${JSON.stringify(known, null, 2)}\n`);
    console.log(`failing seeds recorded in ${REGRESSIONS}`);
  }
  console.log(summary.line);
  process.exit(failed.length > 0 ? 1 : 0);
}

void main();
