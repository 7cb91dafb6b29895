/**
 * Client-side checks of order placement and replacement (PROTOCOL.md's OrderRequest rules). They
 * run before any I/O, collect every problem instead of stopping at the first, and produce the exact
 * body to send: decimals as strings, a `cl_order_id` always present.
 */
import { enums } from '../../generated/operations';
import type { components } from '../../generated/schema';
import { toDecimalString } from './decimal';
import { restErrorFactory as errorFactory, type ValidationIssue } from './errors';

type Schemas = components['schemas'];

const CL_ORDER_ID = /^[A-Za-z0-9_-]{1,64}$/;
const ORDER_FIELDS = new Set([
  'account_id',
  'cl_order_id',
  'broker',
  'side',
  'order_type',
  'order_tif',
  'instrument',
  'symbol',
  'order_qty',
  'order_notional',
  'order_limit_price',
  'stop_price',
  'legs',
]);
const REPLACE_FIELDS = new Set([
  'new_cl_order_id',
  'broker',
  'order_qty',
  'order_notional',
  'order_limit_price',
  'stop_price',
]);
/** Which price fields each order type needs (true) or forbids (false). */
const PRICE_RULES: Record<string, { order_limit_price: boolean; stop_price: boolean }> = {
  MKT: { order_limit_price: false, stop_price: false },
  LMT: { order_limit_price: true, stop_price: false },
  STP: { order_limit_price: false, stop_price: true },
  STPLMT: { order_limit_price: true, stop_price: true },
};

/** A fresh client order id: `ct_` and 24 random base-36 characters (well inside 64 of [A-Za-z0-9_-]). */
export function generateClOrderId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return `ct_${Array.from(bytes, (b) => (b % 36).toString(36)).join('')}`;
}

/** Collects issues and the normalized body. */
class Checker {
  readonly issues: ValidationIssue[] = [];
  readonly out: Record<string, unknown> = {};
  constructor(readonly input: Record<string, unknown>) {}

  add(path: string, message: string): void {
    this.issues.push({ path, message });
  }
  string(key: string): void {
    const v = this.input[key];
    if (typeof v !== 'string' || v === '') this.add(key, 'is required (a non-empty string)');
    else this.out[key] = v;
  }
  oneOf(key: string, values: readonly string[]): void {
    const v = this.input[key];
    if (typeof v !== 'string' || !values.includes(v)) this.add(key, `must be one of ${values.join(', ')}`);
    else this.out[key] = v;
  }
  clOrderId(key: string, value: unknown): void {
    if (typeof value !== 'string' || !CL_ORDER_ID.test(value))
      this.add(key, 'must be 1-64 characters of A-Z, a-z, 0-9, _ and -');
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

function asRecord(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw errorFactory.validation([{ path: '', message: 'must be an object' }]);
  return value as Record<string, unknown>;
}

function checkLegs(c: Checker): void {
  const legs = c.input.legs;
  if (c.input.instrument !== 'MLEG_OPT') {
    if (legs !== undefined) c.add('legs', 'is only allowed when instrument is MLEG_OPT');
    return;
  }
  if (!Array.isArray(legs) || legs.length < 2 || legs.length > 4) {
    c.add('legs', 'MLEG_OPT needs 2 to 4 legs');
    if (!Array.isArray(legs)) return;
  }
  c.out.legs = legs.map((leg: unknown, i) => {
    const out: Record<string, unknown> = {};
    const l = (typeof leg === 'object' && leg !== null ? leg : {}) as Record<string, unknown>;
    if (typeof l.symbol !== 'string' || l.symbol === '')
      c.add(`legs.${i}.symbol`, 'is required (an OCC symbol)');
    else out.symbol = l.symbol;
    if (typeof l.side !== 'string' || !(enums.OrderSide as readonly string[]).includes(l.side))
      c.add(`legs.${i}.side`, `must be one of ${enums.OrderSide.join(', ')}`);
    else out.side = l.side;
    c.decimal('ratio_qty', l.ratio_qty, out, `legs.${i}.ratio_qty`);
    for (const key of Object.keys(l))
      if (!['symbol', 'side', 'ratio_qty'].includes(key))
        c.add(`legs.${i}.${key}`, 'is not a field of a leg');
    return out;
  });
}

/** Checks an order and returns the body to send; throws one ValidationError listing every problem. */
export function validateOrder(input: unknown): Schemas['OrderRequest'] {
  const c = new Checker(asRecord(input));
  c.unknownFields(ORDER_FIELDS);
  c.string('account_id');
  c.string('broker');
  c.string('symbol');
  c.oneOf('side', enums.OrderSide);
  c.oneOf('order_tif', enums.TimeInForce);
  c.oneOf('instrument', enums.Instrument);
  c.oneOf('order_type', enums.OrderType);
  c.clOrderId('cl_order_id', c.input.cl_order_id ?? generateClOrderId());
  if (c.present('order_qty') === c.present('order_notional'))
    c.add('order_qty', 'exactly one of order_qty and order_notional is required');
  for (const key of ['order_qty', 'order_notional'] as const)
    if (c.present(key)) c.decimal(key, c.input[key]);
  const rule = PRICE_RULES[String(c.input.order_type)];
  if (rule) {
    for (const key of ['order_limit_price', 'stop_price'] as const) {
      if (rule[key] && !c.present(key)) c.add(key, `is required for ${c.input.order_type} orders`);
      else if (!rule[key] && c.present(key)) c.add(key, `is not allowed on ${c.input.order_type} orders`);
      else if (c.present(key)) c.decimal(key, c.input[key]);
    }
  }
  checkLegs(c);
  if (c.issues.length > 0) throw errorFactory.validation(c.issues);
  return c.out as Schemas['OrderRequest'];
}

/** Checks replacement parameters and returns the PATCH body; throws one ValidationError listing every problem. */
export function validateReplace(input: unknown): Schemas['ReplaceOrderRequest'] {
  const c = new Checker(asRecord(input));
  c.unknownFields(REPLACE_FIELDS);
  c.string('broker');
  c.clOrderId('new_cl_order_id', c.input.new_cl_order_id ?? generateClOrderId());
  if (c.present('order_qty') && c.present('order_notional'))
    c.add('order_qty', 'at most one of order_qty and order_notional may be given');
  for (const key of ['order_qty', 'order_notional', 'order_limit_price', 'stop_price'] as const)
    if (c.present(key)) c.decimal(key, c.input[key]);
  if (c.issues.length > 0) throw errorFactory.validation(c.issues);
  return c.out as Schemas['ReplaceOrderRequest'];
}

/** Checks a path id (account, order, connection, user): a non-empty string. */
export function requireId(name: string, value: unknown): string {
  if (typeof value !== 'string' || value === '')
    throw errorFactory.validation([{ path: name, message: 'is required (a non-empty string)' }]);
  return value;
}

/** Checks a `symbols` filter: a non-empty list of non-empty symbols without commas (they are sent comma-joined). */
export function checkSymbols(symbols: unknown): void {
  if (symbols === undefined) return;
  const issues: ValidationIssue[] = [];
  if (!Array.isArray(symbols) || symbols.length === 0)
    issues.push({ path: 'symbols', message: 'must be a non-empty array of symbols' });
  else
    symbols.forEach((s, i) => {
      if (typeof s !== 'string' || s === '' || s.includes(','))
        issues.push({ path: `symbols.${i}`, message: 'must be a non-empty symbol without commas' });
    });
  if (issues.length > 0) throw errorFactory.validation(issues);
}
