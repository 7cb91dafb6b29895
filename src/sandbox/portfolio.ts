/**
 * Cash, positions and transactions of a paper account: how a fill changes them, and how they
 * look on the wire (GET /balances, GET /positions and the stream's updates).
 */
import type { components } from '../../generated/schema';
import { iso, isoDate } from './clock';
import { type Dec, div, fmt, max, min, money, mul, ZERO } from './decimal';
import type { PriceFeed } from './feed';
import type { AccountRecord, PositionRecord } from './state';

type Schemas = components['schemas'];

/** The sides that add to a position (everything else sells). */
const BUY_SIDES: ReadonlySet<string> = new Set(['BUY', 'BUY_TO_COVER', 'BUY_TO_OPEN', 'BUY_TO_CLOSE']);

/** Whether an order side buys. */
export function isBuy(side: Schemas['OrderSide']): boolean {
  return BUY_SIDES.has(side);
}

/** Books one fill: cash, the position (average price, realized P&L) and a transaction. */
export function applyFill(
  account: AccountRecord,
  fill: {
    symbol: string;
    instrument: Schemas['Instrument'];
    side: Schemas['OrderSide'];
    qty: Dec;
    price: Dec;
  },
  ids: { transactionId: string },
  nowMs: number,
): PositionRecord {
  const signed = isBuy(fill.side) ? fill.qty : -fill.qty;
  const amount = mul(fill.qty, fill.price);
  account.cash += isBuy(fill.side) ? -amount : amount;
  const position = account.positions.get(fill.symbol) ?? {
    symbol: fill.symbol,
    instrument: fill.instrument,
    qty: ZERO,
    avgPrice: ZERO,
    realized: ZERO,
  };
  const before = position.qty;
  const after = before + signed;
  if (before === ZERO || before > ZERO === signed > ZERO) {
    // Adding to (or opening) a position: the average price is the cost-weighted mean.
    position.avgPrice = div(mul(position.avgPrice, abs(before)) + amount, abs(after));
  } else {
    // Reducing (or flipping) a position: realize P&L on the closed part.
    const closed = min(abs(signed), abs(before));
    const perShare = before > ZERO ? fill.price - position.avgPrice : position.avgPrice - fill.price;
    position.realized += mul(closed, perShare);
    if (after === ZERO) position.avgPrice = ZERO;
    else if (after > ZERO !== before > ZERO) position.avgPrice = fill.price;
  }
  position.qty = after;
  account.positions.set(fill.symbol, position);
  account.transactions.push({
    transaction_id: ids.transactionId,
    account_id: account.accountId,
    type: isBuy(fill.side) ? 'BUY' : 'SELL',
    symbol: fill.symbol,
    quantity: fmt(signed),
    price: fmt(fill.price),
    amount: money(isBuy(fill.side) ? -amount : amount),
    currency: 'USD',
    date: isoDate(nowMs),
    description: `${isBuy(fill.side) ? 'Bought' : 'Sold'} ${fmt(fill.qty)} ${fill.symbol} @ ${fmt(fill.price)}`,
  });
  account.updatedAtMs = nowMs;
  return position;
}

function abs(value: Dec): Dec {
  return value < ZERO ? -value : value;
}

/** The wire view of a position at the current price. */
export function positionView(
  account: AccountRecord,
  position: PositionRecord,
  feed: PriceFeed,
): Schemas['Position'] {
  const last = feed.has(position.symbol) ? feed.price(position.symbol) : position.avgPrice;
  const open = feed.has(position.symbol) ? feed.sessionOpen(position.symbol) : last;
  const unrealized = mul(position.qty, last - position.avgPrice);
  return {
    account_id: account.accountId,
    symbol: position.symbol,
    instrument: position.instrument,
    quantity: fmt(position.qty),
    average_price: fmt(position.avgPrice),
    last_price: fmt(last),
    market_value: money(mul(position.qty, last)),
    unrealized_pl: money(unrealized),
    daily_pl: money(mul(position.qty, last - open)),
    total_pl: money(unrealized + position.realized),
  };
}

/** The wire view of an account's balance; `reserved` is held back by open buy orders. */
export function balanceView(account: AccountRecord, feed: PriceFeed, reserved: Dec): Schemas['Balance'] {
  let equity = account.cash;
  for (const position of account.positions.values()) {
    const last = feed.has(position.symbol) ? feed.price(position.symbol) : position.avgPrice;
    equity += mul(position.qty, last);
  }
  const buyingPower = account.cash - reserved;
  return {
    account_id: account.accountId,
    account_number: account.accountNumber,
    currency: 'USD',
    cash: money(account.cash),
    buying_power: money(max(buyingPower, ZERO)),
    equity: money(equity),
    updated_at: iso(account.updatedAtMs),
  };
}
