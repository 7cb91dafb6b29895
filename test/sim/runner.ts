/**
 * Runs seeds of every registered scenario, in this thread or across worker threads, and sums
 * them up: `N seeds, V violations, T s, F faults (per kind: ...)`.
 */
import { Worker } from 'node:worker_threads';
import type { SimRunResult } from './scenario';
import { scenarios } from './scenarios';

export interface RunPlan {
  seeds: readonly number[];
  /** Worker threads (1: run here). */
  workers?: number;
  eventBudget?: number;
  /** Called with each result as it arrives. */
  onResult?: (result: SimRunResult) => void;
}

export interface RunSummary {
  results: SimRunResult[];
  seconds: number;
  line: string;
}

/** Runs the given seeds of every scenario in this thread. */
export async function runHere(
  seeds: readonly number[],
  eventBudget?: number,
  onResult?: (r: SimRunResult) => void,
): Promise<SimRunResult[]> {
  const out: SimRunResult[] = [];
  for (const seed of seeds)
    for (const scenario of scenarios) {
      const result = await scenario.run(seed, eventBudget === undefined ? {} : { eventBudget });
      out.push(result);
      onResult?.(result);
    }
  return out;
}

/** Runs the plan (across workers when asked) and builds the summary line. */
export async function runSeeds(plan: RunPlan): Promise<RunSummary> {
  const started = performance.now();
  const workers = Math.max(1, Math.min(plan.workers ?? 1, plan.seeds.length));
  let results: SimRunResult[];
  if (workers === 1) results = await runHere(plan.seeds, plan.eventBudget, plan.onResult);
  else {
    const shares = Array.from({ length: workers }, (_, i) => plan.seeds.filter((_, j) => j % workers === i));
    const parts = await Promise.all(shares.map((share) => inWorker(share, plan)));
    results = parts.flat().sort((a, b) => a.seed - b.seed || a.scenario.localeCompare(b.scenario));
  }
  const seconds = (performance.now() - started) / 1000;
  return { results, seconds, line: summaryLine(results, plan.seeds.length, seconds) };
}

function inWorker(seeds: readonly number[], plan: RunPlan): Promise<SimRunResult[]> {
  return new Promise((resolve, reject) => {
    // The worker loads TypeScript through tsx, for require() and for the SDK's lazy import()s.
    const boot = `require('tsx/cjs'); import('tsx/esm/api').then((m) => { m.register(); require(${JSON.stringify(require.resolve('./worker.ts'))}); });`;
    const worker = new Worker(boot, { eval: true, workerData: { seeds, eventBudget: plan.eventBudget } });
    const results: SimRunResult[] = [];
    worker.on('message', (result: SimRunResult) => {
      results.push(result);
      plan.onResult?.(result);
    });
    worker.once('error', reject);
    worker.once('exit', (code) =>
      code === 0 ? resolve(results) : reject(new Error(`simulation worker exited with ${code}`)),
    );
  });
}

/** `N seeds, V violations, T s, F faults (per kind: a b, c d)`. */
export function summaryLine(results: readonly SimRunResult[], seeds: number, seconds: number): string {
  const perKind: Record<string, number> = {};
  let violations = 0;
  for (const r of results) {
    violations += r.violations.length > 0 ? 1 : 0;
    for (const [kind, n] of Object.entries(r.faults)) perKind[kind] = (perKind[kind] ?? 0) + n;
  }
  const total = Object.values(perKind).reduce((a, b) => a + b, 0);
  const kinds = Object.entries(perKind)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  return `${seeds} seeds, ${violations} violations, ${seconds.toFixed(1)} s, ${total} faults (per kind: ${kinds})`;
}

/** The failure report of one failing seed: invariant, repro command, fault plan, last trace events. */
export function failureReport(result: SimRunResult): string {
  return [
    `seed ${result.seed} (${result.scenario}) FAILED, trace ${result.traceHash}`,
    ...result.violations.map((v) => `  invariant ${v.invariant}: ${v.message}`),
    `  repro: npm run sim -- --seed ${result.seed}`,
    `  fault plan: ${JSON.stringify(result.faultPlan)}`,
    `  last ${result.traceTail.length} trace events:`,
    ...result.traceTail.map((line) => `    ${line}`),
  ].join('\n');
}
