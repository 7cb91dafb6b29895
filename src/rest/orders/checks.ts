/**
 * The order and filter checks (validation.ts and the spec's rule tables), each throwing one
 * ValidationError that lists every problem. They run before any I/O; they load with the deferred
 * part of the client (rest/deferred/).
 */

import { restErrorFactory as errorFactory, type ValidationIssue } from '../../core/errors';
import type { OrderRequestBody, ReplaceOrderRequest } from '../../types';
import {
  type BareOrderList,
  bareOrderList,
  type Checked,
  checkOrder,
  checkReplace,
  orderListIssues,
  symbolsFilterIssues,
  type ValidationMode,
} from './validation';

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

/** The checks. */
export const orderChecks: OrderChecks = {
  validateOrder: (input, mode) => valid(checkOrder(input, mode)),
  validateReplace: (input, mode) => valid(checkReplace(input, mode)),
  checkSymbols: (symbols) => none(symbolsFilterIssues(symbols)),
  checkOrderListParams: (params) => none(orderListIssues(params)),
  bareOrderList,
};
