/** What the REST handlers work with: the state, the engine, the feed and the sandbox's addresses. */
import type { OffsetClock } from '../clock';
import type { PriceFeed } from '../feed';
import type { SandboxSpellings } from '../options';
import type { OrderEngine } from '../order-engine';
import type { SandboxState } from '../state';

/** Shared dependencies of every REST handler. */
export interface RestContext {
  state: SandboxState;
  engine: OrderEngine;
  feed: PriceFeed;
  clock: OffsetClock;
  /** The REST base URL (known once the server listens). */
  baseUrl: () => string;
  /** Cash of every new paper account, as a decimal string. */
  startingCash: string;
  /** Which spelling of the variant fields the sandbox emits (see `SandboxOptions.spellings`). */
  spellings: SandboxSpellings;
}

/** One parsed, validated request. */
export interface RestRequest {
  /** The authenticated user (user-scoped operations only). */
  userId: string | undefined;
  /** Query and path parameters, coerced to their schema types. */
  params: Record<string, unknown>;
  body: unknown;
}

/** A handler's answer. */
export interface RestResult {
  status: number;
  body?: unknown;
}
