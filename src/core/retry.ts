/**
 * The retry loop, below openapi-fetch: every attempt sends a fresh request (bodies are one-shot)
 * with its own timeout; backoff waits and attempts both stop at the caller's AbortSignal.
 * Whether a failure may be retried is decided by one rule ({@link classifyFailure} +
 * {@link retryDecision}); how strict to be depends on the operation (its mode).
 */
import { retryDelay, type SleepTimers, sleep } from './backoff';
import { APIConnectionError, APIError, ConnectTradeError, restErrorFactory as errorFactory } from './errors';
import { log } from './logging';
import type { Logger } from './options';
import type { SecretScope } from './secret-scope';
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
}

/** True when an error proves the request never left this machine (refused, DNS failure). */
export function wasNeverSent(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++)
    if (NEVER_SENT_CODES.has(String((e as { code?: unknown }).code))) return true;
  return false;
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

/**
 * Sends a request with retries. A non-2xx that will not be retried is returned (the caller turns it
 * into the right APIError); network failures that will not be retried are thrown as typed errors.
 *
 * The common case, one attempt answered with a 2xx and nobody logging, takes no async frame: this
 * is on every call's path (bench/README.md). Anything else continues in {@link attempts}, which
 * reads attempt 1 from the promise already sent.
 */
export function sendWithRetries(
  transport: Transport,
  request: WireRequest,
  opts: AttemptOptions,
): Promise<WireResponse> {
  if (opts.logger || request.signal?.aborted) return attempts(transport, request, opts);
  const first = transport(request);
  const more = () => attempts(transport, request, opts, first);
  return first.then(
    (response) => (response.status >= 200 && response.status < 300 ? response : more()),
    more,
  );
}

/** The retry loop; `first` is attempt 1 when the caller already sent it. */
async function attempts(
  transport: Transport,
  wire: WireRequest,
  opts: AttemptOptions,
  first?: Promise<WireResponse>,
): Promise<WireResponse> {
  // Parsed only for log lines, and only when someone listens.
  const path = opts.logger ? new URL(wire.url).pathname : '';
  const secrets = opts.logger && opts.secrets?.();
  const signal = wire.signal;
  for (let n = 1; ; n++) {
    if (signal?.aborted) throw errorFactory.aborted(signal.reason);
    // Timing and log fields only when someone listens: this loop is on every call's path.
    const started = opts.logger ? Date.now() : 0;
    const fields = opts.logger ? { method: wire.method, path, attempt: n } : undefined;
    let response: WireResponse;
    try {
      response = await (n === 1 && first ? first : transport(wire));
    } catch (error) {
      const e = attemptError(error, wire);
      const decision = retryDecision(classifyFailure(e), opts.retry);
      const durationMs = Date.now() - started;
      if (decision === 'retry' && n <= opts.maxRetries) {
        const delayMs = retryDelay(n, undefined) ?? 0;
        log(
          opts.logger,
          'warn',
          `${e.name}; retrying`,
          { ...fields, durationMs, delayMs, error: e.message },
          secrets,
        );
        await sleep(delayMs, signal, opts.timers);
        continue;
      }
      log(opts.logger, 'error', e.message, { ...fields, durationMs, error: e.name }, secrets);
      throw e;
    }
    const done = fields
      ? {
          ...fields,
          status: response.status,
          durationMs: Date.now() - started,
          requestId: response.headers['x-request-id'],
        }
      : {};
    if (response.status >= 300 && response.status < 400) {
      log(opts.logger, 'error', 'redirect refused', done, secrets);
      throw errorFactory.redirectRefused(`status ${response.status}`);
    }
    const decision =
      response.status < 400 ? 'stop' : retryDecision(classifyFailure(response.status), opts.retry);
    if (decision === 'retry' && n <= opts.maxRetries) {
      const delayMs = retryDelay(n, response.headers['retry-after']);
      if (delayMs !== undefined) {
        log(opts.logger, 'warn', `HTTP ${response.status}; retrying`, { ...done, delayMs }, secrets);
        await sleep(delayMs, signal, opts.timers);
        continue;
      }
    }
    log(opts.logger, response.status < 400 ? 'debug' : 'warn', `HTTP ${response.status}`, done, secrets);
    return response;
  }
}
