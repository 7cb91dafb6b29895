/**
 * Credential checks as the real API does them: platform operations need client-id and
 * client-secret; user operations also need user-id and the user-secret POST /users returned.
 */
import { timingSafeEqual } from 'node:crypto';
import { HttpError } from '../http-error';
import type { SandboxState } from '../state';

/** The platform credentials the sandbox accepts. */
export interface SandboxCredentials {
  clientId: string;
  clientSecret: string;
}

/** Request headers, names in lower case (node's `IncomingHttpHeaders` or a plain record). */
export type HeaderBag = Readonly<Record<string, string | string[] | undefined>>;

function header(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function same(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function unauthorized(message: string): HttpError {
  return new HttpError(401, message, 'unauthorized');
}

/** Checks the headers for an operation's scope; returns the user id of user operations. */
export function authenticate(
  headers: HeaderBag,
  scope: 'platform' | 'user',
  credentials: SandboxCredentials,
  state: SandboxState,
): string | undefined {
  const clientId = header(headers, 'client-id');
  const clientSecret = header(headers, 'client-secret');
  if (!clientId) throw unauthorized('missing header `client-id`');
  if (!clientSecret) throw unauthorized('missing header `client-secret`');
  if (!same(clientId, credentials.clientId) || !same(clientSecret, credentials.clientSecret))
    throw unauthorized('invalid client-id or client-secret');
  if (scope === 'platform') return undefined;
  const userId = header(headers, 'user-id');
  const userSecret = header(headers, 'user-secret');
  if (!userId) throw unauthorized('missing header `user-id` (this operation needs user credentials)');
  if (!userSecret) throw unauthorized('missing header `user-secret` (this operation needs user credentials)');
  const user = state.users.get(userId);
  if (!user || !same(userSecret, user.secret)) throw unauthorized('invalid user-id or user-secret');
  return userId;
}
