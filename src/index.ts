/**
 * The package entry: everything of `connect-trade/rest` and `connect-trade/streams` (re-exported,
 * not re-listed), plus what needs both: the full client (`ConnectTrade` with streams and the live
 * account store), whose classes replace the REST-only ones of the same name.
 */

export {
  ConnectTrade,
  ConnectTradeUser,
  type MarketDataClientOptions,
  type StreamClientOptions,
} from './connect-trade';
export { LiveClosedError, OrderNotFilledError, WaitTimeoutError } from './core/errors';
export { BalanceBook, OrderBook, PositionBook } from './live/collections';
export type { LiveOrders, SubmitAndWaitOptions } from './live/live-orders';
export {
  type LiveChange,
  type LiveEvents,
  type LiveStats,
  LiveStore,
  type LiveStream,
  type StaleReason,
} from './live/live-store';
export type { LiveOptions } from './live/open';
export type { WaitOptions, WaitUntil } from './live/wait-for';
// Both entries have an OrderRequest: streams' is the wire body, rest's the SDK's order input (the one users want).
export type { OrderRequest } from './rest';
export * from './rest';
export * from './streams';
// Where the two entries use one name for different things, the package entry says which it means:
// StreamError is the error class (the spec's error-frame model has that name too), OrderRequest the
// REST client's order input (the spec's body union is OrderRequestBody here).
export { StreamError } from './streams';
