/**
 * Whether a failure to obtain a stream's credentials may pass by itself. Transient: the token fetch
 * got no answer (`APIConnectionError`, a timeout, a network error anywhere in the cause chain) or
 * an answer that says "later" (408, 425, 429, 5xx), or the provider handed back the token the server
 * had just refused (it may not know yet). Anything else fails for good: a 400, 401, 403 or 404
 * (an unknown connection), a provider that throws, a provider returning a malformed value. Read by
 * shape, not class, so a stream bundle never loads the REST error classes.
 */

const RETRY_STATUS = new Set([408, 425, 429]);
const NETWORK_CODE =
  /^(ECONNREFUSED|ECONNRESET|ECONNABORTED|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ENETDOWN|UND_ERR_\w+)$/;
const NO_ANSWER = new Set(['APIConnectionError', 'APITimeoutError', 'TimeoutError']);

/** True when asking for the credentials again may succeed. */
export function isTransientCredentialFailure(error: unknown): boolean {
  const top = error as { status?: unknown; code?: unknown; name?: unknown };
  if (typeof top?.status === 'number') return RETRY_STATUS.has(top.status) || top.status >= 500;
  // The market-data facade's "the provider returned the token just refused": a fresher one may come.
  if (top?.name === 'StreamAuthenticationError' && top.code === 'token_expired') return true;
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const { name, code, cause } = e as { name?: unknown; code?: unknown; cause?: unknown };
    if (NO_ANSWER.has(String(name)) || (typeof code === 'string' && NETWORK_CODE.test(code))) return true;
    e = cause;
  }
  return false;
}
