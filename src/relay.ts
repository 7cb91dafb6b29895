/**
 * `connect-trade/relay` (Node only): run the brokerage stream through Redis Streams to a fleet of
 * app servers. `startRelay` (leader election by a Redis lease with a fencing token), `relayStream`
 * (a consumer that stands in for a `BrokerageStream`, e.g. for `user.live({ stream })`) and
 * `relayGroup` (a work queue on a consumer group). Needs the optional peer dependency `redis`.
 */
export type { Clock } from './core/clock';
export { RelayError } from './core/errors';
export type { RandomSource } from './core/random';
export type { RawEntry } from './relay/entries';
export { DEFAULT_KEY, type RelayAction, type RelayKeys, relayKeys, relayTag } from './relay/keys';
export { type LeaseOptions, type LeaseTiming, leaseTiming } from './relay/lease';
export type {
  ClusterTarget,
  RedisClientLike,
  RedisClusterLike,
  RedisNodeAddress,
  RedisSentinelLike,
  RedisTarget,
  SentinelTarget,
} from './relay/redis-link';
export {
  type RelayEvents,
  RelayHandle,
  type RelayMetrics,
  type RelayOptions,
  type RelayRole,
  type RelayState,
  type RelayUpstreamClient,
  startRelay,
} from './relay/relay';
export {
  RelayGroup,
  type RelayGroupContext,
  type RelayGroupEvents,
  type RelayGroupOptions,
  type RelayGroupStats,
  relayGroup,
} from './relay/relay-group';
export {
  RelayStream,
  type RelayStreamEvents,
  type RelayStreamOptions,
  relayStream,
} from './relay/relay-stream';
export type { Retention } from './relay/writer';
export type {
  BrokerageSource,
  BrokerageSourceEmitter,
  BrokerageSourceEvents,
} from './streams/brokerage-source';
