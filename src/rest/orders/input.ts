/**
 * Input types of order placement and replacement, derived from the generated request types. They
 * are stricter than the spec's (exactly one of `order_qty`/`order_notional`), looser where the SDK
 * helps (`cl_order_id` optional, decimals may be JS numbers) and keep the spec's discrimination on
 * `order_type`, so an LMT without `order_limit_price` does not compile.
 */
import type { components } from '../../../generated/schema';
import type { DecimalInput } from '../../core/decimal';

type Schemas = components['schemas'];
type DecimalKey = 'order_qty' | 'order_notional' | 'order_limit_price' | 'stop_price' | 'ratio_qty';

/**
 * Decimal fields also accept JS numbers. Fields the spec forbids (`false` schemas, `?: never` in
 * the generated types) are dropped: a literal that names one is then an excess-property error, and
 * editor completion inside e.g. a MKT literal no longer offers the price fields.
 */
// `Exclude<…, undefined>`: an optional `never` reads as `undefined`, which is not `never`.
type AcceptNumbers<T> = {
  [K in keyof T as [Exclude<T[K], undefined>] extends [never] ? never : K]: K extends DecimalKey
    ? T[K] | number
    : T[K];
};

/** Exactly one of quantity and notional (the spec's `oneOf` of two `required` lists). */
export type OrderQuantity =
  | { order_qty: DecimalInput; order_notional?: never }
  | { order_notional: DecimalInput; order_qty?: never };

/** One leg of a multi-leg option order, as input. */
export interface OrderLegInput extends AcceptNumbers<Schemas['OrderLeg']> {}

/** An order type's request schema as input; quantity comes from {@link OrderQuantity}. */
type Input<T> = AcceptNumbers<Omit<T, 'cl_order_id' | 'order_qty' | 'order_notional' | 'legs'>> & {
  /** 1-64 characters of [A-Za-z0-9_-]; generated when omitted. */
  cl_order_id?: Schemas['ClOrderId'];
  /** MLEG_OPT only: 2-4 legs. */
  legs?: OrderLegInput[];
};

/** A MKT order to place: no limit or stop price. */
export interface MarketOrderInput extends Input<Schemas['MarketOrderRequest']> {}
/** A LMT order to place: `order_limit_price` required, no stop price. */
export interface LimitOrderInput extends Input<Schemas['LimitOrderRequest']> {}
/** A STP order to place: `stop_price` required, no limit price. */
export interface StopOrderInput extends Input<Schemas['StopOrderRequest']> {}
/** A STPLMT order to place: both `stop_price` and `order_limit_price` required. */
export interface StopLimitOrderInput extends Input<Schemas['StopLimitOrderRequest']> {}

/**
 * An order to place: the spec's OrderRequest (discriminated on `order_type`) with the SDK's
 * conveniences, and exactly one of `order_qty` / `order_notional`.
 */
export type OrderRequest = (MarketOrderInput | LimitOrderInput | StopOrderInput | StopLimitOrderInput) &
  OrderQuantity;

/** At most one of quantity and notional. */
type ReplaceQuantity =
  | { order_qty?: DecimalInput; order_notional?: never }
  | { order_notional?: DecimalInput; order_qty?: never };

/** Changes to an open order (PATCH); `new_cl_order_id` is generated when omitted. */
export type ReplaceOrderParams = AcceptNumbers<
  Omit<Schemas['ReplaceOrderRequest'], 'new_cl_order_id' | 'order_qty' | 'order_notional'>
> & { new_cl_order_id?: Schemas['ClOrderId'] } & ReplaceQuantity;

// Compile-time: every order type of the spec has an input interface above.
type CoversEveryOrderType<T extends OrderRequest['order_type']> = T;
type _CoveredOrderTypes = CoversEveryOrderType<Schemas['OrderRequest']['order_type']>;
