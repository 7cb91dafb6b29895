import type { Logger } from '../core/logging';

/** Where the sandbox reports what it does: the SDK's one {@link Logger} (silent by default). */
export type SandboxLogger = Logger;

/** A logger that writes to the console (what the CLI uses). */
export const consoleLogger: SandboxLogger = {
  info: (message) => console.log(message),
  warn: (message) => console.warn(message),
  error: (message) => console.error(message),
};
