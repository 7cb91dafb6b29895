/**
 * Minimal shape checks of 2xx bodies. The reader is tolerant (extra fields and unknown enum values
 * pass through untouched), but a body of the wrong kind (an object where a list belongs, nothing
 * where an object belongs) becomes a MalformedResponseError instead of a crash further down.
 */
import { restErrorFactory as errorFactory } from './errors';

/** The body as a list, or a MalformedResponseError. */
export function expectArray<T>(what: string, data: unknown): T[] {
  if (!Array.isArray(data)) throw errorFactory.malformedResponse(`${what}: expected a JSON array`);
  return data as T[];
}

/** The body as an object, or a MalformedResponseError. */
export function expectObject(what: string, data: unknown): Record<string, unknown> {
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw errorFactory.malformedResponse(`${what}: expected a JSON object`);
  return data as Record<string, unknown>;
}

/** A required string field of a body, or a MalformedResponseError. */
export function expectString(what: string, body: Record<string, unknown>, ...names: string[]): string {
  for (const name of names) if (typeof body[name] === 'string') return body[name];
  throw errorFactory.malformedResponse(`${what}: missing ${names.join(' / ')}`);
}
