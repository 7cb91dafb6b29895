/**
 * The brokerage stream's wire format (PROTOCOL.md): encoders for what the client sends (checked
 * before sending: strict writer) and a decoder for what the server sends (cheap structural checks
 * on the hot path; full schema validation is the `validate` option's job).
 */
import { enums } from '../../../generated/operations';
import { streamErrorFactory as errorFactory, type ValidationIssue } from '../../core/errors';
import type { BrokerageServerMessage, BrokerageTopic } from '../../types';
import { expectErrorFrame, expectField, parseFrame, readInteger } from './frame';

/** Filters of a brokerage subscription. */
export interface BrokerageFilter {
  account_id?: string;
  connection_id?: string;
}

/** Decodes one server frame; throws StreamProtocolError when it breaks the protocol. */
export function decodeBrokerage(text: string): BrokerageServerMessage {
  const frame = parseFrame(text);
  switch (frame.action) {
    case 'order_update':
    case 'position_update':
    case 'balance_update':
      readInteger(frame, 'seq', { text, min: 1 });
      expectField(frame, 'user_id', 'string', text);
      expectField(frame, 'data', 'object', text);
      break;
    case 'heartbeat':
      expectField(frame, 'time', 'string', text);
      break;
    case 'authenticated':
      expectField(frame, 'session_id', 'string', text);
      break;
    case 'subscribed':
    case 'unsubscribed':
      expectField(frame, 'request_id', 'string', text);
      expectField(frame, 'topics', 'array', text);
      break;
    case 'error':
      expectErrorFrame(frame, text);
      break;
    default:
      throw errorFactory.streamProtocol(`Unknown action "${frame.action}"`, text);
  }
  return frame as unknown as BrokerageServerMessage;
}

/** The authenticate frame. */
export function encodeBrokerageAuth(clientId: string, clientSecret: string): string {
  return JSON.stringify({ action: 'authenticate', client_id: clientId, client_secret: clientSecret });
}

/** Throws ValidationError unless topics is a non-empty list of distinct known topics. */
export function checkTopics(topics: readonly BrokerageTopic[]): void {
  const issues: ValidationIssue[] = [];
  if (!Array.isArray(topics) || topics.length === 0)
    issues.push({ path: 'topics', message: 'must be a non-empty array' });
  else {
    topics.forEach((topic, i) => {
      if (!(enums.BrokerageTopic as readonly string[]).includes(topic))
        issues.push({ path: `topics.${i}`, message: `must be one of ${enums.BrokerageTopic.join(', ')}` });
    });
    if (new Set(topics).size !== topics.length) issues.push({ path: 'topics', message: 'must not repeat' });
  }
  if (issues.length > 0) throw errorFactory.validation(issues);
}

/** Throws ValidationError unless the filter holds only non-empty string ids. */
export function checkFilter(filter: BrokerageFilter): void {
  const issues: ValidationIssue[] = [];
  for (const [key, value] of Object.entries(filter)) {
    if (key !== 'account_id' && key !== 'connection_id')
      issues.push({ path: key, message: 'unknown filter' });
    else if (value !== undefined && (typeof value !== 'string' || value === ''))
      issues.push({ path: key, message: 'must be a non-empty string' });
  }
  if (issues.length > 0) throw errorFactory.validation(issues);
}

/** The subscribe frame. */
export function encodeBrokerageSubscribe(
  requestId: string,
  topics: readonly BrokerageTopic[],
  filter: BrokerageFilter,
): string {
  const frame: Record<string, unknown> = { action: 'subscribe', request_id: requestId, topics };
  if (filter.account_id !== undefined) frame.account_id = filter.account_id;
  if (filter.connection_id !== undefined) frame.connection_id = filter.connection_id;
  return JSON.stringify(frame);
}

/** The unsubscribe frame. */
export function encodeBrokerageUnsubscribe(requestId: string, topics: readonly BrokerageTopic[]): string {
  return JSON.stringify({ action: 'unsubscribe', request_id: requestId, topics });
}
