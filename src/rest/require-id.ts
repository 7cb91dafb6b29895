/** The one argument check every resource needs up front: a path id. */
import { restErrorFactory as errorFactory } from '../core/errors';

/** Checks a path id (account, order, connection, user): a non-empty string. */
export function requireId(name: string, value: unknown): string {
  if (typeof value !== 'string' || value === '')
    throw errorFactory.validation([{ path: name, message: 'is required (a non-empty string)' }]);
  return value;
}
