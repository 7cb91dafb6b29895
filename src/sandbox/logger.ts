/** Where the sandbox reports what it does; every method is optional (silent by default). */
export interface SandboxLogger {
  /** Per-request detail (`--verbose`). */
  debug?(message: string): void;
  /** Lifecycle messages. */
  info?(message: string): void;
  /** Something odd the sandbox survived. */
  warn?(message: string): void;
  /** A failure inside the sandbox. */
  error?(message: string): void;
}

/** A logger that writes to the console (what the CLI uses). */
export const consoleLogger: SandboxLogger = {
  info: (message) => console.log(message),
  warn: (message) => console.warn(message),
  error: (message) => console.error(message),
};
