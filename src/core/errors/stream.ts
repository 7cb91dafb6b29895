/** The streams' errors: one base class, {@link StreamError}, with `code` and `closeCode`. */
import { ConnectTradeError, truncate } from './base';

/** Base of every streaming error. `code` is the protocol's error code, `closeCode` the socket's. */
export class StreamError extends ConnectTradeError {
  override name = 'StreamError';
  readonly code: string | undefined;
  readonly closeCode: number | undefined;
  readonly requestId: string | undefined;
  constructor(
    message: string,
    // A field given as undefined reads as an absent one: every field is set either way (`cause`
    // only when defined), so the factory passes optional values as they are.
    details: { code?: string; closeCode?: number; requestId?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: details.cause });
    // From the server's frame, which may echo a credential: the stream's scope scrubs it with the rest.
    this.code = details.code;
    this.closeCode = details.closeCode;
    this.requestId = details.requestId;
  }
}
/** Credentials or token rejected (`unauthorized`, close 4001): reconnecting with them is pointless. */
export class StreamAuthenticationError extends StreamError {
  override name = 'StreamAuthenticationError';
}
/** Another session took over this credential pair (close 4002): the SDK does not reconnect. */
export class StreamSessionReplacedError extends StreamError {
  override name = 'StreamSessionReplacedError';
}
/** The server answered a request with an `error` message. */
export class StreamRequestError extends StreamError {
  override name = 'StreamRequestError';
}
/** A request, connect or authentication got no answer in time. */
export class StreamTimeoutError extends StreamError {
  override name = 'StreamTimeoutError';
}
/** The stream is closed, or closed while the request was waiting. */
export class StreamClosedError extends StreamError {
  override name = 'StreamClosedError';
}
/** A frame could not be decoded or broke the protocol; `frame` holds the raw text, truncated. */
export class StreamProtocolError extends StreamError {
  override name = 'StreamProtocolError';
  readonly frame: string;
  constructor(message: string, frame: string, details: { cause?: unknown } = {}) {
    super(message, details);
    this.frame = truncate(frame, 512);
  }
}

/** A user's event listener threw; the stream carried on. */
export class ListenerError extends StreamError {
  override name = 'ListenerError';
}
