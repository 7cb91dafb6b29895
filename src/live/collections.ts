/**
 * The three collections a live store holds, each with the merge rule of its kind:
 * orders go through {@link mergeOrder} (never backwards), balances keep the later `updated_at`,
 * positions keep the latest update (they carry no timestamp) and vanish at quantity zero, the way
 * `GET /positions` omits closed positions.
 */

import { tryCompareDecimal } from '../core/decimal';
import type { Balance, Order, Position } from '../types';
import { timeOf } from './inferred-fields';
import { type MergeOutcome, mergeOrder } from './order-merge';

/** Read access to the orders of a live store: by `order_id`, by `cl_order_id`, and iteration. */
export class OrderBook implements Iterable<Order> {
  private readonly byId = new Map<string, Order>();
  // cl_order_id is unique per account per day, not globally: the key includes the account.
  private readonly byClId = new Map<string, Order>();

  /** How many orders the store holds. */
  get size(): number {
    return this.byId.size;
  }

  /** The order with this `order_id`. */
  get(orderId: string): Order | undefined {
    return this.byId.get(orderId);
  }

  /** The order with this `cl_order_id` (the most recently created one if several accounts reuse it). */
  byClOrderId(clOrderId: string, accountId?: string): Order | undefined {
    if (accountId !== undefined) return this.byClId.get(`${accountId}\u0000${clOrderId}`);
    let found: Order | undefined;
    for (const order of this.byId.values())
      if (order.cl_order_id === clOrderId && (!found || timeOf(order.created_at) > timeOf(found.created_at)))
        found = order;
    return found;
  }

  /** The order with this `order_id`, else the one with this `cl_order_id`. */
  find(ref: string): Order | undefined {
    return this.byId.get(ref) ?? this.byClOrderId(ref);
  }

  /** Every order (insertion order). */
  values(): IterableIterator<Order> {
    return this.byId.values();
  }

  /** Iterates every order held. */
  [Symbol.iterator](): IterableIterator<Order> {
    return this.byId.values();
  }

  /** @internal Folds one version in; returns the outcome and the order now held. */
  merge(incoming: Order): { order: Order; outcome: MergeOutcome } {
    const result = mergeOrder(this.byId.get(incoming.order_id), incoming);
    if (result.outcome === 'applied') {
      this.byId.set(incoming.order_id, result.order);
      this.byClId.set(`${incoming.account_id}\u0000${incoming.cl_order_id}`, result.order);
    }
    return result;
  }

  /** @internal Forgets an order the server no longer reports. */
  delete(orderId: string): void {
    const order = this.byId.get(orderId);
    if (!order) return;
    this.byId.delete(orderId);
    const key = `${order.account_id}\u0000${order.cl_order_id}`;
    if (this.byClId.get(key) === order) this.byClId.delete(key);
  }
}

/** The open positions of a live store, keyed by account and symbol. */
export class PositionBook implements Iterable<Position> {
  private readonly map = new Map<string, Position>();

  /** How many positions are open. */
  get size(): number {
    return this.map.size;
  }

  /** The position of a symbol in an account. */
  get(accountId: string, symbol: string): Position | undefined {
    return this.map.get(`${accountId}\u0000${symbol}`);
  }

  /** Every open position. */
  values(): IterableIterator<Position> {
    return this.map.values();
  }

  /** Iterates every position held. */
  [Symbol.iterator](): IterableIterator<Position> {
    return this.map.values();
  }

  /** @internal Applies an update; returns false when it changed nothing. */
  apply(position: Position): boolean {
    const key = `${position.account_id}\u0000${position.symbol}`;
    const current = this.map.get(key);
    if (isZero(position.quantity)) return this.map.delete(key);
    if (current && JSON.stringify(current) === JSON.stringify(position)) return false;
    this.map.set(key, position);
    return true;
  }
}

/** The balances of a live store, one per account. */
export class BalanceBook implements Iterable<Balance> {
  private readonly map = new Map<string, Balance>();

  /** How many balances are held. */
  get size(): number {
    return this.map.size;
  }

  /** The balance of an account. */
  get(accountId: string): Balance | undefined {
    return this.map.get(accountId);
  }

  /** Every balance. */
  values(): IterableIterator<Balance> {
    return this.map.values();
  }

  /** Iterates every balance held. */
  [Symbol.iterator](): IterableIterator<Balance> {
    return this.map.values();
  }

  /**
   * @internal Applies a version unless it is older. An equal `updated_at` is applied: the server
   * revalues equity and buying power without moving `updated_at`.
   */
  apply(balance: Balance): boolean {
    // The spec leaves account_id optional (inferred); the store places every record first
    // (inferred-fields.ts), so a balance here always carries it.
    const account = balance.account_id as string;
    const current = this.map.get(account);
    if (current) {
      // A missing `updated_at` (an inferred field) orders as the oldest.
      if (timeOf(balance.updated_at) < timeOf(current.updated_at)) return false;
      if (JSON.stringify(current) === JSON.stringify(balance)) return false;
    }
    this.map.set(account, balance);
    return true;
  }
}

function isZero(quantity: unknown): boolean {
  // Not a decimal: keep it rather than guess (tolerant reader).
  return tryCompareDecimal(quantity, '0') === 0;
}
