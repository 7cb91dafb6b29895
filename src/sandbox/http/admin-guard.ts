/**
 * Who may drive the admin endpoint (`/__sandbox/*`). It can reset state and inject faults, so a web
 * page open in the developer's browser must not reach it:
 * - `Host` must be a loopback name, the bound host, or one of `allowedHosts`: a DNS-rebinding page
 *   (`evil.example` resolving to 127.0.0.1) sends its own name and is refused;
 * - `Origin`, when present (browsers send it on cross-origin requests), must be the sandbox's own;
 * - requests other than GET must be `content-type: application/json`, which no page can send
 *   cross-site without a CORS preflight (and the sandbox never answers a preflight);
 * - with an admin token, `x-sandbox-admin-token` must match it.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { HttpError } from '../http-error';
import { hostName, parseOrigin } from './request-target';

/** What the guard compares requests against. */
export interface AdminPolicy {
  /** The host the server was bound to (`127.0.0.1`, `0.0.0.0`, `::`, a name...). */
  boundHost: string;
  /** The port it listens on (an allowed `Origin` names this port). */
  port: () => number;
  /** Extra `Host` names to accept (e.g. a docker-compose service name). */
  allowedHosts: readonly string[];
  /** When set, every admin request needs `x-sandbox-admin-token` with this value. */
  adminToken: string | undefined;
}

const WILDCARDS = new Set(['0.0.0.0', '::', '[::]']);

/** Whether a host name is this machine: localhost, *.localhost, 127.0.0.0/8 or ::1. */
export function isLoopbackName(name: string): boolean {
  const host = name.toLowerCase();
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === '[::1]' ||
    host === '::1' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
  );
}

/** Whether `Host` / `Origin` may name this host (also the guard of the link page and the console). */
export function allowedHost(policy: AdminPolicy, name: string): boolean {
  if (isLoopbackName(name)) return true;
  const bound = hostName(policy.boundHost);
  if (bound !== undefined && name === bound && !WILDCARDS.has(policy.boundHost)) return true;
  if (policy.allowedHosts.some((h) => h.toLowerCase() === name)) return true;
  // Bound to every interface: any IP literal reaches it. A literal cannot be DNS-rebound.
  return WILDCARDS.has(policy.boundHost) && isIP(name.replace(/^\[|\]$/g, '')) !== 0;
}

function forbidden(message: string): HttpError {
  return new HttpError(403, message, 'forbidden');
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Throws the 4xx `HttpError` an admin request deserves, or returns when it may proceed. */
export function checkAdminRequest(req: IncomingMessage, policy: AdminPolicy): void {
  const host = single(req.headers.host);
  const name = host === undefined ? undefined : hostName(host);
  if (name === undefined || !allowedHost(policy, name))
    throw forbidden(
      `admin requests need a Host that is a loopback name or the sandbox's host (got ${JSON.stringify(host ?? '')}; see allowedHosts)`,
    );
  const origin = single(req.headers.origin);
  if (origin !== undefined) {
    const parsed = parseOrigin(origin);
    if (!parsed || !allowedHost(policy, parsed.hostname) || parsed.port !== policy.port())
      throw forbidden(`cross-origin admin request refused (Origin ${JSON.stringify(origin)})`);
  }
  if (policy.adminToken !== undefined) {
    const given = Buffer.from(String(single(req.headers['x-sandbox-admin-token']) ?? ''));
    const expected = Buffer.from(policy.adminToken);
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      throw new HttpError(401, 'missing or wrong x-sandbox-admin-token', 'unauthorized');
  }
  const method = req.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD') {
    const type = single(req.headers['content-type']) ?? '';
    if (!/^application\/json\s*(;|$)/i.test(type))
      throw new HttpError(
        415,
        'admin requests other than GET need `content-type: application/json`',
        'unsupported_media_type',
      );
  }
}
