/**
 * The order engine: accepts, rejects, fills, cancels, replaces and expires orders against the
 * price feed, books fills into the account and publishes every change on the event hub.
 *
 * Matching is synchronous and deterministic: an order is matched once when placed (so a MKT order
 * is usually filled in the POST response) and again after every feed tick. Each order can take at
 * most `feed.liquidity` shares per tick, which is how large orders fill partially.
 */
import type { components } from '../../generated/schema';
import type { OffsetClock } from './clock';
import { iso, isoDate } from './clock';
import { type Dec, dec, div, fmt, min, mul, truncate, units, ZERO } from './decimal';
import type { AccountEvent, Hub } from './events';
import type { PriceFeed } from './feed';
import { badRequest, conflict, notFound } from './http-error';
import { applyFill, balanceView, isBuy, positionView } from './portfolio';
import type { AccountRecord, OrderRecord, SandboxState } from './state';

type Schemas = components['schemas'];
type Order = Schemas['Order'];
type OrderRequest = Schemas['OrderRequest'];

/** Statuses in which an order can still fill, be cancelled or be replaced. */
const WORKING: ReadonlySet<string> = new Set(['pending', 'working', 'partially_filled']);
/** Time-in-force values that end with the session. */
const SESSION_TIFS: ReadonlySet<string> = new Set(['DAY', 'DAY+', 'OPEN', 'CLOSE']);

/** Works orders against the feed. */
export class OrderEngine {
  private readonly pendingCancels = new Set<string>();
  /** Orders that may still change (working or pending_cancel), so ticks never scan closed ones. */
  private readonly open = new Map<string, OrderRecord>();

  constructor(
    private readonly state: SandboxState,
    private readonly feed: PriceFeed,
    private readonly clock: OffsetClock,
    private readonly events: Hub<AccountEvent>,
  ) {}

  /** POST /orders: the order after its first matching attempt (or a rejection). */
  place(userId: string, request: OrderRequest): Order {
    const account = this.ownedAccount(userId, request.account_id);
    if (request.broker !== account.broker)
      throw badRequest(
        `broker must be ${account.broker} for account ${account.accountId}`,
        'broker_mismatch',
      );
    const qty = request.order_qty === undefined ? undefined : dec(request.order_qty);
    const notional = request.order_notional === undefined ? undefined : dec(request.order_notional);
    if ((qty ?? notional ?? ZERO) <= ZERO)
      throw badRequest(`${qty === undefined ? 'order_notional' : 'order_qty'} must be greater than 0`);
    const nowMs = this.clock.nowMs();
    this.claimClOrderId(account.accountId, request.cl_order_id, nowMs);
    const order: Order = {
      order_id: this.state.nextId('ord'),
      cl_order_id: request.cl_order_id,
      account_id: account.accountId,
      broker: account.broker,
      symbol: request.symbol,
      instrument: request.instrument,
      side: request.side,
      order_type: request.order_type,
      order_tif: request.order_tif,
      filled_qty: '0',
      status: 'pending',
      fills: [],
      created_at: iso(nowMs),
      updated_at: iso(nowMs),
    };
    if (request.order_qty !== undefined) order.order_qty = request.order_qty;
    if (request.order_notional !== undefined) order.order_notional = request.order_notional;
    if ('order_limit_price' in request && request.order_limit_price !== undefined)
      order.order_limit_price = request.order_limit_price;
    if ('stop_price' in request && request.stop_price !== undefined) order.stop_price = request.stop_price;
    if (request.legs) order.legs = request.legs;
    return this.accept(this.record({ userId, account, order, qty, notional, nowMs }), account);
  }

