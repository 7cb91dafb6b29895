#!/usr/bin/env node
/** The `connect-trade` bin: runs the CLI on the process's own terminal. */
import { processIO } from './io';
import { runCli } from './program';

// A reader that goes away (`connect-trade orders list | head`) is not an error: stop quietly.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });

runCli(process.argv.slice(2), processIO()).then((code) => {
  process.exitCode = code;
  // Live views may leave sockets or timers behind on Ctrl+C; the command is done.
  setImmediate(() => process.exit(code));
});
