/**
 * Decoding helpers shared by both protocols: parse a text frame into an object with a string
 * `action`, and check a field's type. Every failure is a StreamProtocolError carrying the raw
 * frame (truncated and redacted by the error class).
 */
import { streamErrorFactory as errorFactory } from '../../core/errors';

/** A decoded frame before per-action checks. */
export type RawFrame = Record<string, unknown> & { action: string };

/** Parses one frame; throws StreamProtocolError for invalid JSON or a missing `action`. */
export function parseFrame(text: string): RawFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw errorFactory.streamProtocol('Invalid JSON frame', text, cause);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw errorFactory.streamProtocol('Frame is not a JSON object', text);
  if (typeof (value as { action?: unknown }).action !== 'string')
    throw errorFactory.streamProtocol('Frame has no string "action"', text);
  return value as RawFrame;
}

// Integers are read with readInteger (they may come as decimal strings).
type Kind = 'string' | 'object' | 'array' | 'boolean';

function hasKind(value: unknown, kind: Kind): boolean {
  switch (kind) {
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'array':
      return Array.isArray(value);
    default:
      return typeof value === kind;
  }
}

/** Throws StreamProtocolError unless `frame[field]` has the kind (`text` is the raw frame). */
export function expectField(frame: RawFrame, field: string, kind: Kind, text: string): void {
  if (!hasKind(frame[field], kind))
    throw errorFactory.streamProtocol(`"${frame.action}" frame: "${field}" must be ${kind}`, text);
}

const DIGITS = /^[0-9]{1,16}$/;

/** Rewrites `record[field]` as a number when it is a string of decimal digits (`"17"` → 17). */
export function digitsToNumber(record: Record<string, unknown>, field: string): void {
  const value = record[field];
  if (typeof value === 'string' && DIGITS.test(value)) record[field] = Number(value);
}

/**
 * Reads an integer field sent as a JSON number or as a decimal string (`17` or `"17"`: the vendor
 * says every field it returns is a string or a boolean), writes it back as a number, and throws
 * StreamProtocolError unless it is a safe integer of at least `min`.
 */
export function readInteger(
  frame: RawFrame,
  field: string,
  { text, min, optional = false }: { text: string; min: number; optional?: boolean },
): void {
  if (optional && frame[field] === undefined) return;
  digitsToNumber(frame, field);
  const value = frame[field];
  if (!(Number.isSafeInteger(value) && (value as number) >= min))
    throw errorFactory.streamProtocol(
      `"${frame.action}" frame: "${field}" must be a safe integer of at least ${min}`,
      text,
    );
}

/** Checks the fields every `error` frame has. */
export function expectErrorFrame(frame: RawFrame, text: string): void {
  expectField(frame, 'code', 'string', text);
  expectField(frame, 'message', 'string', text);
  if (frame.request_id !== undefined) expectField(frame, 'request_id', 'string', text);
}
