/**
 * The market-data stream's requests: checks against the spec's rules (generated/tables.ts), run
 * before anything is sent, and the frames that carry them. A module of its own: the stream loads
 * it with `import()` on the first request (see market-data-stream.ts), so the rule tables stay out
 * of a page's up-front load. The checks return the issues found and the stream throws them
 * (`throwIssues` in market-data.ts; an answer's problem as a StreamProtocolError): importing the
 * error classes here would split them into a chunk shared by both, which costs more than they
 * weigh. Decoding stays in market-data.ts, which routes an answer by its request_id; the request
 * that asked checks the answer's payload here (`answerProblem`).
 */
import {
  type FieldRule,
  snapshotParameters,
  streamSymbols,
  subscribeParameters,
} from '../../../generated/tables';
import type { ValidationIssue } from '../../core/errors';
import { ruleProblem, symbolIssues, type ValidationMode } from '../../core/field-rules';
import type { MarketDataServerMessage } from '../../types';
import type { Channel, ChannelParams } from '../messages';
import type { SnapshotBarsParams } from './market-data';

// Parameter rules (limits, enums, formats) and the symbols rule come from the spec: generated/tables.ts.
const PARAM_RULES: Record<Channel, Record<string, FieldRule>> = subscribeParameters;

/** What makes channel, symbols and params an invalid subscribe request (empty when valid). */
export function subscribeIssues(
  channel: Channel,
  symbols: readonly string[],
  params: Record<string, unknown>,
  mode: ValidationMode = {},
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const rules = PARAM_RULES[channel];
  if (!rules) return [{ path: 'channel', message: `must be one of ${Object.keys(PARAM_RULES).join(', ')}` }];
  issues.push(...symbolIssues(symbols, streamSymbols));
  for (const [key, value] of Object.entries(params)) {
    const rule = rules[key];
    const problem = rule && value !== undefined ? ruleProblem(rule, value, mode, key) : undefined;
    if (!rule) issues.push({ path: key, message: `is not a parameter of ${channel}` });
    else if (problem) issues.push({ path: key, message: problem });
  }
  for (const [key, rule] of Object.entries(rules))
    if (rule.required && params[key] === undefined) issues.push({ path: key, message: 'is required' });
  return issues;
}

/** What makes the snapshot parameters invalid (empty when valid). */
export function snapshotIssues(params: SnapshotBarsParams, mode: ValidationMode = {}): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const given = (params ?? {}) as unknown as Record<string, unknown>;
  for (const [key, rule] of Object.entries(snapshotParameters as Record<string, FieldRule>)) {
    const value = given[key];
    const problem =
      value === undefined ? (rule.required ? 'is required' : undefined) : ruleProblem(rule, value, mode, key);
    if (problem) issues.push({ path: key, message: problem });
  }
  for (const key of Object.keys(given))
    if (!(key in snapshotParameters)) issues.push({ path: key, message: 'unknown parameter' });
  return issues;
}

/** The subscribe frame (params after the fixed fields, undefined ones left out). */
export function encodeSubscribe<C extends Channel>(
  requestId: string,
  channel: C,
  symbols: readonly string[],
  params: ChannelParams[C] | Record<string, unknown>,
): string {
  return JSON.stringify({ action: 'subscribe', request_id: requestId, channel, symbols, ...params });
}

/** The unsubscribe frame. */
export function encodeUnsubscribe(requestId: string, channel: Channel, symbols: readonly string[]): string {
  return JSON.stringify({ action: 'unsubscribe', request_id: requestId, channel, symbols });
}

/** The snapshot frame. */
export function encodeSnapshot(requestId: string, params: SnapshotBarsParams): string {
  return JSON.stringify({ action: 'snapshot', request_id: requestId, channel: 'bars', ...params });
}

/** The list_subscriptions frame. */
export function encodeListSubscriptions(requestId: string): string {
  return JSON.stringify({ action: 'list_subscriptions', request_id: requestId });
}

/** The fields an answer carries besides `request_id`, by action (PROTOCOL.md). */
const ANSWER_FIELDS: Record<string, Record<string, 'string' | 'array'>> = {
  subscribed: { channel: 'string', symbols: 'array' },
  unsubscribed: { channel: 'string', symbols: 'array' },
  snapshot: { symbol: 'string', data: 'array' },
  subscriptions: { subscriptions: 'array' },
};

/**
 * What makes the answer to a request break the protocol (undefined when it is well formed).
 * Numeric parameters echoed in a subscriptions answer may come as strings ("10"): they are
 * rewritten as numbers, as frame.ts's `digitsToNumber` does (importing it here would put it in a
 * chunk of its own, shared with the up-front load).
 */
export function answerProblem(answer: MarketDataServerMessage): string | undefined {
  const frame = answer as unknown as Record<string, unknown>;
  for (const [field, kind] of Object.entries(ANSWER_FIELDS[answer.action] ?? {}))
    if (kind === 'array' ? !Array.isArray(frame[field]) : typeof frame[field] !== kind)
      return `"${answer.action}" frame: "${field}" must be ${kind}`;
  if (answer.action === 'subscriptions')
    for (const entry of answer.subscriptions) {
      const params = (entry as { params?: Record<string, unknown> } | null)?.params;
      if (typeof params === 'object' && params !== null)
        for (const field of ['levels', 'backfill'])
          if (typeof params[field] === 'string' && /^[0-9]{1,16}$/.test(params[field]))
            params[field] = Number(params[field]);
    }
  return undefined;
}
