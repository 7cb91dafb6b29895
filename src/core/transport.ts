/**
 * The wire below the retry loop: one attempt in, one fully buffered response out. Buffering inside
 * the attempt means a connection that dies mid-body is a failed attempt (retryable), not a parse
 * error after the fact. In Node, without a user-supplied fetch, the undici keep-alive transport is
 * loaded lazily (so browser bundles never pull undici in; see package.json `browser`); elsewhere,
 * and whenever the user passes `fetch`, requests go through fetch.
 */
import type { FetchLike } from './options';

/** One attempt's request, already carrying its final headers and body. */
export interface WireRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
  readonly signal: AbortSignal;
}

/** One attempt's response with its body read; header names are lower-case (repeated values joined by ", "). */
export interface WireResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly text: string;
}

/** Sends one attempt; rejects on any network failure, timeout or abort (through `signal`). */
export type Transport = (request: WireRequest) => Promise<WireResponse>;

/** A transport over any fetch; redirects are refused so the secret headers never reach another host. */
export function fetchTransport(fetchFn: FetchLike): Transport {
  return async ({ url, method, headers, body, signal }) => {
    const response = await fetchFn(url, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
      redirect: 'error',
      signal,
    });
    return {
      status: response.status,
      headers: Object.fromEntries(response.headers),
      text: await response.text(),
    };
  };
}

function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

/**
 * The default transport: lazily the undici keep-alive one in Node, else global fetch. Resolved on
 * first use and shared by every client built from the same options.
 */
export function defaultTransport(userFetch: FetchLike | undefined): () => Promise<Transport> {
  if (userFetch) {
    const transport = fetchTransport(userFetch);
    return () => Promise.resolve(transport);
  }
  let pending: Promise<Transport> | undefined;
  return () => {
    pending ??= isNode()
      ? import('./node-transport').then((m) => m.undiciTransport())
      : Promise.resolve(fetchTransport((input, init) => globalThis.fetch(input, init)));
    return pending;
  };
}
