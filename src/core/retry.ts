/**
 * The retry loop, below openapi-fetch: every attempt sends a fresh request (bodies are one-shot)
 * with its own timeout; backoff waits and attempts both stop at the caller's AbortSignal.
 * Which failures may be retried depends on whether the operation is safe to repeat ({@link RetryMode}).
 */
import { APIConnectionError, restErrorFactory as errorFactory, parseRetryAfter } from './errors';
import { log } from './logging';
import type { Logger } from './options';
import type { Transport, WireResponse } from './transport';

/** `idempotent`: retry connection errors and retryable statuses. `unsent-only`: retry only failures that prove nothing reached the server. */
export type RetryMode = 'idempotent' | 'unsent-only';

/** Statuses worth another attempt. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);
/** Backoff base and ceiling (exponential, full jitter). */
export const BACKOFF = { baseMs: 500, maxMs: 8_000, maxRetryAfterMs: 60_000 } as const;
// Error codes meaning the connection was never established, so the request cannot have arrived.
const NEVER_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

/** What one call's attempts need. */
export interface AttemptOptions {
  readonly timeout: number;
  readonly maxRetries: number;
  readonly retry: RetryMode;
  readonly signal?: AbortSignal | undefined;
  readonly logger?: Logger | undefined;
}

/**
 * The wait before retry number `retry` (1-based): full jitter over an exponential ceiling, or the
 * server's `retry-after`. `undefined` when the server asks for longer than we are willing to wait.
 */
export function backoffDelay(retry: number, retryAfterMs?: number, random: () => number = Math.random) {
  if (retryAfterMs !== undefined) return retryAfterMs <= BACKOFF.maxRetryAfterMs ? retryAfterMs : undefined;
  return Math.floor(random() * Math.min(BACKOFF.maxMs, BACKOFF.baseMs * 2 ** (retry - 1)));
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

/** Resolves after `ms`, or rejects with an APIUserAbortError as soon as the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(errorFactory.aborted(signal.reason));
    const onAbort = () => {
      clearTimeout(timer);
      reject(errorFactory.aborted(signal?.reason));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** One attempt with its own timeout, linked to the caller's signal. */
async function attempt(
  transport: Transport,
  request: Omit<Parameters<Transport>[0], 'signal'>,
  opts: AttemptOptions,
) {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, opts.timeout);
  const onAbort = () => controller.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await transport({ ...request, signal: controller.signal });
  } catch (error) {
    if (opts.signal?.aborted) throw errorFactory.aborted(error);
    if (timedOut) throw errorFactory.timeout(opts.timeout);
    if (isRedirectFailure(error)) throw errorFactory.redirectRefused('fetch reported a redirect', error);
    throw errorFactory.connection(error);
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * Sends a request with retries. A non-2xx that will not be retried is returned (the caller turns it
 * into the right APIError); network failures that will not be retried are thrown as typed errors.
 */
export async function sendWithRetries(
  transport: Transport,
  request: Omit<Parameters<Transport>[0], 'signal'>,
  opts: AttemptOptions,
): Promise<WireResponse> {
  // Parsed only for log lines, and only when someone listens.
  const path = opts.logger ? new URL(request.url).pathname : '';
  for (let n = 1; ; n++) {
    if (opts.signal?.aborted) throw errorFactory.aborted(opts.signal.reason);
    const started = Date.now();
    const fields = { method: request.method, path, attempt: n };
    let response: WireResponse;
    try {
      response = await attempt(transport, request, opts);
    } catch (error) {
      const e = error as Error;
      const retryable = e instanceof APIConnectionError;
      const allowed = opts.retry === 'idempotent' || wasNeverSent(e.cause);
      const durationMs = Date.now() - started;
      if (retryable && allowed && n <= opts.maxRetries) {
        const delayMs = backoffDelay(n) ?? 0;
        log(opts.logger, 'warn', `${e.name}; retrying`, { ...fields, durationMs, delayMs, error: e.message });
        await sleep(delayMs, opts.signal);
        continue;
      }
      log(opts.logger, 'error', e.message, { ...fields, durationMs, error: e.name });
      throw e;
    }
    const requestId = response.headers['x-request-id'];
    const done = { ...fields, status: response.status, durationMs: Date.now() - started, requestId };
    if (response.status >= 300 && response.status < 400) {
      log(opts.logger, 'error', 'redirect refused', done);
      throw errorFactory.redirectRefused(`status ${response.status}`);
    }
    if (RETRYABLE_STATUSES.has(response.status) && opts.retry === 'idempotent' && n <= opts.maxRetries) {
      const delayMs = backoffDelay(n, parseRetryAfter(response.headers['retry-after']));
      if (delayMs !== undefined) {
        log(opts.logger, 'warn', `HTTP ${response.status}; retrying`, { ...done, delayMs });
        await sleep(delayMs, opts.signal);
        continue;
      }
    }
    log(opts.logger, response.status < 400 ? 'debug' : 'warn', `HTTP ${response.status}`, done);
    return response;
  }
}
