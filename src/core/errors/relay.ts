/** The fleet relay's error. */
import { StreamError } from './stream';

/**
 * The Redis relay (`connect-trade/relay`) could not do its work: Redis unreachable or answering
 * something unexpected, a malformed relay entry, or the optional `redis` package missing. `code`
 * says which (`redis_unavailable`, `malformed_entry`, `redis_missing`, `lease_lost`).
 */
export class RelayError extends StreamError {
  override name = 'RelayError';
}
