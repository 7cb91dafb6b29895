/**
 * The SDK's one decimal module. The API speaks decimal strings with at most 9 fractional digits.
 *
 * Inputs: a JS number is accepted only when its shortest round-trip text (what `String(n)` prints)
 * is already such a string, so `0.1` becomes "0.1" exactly and nothing is ever rounded behind the
 * caller's back.
 *
 * Comparison: exact, on the strings ("12.5", "-0.000000001"): floats would misorder quantities that
 * differ past the 15th significant digit, and the live store must never let a filled quantity go
 * backwards.
 */
import { restErrorFactory } from './errors/factory';

/** A decimal the SDK accepts as input: a decimal string, or a JS number it converts exactly. */
export type DecimalInput = string | number;

const UNSIGNED = /^[0-9]+(\.[0-9]{1,9})?$/;

/** The decimal string for an input, or a reason it is not acceptable (`{ error }`). */
export function toDecimalString(
  value: unknown,
  { positive = false }: { positive?: boolean } = {},
): { value: string } | { error: string } {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return { error: `must be a finite number, got ${value}` };
    text = String(value);
    if (/e/i.test(text))
      return { error: `${text} cannot be written without an exponent; pass it as a decimal string` };
  } else if (typeof value === 'string') {
    text = value;
  } else {
    return { error: `must be a decimal string or a number, got ${value === null ? 'null' : typeof value}` };
  }
  if (!UNSIGNED.test(text)) {
    if (/^-/.test(text)) return { error: `must not be negative, got "${text}"` };
    if (/^[0-9]+\.[0-9]{10,}$/.test(text)) return { error: `has more than 9 fractional digits: "${text}"` };
    return {
      error: `must be a decimal like "10" or "189.5" (digits, optional point, at most 9 decimals), got "${text}"`,
    };
  }
  if (positive && !/[1-9]/.test(text)) return { error: `must be greater than 0, got "${text}"` };
  return { value: text };
}

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/**
 * -1, 0 or 1 as `a` is less than, equal to or greater than `b`; a value that is not a decimal
 * string (a server's `null`, a number) is a MalformedResponseError, never a crash.
 */
export function compareDecimal(a: unknown, b: unknown): -1 | 0 | 1 {
  const result = tryCompareDecimal(a, b);
  if (result === undefined)
    throw restErrorFactory.malformedResponse(
      `Not a decimal string: ${String(typeof a === 'string' ? b : a).slice(0, 40)}`,
    );
  return result;
}

/** Like {@link compareDecimal}, but `undefined` when either value is not a decimal string. */
export function tryCompareDecimal(a: unknown, b: unknown): -1 | 0 | 1 | undefined {
  const x = parse(a);
  const y = parse(b);
  if (!x || !y) return undefined;
  if (x.negative !== y.negative) return x.negative ? -1 : 1;
  const magnitude = compareMagnitude(x, y);
  return (x.negative ? -magnitude : magnitude) as -1 | 0 | 1;
}

interface Parsed {
  negative: boolean;
  integer: string;
  fraction: string;
}

function parse(text: unknown): Parsed | undefined {
  const match = typeof text === 'string' ? DECIMAL.exec(text) : null;
  if (!match) return undefined;
  const integer = (match[2] ?? '0').replace(/^0+(?=\d)/, '');
  const fraction = (match[3] ?? '').replace(/0+$/, '');
  // "-0" and "-0.000" are zero, not negative.
  const negative = match[1] === '-' && !(integer === '0' && fraction === '');
  return { negative, integer, fraction };
}

function compareMagnitude(x: Parsed, y: Parsed): -1 | 0 | 1 {
  if (x.integer.length !== y.integer.length) return x.integer.length < y.integer.length ? -1 : 1;
  if (x.integer !== y.integer) return x.integer < y.integer ? -1 : 1;
  const width = Math.max(x.fraction.length, y.fraction.length);
  const fx = x.fraction.padEnd(width, '0');
  const fy = y.fraction.padEnd(width, '0');
  if (fx === fy) return 0;
  return fx < fy ? -1 : 1;
}
