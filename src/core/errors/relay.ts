/** The fleet relay's error. */
import { StreamError } from './stream';

/**
 * The Redis relay (`connect-trade/relay`) could not do its work: Redis unreachable or answering
 * something unexpected, a malformed relay entry, or the optional `redis` package missing. `code`
 * says which (`redis_unavailable`, `malformed_entry`, `redis_missing`, `lease_lost`; `write_refused`:
 * a primary refused a write during a failover or Cluster slot migration, `not_replicated`: a write
 * was not confirmed by `WAIT` in time; both are kept and sent again, never dropped silently).
 */
export class RelayError extends StreamError {
  override name = 'RelayError';
}

/** The codes of a {@link RelayError}. */
export type RelayErrorCode =
  | 'redis_unavailable'
  | 'malformed_entry'
  | 'redis_missing'
  | 'lease_lost'
  | 'write_refused'
  | 'not_replicated';
