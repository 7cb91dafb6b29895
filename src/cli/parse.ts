/** Option value parsers shared by the commands; each throws a UsageError naming the flag. */
import { UsageError } from './errors';

/** A positive integer option. */
export function positiveInt(flag: string): (text: string) => number {
  return (text) => {
    if (!/^[0-9]+$/.test(text) || Number(text) < 1)
      throw new UsageError(`${flag} must be a positive integer, got "${text}"`);
    return Number(text);
  };
}

/** A comma- or space-separated list (`AAPL,MSFT`). */
export function list(text: string, previous: string[] = []): string[] {
  return [...previous, ...text.split(/[\s,]+/).filter(Boolean)];
}

/** One of a fixed set of values. */
export function oneOf<T extends string>(flag: string, values: readonly T[]): (text: string) => T {
  return (text) => {
    if (!(values as readonly string[]).includes(text))
      throw new UsageError(`${flag} must be one of ${values.join(', ')}, got "${text}"`);
    return text as T;
  };
}
