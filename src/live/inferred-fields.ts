/**
 * The tolerant reader of the live store for the fields our spec infers (`x-source: inferred`: no
 * vendor text shows them; the spec leaves them optional, except Order.order_id). A record lacking one is
 * normalized here, once, before any collection keys or orders it, so a missing field never becomes
 * a TypeError or a record filed under `undefined`:
 * - `account_id` (orders, positions, balances) is the account the record was listed for (a REST
 *   query is per account) or, for a stream update, the store's account when it follows exactly one;
 *   otherwise the record cannot be placed and is dropped (the store counts it as ignored);
 * - an order without `order_id` cannot be keyed or merged and is dropped the same way;
 * - `created_at` / `updated_at` stay missing: the merge rules treat a missing time as the oldest;
 * - `Position.instrument` / `market_value` are display-only and stay missing (the CLI prints '-').
 */
import type { Balance, Order, Position } from '../types';

/** A record the store has placed: its account is known (the spec leaves it optional on positions and balances). */
export type Placed<T> = T & { account_id: string };

/** A record whose owning account and id (for orders) are known, else `undefined` (drop it). */
export function placeRecord<T extends Order | Position | Balance>(
  kind: 'order' | 'position' | 'balance',
  record: T,
  account: string | undefined,
): Placed<T> | undefined {
  if (!record || typeof record !== 'object') return undefined;
  if (kind === 'order' && !isId((record as Partial<Order>).order_id)) return undefined;
  if (isId(record.account_id)) return record as Placed<T>;
  return account === undefined ? undefined : { ...record, account_id: account };
}

/** The one account of a store that follows exactly one, else `undefined` (no safe default). */
export function soleAccount(accountIds: readonly string[]): string | undefined {
  return accountIds.length === 1 ? accountIds[0] : undefined;
}

/** Milliseconds of a timestamp; a missing or unparseable one orders as the oldest. */
export function timeOf(value: unknown): number {
  const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  return Number.isNaN(ms) ? Number.NEGATIVE_INFINITY : ms;
}

function isId(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}
