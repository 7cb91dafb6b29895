/** Where the sandbox reports what it does; every method is optional (silent by default). */
export interface SandboxLogger {
  debug?(message: string): void;
  info?(message: string): void;
  warn?(message: string): void;
  error?(message: string): void;
}

/** A logger that writes to the console (what the CLI uses). */
export const consoleLogger: SandboxLogger = {
  info: (message) => console.log(message),
  warn: (message) => console.warn(message),
  error: (message) => console.error(message),
};