  /** PATCH /accounts/{account_id}/orders/{order_id}: the replacing order. */
  replace(userId: string, accountId: string, orderId: string, body: Schemas['ReplaceOrderRequest']): Order {
    const account = this.ownedAccount(userId, accountId);
    const old = this.ownedOrder(account, orderId);
    if (!WORKING.has(old.order.status))
      throw badRequest(`order ${orderId} is ${old.order.status} and cannot be replaced`, 'order_not_open');
    if (body.broker !== account.broker)
      throw badRequest(`broker must be ${account.broker}`, 'broker_mismatch');
    const type = old.order.order_type;
    if (body.order_limit_price !== undefined && type !== 'LMT' && type !== 'STPLMT')
      throw badRequest(`order_limit_price is not allowed on a ${type} order`);
    if (body.stop_price !== undefined && type !== 'STP' && type !== 'STPLMT')
      throw badRequest(`stop_price is not allowed on a ${type} order`);
    const remaining = old.qty === undefined ? undefined : old.qty - old.filled;
    const qty =
      body.order_qty !== undefined ? dec(body.order_qty) : body.order_notional ? undefined : remaining;
    const notional =
      body.order_notional !== undefined ? dec(body.order_notional) : qty ? undefined : old.notional;
    if ((qty ?? notional ?? ZERO) <= ZERO) throw badRequest('order_qty must be greater than 0');
    const nowMs = this.clock.nowMs();
    const order: Order = {
      ...structuredClone(old.order),
      order_id: this.state.nextId('ord'),
      cl_order_id: body.new_cl_order_id,
      filled_qty: '0',
      status: 'pending',
      fills: [],
      replaces_order_id: old.order.order_id,
      created_at: iso(nowMs),
      updated_at: iso(nowMs),
    };
    delete order.avg_fill_price;
    delete order.broker_message;
    delete order.order_qty;
    delete order.order_notional;
    if (qty !== undefined) order.order_qty = fmt(qty);
    if (notional !== undefined) order.order_notional = fmt(notional);
    if (body.order_limit_price !== undefined) order.order_limit_price = body.order_limit_price;
    if (body.stop_price !== undefined) order.stop_price = body.stop_price;
    const candidate = { qty, notional, order } as const;
    if (isBuy(order.side) && this.costOf(candidate) > this.available(account, old.order.order_id))
      throw badRequest('insufficient buying power for the replacement order', 'insufficient_buying_power');
    this.claimClOrderId(account.accountId, body.new_cl_order_id, nowMs);
    this.transition(old, 'replaced', nowMs);
    const record = this.record({ userId, account, order, qty, notional, nowMs });
    record.triggered = old.triggered;
    return this.accept(record, account);
  }

  /** DELETE /accounts/{account_id}/orders/{order_id}: `pending_cancel`, settled on the next tick. */
  cancel(userId: string, accountId: string, orderId: string): Order {
    const account = this.ownedAccount(userId, accountId);
    const record = this.ownedOrder(account, orderId);
    if (record.order.status === 'pending_cancel') return structuredClone(record.order);
    if (!WORKING.has(record.order.status))
      throw badRequest(
        `order ${orderId} is ${record.order.status} and cannot be cancelled`,
        'order_not_open',
      );
    this.transition(record, 'pending_cancel', this.clock.nowMs());
    this.pendingCancels.add(orderId);
    return structuredClone(record.order);
  }

  /** Forgets engine-side bookkeeping (with `SandboxState.clear`). */
  clear(): void {
    this.open.clear();
    this.pendingCancels.clear();
  }

  /** Completes requested cancels (a cancel wins over a fill in the same tick). */
  settleCancels(): void {
    const nowMs = this.clock.nowMs();
    for (const orderId of this.pendingCancels) {
      const record = this.state.orders.get(orderId);
      if (record?.order.status === 'pending_cancel') this.transition(record, 'cancelled', nowMs);
    }
    this.pendingCancels.clear();
  }

  /** Matches every working order against the current prices. */
  matchAll(): void {
    for (const record of [...this.open.values()]) {
      if (!WORKING.has(record.order.status)) continue;
      const account = this.state.accounts.get(record.order.account_id);
      if (account) this.match(record, account);
    }
  }

  /** The simulated session close: session orders expire, pending cancels complete. */
  closeSession(): void {
    this.settleCancels();
    const nowMs = this.clock.nowMs();
    for (const record of [...this.open.values()]) {
      if (WORKING.has(record.order.status) && SESSION_TIFS.has(record.order.order_tif)) {
        record.order.broker_message = 'Expired at the session close';
        this.transition(record, 'expired', nowMs);
      }
    }
  }

