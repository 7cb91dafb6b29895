/**
 * `u.orders` of the main entry: the REST orders resource plus `submitAndWait`. It lives here, not
 * in `resources/orders.ts`, so that `connect-trade/rest` stays free of the live store.
 *
 * Which waiter: with `options.live` the wait follows that store (stream updates, REST polling while
 * the stream is down or resyncing). Without it, the wait polls REST only: opening a brokerage
 * stream implicitly would be wrong, because the server keeps one stream session per credential
 * pair and a new one closes the application's own (close 4002).
 */
import type { Clock } from '../core/clock';
import type { RequestOptions } from '../rest/options';
import type { OrderRequest } from '../rest/orders/input';
import type { RestCore } from '../rest/request';
import { Orders } from '../rest/resources/orders';
import type { Order } from '../types';
import type { LiveStore } from './live-store';
import { fetchOrder } from './snapshot';
import { type WaitOptions, type WaitUntil, waitForOrder } from './wait-for';

/** Options of `submitAndWait`. */
export interface SubmitAndWaitOptions extends WaitOptions {
  /** A live store of the order's account: the wait follows its stream instead of polling only. */
  live?: LiveStore | undefined;
  /** Options of the placement request (its per-attempt `timeout`, `maxRetries`, `headers`). */
  request?: Omit<RequestOptions, 'signal'> | undefined;
}

/** Orders of one user, with `submitAndWait`. */
export class LiveOrders extends Orders {
  readonly #clock: Clock;

  /** @internal Built by `ConnectTradeUser`. */
  constructor(core: RestCore) {
    super(core);
    this.#clock = core.context.options.clock;
  }

  /**
   * Places an order (validated, reconciled: never duplicated) and resolves once it satisfies
   * `until` ('filled', 'terminal' or a predicate). `timeout` bounds the wait after placement;
   * `signal` aborts both. A wait for 'filled' rejects with OrderNotFilledError when the order ends otherwise.
   */
  async submitAndWait(
    order: OrderRequest,
    until: WaitUntil,
    options: SubmitAndWaitOptions = {},
  ): Promise<Order> {
    const { live, request, ...wait } = options;
    const placed = await this.create(order, {
      ...request,
      ...(wait.signal === undefined ? {} : { signal: wait.signal }),
    });
    if (live) {
      live.ingestOrder(placed);
      if (live.accountIds.includes(placed.account_id)) return live.waitFor(placed.order_id, until, wait);
    }
    let latest = placed;
    return waitForOrder(
      placed.order_id,
      until,
      {
        current: () => latest,
        listen: () => () => {},
        shouldPoll: () => true,
        clock: this.#clock,
        poll: async () => {
          const fresh = await fetchOrder(this, {
            ref: placed.order_id,
            known: latest,
            accountIds: [placed.account_id],
            options: {
              ...(wait.signal === undefined ? {} : { signal: wait.signal }),
            },
          });
          if (fresh) latest = fresh;
          return fresh;
        },
      },
      { ...wait, pollInterval: wait.pollInterval ?? 500 },
    );
  }
}
