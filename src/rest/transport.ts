/**
 * The wire below the retry loop: one attempt in, one fully buffered response out. Buffering inside
 * the attempt means a connection that dies mid-body is a failed attempt (retryable), not a parse
 * error after the fact; the body is read up to `maxResponseBytes` and no further.
 *
 * The seam: a {@link Transport} is a function, so any agent or dispatcher can sit behind it. In
 * Node, without a user-supplied fetch, the `node:http` keep-alive transport is loaded on first use
 * (see node-transport.ts for why it beats undici here); elsewhere, and whenever the user passes
 * `fetch`, requests go through fetch.
 */
import { type Clock, systemClock } from '../core/clock';
import { restErrorFactory as errorFactory } from '../core/errors';
import { OnFirstUse } from './on-first-use';
import type { FetchLike, Transport } from './wire';

export type { FetchLike, RateLimitTenant, Transport, WireRequest, WireResponse } from './wire';

/** A transport over any fetch; redirects are refused so the secret headers never reach another host. */
export function fetchTransport(fetchFn: FetchLike, clock: Clock = systemClock): Transport {
  return async ({ url, method, headers, body, signal, timeout, maxResponseBytes }) => {
    // fetch only stops through a signal: one per attempt, following the caller's.
    const controller = new AbortController();
    let timedOut = false;
    const timer = clock.setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeout);
    const onAbort = () => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const response = await fetchFn(url, {
        method,
        // A copy: the SDK shares one frozen headers object between the calls of a client, and a
        // fetch (undici's, with a proxy dispatcher) may add to what it is given.
        headers: { ...headers },
        ...(body === undefined ? {} : { body }),
        redirect: 'error',
        signal: controller.signal,
      });
      return {
        status: response.status,
        headers: Object.fromEntries(response.headers),
        text: await readLimited(response, maxResponseBytes, () => controller.abort()),
      };
    } catch (error) {
      if (signal?.aborted) throw errorFactory.aborted(signal.reason);
      if (timedOut) throw errorFactory.timeout(timeout);
      throw error;
    } finally {
      clock.clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  };
}

/** A fetch response's body as text, stopping (and cancelling the body) past `max` bytes. */
async function readLimited(response: Response, max: number, abort: () => void): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (declared > max) {
    abort();
    throw errorFactory.responseTooLarge(max);
  }
  const reader = response.body?.getReader?.();
  if (!reader) {
    // A fetch without body streams (some polyfills): the whole text, then the check.
    const text = await response.text();
    if (text.length > max) throw errorFactory.responseTooLarge(max);
    return text;
  }
  const decoder = new TextDecoder();
  let text = '';
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => undefined);
      abort();
      throw errorFactory.responseTooLarge(max);
    }
    text += decoder.decode(value, { stream: true });
  }
}

function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

/** What picks the transport (the client options it depends on). */
export interface TransportChoice {
  readonly fetch?: FetchLike | undefined;
  /** Node: an undici dispatcher (proxy agent, mock...) to send through. */
  readonly dispatcher?: import('undici').Dispatcher | undefined;
  /** The client's clock (per-attempt deadlines of a fetch transport). */
  readonly clock?: Clock | undefined;
}

/**
 * The transport for a client: over the user's fetch when given; else in Node the given dispatcher,
 * an `EnvHttpProxyAgent` when `HTTP(S)_PROXY` is set, or the `node:http` keep-alive transport (loaded on first use, so importing the SDK or bundling it for a browser
 * never loads it), else global fetch. Shared by every client built from the same options.
 */
export function defaultTransport(choice: TransportChoice): OnFirstUse<Transport> {
  if (choice.fetch) return OnFirstUse.of(fetchTransport(choice.fetch, choice.clock));
  return new OnFirstUse(() =>
    isNode()
      ? import('./node-transport').then((m) =>
          m.chooseNodeTransport(choice.dispatcher, fetchTransport, choice.clock),
        )
      : Promise.resolve(fetchTransport((input, init) => globalThis.fetch(input, init))),
  );
}
