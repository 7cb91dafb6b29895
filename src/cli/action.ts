/** How a CLI command's body becomes a commander action. */
import type { CliContext } from './context';

/** A command's body: gets the run's context, its positional arguments and its own options. */
export type Handler = (ctx: CliContext, args: unknown[], options: Record<string, unknown>) => Promise<void>;

/** Wraps a handler as a commander action (the context is created from the global options). */
export type ActionWrapper = (handler: Handler) => (...params: unknown[]) => Promise<void>;
