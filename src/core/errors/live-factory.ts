/**
 * The live store's and the relay's part of the one error factory: {@link errorFactory} (factory.ts)
 * joins it with the REST and stream parts; callers use that.
 */
import type { Order } from '../../types';
import { truncate } from './base';
import { LiveClosedError, OrderNotFilledError, WaitTimeoutError } from './live';
import { RelayError, type RelayErrorCode } from './relay';

/**
 * The factory methods of the live store and the relay: apart from {@link streamErrorFactory} so a
 * page that only streams does not load these classes. Both reach them through {@link errorFactory}.
 */
export const liveErrorFactory = {
  waitTimeout(orderRef: string, ms: number, lastSeen: Order | undefined): WaitTimeoutError {
    const state = lastSeen ? ` (last seen ${lastSeen.status}${brokerSaid(lastSeen)})` : '';
    return new WaitTimeoutError(
      `Order ${orderRef} did not reach the awaited state within ${ms} ms${state}`,
      orderRef,
      lastSeen,
    );
  },
  /** The order reached a final status other than `filled`; the broker's message says why. */
  orderNotFilled(order: Order): OrderNotFilledError {
    return new OrderNotFilledError(
      `Order ${order.order_id} ended ${order.status} without filling${brokerSaid(order)}`,
      order,
    );
  },
  liveClosed(what: string): LiveClosedError {
    return new LiveClosedError(`The live store is closed (${what})`);
  },
  /** A relay failure (see {@link RelayError} for the codes). */
  relay(code: RelayErrorCode, message: string, cause?: unknown): RelayError {
    return new RelayError(message, { code, cause });
  },
};

/** `: <broker_message>` when the broker gave one (a rejection's reason), else nothing. */
function brokerSaid(order: Order): string {
  const said = order.broker_message;
  return typeof said === 'string' && said.trim() !== '' ? `: ${truncate(said.trim(), 300)}` : '';
}
