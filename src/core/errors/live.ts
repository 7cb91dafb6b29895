/** The live store's errors (waits and a closed store). */
import type { Order } from '../../types';
import { ConnectTradeError } from './base';

/** `waitFor` / `submitAndWait` gave up: the order did not reach the awaited state in time. */
export class WaitTimeoutError extends ConnectTradeError {
  override name = 'WaitTimeoutError';
  /** The order id or cl_order_id that was awaited. */
  readonly orderRef: string;
  /** The last version of the order seen, if any. */
  readonly lastSeen: Order | undefined;
  constructor(message: string, orderRef: string, lastSeen: Order | undefined) {
    super(message);
    this.orderRef = orderRef;
    this.lastSeen = lastSeen;
  }
}
/** A wait for `filled` ended because the order reached another final status (cancelled, rejected...). */
export class OrderNotFilledError extends ConnectTradeError {
  override name = 'OrderNotFilledError';
  /** The order in its final state (`broker_message` says why the broker ended it, when it did). */
  readonly order: Order;
  constructor(message: string, order: Order) {
    super(message);
    this.order = order;
  }
}
/** The live store was closed (by `live.close()` or because its stream stopped for good). */
export class LiveClosedError extends ConnectTradeError {
  override name = 'LiveClosedError';
}
