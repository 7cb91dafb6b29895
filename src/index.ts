/**
 * The package entry: everything of `connect-trade/rest` and `connect-trade/streams` (re-exported,
 * not re-listed), plus what needs both: the full client (`ConnectTrade` with streams and the live
 * account store), whose classes replace the REST-only ones of the same name.
 */

export {
  ConnectTrade,
  /** The client, as the default export too: `import ConnectTrade from 'connect-trade'`. */
  ConnectTrade as default,
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
// The spec has a model named StreamError (the stream's error frame); here the name is the error class.
export { StreamError } from './streams';
