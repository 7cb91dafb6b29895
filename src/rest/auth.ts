/**
 * Authentication headers. The scope of each operation (platform: client-id/client-secret only;
 * user: all four headers) comes from the generated operations table, looked up by method and path
 * template, so a new operation in the spec cannot silently get the wrong headers.
 */
import { type OperationScope, operationByRoute, operations } from '../../generated/operations';
import { restErrorFactory as errorFactory } from '../core/errors';
import type { SecretProvider } from '../core/secret-provider';

export type { SecretProvider } from '../core/secret-provider';

/** Credentials one REST client authenticates with. */
export interface Credentials {
  readonly clientId: string | undefined;
  readonly clientSecret: string | undefined;
  /** Present only on a user client (`ct.forUser`). */
  readonly user?: { readonly userId: string; readonly userSecret: SecretProvider } | undefined;
}

// method → schema path → scope, filled on first use: the lookup runs on every call, and a key
// built per call (`"GET /orders"`) costs a string and its hash each time.
const scopes: Record<string, Record<string, OperationScope>> = {};

/** The scope of an operation, from the generated table; a route missing from the spec is a programming error. */
export function scopeOf(method: string, schemaPath: string): OperationScope {
  const known = scopes[method]?.[schemaPath];
  if (known) return known;
  const id = operationByRoute[`${method.toUpperCase()} ${schemaPath}`];
  if (!id) throw errorFactory.configuration(`No operation ${method} ${schemaPath} in the spec`);
  scopes[method] ??= {};
  scopes[method][schemaPath] = operations[id].scope;
  return operations[id].scope;
}

/**
 * The authentication headers for one scope; throws a ConfigurationError (before any I/O) when one
 * is missing. Synchronous unless the user secret comes from a provider function (no await per call).
 */
export function authHeaders(
  credentials: Credentials,
  scope: OperationScope,
): Record<string, string> | Promise<Record<string, string>> {
  const { clientId, clientSecret, user } = credentials;
  if (!clientId || !clientSecret)
    throw errorFactory.configuration(
      'Missing client credentials: pass clientId and clientSecret, or set CONNECT_TRADE_CLIENT_ID and CONNECT_TRADE_CLIENT_SECRET',
    );
  const headers: Record<string, string> = { 'client-id': clientId, 'client-secret': clientSecret };
  if (scope === 'platform') return headers;
  if (!user)
    throw errorFactory.configuration(
      'This operation acts for a user: call it on ct.forUser({ userId, userSecret })',
    );
  const withSecret = (secret: unknown): Record<string, string> => {
    if (!user.userId || typeof secret !== 'string' || secret === '')
      throw errorFactory.configuration(
        'Missing user credentials: userId and a non-empty userSecret are required',
      );
    headers['user-id'] = user.userId;
    headers['user-secret'] = secret;
    return headers;
  };
  if (typeof user.userSecret !== 'function') return withSecret(user.userSecret);
  // A provider may be sync or async; a throwing one rejects like an async one would.
  return (async () => withSecret(await (user.userSecret as () => string | Promise<string>)()))();
}
