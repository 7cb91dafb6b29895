/**
 * Retries, below openapi-fetch: every attempt sends a fresh request (bodies are one-shot) with its
 * own timeout; backoff waits and attempts both stop at the caller's AbortSignal. Whether a failure
 * may be retried is decided by one rule ({@link classifyFailure} + {@link retryDecision}); how
 * strict to be depends on the operation (its mode). The loop itself (retry-loop.ts) is loaded the
 * first time a call needs it: a call answered 2xx on its first attempt never does.
 */
import { retryDelay, type SleepTimers, sleep } from '../core/backoff';
import {
  APIConnectionError,
  APIError,
  ConnectTradeError,
  restErrorFactory as errorFactory,
} from '../core/errors';
import { log } from '../core/logging';
import type { SecretScope } from '../core/secret-scope';
import { lazyModule } from './lazy';
import type { Logger } from './options';
import type { RetryKit } from './retry-loop';
import type { Transport, WireRequest, WireResponse } from './transport';

/** `idempotent`: retry connection errors and retryable statuses. `unsent-only`: retry only failures that prove nothing reached the server. */
export type RetryMode = 'idempotent' | 'unsent-only';

/** Statuses worth another attempt (408 and 5xx may have been processed; 429 was refused unprocessed). */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);
// Error codes meaning the connection was never established, so the request cannot have arrived.
const NEVER_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * What a failure says about the request:
 * - `unsent`: it provably never reached the server (connection refused, DNS);
 * - `refused`: the server refused it unprocessed (429);
 * - `ambiguous`: it may have been processed (timeout, reset, 408, 5xx);
 * - `final`: retrying cannot help (any other answer, an abort, a redirect).
 */
export type FailureKind = 'unsent' | 'refused' | 'ambiguous' | 'final';

/** The one retryability rule: a status (a response not yet turned into an error) or an error → its kind. */
export function classifyFailure(failure: number | unknown): FailureKind {
  const status =
    typeof failure === 'number' ? failure : failure instanceof APIError ? failure.status : undefined;
  if (status !== undefined) {
    if (status === 429) return 'refused';
    return RETRYABLE_STATUSES.has(status) ? 'ambiguous' : 'final';
  }
  if (failure instanceof APIConnectionError) return wasNeverSent(failure.cause) ? 'unsent' : 'ambiguous';
  return 'final';
}

/**
 * What to do about one failure, per how strict the caller is (the rule's options):
 * - `idempotent` (GET, PATCH, DELETE): retry every retryable kind;
 * - `unsent-only` (other POSTs): retry only a request that provably never left;
 * - `order-placement`: like idempotent, but an ambiguous failure is looked up before any re-send
 *   (core/reconcile.ts). An `unsent` failure is always safe to repeat; a `final` one never.
 */
export function retryDecision(
  kind: FailureKind,
  mode: RetryMode | 'order-placement',
): 'stop' | 'retry' | 'lookup' {
  if (kind === 'unsent') return 'retry';
  if (kind === 'final' || mode === 'unsent-only') return 'stop';
  return kind === 'ambiguous' && mode === 'order-placement' ? 'lookup' : 'retry';
}

/** What one call's attempts need besides the request (which carries its timeout, body limit and signal). */
export interface AttemptOptions {
  readonly maxRetries: number;
  readonly retry: RetryMode;
  readonly logger?: Logger | undefined;
  /** The secrets this request sent: its log lines are scrubbed with them (only read when logging). */
  readonly secrets?: (() => SecretScope) | undefined;
  /** Timers of the backoff sleeps (tests inject fake ones). */
  readonly timers?: SleepTimers | undefined;
  /** The client-side limiter, asked around every attempt (with `rateLimit` / `maxConcurrency`). */
  readonly gate?: AttemptGate | undefined;
}

/**
 * What an attempt asks of the limiter (rate-limit.ts): before it, `enter` (true: go now) or else
 * `wait` (resolves with the request to send, once its turn came); after it, `leave`. Around the
 * attempt rather than wrapped over the transport: no promise of its own per attempt.
 */
export interface AttemptGate {
  enter(request: WireRequest): boolean;
  wait(request: WireRequest): Promise<WireRequest>;
  leave(request: WireRequest, response?: WireResponse): void;
}

/** True when an error proves the request never left this machine (refused, DNS failure). */
export function wasNeverSent(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++)
    if (NEVER_SENT_CODES.has(String((e as { code?: unknown }).code))) return true;
  return false;
}

// What the loop uses of the up-front bundle, handed over so that its chunk imports none of it.
const KIT: RetryKit = {
  errors: errorFactory,
  ConnectTradeError,
  classifyFailure,
  retryDecision,
  retryDelay,
  sleep,
  log,
};
const retryLoop = lazyModule(() => import('./retry-loop'));

/**
 * Sends a request with retries. A non-2xx that will not be retried is returned (the caller turns it
 * into the right APIError); network failures that will not be retried are thrown as typed errors.
 *
 * The common case, one attempt answered with a 2xx and nobody logging, takes no async frame and
 * loads nothing: this is on every call's path (bench/README.md). Anything else continues in the
 * loop, which reads attempt 1 from the promise already sent. Should the loop fail to load (a
 * browser gone offline), that attempt's outcome stands, typed, without retries.
 */
export function sendWithRetries(
  transport: Transport,
  request: WireRequest,
  opts: AttemptOptions,
): Promise<WireResponse> {
  const more = (first?: Promise<WireResponse>): Promise<WireResponse> => {
    const loop = retryLoop();
    if (!(loop instanceof Promise)) return loop.attempts(transport, request, opts, KIT, first);
    return loop.then(
      (module) => module.attempts(transport, request, opts, KIT, first),
      () =>
        (first ?? transport(request)).catch((error: unknown) => {
          throw error instanceof ConnectTradeError ? error : errorFactory.connection(error, request.url);
        }),
    );
  };
  const { gate } = opts;
  // The loop also waits its turn at the limiter when this attempt cannot go at once.
  if (opts.logger || request.signal?.aborted || gate?.enter(request) === false) return more();
  // A transport never throws (every failure is a rejection).
  const first = transport(request);
  return first.then(
    (response) => {
      gate?.leave(request, response);
      return response.status >= 200 && response.status < 300 ? response : more(first);
    },
    () => {
      gate?.leave(request);
      return more(first);
    },
  );
}
