/**
 * Client-side checks of order placement and replacement (PROTOCOL.md's OrderRequest rules) and of
 * list filters. They run before any I/O, collect every problem instead of stopping at the first,
 * and produce the exact body to send: decimals as strings, a `cl_order_id` always present.
 *
 * The checks return their problems instead of throwing; checks.ts turns them into one
 * ValidationError. They load with the deferred part of the client (rest/deferred/).
 */
import type { components } from '../../../generated/schema';
import { type FieldRule, orderTypeFields, queryParameters, requestFields } from '../../../generated/tables';
import { toDecimalString } from '../../core/decimal';
import type { ValidationIssue } from '../../core/errors';
import { ruleProblem, symbolIssues, type ValidationMode } from '../../core/field-rules';
import { generateClOrderId } from '../../core/random';

export { ruleProblem, symbolIssues, type ValidationMode } from '../../core/field-rules';

type Schemas = components['schemas'];

/** A checked value: the normalized value, or the problems found (the value is then incomplete). */
export interface Checked<T> {
  readonly value: T;
  readonly issues: readonly ValidationIssue[];
}

// Field sets, patterns and price rules come from the spec (generated/tables.ts), never restated here.
const ORDER = requestFields.OrderRequest;
const ORDER_FIELDS: ReadonlySet<string> = new Set(Object.keys(ORDER));
const REPLACE_FIELDS: ReadonlySet<string> = new Set(Object.keys(requestFields.ReplaceOrderRequest));
const LEG_FIELDS: readonly string[] = Object.keys(requestFields.OrderLeg);
const CL_ORDER_ID = new RegExp(ORDER.cl_order_id.pattern);

/** A fresh client order id: `ct_` and 24 random base-36 characters (well inside 64 of [A-Za-z0-9_-]). */
export { generateClOrderId } from '../../core/random';

/** Collects issues and the normalized body. */
class Checker {
  readonly issues: ValidationIssue[] = [];
  readonly out: Record<string, unknown> = {};
  constructor(
    readonly input: Record<string, unknown>,
    readonly mode: ValidationMode = {},
  ) {}

  add(path: string, message: string): void {
    this.issues.push({ path, message });
  }
  string(key: string): void {
    const v = this.input[key];
    if (typeof v !== 'string' || v === '') this.add(key, 'is required (a non-empty string)');
    else this.out[key] = v;
  }
  oneOf(key: string, rule: FieldRule): void {
    const problem = ruleProblem(rule, this.input[key], this.mode, key);
    if (problem) this.add(key, problem);
    else this.out[key] = this.input[key];
  }
  clOrderId(key: string, value: unknown): void {
    // The 1-64 [A-Za-z0-9_-] shape is our guess (x-open): other ids are sent with a warning.
    const problem = CL_ORDER_ID.test(String(value))
      ? undefined
      : ruleProblem(ORDER.cl_order_id, value, this.mode, key);
    if (problem)
      this.add(
        key,
        problem === 'must be a non-empty string'
          ? problem
          : 'must be 1-64 characters of A-Z, a-z, 0-9, _ and -',
      );
    else this.out[key] = value;
  }
  decimal(key: string, value: unknown, target: Record<string, unknown> = this.out, path = key): void {
    const result = toDecimalString(value, { positive: true });
    if ('error' in result) this.add(path, result.error);
    else target[key] = result.value;
  }
  unknownFields(allowed: ReadonlySet<string>): void {
    for (const key of Object.keys(this.input))
      if (!allowed.has(key) && this.input[key] !== undefined) this.add(key, 'is not a field of this request');
  }
  present(key: string): boolean {
    return this.input[key] !== undefined;
  }
}

