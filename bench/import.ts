/**
 * Cold import benchmark (not a test). Run: `npm run bench:import` (builds, then `tsx bench/import.ts`).
 * Each sample is a fresh `node` process whose main script times one `require(specifier)` with
 * `process.hrtime` (so the loader's first-use cost is in every sample, as in a real app). Samples
 * of the contenders are interleaved, RUNS rounds, median reported. The package is required by its
 * name (Node's self-reference through `exports`), as an app would.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 21);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** Median cold `require` time in ms of each specifier, each sample in a fresh process. */
export function coldRequireMs(specifiers: readonly string[], runs = RUNS): Record<string, number> {
  const dir = join(ROOT, '.tmp');
  mkdirSync(dir, { recursive: true });
  const script = join(dir, 'cold-require.js');
  writeFileSync(
    script,
    'const t = process.hrtime.bigint();\nrequire(process.argv[2]);\nprocess.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6));\n',
  );
  const samples: Record<string, number[]> = Object.fromEntries(specifiers.map((s) => [s, []]));
  for (let i = 0; i < runs; i++)
    for (const specifier of specifiers)
      samples[specifier]?.push(Number(execFileSync(process.execPath, [script, specifier], { cwd: ROOT })));
  return Object.fromEntries(specifiers.map((s) => [s, median(samples[s] ?? [])]));
}

function main(): void {
  const specifiers = ['openapi-fetch', 'connect-trade', 'connect-trade/rest', 'connect-trade/streams'];
  const ms = coldRequireMs(specifiers);
  const base = ms['openapi-fetch'] ?? 1;
  console.log(`node ${process.version}, median of ${RUNS} fresh processes per specifier`);
  for (const specifier of specifiers)
    console.log(
      `require('${specifier}')`.padEnd(34),
      `${(ms[specifier] ?? 0).toFixed(2)} ms`.padStart(9),
      `${((ms[specifier] ?? 0) / base).toFixed(2)}x openapi-fetch`,
    );
  const ratio = (ms['connect-trade'] ?? 0) / base;
  console.log(
    `goal: require('connect-trade') <= 2x require('openapi-fetch'): ${ratio <= 2 ? 'met' : 'NOT met'} (${ratio.toFixed(2)}x)`,
  );
}

if (require.main === module) main();
