/**
 * `connect-trade/rest`: the REST client alone, with no WebSocket code, for apps (and browser
 * bundles) that never stream.
 */
export { type Clock, systemClock } from './core/clock';
export type { DecimalInput } from './core/decimal';
export type { AppInfo } from './core/environment';
export {
  APIConnectionError,
  APIError,
  APITimeoutError,
  APIUserAbortError,
  AuthenticationError,
  type AuthenticationReason,
  BadRequestError,
  ConfigurationError,
  ConflictError,
  ConnectTradeError,
  InternalServerError,
  MalformedResponseError,
  NotFoundError,
  OrderOutcomeUnknownError,
  PaginationError,
  PermissionDeniedError,
  RateLimitError,
  RedirectRefusedError,
  ResponseTooLargeError,
  UnprocessableEntityError,
  ValidationError,
  type ValidationIssue,
} from './core/errors';
export type { Logger } from './core/logging';
export type { IdGenerator, RandomSource } from './core/random';
export type { TelemetryOption, TelemetryTracer } from './core/telemetry';
export { APIPromise, type WithResponse } from './rest/api-promise';
export type { SecretProvider } from './rest/auth';
export {
  ConnectTradeRest,
  /** The REST client, as the default export too: `import ConnectTrade from 'connect-trade/rest'`. */
  ConnectTradeRest as default,
  ConnectTradeUser,
  type UserCredentials,
} from './rest/client';
export type {
  ClientOptions,
  ConnectionTypeField,
  FetchLike,
  LogLevel,
  RateLimitOptions,
  RateLimitRate,
  RequestOptions,
} from './rest/options';
export type {
  LimitOrderInput,
  MarketOrderInput,
  OrderLegInput,
  OrderQuantity,
  OrderRequest,
  ReplaceOrderParams,
  StopLimitOrderInput,
  StopOrderInput,
} from './rest/orders/input';
export type { CollectedItems, PageFetcher, PageInfo, PaginationBounds } from './rest/pagination';
export { Page, PagePromise } from './rest/pagination';
export type {
  AccountListParams,
  Accounts,
  BalanceListParams,
  Balances,
  PositionListParams,
  Positions,
  TransactionListParams,
  Transactions,
  UserList,
  UserLists,
} from './rest/resources/accounts';
export type {
  Connection,
  ConnectionAuthorization,
  Connections,
  CreateConnectionParams,
  DeletedConnection,
} from './rest/resources/connections';
export type { OrderListParams, OrderReconcileParams, Orders } from './rest/resources/orders';
export type { CreateUserTokenParams, Tokens } from './rest/resources/tokens';
export type { CreatedUser, CreateUserParams, DeletedUser, Users } from './rest/resources/users';
// Every model of the spec under its own name (generated/models.ts); the names listed explicitly
// in this file take precedence where the SDK has its own type of that name (e.g. a normalized Connection).
export type * from './types';
export type {
  Account,
  Balance,
  ConnectionStatus,
  ConnectionToken,
  ConnectionType,
  Decimal,
  Fill,
  Instrument,
  Open,
  Order,
  OrderLeg,
  OrderRequestBody,
  OrderSide,
  OrderStatus,
  OrderStatusFilter,
  OrderType,
  Position,
  ReplaceOrderRequest,
  TimeInForce,
  TokenScope,
  Transaction,
  User,
  UserToken,
} from './types';
export { VERSION } from './version';

import { ConnectTradeRest } from './rest/client';

/**
 * The REST-only client under its former name.
 * @deprecated Use {@link ConnectTradeRest}; `ConnectTrade` of `connect-trade` is the full client.
 */
export const ConnectTrade = ConnectTradeRest;
/**
 * The REST-only client's type under its former name.
 * @deprecated Use {@link ConnectTradeRest}.
 */
export type ConnectTrade = ConnectTradeRest;
