/** What one finished REST call gives: the checked value and the raw response it was read from. */
import type { WireResponse } from './transport';

/** A finished call: the checked value and the raw response it was read from. */
export interface CallResult<T> {
  readonly data: T;
  /** Status, lower-cased headers and the body text as received (after retries). */
  readonly response: WireResponse;
}
