/** Where the CLI reads and writes, injectable so tests drive commands in-process. */
import { createColors } from 'picocolors';

/** The terminal (or a test double) a command talks to. */
export interface CliIO {
  /** Writes to standard output as is (add the newline yourself). */
  out(text: string): void;
  /** Writes to standard error as is. */
  err(text: string): void;
  /** Whether stdout is an interactive terminal (colours, in-place redraws, confirmation prompts). */
  readonly isTTY: boolean;
  /** Environment variables (credentials, NO_COLOR). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Asks a yes/no question on the terminal; only called when `isTTY`. */
  confirm(question: string): Promise<boolean>;
  /** Aborted on Ctrl+C: live views stop and the command returns. */
  readonly signal: AbortSignal;
}

/** Colour functions: real ANSI colours on a terminal without NO_COLOR, identity otherwise. */
export type Colors = ReturnType<typeof createColors>;

/** The colours to use for this IO. */
export function colorsFor(io: CliIO): Colors {
  return createColors(io.isTTY && io.env.NO_COLOR === undefined);
}

/** The process's own IO: stdout/stderr, the real environment, Ctrl+C as the abort signal. */
export function processIO(): CliIO {
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  process.once('SIGTERM', () => controller.abort());
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    isTTY: process.stdout.isTTY === true && process.stdin.isTTY === true,
    env: process.env,
    signal: controller.signal,
    confirm: async (question) => {
      const { createInterface } = await import('node:readline/promises');
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        const answer = await rl.question(`${question} [y/N] `);
        return /^y(es)?$/i.test(answer.trim());
      } finally {
        rl.close();
      }
    },
  };
}
