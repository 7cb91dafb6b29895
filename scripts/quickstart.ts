/**
 * `npm run quickstart`: starts a sandbox in this process, points the SDK at it through the
 * CONNECT_TRADE_* environment variables, and runs `examples/quickstart.ts`. Fails loudly (exit 1)
 * rather than hanging if anything takes longer than QUICKSTART_TIMEOUT_MS (default 30 s).
 */
import { main } from '../examples/quickstart';
import { startSandbox } from '../src/sandbox';
import { sandboxEnv } from './sandbox-env';

async function run(): Promise<void> {
  const started = Date.now();
  // Ticks every 200 ms: the marketable limit order fills within a tick, quotes flow visibly.
  const sandbox = await startSandbox({ tickMs: 200 });
  console.log(`Sandbox listening on ${sandbox.url} (REST), ${sandbox.streamUrl}, ${sandbox.marketDataUrl}`);
  Object.assign(process.env, sandboxEnv(sandbox));
  try {
    await main();
  } finally {
    await sandbox.close();
  }
  if (sandbox.violations.length > 0)
    throw new Error(`The sandbox saw spec violations:\n${sandbox.violations.join('\n')}`);
  console.log(`(${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

const limit = Number(process.env.QUICKSTART_TIMEOUT_MS ?? 30_000);
const timer = setTimeout(() => {
  console.error(`\nQuickstart FAILED: not finished after ${limit} ms`);
  process.exit(1);
}, limit);
run().then(
  () => {
    clearTimeout(timer);
    process.exit(0);
  },
  (error: unknown) => {
    console.error('\nQuickstart FAILED:', error);
    process.exit(1);
  },
);
