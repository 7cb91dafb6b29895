/**
 * Retries, below openapi-fetch: every attempt sends a fresh request (bodies are one-shot) with its
 * own timeout; backoff waits and attempts both stop at the caller's AbortSignal. Whether a failure
 * may be retried is decided by one rule ({@link classifyFailure} + {@link retryDecision}); how
 * strict to be depends on the operation (its mode).
 */
import { retryDelay, type SleepTimers, sleep } from '../core/backoff';
import type { Clock } from '../core/clock';
import {
  APIConnectionError,
  APIError,
  ConnectTradeError,
  restErrorFactory as errorFactory,
} from '../core/errors';
import { log } from '../core/logging';
import type { SecretScope } from '../core/secret-scope';
import type { Logger } from './options';
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
  /** Timers of the backoff sleeps (tests inject fake ones); `clock` wins when both are given. */
  readonly timers?: SleepTimers | undefined;
  /** The client's clock: backoff sleeps, `Retry-After` dates and log durations read it. */
  readonly clock?: Clock | undefined;
  /** The client's jitter source. */
  readonly random?: (() => number) | undefined;
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

/**
 * Sends a request with retries. A non-2xx that will not be retried is returned (the caller turns it
 * into the right APIError); network failures that will not be retried are thrown as typed errors.
 *
 * One attempt answered 2xx with nobody logging needs no loop; anything else continues in
 * {@link retryLoop}, which reads attempt 1 from the promise already sent. Hot path: bench/README.md.
 */
export function sendWithRetries(
  transport: Transport,
  request: WireRequest,
  opts: AttemptOptions,
): Promise<WireResponse> {
  const { gate } = opts;
  // The loop also waits its turn at the limiter when this attempt cannot go at once.
  if (opts.logger || request.signal?.aborted || gate?.enter(request) === false)
    return retryLoop({ transport, wire: request, opts });
  // A transport never throws (every failure is a rejection).
  const first = transport(request);
  return first.then(
    (response) => {
      gate?.leave(request, response);
      return response.status >= 200 && response.status < 300
        ? response
        : retryLoop({ transport, wire: request, opts, sentFirst: first });
    },
    () => {
      gate?.leave(request);
      return retryLoop({ transport, wire: request, opts, sentFirst: first });
    },
  );
}

function isRedirectFailure(error: unknown): boolean {
  // fetch with `redirect: 'error'` rejects with a TypeError whose message or cause names the redirect.
  for (let e = error, depth = 0; e && depth < 3; e = (e as { cause?: unknown }).cause, depth++)
    if (/redirect/i.test(String((e as { message?: unknown }).message))) return true;
  return false;
}

/**
 * The error of a failed attempt. The transport enforces the deadline, the caller's signal and the
 * body limit (typed errors); any other failure is a network error, typed here with host and code.
 */
function attemptError(error: unknown, request: WireRequest): ConnectTradeError {
  if (error instanceof ConnectTradeError) return error;
  if (request.signal?.aborted) return errorFactory.aborted(error);
  if (isRedirectFailure(error)) return errorFactory.redirectRefused('fetch reported a redirect', error);
  return errorFactory.connection(error, request.url);
}

/** One attempt through the limiter: its turn (at once, or waited for), the attempt, then the slot freed. */
async function gated(gate: AttemptGate, transport: Transport, wire: WireRequest): Promise<WireResponse> {
  const request = gate.enter(wire) ? wire : await gate.wait(wire);
  let response: WireResponse | undefined;
  try {
    response = await transport(request);
    return response;
  } finally {
    gate.leave(request, response);
  }
}

/** One call's retry loop: what it sends through, and attempt 1 when the caller already sent it (and left the gate). */
interface RetryLoopCall {
  readonly transport: Transport;
  readonly wire: WireRequest;
  readonly opts: AttemptOptions;
  readonly sentFirst?: Promise<WireResponse> | undefined;
}

/** The attempts of one call until a response to keep or an error to throw. */
async function retryLoop({ transport, wire, opts, sentFirst }: RetryLoopCall): Promise<WireResponse> {
  // Parsed only for log lines, and only when someone listens.
  const path = opts.logger ? new URL(wire.url).pathname : '';
  const logger =
    opts.logger && opts.secrets ? { logger: opts.logger, scrubWith: opts.secrets() } : opts.logger;
  const signal = wire.signal;
  const clock = opts.clock;
  const now = clock ? () => clock.now() : Date.now;
  for (let n = 1; ; n++) {
    if (signal?.aborted) throw errorFactory.aborted(signal.reason);
    // Timing and log fields only when someone listens: this loop is on every call's path.
    const started = opts.logger ? now() : 0;
    const fields = opts.logger ? { method: wire.method, path, attempt: n } : undefined;
    let response: WireResponse;
    try {
      response = await (n === 1 && sentFirst
        ? sentFirst
        : opts.gate
          ? gated(opts.gate, transport, wire)
          : transport(wire));
    } catch (error) {
      const e = attemptError(error, wire);
      const decision = retryDecision(classifyFailure(e), opts.retry);
      const durationMs = now() - started;
      if (decision === 'retry' && n <= opts.maxRetries) {
        const delayMs = retryDelay(n, undefined, { random: opts.random }) ?? 0;
        log(logger, 'warn', `${e.name}; retrying`, { ...fields, durationMs, delayMs, error: e.message });
        await sleep(delayMs, signal, opts.clock ?? opts.timers);
        continue;
      }
      log(logger, 'error', e.message, { ...fields, durationMs, error: e.name });
      throw e;
    }
    const done = fields
      ? {
          ...fields,
          status: response.status,
          durationMs: now() - started,
          requestId: response.headers['x-request-id'],
        }
      : {};
    if (response.status >= 300 && response.status < 400) {
      log(logger, 'error', 'redirect refused', done);
      throw errorFactory.redirectRefused(`status ${response.status}`);
    }
    const decision =
      response.status < 400 ? 'stop' : retryDecision(classifyFailure(response.status), opts.retry);
    if (decision === 'retry' && n <= opts.maxRetries) {
      const delayMs = retryDelay(n, response.headers['retry-after'], { random: opts.random, now: now() });
      if (delayMs !== undefined) {
        log(logger, 'warn', `HTTP ${response.status}; retrying`, { ...done, delayMs });
        await sleep(delayMs, signal, opts.clock ?? opts.timers);
        continue;
      }
    }
    log(logger, response.status < 400 ? 'debug' : 'warn', `HTTP ${response.status}`, done);
    return response;
  }
}
