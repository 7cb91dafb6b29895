/**
 * The spec's models under their own names. Every one is generated (`generated/models.ts`, written
 * by `scripts/generate.ts` from `openapi/`): object schemas are interfaces whose fields carry the
 * spec's descriptions, so hovers and the API reference show fields, not `components["schemas"][…]`.
 * Nothing here restates a shape the spec defines.
 */
import type {
  LimitOrderRequest,
  MarketOrderRequest,
  StopLimitOrderRequest,
  StopOrderRequest,
} from '../generated/models';

export type * from '../generated/models';

/** A known enum value, or any other string the server may add later. */
// `string & {}` keeps editor completion of the known values while accepting new ones.
export type Open<T extends string> = T | (string & {});

/** The known values of an open enum such as {@link BarInterval}, without the `string & {}` that keeps it open. */
export type Known<T> = T extends unknown ? (string extends T ? never : T) : never;

/** The body of POST /orders exactly as the spec defines it, discriminated on `order_type` (the REST client takes a friendlier input). */
export type OrderRequestBody =
  | MarketOrderRequest
  | LimitOrderRequest
  | StopOrderRequest
  | StopLimitOrderRequest;
