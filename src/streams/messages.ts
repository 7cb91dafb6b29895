/** Names for the stream messages of the spec; every shape points into `generated/`. */
import type { components } from '../../generated/schema';

type Schemas = components['schemas'];

/** `{ action: "order_update", seq, user_id, data: Order }`. */
export type OrderUpdateMessage = Schemas['OrderUpdate'];
/** `{ action: "position_update", seq, user_id, data: Position }`. */
export type PositionUpdateMessage = Schemas['PositionUpdate'];
/** `{ action: "balance_update", seq, user_id, data: Balance }`. */
export type BalanceUpdateMessage = Schemas['BalanceUpdate'];
/** Any brokerage update. */
export type BrokerageUpdateMessage = OrderUpdateMessage | PositionUpdateMessage | BalanceUpdateMessage;
/** `{ action: "authenticated", session_id }` (brokerage). */
export type BrokerageAuthenticatedMessage = Schemas['BrokerageAuthenticated'];
/** `{ action: "subscribed", request_id, topics }`. */
export type BrokerageSubscribedMessage = Schemas['BrokerageSubscribed'];
/** `{ action: "unsubscribed", request_id, topics }`. */
export type BrokerageUnsubscribedMessage = Schemas['BrokerageUnsubscribed'];
/** `{ action: "heartbeat", time }`. */
export type HeartbeatMessage = Schemas['Heartbeat'];
/** `{ action: "error", request_id?, code, message }`. */
export type StreamErrorMessage = Schemas['StreamError'];

/** `{ action: "authenticated", connection_id, expires_at }` (market data). */
export type MarketDataAuthenticatedMessage = Schemas['MarketDataAuthenticated'];
/** `{ action: "subscribed", request_id, channel, symbols }`. */
export type MarketDataSubscribedMessage = Schemas['MarketDataSubscribed'];
/** `{ action: "unsubscribed", request_id, channel, symbols }`. */
export type MarketDataUnsubscribedMessage = Schemas['MarketDataUnsubscribed'];
/** `{ action: "update", channel, data }`, discriminated on channel. */
export type MarketDataUpdateMessage = Schemas['MarketDataUpdate'];
/** `{ action: "snapshot", request_id, channel: "bars", symbol, data: Bar[] }`. */
export type SnapshotResponseMessage = Schemas['SnapshotResponse'];
/** `{ action: "subscriptions", request_id, subscriptions }`. */
export type SubscriptionsResponseMessage = Schemas['SubscriptionsResponse'];
/** One entry of `list_subscriptions`' answer. */
export type SubscriptionInfo = Schemas['SubscriptionInfo'];
/** A market-data subscribe request, discriminated on channel. */
export type MarketDataSubscribeMessage = Schemas['MarketDataSubscribe'];
/** A bars snapshot request. */
export type SnapshotRequestMessage = Schemas['SnapshotRequest'];
/** A market-data channel. */
export type Channel = Schemas['MarketDataChannel'];

/** The payload type of each market-data channel. */
export interface ChannelData {
  quotes: Schemas['Quote'];
  trades: Schemas['Trade'];
  bars: Schemas['Bar'];
  depth: Schemas['Depth'];
  options_chain: Schemas['OptionsChain'];
}

type SubscribeFields<C extends Channel> = Omit<
  Extract<MarketDataSubscribeMessage, { channel: C }>,
  'action' | 'request_id' | 'channel' | 'symbols'
>;

/** The subscribe parameters of each channel (what follows `symbols` in the request). */
export type ChannelParams = {
  // openapi-typescript marks `levels` required because the spec gives it a default; the server applies it.
  [C in Channel]: C extends 'depth' ? Partial<SubscribeFields<C>> : SubscribeFields<C>;
};
