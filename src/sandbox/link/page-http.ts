/**
 * The sandbox's browser pages (the link page and the developer console) as functions from a
 * request-like value to a response-like value: no socket, so they run the same under node:http, in
 * process, or in a test. `page-server.ts` adapts them to node:http.
 */
import { type AdminPolicy, allowedHost } from '../http/admin-guard';
import { hostName, parseOrigin } from '../http/request-target';

/** A request as the pages see it. */
export interface PageRequest {
  method: string;
  url: URL;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The request body as text ('' when none). */
  body: string;
}

/** A live event stream (Server-Sent Events): `open` starts it and returns its stop function. */
export interface PageEventStream {
  open(send: (event: string, data: unknown) => void): () => void;
}

/** A response as the pages answer it. */
export interface PageResponse {
  status: number;
  headers: Record<string, string>;
  body: string | Uint8Array;
  /** When set, the body is followed by this event stream until the client leaves. */
  events?: PageEventStream;
}

/** The first value of a header. */
export function header(req: PageRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Headers every page answer carries: a CSP of `default-src 'self'` (no inline script or style,
 * nothing from another origin), no framing, no sniffing, no referrer, no caching.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  // Not no-referrer: with it Chromium sends `Origin: null` on the page's own form posts.
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

/** A text answer with the security headers. */
export function pageResponse(
  status: number,
  contentType: string,
  body: string | Uint8Array,
  headers: Record<string, string> = {},
): PageResponse {
  return { status, headers: { ...SECURITY_HEADERS, 'content-type': contentType, ...headers }, body };
}

/** A plain-text refusal. */
export function refusal(status: number, message: string): PageResponse {
  return pageResponse(status, 'text/plain; charset=utf-8', `${message}\n`);
}

/**
 * The pages' guard, stricter than the admin endpoint's: `Host` must be an allowed name WITH the
 * sandbox's port (a DNS-rebinding page names its own host, or port 80); `Origin`, when present,
 * must be the sandbox's own; a POST that a browser marks cross-site (`Sec-Fetch-Site`) is refused.
 * Returns the 403 to answer, or undefined when the request may proceed.
 */
export function guardPage(req: PageRequest, policy: AdminPolicy): PageResponse | undefined {
  const host = header(req, 'host');
  const name = host === undefined ? undefined : hostName(host);
  let port: number | undefined;
  try {
    port = host === undefined ? undefined : Number(new URL(`http://${host}`).port || 80);
  } catch {
    port = undefined;
  }
  if (name === undefined || !allowedHost(policy, name) || port !== policy.port())
    return refusal(
      403,
      `Forbidden: Host ${JSON.stringify(host ?? '')} is not this sandbox (use 127.0.0.1 or localhost with its port).`,
    );
  const origin = header(req, 'origin');
  if (origin !== undefined) {
    const parsed = parseOrigin(origin);
    if (!parsed || !allowedHost(policy, parsed.hostname) || parsed.port !== policy.port())
      return refusal(403, `Forbidden: cross-origin request (Origin ${JSON.stringify(origin)}).`);
  }
  const site = header(req, 'sec-fetch-site');
  if (
    req.method !== 'GET' &&
    req.method !== 'HEAD' &&
    site !== undefined &&
    site !== 'same-origin' &&
    site !== 'none'
  )
    return refusal(403, `Forbidden: cross-site request (Sec-Fetch-Site ${site}).`);
  return undefined;
}
