/**
 * Every parse of client-controlled request text on the way in (the request target, a path
 * segment's percent-encoding, the `Host` and `Origin` headers) goes through here, and each failure
 * is a 400 `HttpError`: a hostile or broken client gets an answer, never a crash of the process.
 */
import type { IncomingMessage } from 'node:http';
import { badRequest } from '../http-error';

/** The base for origin-form targets (`/path?query`); only the path and query are ever used. */
const BASE = 'http://sandbox.invalid';

/** The parsed request target; 400 when it is not a URL (e.g. `GET http://[::1 HTTP/1.1`). */
export function requestUrl(req: IncomingMessage): URL {
  try {
    return new URL(req.url ?? '/', BASE);
  } catch {
    throw badRequest('malformed request target', 'invalid_request_target');
  }
}

/** A percent-decoded path segment; 400 naming the segment when its encoding is malformed (`%ZZ`). */
export function decodePathSegment(raw: string, name: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw badRequest(`path parameter \`${name}\` has a malformed percent-encoding`, 'invalid_parameter');
  }
}

/** The lower-case host name of a `Host` or `Origin` authority (IPv6 in brackets), or undefined. */
export function hostName(authority: string): string | undefined {
  try {
    return new URL(`http://${authority}`).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

/** An `Origin` header parsed, or undefined when it is not an http(s) URL (`null`, garbage). */
export function parseOrigin(
  origin: string,
): { protocol: string; hostname: string; port: number } | undefined {
  try {
    const url = new URL(origin);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
    return { protocol: url.protocol, hostname: url.hostname.toLowerCase(), port };
  } catch {
    return undefined;
  }
}
