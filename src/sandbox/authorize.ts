/**
 * Completing a broker link in the sandbox from code. In production, `connections.create` returns an
 * `authorization_url` that your user opens in a browser; the broker then redirects to your
 * `redirect_url` with the outcome appended (see {@link parseLinkRedirect}). The sandbox serves a
 * real link page at that URL; these helpers send the same GET + POST requests a browser would.
 */
import { alertText, hiddenFields, REDIRECT_HEADER, STEP_HEADER } from './link/html';
import { type LinkErrorCode, parseLinkRedirect } from './link/redirect';
import type { LinkScenario } from './link/scenarios';

/** A finished sandbox link: where the browser was sent, and what that URL says. */
export interface SandboxAuthorization {
  /** The connection (active on success; `error` or `revoked` otherwise). */
  connectionId: string;
  /** Where a browser is redirected: your `redirect_url` with the outcome's parameters appended. */
  redirectUrl: string;
  /** `success`, `error` (account locked, broker unavailable, rate limited) or `cancelled`. */
  status: 'success' | 'error' | 'cancelled';
  /** The `error_code` of an `error` outcome. */
  errorCode?: LinkErrorCode | string;
}

/** Options of {@link authorizeSandboxConnection} and `sandbox.authorize`. */
export interface AuthorizeSandboxOptions {
  /** The broker to pick; default the one `connections.create` named, else `SANDBOX`. */
  broker?: string;
  /** Username for the login form; default `user_good` (see the magic credentials). */
  username?: string;
  /** Password; default `pass_good`. */
  password?: string;
  /** The one-time code, when the scenario asks for one; default `123456`. */
  code?: string;
  /** The page's Scenario select; default `'auto'` (decided by the credentials). */
  scenario?: LinkScenario;
  /** Press Cancel on the login step instead of Connect. */
  cancel?: boolean;
  /** A fetch implementation; default `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** Aborts the requests. */
  signal?: AbortSignal;
  /** Gives up after this many milliseconds. Default 10 000. */
  timeoutMs?: number;
}

export type { LinkErrorCode, LinkRedirect } from './link/redirect';
export { parseLinkRedirect } from './link/redirect';
export type { LinkScenario } from './link/scenarios';

const AUTHORIZE_PATH = /^\/authorize\/([^/]+)$/;

/** The connection id in a sandbox authorization URL (`…/authorize/{connection_id}`); throws a TypeError otherwise. */
export function sandboxConnectionId(authorizationUrl: string): string {
  let url: URL;
  try {
    url = new URL(authorizationUrl);
  } catch {
    throw new TypeError('authorizationUrl is not a URL');
  }
  const match = AUTHORIZE_PATH.exec(url.pathname);
  if (!match?.[1])
    throw new TypeError(
      `not a sandbox authorization URL (no /authorize/{connection_id}): ${url.origin}${url.pathname}`,
    );
  try {
    return decodeURIComponent(match[1]);
  } catch {
    throw new TypeError('the connection id in authorizationUrl has a malformed percent-encoding');
  }
}

/**
 * Completes a broker link in a sandbox that runs anywhere (in this process, another process, a
 * container) through its link page, as a browser would: GET the page, then POST the broker, the
 * login and, when asked, the one-time code. By default it logs in with the magic credentials that
 * succeed; `scenario` (or `username`, `password`, `code`, `cancel`) plays another outcome. Use it
 * where your app would send its user to `authorization_url`; with the live API you cannot skip that step.
 *
 * @example
 * ```ts
 * import { authorizeSandboxConnection } from 'connect-trade/sandbox';
 *
 * const link = await user.connections.create({ type: 'trade', broker: 'ALPACA', redirect_url: 'https://app.example/linked' });
 * const { connectionId } = await authorizeSandboxConnection(link.authorization_url);
 * const [account] = await user.accounts.list({ connection_id: connectionId });
 * ```
 *
 * @throws TypeError when the URL is not a sandbox authorization URL; Error when the page refuses
 *   (an unknown, used or expired link, wrong credentials or code: the page's alert is in the
 *   message) or the sandbox does not answer within `timeoutMs`.
 */
export async function authorizeSandboxConnection(
  authorizationUrl: string,
  options: AuthorizeSandboxOptions = {},
): Promise<SandboxAuthorization> {
  const connectionId = sandboxConnectionId(authorizationUrl);
  const doFetch = options.fetch ?? globalThis.fetch;
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 10_000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const fail = (why: string) => new Error(`the sandbox did not authorize connection ${connectionId}: ${why}`);

  const exchange = async (form?: Record<string, string>) => {
    let response: Response;
    try {
      response = await doFetch(authorizationUrl, {
        method: form ? 'POST' : 'GET',
        redirect: 'manual',
        signal,
        ...(form && {
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(form).toString(),
        }),
      });
    } catch (error) {
      throw new Error(`could not reach the sandbox's link page: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const html = await response.text();
    const step = response.headers.get(STEP_HEADER);
    if (!step) throw fail(`not a sandbox link page (status ${response.status})`);
    const alert = alertText(html);
    if (step === 'used' || step === 'expired' || step === 'not_found' || step === 'refused')
      throw fail(`the link page says ${step.replace('_', ' ')} (status ${response.status})`);
    return { step, fields: hiddenFields(html), alert, redirect: response.headers.get(REDIRECT_HEADER) };
  };

  let page = await exchange();
  const broker = options.broker ?? page.fields.preselected ?? 'SANDBOX';
  page = await exchange({ csrf: page.fields.csrf ?? '', broker, action: 'choose' });
  if (page.step !== 'login') throw fail(`the broker ${broker} was not accepted (${page.step} step)`);
  page = await exchange({
    csrf: page.fields.csrf ?? '',
    broker,
    username: options.username ?? 'user_good',
    password: options.password ?? 'pass_good',
    scenario: options.scenario ?? 'auto',
    action: options.cancel ? 'cancel' : 'connect',
  });
  if (page.step === 'mfa')
    page = await exchange({
      csrf: page.fields.csrf ?? '',
      broker,
      ticket: page.fields.ticket ?? '',
      code: options.code ?? '123456',
      action: 'submit_code',
    });
  if (page.step !== 'result' || !page.redirect)
    throw fail(page.alert ?? `the flow stopped at the ${page.step} step`);
  const outcome = parseLinkRedirect(page.redirect);
  return {
    connectionId,
    redirectUrl: page.redirect,
    status: outcome.status,
    ...(outcome.status === 'error' && { errorCode: outcome.errorCode }),
  };
}
