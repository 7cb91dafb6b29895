/**
 * One spec rule (generated/tables.ts) checked against one value, and the symbols-list rule. Apart
 * from validation.ts so the streams check their parameters without loading the order tables.
 */
import type { FieldRule } from '../../generated/tables';
import type { ValidationIssue } from './errors';

/**
 * How strictly guessed values are checked (issue 14). Values the reference lists verbatim (order
 * types, TIFs, statuses, topics, channels) are always checked; values marked `x-open` in the spec
 * (sides beyond BUY/SELL, instruments, bar intervals, the cl_order_id pattern) are our guesses: by
 * default another value is sent with a warning through `warn`, with `strict` it is rejected.
 */
export interface ValidationMode {
  /** Reject values outside a guessed set instead of warning (`strictValidation: true`). */
  readonly strict?: boolean | undefined;
  /**
   * Where the warnings go: `warnTo(logger)` (logging.ts: redacted, best effort), or nowhere.
   */
  readonly warn?: ((message: string, fields: Record<string, unknown>) => void) | undefined;
  /** Makes the `cl_order_id` of an order that has none (`ClientOptions.idGenerator`; default: random from `crypto`). */
  readonly newId?: (() => string) | undefined;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

const range = (what: string, rule: FieldRule) =>
  rule.minimum !== undefined && rule.maximum !== undefined
    ? `must be ${what} from ${rule.minimum} to ${rule.maximum}`
    : rule.minimum !== undefined
      ? `must be ${what} of at least ${rule.minimum}`
      : rule.maximum !== undefined
        ? `must be ${what} of at most ${rule.maximum}`
        : `must be ${what}`;

/**
 * What is wrong with a value under a rule of the spec (generated/tables.ts), or undefined when it
 * conforms. Covers the scalar rules the SDK's inputs use: enums, integers and numbers with limits,
 * booleans, strings with length, pattern and date / date-time formats.
 */
export function ruleProblem(
  rule: FieldRule,
  value: unknown,
  mode: ValidationMode = {},
  path = 'value',
): string | undefined {
  if (rule.enum) {
    if (rule.enum.includes(value)) return undefined;
    const known = `must be one of ${rule.enum.join(', ')}`;
    return rule.open ? guessed(rule, value, { mode, path, problem: known }) : known;
  }
  if (rule.open && rule.type === 'string' && rule.pattern !== undefined) {
    if (typeof value === 'string' && new RegExp(rule.pattern).test(value)) return undefined;
    return guessed(rule, value, { mode, path, problem: `must match ${rule.pattern}` });
  }
  switch (rule.type) {
    case 'integer':
    case 'number': {
      const ok =
        typeof value === 'number' &&
        (rule.type === 'integer' ? Number.isInteger(value) : Number.isFinite(value)) &&
        (rule.minimum === undefined || value >= rule.minimum) &&
        (rule.maximum === undefined || value <= rule.maximum);
      return ok ? undefined : range(rule.type === 'integer' ? 'an integer' : 'a number', rule);
    }
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'must be a boolean';
    case 'string': {
      if (typeof value !== 'string') return 'must be a string';
      if (rule.format === 'date' && !DATE.test(value)) return 'must be a YYYY-MM-DD date';
      if (rule.format === 'date-time' && !TIMESTAMP.test(value)) return 'must be an RFC 3339 timestamp';
      if (rule.minLength !== undefined && value.length < rule.minLength)
        return rule.minLength === 1
          ? 'must be a non-empty string'
          : `must be at least ${rule.minLength} characters`;
      if (rule.maxLength !== undefined && value.length > rule.maxLength)
        return `must be at most ${rule.maxLength} characters`;
      if (rule.pattern !== undefined && !new RegExp(rule.pattern).test(value))
        return `must match ${rule.pattern}`;
      return undefined;
    }
    default:
      return undefined;
  }
}

/** A value outside a guessed (`x-open`) set: a warning, or with `strict` the problem. */
function guessed(
  rule: FieldRule,
  value: unknown,
  { mode, path, problem }: { mode: ValidationMode; path: string; problem: string },
) {
  if (typeof value !== 'string' || value === '') return 'must be a non-empty string';
  if (rule.openPattern !== undefined && !new RegExp(rule.openPattern).test(value))
    return `must match ${rule.openPattern}${rule.enum ? ` (known: ${rule.enum.join(', ')})` : ''}`;
  if (mode.strict) return problem;
  mode.warn?.(`${path}: "${value}" is not a known value; sending it as given (strictValidation rejects it)`, {
    path,
    value,
    ...(rule.enum ? { known: rule.enum } : { pattern: rule.pattern }),
  });
  return undefined;
}

/**
 * What is wrong with a list of symbols under the spec's rule for it: the REST `symbols` filter
 * (sent comma-joined, so no commas) or a stream subscribe's `symbols` (unique). One check for both.
 */
export function symbolIssues(symbols: unknown, rule: FieldRule, path = 'symbols'): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const min = rule.minItems ?? 0;
  if (!Array.isArray(symbols) || symbols.length < min) {
    issues.push({
      path,
      message: min > 0 ? 'must be a non-empty array of symbols' : 'must be an array of symbols',
    });
    return issues;
  }
  symbols.forEach((s, i) => {
    if (typeof s !== 'string' || s === '' || (rule.commaJoined && s.includes(',')))
      issues.push({
        path: `${path}.${i}`,
        message: rule.commaJoined
          ? 'must be a non-empty symbol without commas'
          : 'must be a non-empty string',
      });
  });
  if (rule.uniqueItems && new Set(symbols).size !== symbols.length)
    issues.push({ path, message: 'must not repeat' });
  return issues;
}
