#!/usr/bin/env node
/**
 * The `connect-trade` command. For now it has one subcommand, `sandbox`; the dispatch stays a
 * plain switch until more commands arrive.
 */
import { runSandboxCommand, SANDBOX_USAGE } from './sandbox-command';

const USAGE = `Usage: connect-trade <command>

Commands:
  sandbox   run the local Connect Trade emulator (see: connect-trade sandbox --help)
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'sandbox': {
      const sandbox = await runSandboxCommand(rest);
      if (!sandbox) return 0;
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await sandbox.close();
      return 0;
    }
    case undefined:
    case '-h':
    case '--help':
      process.stdout.write(USAGE);
      return command === undefined ? 1 : 0;
    default:
      process.stderr.write(`Unknown command: ${command}\n\n${USAGE}`);
      return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`connect-trade: ${error instanceof Error ? error.message : String(error)}\n`);
    if (process.argv[2] === 'sandbox') process.stderr.write(`\n${SANDBOX_USAGE}`);
    process.exitCode = 1;
  },
);
