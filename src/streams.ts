/**
 * `connect-trade/streams`: the brokerage and market-data WebSocket streams, their types and the
 * errors they raise. Usable on its own (browsers: import only this entry).
 */

export {
  ConnectTradeError,
  ListenerError,
  StreamAuthenticationError,
  StreamClosedError,
  StreamError,
  StreamProtocolError,
  StreamRequestError,
  StreamSessionReplacedError,
  StreamTimeoutError,
  ValidationError,
} from './core/errors';
export type { Logger } from './core/logging';
export type { TelemetryOption, TelemetryTracer } from './core/telemetry';
export type { SecretProvider } from './rest/auth';
export type {
  BrokerageSource,
  BrokerageSourceEmitter,
  BrokerageSourceEvents,
} from './streams/brokerage-source';
export {
  BrokerageStream,
  type BrokerageStreamEvents,
  type BrokerageStreamOptions,
  type BrokerageSubscription,
  type UpdateMeta,
  type UpdatesIterator,
  type UpdatesOptions,
} from './streams/brokerage-stream';
export { BufferedIterator } from './streams/buffered-iterator';
export type { IteratorBuffer } from './streams/buffers';
export type { CloseInfo, ConnectionState, ReconnectInfo } from './streams/connection-events';
export {
  MarketDataStream,
  type MarketDataStreamEvents,
  type MarketDataStreamOptions,
  type SubscribeParamsArg,
} from './streams/market-data-stream';
export { MarketDataSubscription, type SubscriptionEvents } from './streams/market-data-subscription';
export type * from './streams/messages';
export type { ReconnectOptions, StreamOptions } from './streams/options';
export type { BrokerageFilter } from './streams/protocol/brokerage';
export type { SnapshotBarsParams } from './streams/protocol/market-data';
export type { StreamLogger } from './streams/safe-emitter';
export type { GapInfo, LifecycleEvents } from './streams/stream-core';
export type { TimerApi } from './streams/timers';
export type { WebSocketConstructor, WebSocketLike } from './streams/transport';
// Every model of the spec under its own name (generated/models.ts); the names listed explicitly
// in this file take precedence where the SDK has its own type of that name (e.g. a normalized Connection).
export type * from './types';
// Also named in ./streams/messages: one explicit export settles which (they are the same type).
export type {
  Balance,
  Bar,
  BarInterval,
  BrokerageClientMessage,
  BrokerageServerMessage,
  BrokerageTopic,
  Depth,
  MarketDataChannel,
  MarketDataClientMessage,
  MarketDataServerMessage,
  OptionsChain,
  Order,
  Position,
  Quote,
  StreamErrorCode,
  SubscriptionInfo,
  Trade,
} from './types';
