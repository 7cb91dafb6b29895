/**
 * The `connect-trade` command line: a commander program built per run, so tests can drive it
 * in-process with their own IO. `runCli` never throws; it resolves with the exit code.
 */
import { Command, CommanderError } from 'commander';
import { VERSION } from '../version';
import type { ActionWrapper } from './action';
import { registerAccountData } from './commands/account-data';
import { registerBars } from './commands/bars';
import { registerConnections } from './commands/connections';
import { registerOrders } from './commands/orders';
import { registerQuotes } from './commands/quotes';
import { registerRelay } from './commands/relay';
import { registerSandbox } from './commands/sandbox';
import { registerUsers } from './commands/users';
import { registerWatch } from './commands/watch';
import { CliContext, type GlobalOptions } from './context';
import { describeError, EXIT, exitCodeOf } from './errors';
import { type CliIO, colorsFor } from './io';

/** Runs the CLI with `argv` (without `node` and the script) and resolves with the exit code. */
export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  let context: CliContext | undefined;
  const program = new Command('connect-trade')
    .description('Command line for the Connect Trade API (built on the connect-trade SDK).')
    .version(VERSION)
    .option('--json', 'machine output: one JSON document (one per line for live views)')
    .option('--sandbox', 'run against a fresh in-process sandbox, seeded with a user and a linked account')
    .option('--user <id>', 'user for user commands (default: CONNECT_TRADE_USER_ID; cli-user in the sandbox)')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .addHelpText(
      'after',
      `
Credentials: CONNECT_TRADE_CLIENT_ID, CONNECT_TRADE_CLIENT_SECRET (platform), CONNECT_TRADE_USER_ID,
CONNECT_TRADE_USER_SECRET (user commands), CONNECT_TRADE_BASE_URL and the stream URLs, or --sandbox.
Exit codes: 0 success (also Ctrl+C), 1 API or other runtime error (e.g. a stream replaced by
another session), 2 usage, configuration or validation error.`,
    );
  const wrap: ActionWrapper =
    (handler) =>
    async (...params) => {
      const command = params.at(-1) as Command;
      context = new CliContext(io, command.optsWithGlobals() as GlobalOptions);
      await handler(context, command.processedArgs, command.opts());
    };
  for (const register of [
    registerUsers,
    registerConnections,
    registerAccountData,
    registerOrders,
    registerWatch,
    registerQuotes,
    registerBars,
    registerSandbox,
    registerRelay,
  ])
    register(program, wrap);
  // Subcommands inherit the output settings and the exit override.
  for (const command of program.commands)
    command.exitOverride().configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    // Commander already printed its own messages (usage errors, help, version).
    if (!(error instanceof CommanderError))
      io.err(describeError(error, context?.knownSecrets ?? [], colorsFor(io)));
    return exitCodeOf(error);
  } finally {
    // Closing (streams, an in-process sandbox) must not turn the result into a crash.
    await context
      ?.close()
      .catch((error: unknown) => io.err(describeError(error, context?.knownSecrets ?? [], colorsFor(io))));
  }
}
