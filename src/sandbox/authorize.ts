/**
 * Completing a broker link in the sandbox. In production, `connections.create` returns an
 * `authorization_url` that your user opens in a browser; the broker then redirects to your
 * `redirect_url?connection_id=…`. The sandbox has no broker and no user: opening its authorization
 * page approves the link at once. These helpers do that from code.
 */

/** A completed sandbox link. */
export interface SandboxAuthorization {
  /** The connection that is now active (what production appends to `redirect_url`). */
  connectionId: string;
  /** Where a browser would be redirected: your `redirect_url` with `?connection_id=…`. */
  redirectUrl: string;
}

/** Options of {@link authorizeSandboxConnection}. */
export interface AuthorizeSandboxOptions {
  /** A fetch implementation; default `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** Aborts the request. */
  signal?: AbortSignal;
  /** Gives up after this many milliseconds. Default 10 000. */
  timeoutMs?: number;
}

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
 * container): it opens the sandbox's authorization page, which approves the connection at once.
 * Use it where your app would send its user to `authorization_url`; with the live API you cannot
 * skip that step.
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
 * @throws TypeError when the URL is not a sandbox authorization URL; Error when the sandbox refuses
 *   (e.g. an unknown connection) or does not answer within `timeoutMs`.
 */
export async function authorizeSandboxConnection(
  authorizationUrl: string,
  options: AuthorizeSandboxOptions = {},
): Promise<SandboxAuthorization> {
  const connectionId = sandboxConnectionId(authorizationUrl);
  const doFetch = options.fetch ?? globalThis.fetch;
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 10_000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let response: Response;
  try {
    response = await doFetch(authorizationUrl, { redirect: 'manual', signal });
  } catch (error) {
    throw new Error(`could not reach the sandbox's authorization page: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const text = await response.text();
  let body: { connection_id?: unknown; redirect_url?: unknown; message?: unknown } = {};
  try {
    body = JSON.parse(text);
  } catch {
    // Handled below: a page that is not the sandbox's answers something else.
  }
  if (
    response.status !== 302 ||
    body.connection_id !== connectionId ||
    typeof body.redirect_url !== 'string'
  ) {
    const why = typeof body.message === 'string' ? body.message : `status ${response.status}`;
    throw new Error(`the sandbox did not authorize connection ${connectionId}: ${why}`);
  }
  return { connectionId, redirectUrl: body.redirect_url };
}
