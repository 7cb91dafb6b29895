/** The shapes of one attempt on the wire, shared by the transports (transport.ts, node-transport.ts). */
import type { Clock } from '../core/clock';

/** A fetch implementation: the global one, a polyfill, or a test double. */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/**
 * Who one call is charged to by the client-side limiter, resolved once per call (not per attempt)
 * and carried by its attempts' requests: its user and, for a trading call, the `user\naccount` key
 * of its account's bucket.
 */
export interface RateLimitTenant {
  readonly user: string | undefined;
  readonly account: string | undefined;
}

/** One attempt's request, already carrying its final headers and body. */
export interface WireRequest {
  readonly url: string;
  readonly method: string;
  /**
   * Read-only, for the transport and for the caller: a client passes the same object on every call
   * of a scope, and a transport may keep a form of it built once (the node:http header list).
   */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | undefined;
  /** This attempt's deadline in milliseconds (connect, send and the whole body). */
  readonly timeout: number;
  /** Reading stops with a ResponseTooLargeError past this many body bytes. */
  readonly maxResponseBytes: number;
  /** The caller's signal; the attempt ends with an APIUserAbortError when it aborts. */
  readonly signal?: AbortSignal | undefined;
  /** Who the attempt is charged to, for the client-side limiter (with `rateLimit` / `maxConcurrency`). */
  readonly tenant?: RateLimitTenant | undefined;
}

/** One attempt's response with its body read; header names are lower-case (repeated values joined by ", "). */
export interface WireResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly text: string;
}

/**
 * Sends one attempt. Rejects with the SDK's APITimeoutError, APIUserAbortError or
 * ResponseTooLargeError for those three cases, and with the underlying network error otherwise
 * (the retry loop types it as an APIConnectionError). Never throws: every failure is a rejection.
 */
export type Transport = (request: WireRequest) => Promise<WireResponse>;

/** Builds the transport over a fetch (transport.ts `fetchTransport`), its deadlines on `clock`. */
export type FetchTransport = (fetch: FetchLike, clock?: Clock) => Transport;
