/**
 * `npm run quickstart`: starts a sandbox in this process and runs `examples/quickstart.ts` as a
 * child process pointed at it through the CONNECT_TRADE_* environment variables, exactly as a user
 * runs the example (`node --import tsx`). Fails loudly (exit 1) rather than hanging if anything
 * takes longer than QUICKSTART_TIMEOUT_MS (default 30 s), and when the sandbox saw a spec violation.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startSandbox } from '../src/sandbox';
import { sandboxEnv } from './sandbox-env';

const EXAMPLE = join(__dirname, '..', 'examples', 'quickstart.ts');

async function run(limitMs: number): Promise<void> {
  const started = Date.now();
  // Ticks every 200 ms: the marketable limit order fills within a tick, quotes flow visibly.
  const sandbox = await startSandbox({ tickMs: 200 });
  console.log(`Sandbox listening on ${sandbox.url} (REST), ${sandbox.streamUrl}, ${sandbox.marketDataUrl}`);
  console.log(`Developer console: ${sandbox.consoleUrl}`);
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', EXAMPLE], {
      env: { ...process.env, ...sandboxEnv(sandbox) },
      stdio: 'inherit',
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearTimeout(timer);
    if (code === null) throw new Error(`not finished after ${limitMs} ms`);
    if (code !== 0) throw new Error(`examples/quickstart.ts exited ${code}`);
  } finally {
    await sandbox.close();
  }
  if (sandbox.violations.length > 0)
    throw new Error(`The sandbox saw spec violations:\n${sandbox.violations.join('\n')}`);
  console.log(`(${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

run(Number(process.env.QUICKSTART_TIMEOUT_MS ?? 30_000)).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error('\nQuickstart FAILED:', error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
