/**
 * The retry loop (see retry.ts), in a chunk of its own: loaded the first time a call needs more
 * than one 2xx attempt, or logs. It imports nothing of the up-front bundle: what it uses comes in
 * a kit ({@link RetryKit}), so a browser that never retries never downloads it.
 */
import type { retryDelay, sleep } from '../core/backoff';
import type { ConnectTradeError, restErrorFactory } from '../core/errors';
import type { log } from '../core/logging';
import type { AttemptGate, AttemptOptions, classifyFailure, retryDecision } from './retry';
import type { Transport, WireRequest, WireResponse } from './transport';

/** What the loop uses of the up-front bundle. */
export interface RetryKit {
  readonly errors: typeof restErrorFactory;
  readonly ConnectTradeError: typeof ConnectTradeError;
  readonly classifyFailure: typeof classifyFailure;
  readonly retryDecision: typeof retryDecision;
  readonly retryDelay: typeof retryDelay;
  readonly sleep: typeof sleep;
  readonly log: typeof log;
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
function attemptError(error: unknown, request: WireRequest, kit: RetryKit): ConnectTradeError {
  const { errors: errorFactory } = kit;
  if (error instanceof kit.ConnectTradeError) return error;
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

/** The retry loop; `first` is attempt 1 when the caller already sent it (and left the gate). */
export async function attempts(
  transport: Transport,
  wire: WireRequest,
  opts: AttemptOptions,
  kit: RetryKit,
  first?: Promise<WireResponse>,
): Promise<WireResponse> {
  const { errors: errorFactory, classifyFailure, retryDecision, retryDelay, sleep, log } = kit;
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
      response = await (n === 1 && first
        ? first
        : opts.gate
          ? gated(opts.gate, transport, wire)
          : transport(wire));
    } catch (error) {
      const e = attemptError(error, wire, kit);
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
