/** `connect-trade sandbox [...]`: the emulator as a server until Ctrl+C (options: see sandbox-command.ts). */
import type { Command } from 'commander';
import type { ActionWrapper } from '../action';
import { UsageError } from '../errors';
import { runSandboxCommand } from '../sandbox-command';

/** Registers `sandbox`; its own options are parsed by `runSandboxCommand`. */
export function registerSandbox(program: Command, wrap: ActionWrapper): void {
  program
    .command('sandbox')
    .description('run the local Connect Trade emulator (REST + both streams) until Ctrl+C')
    .allowUnknownOption()
    .helpOption(false)
    .argument('[options...]', 'see `connect-trade sandbox --help`')
    .action(
      wrap(async (ctx, [options]) => {
        const print = {
          out: (line: string) => ctx.io.out(`${line}\n`),
          err: (line: string) => ctx.io.err(`${line}\n`),
        };
        let sandbox: Awaited<ReturnType<typeof runSandboxCommand>>;
        try {
          sandbox = await runSandboxCommand((options as string[] | undefined) ?? [], print);
        } catch (error) {
          // A failure to start (port in use, no permission) is a runtime error (exit 1); anything
          // else runSandboxCommand throws is a mistake in the arguments (exit 2).
          if (typeof (error as NodeJS.ErrnoException | undefined)?.syscall === 'string') throw error;
          throw new UsageError(error instanceof Error ? error.message : String(error));
        }
        if (!sandbox) return;
        await new Promise<void>((resolve) => {
          if (ctx.io.signal.aborted) resolve();
          ctx.io.signal.addEventListener('abort', () => resolve(), { once: true });
        });
        await sandbox.close();
      }),
    );
}