  /** Cash held back by the open buy orders of an account (optionally ignoring one order). */
  reserved(account: AccountRecord, exceptOrderId?: string): Dec {
    let total = ZERO;
    for (const record of this.open.values()) {
      if (record.order.account_id !== account.accountId || record.order.order_id === exceptOrderId) continue;
      if (!WORKING.has(record.order.status) || !isBuy(record.order.side)) continue;
      total += this.costOf(record, record.filled);
    }
    return total;
  }

  private available(account: AccountRecord, exceptOrderId?: string): Dec {
    return account.cash - this.reserved(account, exceptOrderId);
  }

  /** What the unfilled part of an order may cost (limit price, else the current price). */
  private costOf(o: Pick<OrderRecord, 'qty' | 'notional' | 'order'>, filled: Dec = ZERO): Dec {
    if (o.qty === undefined) return o.notional ?? ZERO;
    const limit = o.order.order_limit_price;
    const stop = o.order.stop_price;
    const market = this.feed.has(o.order.symbol) ? this.feed.price(o.order.symbol) : ZERO;
    let price = limit !== undefined ? dec(limit) : market;
    if (limit === undefined && stop !== undefined && dec(stop) > price) price = dec(stop);
    return mul(o.qty - filled, price);
  }

  private record({
    userId,
    account,
    order,
    qty,
    notional,
    nowMs,
  }: {
    userId: string;
    account: AccountRecord;
    order: Order;
    qty: Dec | undefined;
    notional: Dec | undefined;
    nowMs: number;
  }): OrderRecord {
    const record: OrderRecord = {
      seq: this.state.nextNumber('order-seq'),
      order,
      userId,
      connectionId: account.connectionId,
      createdMs: nowMs,
      day: isoDate(nowMs),
      qty,
      notional,
      filled: ZERO,
      filledCost: ZERO,
      triggered: false,
    };
    this.state.orders.set(order.order_id, record);
    return record;
  }

  /** Rejects or starts working a new order, then tries to match it once. */
  private accept(record: OrderRecord, account: AccountRecord): Order {
    const nowMs = this.clock.nowMs();
    const { order } = record;
    const reason = this.rejection(record, account);
    if (reason) {
      order.broker_message = reason;
      this.transition(record, 'rejected', nowMs);
      return structuredClone(order);
    }
    this.transition(record, 'working', nowMs);
    if (order.order_tif === 'FOK' && !this.canFillAtOnce(record)) {
      order.broker_message = 'FOK order could not be filled in full at once';
      this.transition(record, 'cancelled', nowMs);
      return structuredClone(order);
    }
    this.match(record, account);
    if (order.order_tif === 'IOC' && WORKING.has(order.status)) {
      order.broker_message = `IOC order cancelled after filling ${order.filled_qty}`;
      this.transition(record, 'cancelled', this.clock.nowMs());
    }
    return structuredClone(order);
  }

  private rejection(record: OrderRecord, account: AccountRecord): string | undefined {
    const { order } = record;
    if (this.state.connections.get(account.connectionId)?.type === 'readonly')
      return 'Read-only connection: it cannot place orders (link a trade connection)';
    if (order.instrument !== 'EQ') return `The sandbox trades equities (EQ) only, not ${order.instrument}`;
    if (!this.feed.has(order.symbol)) return `Unknown symbol: ${order.symbol}`;
    if (order.side === 'SELL') {
      const held = account.positions.get(order.symbol)?.qty ?? ZERO;
      const wanted = record.qty ?? div(record.notional ?? ZERO, this.feed.price(order.symbol));
      if (wanted > held)
        return `Insufficient position: ${fmt(held)} ${order.symbol} held (use SELL_SHORT to go short)`;
    }
    if (isBuy(order.side)) {
      const cost = this.costOf(record);
      const available = this.available(account, order.order_id);
      if (cost > available)
        return `Insufficient buying power: the order needs ${fmt(cost, 2)} USD, ${fmt(available, 2)} USD available`;
    }
    return undefined;
  }

