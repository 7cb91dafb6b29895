/**
 * Exact comparison of the API's decimal strings ("12.5", "-0.000000001"): floats would misorder
 * quantities that differ past the 15th significant digit, and the live store must never let a
 * filled quantity go backwards.
 */
import { errorFactory } from '../core/errors';

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/**
 * -1, 0 or 1 as `a` is less than, equal to or greater than `b`; a value that is not a decimal
 * string (a server's `null`, a number) is a MalformedResponseError, never a crash.
 */
export function compareDecimal(a: unknown, b: unknown): -1 | 0 | 1 {
  const result = tryCompareDecimal(a, b);
  if (result === undefined)
    throw errorFactory.malformedResponse(
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
