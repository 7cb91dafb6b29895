/**
 * Decimal inputs. The API speaks decimal strings with at most 9 fractional digits. A JS number is
 * accepted only when its shortest round-trip text (what `String(n)` prints) is already such a
 * string, so `0.1` becomes "0.1" exactly and nothing is ever rounded behind the caller's back.
 */

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
