/**
 * Friendly names for the spec's shapes. Everything points into `generated/schema`; nothing here
 * restates a shape the spec defines. Enum-typed fields of responses are widened with
 * {@link Open} because new statuses, brokers and types appear without notice (tolerant reader).
 */
import type { components } from '../generated/schema';

type Schemas = components['schemas'];

/** A known enum value, or any other string the server may add later. */
// `string & {}` keeps editor completion of the known values while accepting new ones.
export type Open<T extends string> = T | (string & {});

/** Order type: MKT, LMT, STP, STPLMT. */
export type OrderType = Schemas['OrderType'];
/** Time in force: DAY, GTC, IOC, FOK, OPEN, CLOSE, DAY+, GTC+. */
export type TimeInForce = Schemas['TimeInForce'];
/** The ten normalized order statuses. */
export type OrderStatus = Schemas['OrderStatus'];
/** The eleven values of the orders `status` filter. */
export type OrderStatusFilter = Schemas['OrderStatusFilter'];
/** Order side. */
export type OrderSide = Schemas['OrderSide'];
/** Instrument class. */
export type Instrument = Schemas['Instrument'];
/** Connection type: trade or market_data. */
export type ConnectionType = Schemas['ConnectionType'];
/** Connection status. */
export type ConnectionStatus = Schemas['ConnectionStatus'];
/** A decimal string with up to 9 fractional digits. */
export type Decimal = Schemas['Decimal'];

/** A user of the platform. */
export type User = Schemas['User'];
/** A brokerage connection. */
export type Connection = Schemas['Connection'];
/** A market-data stream token. */
export type ConnectionToken = Schemas['ConnectionToken'];
/** A brokerage account. */
export type Account = Schemas['Account'];
/** An account balance. */
export type Balance = Schemas['Balance'];
/** A position. */
export type Position = Schemas['Position'];
/** An order as the API returns it. */
export type Order = Schemas['Order'];
/** One execution of an order. */
export type Fill = Schemas['Fill'];
/** One leg of a multi-leg option order. */
export type OrderLeg = Schemas['OrderLeg'];
/** A transaction. */
export type Transaction = Schemas['Transaction'];
/** A user access token (POST /auth/tokens/user). */
export type UserToken = Schemas['UserToken'];
/** A token scope. */
export type TokenScope = Schemas['TokenScope'];
/** The body of PATCH /accounts/{account_id}/orders/{order_id}. */
export type ReplaceOrderRequest = Schemas['ReplaceOrderRequest'];
/** The body of POST /orders as the spec defines it (see the REST client for the stricter input type). */
export type OrderRequestBody = Schemas['OrderRequest'];

/** A message sent on the brokerage stream. */
export type BrokerageClientMessage = Schemas['BrokerageClientMessage'];
/** A message received on the brokerage stream. */
export type BrokerageServerMessage = Schemas['BrokerageServerMessage'];
/** A message sent on the market-data stream. */
export type MarketDataClientMessage = Schemas['MarketDataClientMessage'];
/** A message received on the market-data stream. */
export type MarketDataServerMessage = Schemas['MarketDataServerMessage'];
/** A brokerage stream topic. */
export type BrokerageTopic = Schemas['BrokerageTopic'];
/** A market-data channel. */
export type MarketDataChannel = Schemas['MarketDataChannel'];
/** A bar interval. */
export type BarInterval = Schemas['BarInterval'];
/** A level-1 quote. */
export type Quote = Schemas['Quote'];
/** A trade print. */
export type Trade = Schemas['Trade'];
/** An OHLCV bar. */
export type Bar = Schemas['Bar'];
/** A level-2 book (top N levels). */
export type Depth = Schemas['Depth'];
/** An options chain snapshot. */
export type OptionsChain = Schemas['OptionsChain'];
/** A stream error code. */
export type StreamErrorCode = Schemas['StreamErrorCode'];
