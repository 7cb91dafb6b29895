/**
 * The order and filter checks (core/validation.ts and the spec's rule tables), loaded on first use:
 * they are the largest part of the REST client, and a page that never places an order or filters
 * by symbol never loads them. They run before any I/O all the same: a call awaits them, then sends.
 * The checks return their problems; here those become one ValidationError, built by the error
 * factory of the up-front bundle.
 */

import { restErrorFactory as errorFactory, type ValidationIssue } from '../../core/errors';
import type { OrderRequestBody, ReplaceOrderRequest } from '../../types';
import { lazyModule } from '../lazy';
import type { BareOrderList, Checked, ValidationMode } from './validation';

function valid<T>({ value, issues }: Checked<T>): T {
  if (issues.length > 0) throw errorFactory.validation(issues);
  return value;
}

function none(issues: readonly ValidationIssue[]): void {
  valid({ value: undefined, issues });
}

/** The checks, each throwing one ValidationError that lists every problem. */
export interface OrderChecks {
  /** The body of `POST /orders` (decimals as strings, a `cl_order_id` generated when omitted). */
  validateOrder(input: unknown, mode?: ValidationMode): OrderRequestBody;
  /** The body of `PATCH /accounts/{account_id}/orders/{order_id}` (a `new_cl_order_id` generated when omitted). */
  validateReplace(input: unknown, mode?: ValidationMode): ReplaceOrderRequest;
  /** A `symbols` filter (GET /positions and the like). */
  checkSymbols(symbols: unknown): void;
  /** The filters of `orders.list`. */
  checkOrderListParams(params: { symbols?: unknown; limit?: unknown }): void;
  /** A bare list from GET /orders: its cursor from the headers, and a warning when it may be cut short. */
  bareOrderList(headers: Record<string, string>, length: number, limit: number | undefined): BareOrderList;
}

/** The checks: a value once loaded, a promise the first time (await it either way). */
export const orderChecks = lazyModule(async (): Promise<OrderChecks> => {
  const m = await import('./validation');
  return {
    validateOrder: (input, mode) => valid(m.checkOrder(input, mode)),
    validateReplace: (input, mode) => valid(m.checkReplace(input, mode)),
    checkSymbols: (symbols) => none(m.symbolsFilterIssues(symbols)),
    checkOrderListParams: (params) => none(m.orderListIssues(params)),
    bareOrderList: m.bareOrderList,
  };
});