  /** The price this order may execute at now, or undefined while it must wait. */
  private executablePrice(record: OrderRecord): Dec | undefined {
    const { order } = record;
    const price = this.feed.price(order.symbol);
    const buy = isBuy(order.side);
    if (order.stop_price !== undefined && !record.triggered) {
      const stop = dec(order.stop_price);
      if (buy ? price < stop : price > stop) return undefined;
      record.triggered = true;
    }
    if (order.order_limit_price !== undefined) {
      const limit = dec(order.order_limit_price);
      if (buy ? price > limit : price < limit) return undefined;
    }
    return price;
  }

  private canFillAtOnce(record: OrderRecord): boolean {
    const price = this.feed.has(record.order.symbol) ? this.executablePrice(record) : undefined;
    if (price === undefined) return false;
    const qty = record.qty ?? truncate(div(record.notional ?? ZERO, price), 6);
    return qty <= units(this.feed.liquidity);
  }

  /** One matching attempt: at most `liquidity` shares at the current price. */
  private match(record: OrderRecord, account: AccountRecord): void {
    const price = this.executablePrice(record);
    if (price === undefined) return;
    if (record.qty === undefined) {
      // A notional order becomes a share quantity at its first execution.
      record.qty = truncate(div(record.notional ?? ZERO, price), 6);
      if (record.qty <= ZERO) {
        record.order.broker_message = 'Notional amount is below one millionth of a share';
        this.transition(record, 'rejected', this.clock.nowMs());
        return;
      }
    }
    const qty = min(record.qty - record.filled, units(this.feed.liquidity));
    if (qty <= ZERO) return;
    const nowMs = this.clock.nowMs();
    const { order } = record;
    record.filled += qty;
    record.filledCost += mul(qty, price);
    order.fills.push({
      fill_id: this.state.nextId('fill'),
      qty: fmt(qty),
      price: fmt(price),
      time: iso(nowMs),
    });
    order.filled_qty = fmt(record.filled);
    order.avg_fill_price = fmt(div(record.filledCost, record.filled));
    const position = applyFill(
      account,
      { symbol: order.symbol, instrument: order.instrument, side: order.side, qty, price },
      { transactionId: this.state.nextId('txn') },
      nowMs,
    );
    this.transition(record, record.filled >= record.qty ? 'filled' : 'partially_filled', nowMs);
    const owner = { userId: record.userId, accountId: account.accountId, connectionId: account.connectionId };
    this.events.emit({
      ...owner,
      action: 'position_update',
      topic: 'positions',
      data: positionView(account, position, this.feed),
    });
    this.publishBalance(account);
  }

  /** Publishes the current balance of an account. */
  publishBalance(account: AccountRecord): void {
    const owner = {
      userId: account.userId,
      accountId: account.accountId,
      connectionId: account.connectionId,
    };
    const data = balanceView(account, this.feed, this.reserved(account));
    this.events.emit({ ...owner, action: 'balance_update', topic: 'balances', data });
  }

  private transition(record: OrderRecord, status: Order['status'], nowMs: number): void {
    record.order.status = status;
    if (WORKING.has(status) || status === 'pending_cancel') this.open.set(record.order.order_id, record);
    else this.open.delete(record.order.order_id);
    record.order.updated_at = iso(nowMs);
    this.events.emit({
      userId: record.userId,
      accountId: record.order.account_id,
      connectionId: record.connectionId,
      action: 'order_update',
      topic: 'orders',
      data: structuredClone(record.order),
    });
  }

  private claimClOrderId(accountId: string, clOrderId: string, nowMs: number): void {
    const key = `${accountId}|${isoDate(nowMs)}|${clOrderId}`;
    if (this.state.clOrderIds.has(key))
      throw conflict(
        `cl_order_id ${clOrderId} was already used today on account ${accountId}`,
        'duplicate_cl_order_id',
      );
    this.state.clOrderIds.add(key);
  }

  private ownedAccount(userId: string, accountId: string): AccountRecord {
    const account = this.state.accounts.get(accountId);
    if (!account || account.userId !== userId) throw notFound(`account ${accountId} not found`);
    return account;
  }

  private ownedOrder(account: AccountRecord, orderId: string): OrderRecord {
    const record = this.state.orders.get(orderId);
    if (!record || record.order.account_id !== account.accountId)
      throw notFound(`order ${orderId} not found`);
    return record;
  }
}
