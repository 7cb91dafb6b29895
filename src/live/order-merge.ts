/**
 * How the live store folds one more version of an order into the one it holds. Updates arrive
 * from two sources (REST snapshots and the stream) in any order and possibly twice, so the rule
 * must be monotonic: an order never moves backwards.
 */

import { tryCompareDecimal } from '../core/decimal';
import type { Order } from '../types';
import { timeOf } from './inferred-fields';

/** Statuses after which nothing but a later terminal correction can change an order. */
export const TERMINAL_STATUSES: ReadonlySet<string> = new Set([
  'filled',
  'cancelled',
  'rejected',
  'expired',
  'replaced',
]);

/** Whether an order's status is final. Unknown statuses are treated as live (tolerant reader). */
export function isTerminal(order: Pick<Order, 'status'>): boolean {
  return TERMINAL_STATUSES.has(order.status);
}

/** Why an incoming version was not applied, or `applied`. */
export type MergeOutcome = 'applied' | 'duplicate' | 'stale' | 'regression';

/**
 * Decides whether `incoming` replaces `current`:
 * - a live status never overwrites a terminal one (a late `working` after `filled`);
 * - `filled_qty` never decreases;
 * - otherwise the later `updated_at` wins; on a tie, the version that filled more or reached a
 *   terminal status wins, and an identical version is a duplicate that changes nothing.
 */
export function mergeOrder(
  current: Order | undefined,
  incoming: Order,
): { order: Order; outcome: MergeOutcome } {
  if (!current) return { order: incoming, outcome: 'applied' };
  if (isTerminal(current) && !isTerminal(incoming)) return { order: current, outcome: 'regression' };
  // A filled quantity that is not a decimal string (a server's null) proves nothing either way.
  const filled = tryCompareDecimal(incoming.filled_qty, current.filled_qty) ?? 0;
  if (filled < 0) return { order: current, outcome: 'regression' };
  const time = compareTime(incoming.updated_at, current.updated_at);
  if (time < 0) return { order: current, outcome: 'stale' };
  if (time === 0) {
    if (sameVersion(current, incoming)) return { order: current, outcome: 'duplicate' };
    const advances =
      filled > 0 || (isTerminal(incoming) && !isTerminal(current)) || current.status === incoming.status;
    if (!advances) return { order: current, outcome: 'stale' };
  }
  return { order: incoming, outcome: 'applied' };
}

function compareTime(a: string | undefined, b: string | undefined): number {
  // A missing or unparseable timestamp (`updated_at` is an inferred field) cannot prove it is
  // newer: it orders as the oldest, and two missing ones tie (the tie rules below decide).
  const x = timeOf(a);
  const y = timeOf(b);
  return x === y ? 0 : x < y ? -1 : 1;
}

function sameVersion(a: Order, b: Order): boolean {
  return (
    a.status === b.status &&
    a.filled_qty === b.filled_qty &&
    a.updated_at === b.updated_at &&
    (Array.isArray(a.fills) ? a.fills.length : -1) === (Array.isArray(b.fills) ? b.fills.length : -1) &&
    JSON.stringify(a) === JSON.stringify(b)
  );
}
