/**
 * Exact decimal arithmetic for the sandbox's prices, quantities and money: a decimal string of
 * the wire is held as a bigint scaled by 10^9 (the spec allows at most 9 fractional digits), so
 * fills and balances never pick up binary floating-point noise.
 *
 * Why the sandbox keeps its own arithmetic instead of the SDK's one decimal module
 * (src/core/decimal.ts): it needs more than that module does. The SDK only validates and compares
 * decimals; the sandbox must add, multiply, divide and round them exactly (fill quantities, average
 * prices, cash and buying power). And the sandbox imports only the SDK's public entries (see
 * src/README.md and .dependency-cruiser.cjs), which do not expose the decimal module.
 */

/** A decimal held as an integer number of billionths. */
export type Dec = bigint;

const DIGITS = 9;
const SCALE = 10n ** BigInt(DIGITS);
const PATTERN = /^(-?)([0-9]+)(?:\.([0-9]{1,9}))?$/;

/** Zero. */
export const ZERO: Dec = 0n;

/** Parses a wire decimal string (`"189.5"`, `"-3"`); throws on anything else. */
export function dec(text: string): Dec {
  const match = PATTERN.exec(text);
  if (!match) throw new Error(`not a decimal: ${text}`);
  const [, sign, whole = '0', fraction = ''] = match;
  const value = BigInt(whole) * SCALE + BigInt(fraction.padEnd(DIGITS, '0'));
  return sign === '-' ? -value : value;
}

/** Converts a finite JS number with at most 9 fractional digits (e.g. a seeded price). */
export function decFromNumber(value: number, fractionDigits = 2): Dec {
  return dec(value.toFixed(fractionDigits));
}

/** Formats as a wire decimal string, trimming trailing zeros but keeping `minFraction` digits. */
export function fmt(value: Dec, minFraction = 0): string {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const whole = abs / SCALE;
  let fraction = (abs % SCALE).toString().padStart(DIGITS, '0').replace(/0+$/, '');
  if (fraction.length < minFraction) fraction = fraction.padEnd(minFraction, '0');
  const text = fraction ? `${whole}.${fraction}` : `${whole}`;
  return negative && abs !== 0n ? `-${text}` : text;
}

/** Formats money: at least two fractional digits (`"100000.00"`). */
export function money(value: Dec): string {
  return fmt(value, 2);
}

/** a × b, rounded half away from zero to 9 fractional digits. */
export function mul(a: Dec, b: Dec): Dec {
  const product = a * b;
  const half = SCALE / 2n;
  return product >= 0n ? (product + half) / SCALE : (product - half) / SCALE;
}

/** a ÷ b, truncated toward zero to 9 fractional digits. */
export function div(a: Dec, b: Dec): Dec {
  if (b === 0n) throw new Error('division by zero');
  return (a * SCALE) / b;
}

/** Truncates toward zero to `digits` fractional digits (e.g. notional orders to 6-digit shares). */
export function truncate(value: Dec, digits: number): Dec {
  const unit = 10n ** BigInt(DIGITS - digits);
  return (value / unit) * unit;
}

/** Rounds to `digits` fractional digits, half away from zero (prices to cents). */
export function round(value: Dec, digits: number): Dec {
  const unit = 10n ** BigInt(DIGITS - digits);
  const half = unit / 2n;
  return value >= 0n ? ((value + half) / unit) * unit : -(((-value + half) / unit) * unit);
}

/** The smaller of two decimals. */
export function min(a: Dec, b: Dec): Dec {
  return a < b ? a : b;
}

/** The larger of two decimals. */
export function max(a: Dec, b: Dec): Dec {
  return a > b ? a : b;
}

/** An integer count (shares, contracts) as a decimal. */
export function units(count: number | bigint): Dec {
  return BigInt(count) * SCALE;
}

/** Converts to a JS number (only for randomness and greeks, never for money). */
export function toNumber(value: Dec): number {
  return Number(value) / Number(SCALE);
}