const NOT_AN_OBJECT: Checked<never> = {
  value: undefined as never,
  issues: [{ path: '', message: 'must be an object' }],
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkLegs(c: Checker): void {
  const legs = c.input.legs;
  if (c.input.instrument !== 'MLEG_OPT') {
    if (legs !== undefined) c.add('legs', 'is only allowed when instrument is MLEG_OPT');
    return;
  }
  const { minItems, maxItems } = ORDER.legs;
  if (!Array.isArray(legs) || legs.length < minItems || legs.length > maxItems) {
    c.add('legs', `MLEG_OPT needs ${minItems} to ${maxItems} legs`);
    if (!Array.isArray(legs)) return;
  }
  c.out.legs = legs.map((leg: unknown, i) => {
    const out: Record<string, unknown> = {};
    const l = (typeof leg === 'object' && leg !== null ? leg : {}) as Record<string, unknown>;
    if (typeof l.symbol !== 'string' || l.symbol === '')
      c.add(`legs.${i}.symbol`, 'is required (an OCC symbol)');
    else out.symbol = l.symbol;
    const side = ruleProblem(requestFields.OrderLeg.side, l.side, c.mode, `legs.${i}.side`);
    if (side) c.add(`legs.${i}.side`, side);
    else out.side = l.side;
    c.decimal('ratio_qty', l.ratio_qty, out, `legs.${i}.ratio_qty`);
    for (const key of Object.keys(l))
      if (!LEG_FIELDS.includes(key)) c.add(`legs.${i}.${key}`, 'is not a field of a leg');
    return out;
  });
}

/** Checks an order: the body to send, or every problem found. */
export function checkOrder(input: unknown, mode?: ValidationMode): Checked<Schemas['OrderRequest']> {
  if (!isRecord(input)) return NOT_AN_OBJECT;
  const c = new Checker(input, mode);
  c.unknownFields(ORDER_FIELDS);
  c.string('account_id');
  c.string('broker');
  c.string('symbol');
  c.oneOf('side', ORDER.side);
  c.oneOf('order_tif', ORDER.order_tif);
  c.oneOf('instrument', ORDER.instrument);
  c.oneOf('order_type', ORDER.order_type);
  c.clOrderId('cl_order_id', c.input.cl_order_id ?? (mode?.newId ?? generateClOrderId)());
  if (c.present('order_qty') === c.present('order_notional'))
    c.add('order_qty', 'exactly one of order_qty and order_notional is required');
  for (const key of ['order_qty', 'order_notional'] as const)
    if (c.present(key)) c.decimal(key, c.input[key]);
  const type = orderTypeFields[String(c.input.order_type)];
  if (type) {
    for (const key of type.required)
      if (!c.present(key)) c.add(key, `is required for ${c.input.order_type} orders`);
    for (const key of type.forbidden)
      if (c.present(key)) c.add(key, `is not allowed on ${c.input.order_type} orders`);
    for (const key of ['order_limit_price', 'stop_price'] as const)
      if (c.present(key) && !type.forbidden.includes(key)) c.decimal(key, c.input[key]);
  }
  checkLegs(c);
  return { value: c.out as Schemas['OrderRequest'], issues: c.issues };
}

/** Checks replacement parameters: the PATCH body, or every problem found. */
export function checkReplace(input: unknown, mode?: ValidationMode): Checked<Schemas['ReplaceOrderRequest']> {
  if (!isRecord(input)) return NOT_AN_OBJECT;
  const c = new Checker(input, mode);
  c.unknownFields(REPLACE_FIELDS);
  c.string('broker');
  c.clOrderId('new_cl_order_id', c.input.new_cl_order_id ?? (mode?.newId ?? generateClOrderId)());
  if (c.present('order_qty') && c.present('order_notional'))
    c.add('order_qty', 'at most one of order_qty and order_notional may be given');
  for (const key of ['order_qty', 'order_notional', 'order_limit_price', 'stop_price'] as const)
    if (c.present(key)) c.decimal(key, c.input[key]);
  return { value: c.out as Schemas['ReplaceOrderRequest'], issues: c.issues };
}

/** The problems of an optional REST `symbols` filter (GET /orders, GET /positions). */
export function symbolsFilterIssues(
  symbols: unknown,
  rule: FieldRule = queryParameters.listOrders.symbols,
): ValidationIssue[] {
  return symbols === undefined ? [] : symbolIssues(symbols, rule);
}

/** The problems of the filters of `orders.list` (`symbols`; `limit`: 1 to 500, from the spec). */
export function orderListIssues(params: { symbols?: unknown; limit?: unknown }): ValidationIssue[] {
  const issues = symbolsFilterIssues(params.symbols, queryParameters.listOrders.symbols);
  const problem =
    params.limit === undefined ? undefined : ruleProblem(queryParameters.listOrders.limit, params.limit);
  if (problem) issues.push({ path: 'limit', message: problem });
  return issues;
}

// The spec's page size of GET /orders when none is sent (a bare list this long may be cut short).
const DEFAULT_ORDER_LIST_LIMIT: number = queryParameters.listOrders.limit.default;

/** What a bare list from GET /orders says about the pages after it. */
export interface BareOrderList {
  /** The next cursor, from the headers; null when they give none. */
  readonly next: string | null;
  /** Set when the list may be cut short: no cursor, and exactly `limit` long. */
  readonly warning: string | undefined;
}

/**
 * Tolerated (the vendor's cookbook iterates one): GET /orders answering a bare list. Its cursor may
 * travel in a `next-cursor` / `x-next-cursor` header or `Link: <…?next_cursor=…>; rel="next"`;
 * without one, a list exactly `limit` long (the spec's default, 50, when none was sent) may be cut
 * short, so the page must say so instead of passing as the last one.
 */
export function bareOrderList(
  headers: Record<string, string>,
  length: number,
  limit: number = DEFAULT_ORDER_LIST_LIMIT,
): BareOrderList {
  const link = /<([^>]*)>[^,]*rel="?next\b/i.exec(headers.link ?? '')?.[1];
  const linked = link ? new URL(link, 'http://x').searchParams.get('next_cursor') : null;
  const next = headers['next-cursor'] || headers['x-next-cursor'] || linked || null;
  const full = next === null && length === limit;
  return {
    next,
    warning: full ? 'GET /orders: a full bare list, no cursor: more orders may exist' : undefined,
  };
}
