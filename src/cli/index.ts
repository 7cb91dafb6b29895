#!/usr/bin/env node
/** The `connect-trade` bin: runs the CLI on the process's own terminal. */
import { processIO } from './io';
import { runCli } from './program';

runCli(process.argv.slice(2), processIO()).then((code) => {
  process.exitCode = code;
  // Live views may leave sockets or timers behind on Ctrl+C; the command is done.
  setImmediate(() => process.exit(code));
});
