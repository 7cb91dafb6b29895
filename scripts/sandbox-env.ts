/** The environment that points the SDK (and so every example) at a running sandbox. */
import type { Sandbox } from '../src/sandbox';

/** CONNECT_TRADE_* variables for a sandbox: the URLs of its REST API and both streams, and its credentials. */
export function sandboxEnv(sandbox: Sandbox): Record<string, string> {
  return { ...sandbox.env };
}
