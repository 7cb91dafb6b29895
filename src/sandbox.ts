/**
 * `connect-trade/sandbox`: a local, in-memory emulator of the whole Connect Trade API (REST and
 * both WebSocket streams) with a seeded price feed and fault injection.
 *
 * @example
 * ```ts
 * import { startSandbox } from 'connect-trade/sandbox';
 * const sandbox = await startSandbox({ seed: 7 });
 * // point the client at sandbox.url, sandbox.streamUrl and sandbox.marketDataUrl
 * await sandbox.close();
 * ```
 */
export {
  type AuthorizeSandboxOptions,
  authorizeSandboxConnection,
  type LinkErrorCode,
  type LinkRedirect,
  type LinkScenario,
  parseLinkRedirect,
  type SandboxAuthorization,
} from './sandbox/authorize';
export type { SandboxClock } from './sandbox/clock';
export type { FaultSpec, Faults, RequestFaults, RequestMatch, StreamKind } from './sandbox/faults';
export { DEFAULT_SYMBOLS } from './sandbox/feed';
export { MAX_FRAME_BYTES } from './sandbox/http/server';
export { consoleLogger, type SandboxLogger } from './sandbox/logger';
export type {
  Sandbox,
  SandboxFeed,
  SandboxOptions,
  SandboxSpellings,
  SandboxTraffic,
} from './sandbox/options';
export { startSandbox } from './sandbox/start';
