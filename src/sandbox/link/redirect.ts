/**
 * The redirect contract of a broker link: where the link page sends the user's browser when the flow
 * ends, and a parser for the app's redirect handler.
 *
 * - The query the app's `redirect_url` already had (its own `state`, say) is kept byte for byte; the
 *   new parameters are appended after it, before any `#fragment`.
 * - Success adds `connection_id` and `status=success`.
 * - A failure adds `status=error` and `error_code` (`account_locked`, `broker_unavailable`,
 *   `rate_limited`).
 * - A cancel adds `status=cancelled` and `error=access_denied`.
 */

/** Why a link failed, as `error_code` names it. */
export type LinkErrorCode = 'account_locked' | 'broker_unavailable' | 'rate_limited';

/** The outcome a link redirect carries (what {@link parseLinkRedirect} returns). */
export type LinkRedirect =
  | { status: 'success'; connectionId: string }
  | { status: 'error'; errorCode: string }
  | { status: 'cancelled'; error: 'access_denied' };

/** `redirect_url` with the outcome's parameters appended, its own query and fragment untouched. */
export function linkRedirectUrl(redirectUrl: string, outcome: LinkRedirect): string {
  const added =
    outcome.status === 'success'
      ? `connection_id=${encodeURIComponent(outcome.connectionId)}&status=success`
      : outcome.status === 'error'
        ? `status=error&error_code=${encodeURIComponent(outcome.errorCode)}`
        : 'status=cancelled&error=access_denied';
  const hash = redirectUrl.indexOf('#');
  const base = hash === -1 ? redirectUrl : redirectUrl.slice(0, hash);
  const fragment = hash === -1 ? '' : redirectUrl.slice(hash);
  const separator = !base.includes('?') ? '?' : /[?&]$/.test(base) ? '' : '&';
  return `${base}${separator}${added}${fragment}`;
}

/**
 * Reads the outcome of a broker link from the URL your `redirect_url` handler received (a URL, or
 * its query string). Your own parameters (e.g. `state`) are left for you to read.
 *
 * @example
 * ```ts
 * app.get('/linked', (req, res) => {
 *   const outcome = parseLinkRedirect(new URL(req.url, 'https://app.example'));
 *   if (outcome.status === 'success') saveConnection(outcome.connectionId);
 * });
 * ```
 * @throws TypeError when the URL carries no link outcome (or a malformed one).
 */
export function parseLinkRedirect(url: string | URL): LinkRedirect {
  let query: URLSearchParams;
  if (url instanceof URL) query = url.searchParams;
  else {
    try {
      query = new URL(url).searchParams;
    } catch {
      query = new URLSearchParams(url);
    }
  }
  const status = query.get('status');
  const connectionId = query.get('connection_id');
  if (status === 'success' || (status === null && connectionId)) {
    if (!connectionId) throw new TypeError('link redirect says status=success but has no connection_id');
    return { status: 'success', connectionId };
  }
  if (status === 'error') {
    const errorCode = query.get('error_code') ?? query.get('error');
    if (!errorCode) throw new TypeError('link redirect says status=error but has no error_code');
    return { status: 'error', errorCode };
  }
  if (status === 'cancelled') return { status: 'cancelled', error: 'access_denied' };
  throw new TypeError(
    status === null
      ? 'not a link redirect: no status or connection_id parameter'
      : `not a link redirect: unknown status ${JSON.stringify(status)}`,
  );
}
