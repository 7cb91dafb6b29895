/**
 * Minimal shape checks of 2xx bodies. The reader is tolerant (extra fields and unknown enum values
 * pass through untouched), but a body of the wrong kind (an object where a list belongs, nothing
 * where an object belongs) becomes a MalformedResponseError instead of a crash further down.
 */
import { restErrorFactory as errorFactory } from '../core/errors';

/** The body as a list of records (what every list of the API holds), or a MalformedResponseError. */
export function expectArray<T>(what: string, data: unknown): T[] {
  if (!Array.isArray(data)) throw errorFactory.malformedResponse(`${what}: expected a JSON array`);
  for (let i = 0; i < data.length; i++)
    if (!isRecord(data[i])) throw errorFactory.malformedResponse(`${what}: item ${i} is not a JSON object`);
  return data as T[];
}

/** The body as an object, or a MalformedResponseError. */
export function expectObject<T = Record<string, unknown>>(what: string, data: unknown): T {
  if (!isRecord(data)) throw errorFactory.malformedResponse(`${what}: expected a JSON object`);
  return data as T;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A required string field of a body, or a MalformedResponseError. */
export function expectString(what: string, body: object, ...names: string[]): string {
  for (const name of names) {
    const value = (body as Record<string, unknown>)[name];
    if (typeof value === 'string') return value;
  }
  throw errorFactory.malformedResponse(`${what}: missing ${names.join(' / ')}`);
}
