/**
 * The Redis keys of one relay (all under one prefix, `connect-trade` by default) and the fields of
 * each Redis Stream entry. These names are a contract: producers and consumers in other languages
 * rely on them (README, "Running a fleet").
 */
import { errorFactory } from '../core/errors';

/** The default key prefix. */
export const DEFAULT_KEY = 'connect-trade';

/** The keys under a prefix. */
export interface RelayKeys {
  /** The Redis Stream of updates. */
  stream: string;
  /** The leader lease: `<holder>:<fence>`, with a TTL (`SET NX PX`). */
  lease: string;
  /** The fencing-token counter (`INCR` on every acquisition). */
  fence: string;
  /** A hash: the last entry's `index`, the last written batch (retry dedupe). */
  head: string;
  /** Count of entries refused because their writer's fencing token was stale. */
  fenced: string;
}

/**
 * The hash tag every key of the relay under `prefix` carries: `{relay:<prefix>}`. On Redis Cluster
 * only the part between the braces decides the slot, so all keys of one relay live in one slot and
 * a script's keys never span slots (a CROSSSLOT error otherwise).
 */
export function relayTag(prefix: string): string {
  return `{relay:${prefix}}`;
}

/** The keys of the relay under `prefix`, all in one Cluster slot (see {@link relayTag}). */
export function relayKeys(prefix: string): RelayKeys {
  const tag = relayTag(prefix);
  return {
    stream: `${tag}:updates`,
    lease: `${tag}:lease`,
    fence: `${tag}:fence`,
    head: `${tag}:head`,
    fenced: `${tag}:fenced`,
  };
}

/** Checks a key prefix option. */
export function checkKey(key: unknown, path = 'key'): asserts key is string {
  if (typeof key !== 'string' || key === '' || key.length > 200 || /[\s{}]/.test(key))
    throw errorFactory.validation([
      { path, message: 'must be a non-empty string without spaces or braces (≤ 200 chars)' },
    ]);
}

/** What an entry's `action` field may hold. */
export type RelayAction = 'order_update' | 'position_update' | 'balance_update' | 'session_start' | 'gap';

/** The actions that carry an update. */
export const UPDATE_ACTIONS: ReadonlySet<string> = new Set([
  'order_update',
  'position_update',
  'balance_update',
]);
