/**
 * `npm run examples`: runs every file of `examples/` as a child
 * process (`node --import tsx`: one process, so a kill on timeout leaves no grandchild behind), with CONNECT_TRADE_* pointing at a sandbox started here, and fails on a non-zero
 * exit or a timeout. Each example gets its own sandbox: the brokerage stream allows one session per
 * credential pair (a second one closes the first with 4002), so examples sharing one would kick each
 * other off when run in parallel. Sandboxes start in milliseconds, so this costs nothing.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startSandbox } from '../src/sandbox';
import { sandboxEnv } from './sandbox-env';

/** The examples directory. */
export const EXAMPLES_DIR = join(__dirname, '..', 'examples');

/** The runnable examples: every `.ts` file (each stands alone: no shared helper). */
export function exampleFiles(): string[] {
  return readdirSync(EXAMPLES_DIR)
    .filter((f) => f.endsWith('.ts'))
    .sort();
}

/** The outcome of one example. */
export interface ExampleResult {
  file: string;
  ok: boolean;
  /** Exit code, or null when killed. */
  code: number | null;
  timedOut: boolean;
  durationMs: number;
  output: string;
  /** Spec violations the example's sandbox caught itself making (should be empty). */
  violations: readonly string[];
}

/**
 * Runs one example (a name in examples/, or an absolute path) against a fresh sandbox, from `cwd`
 * (tsx reads the tsconfig.json of the directory it runs in: an app's own, or the repository's).
 */
export async function runExample(file: string, timeoutMs = 30_000, cwd?: string): Promise<ExampleResult> {
  const sandbox = await startSandbox({ tickMs: 100 });
  const started = Date.now();
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', resolve(EXAMPLES_DIR, file)], {
      ...(cwd !== undefined && { cwd }),
      env: {
        ...process.env,
        ...sandboxEnv(sandbox),
        QUICKSTART_QUOTES_MS: '500',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    clearTimeout(timer);
    return {
      file,
      ok: code === 0 && !timedOut && sandbox.violations.length === 0,
      code,
      timedOut,
      durationMs: Date.now() - started,
      output,
      violations: [...sandbox.violations],
    };
  } finally {
    await sandbox.close();
  }
}

/** Runs every example in parallel. */
export function runExamples(files = exampleFiles(), timeoutMs?: number): Promise<ExampleResult[]> {
  return Promise.all(files.map((file) => runExample(file, timeoutMs)));
}

if (require.main === module) {
  runExamples().then(
    (results) => {
      for (const r of results) {
        const verdict = r.ok ? 'ok  ' : 'FAIL';
        const why = r.timedOut ? ' (timed out)' : r.code === 0 ? '' : ` (exit ${r.code})`;
        console.log(`${verdict} ${r.file.padEnd(20)} ${(r.durationMs / 1000).toFixed(1)} s${why}`);
        if (!r.ok) console.log(`${r.output}${r.violations.join('\n')}`.replace(/^/gm, '     | '));
      }
      process.exit(results.every((r) => r.ok) ? 0 : 1);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
