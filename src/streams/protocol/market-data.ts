/**
 * The market-data stream's wire format (PROTOCOL.md): encoders checked before sending (strict
 * writer) and a decoder with cheap structural checks (full validation is the `validate` option).
 */
import { enums } from '../../../generated/operations';
import {
  type FieldRule,
  snapshotParameters,
  streamSymbols,
  subscribeParameters,
} from '../../../generated/tables';
import { streamErrorFactory as errorFactory, type ValidationIssue } from '../../core/errors';
import { ruleProblem, symbolIssues, type ValidationMode } from '../../core/validation';
import type { BarInterval, MarketDataServerMessage } from '../../types';
import type { Channel, ChannelParams } from '../messages';
import { digitsToNumber, expectErrorFrame, expectField, parseFrame } from './frame';

/** What `snapshotBars` asks for. */
export interface SnapshotBarsParams {
  symbol: string;
  interval: BarInterval;
  start?: string;
  end?: string;
  limit?: number;
}

const DATA_KEY: Record<Channel, 'symbol' | 'underlying'> = {
  quotes: 'symbol',
  trades: 'symbol',
  bars: 'symbol',
  depth: 'symbol',
  options_chain: 'underlying',
};

/** The symbol a channel's payload is about (`underlying` for options chains). */
export function symbolOf(channel: Channel, data: Record<string, unknown>): string {
  return data[DATA_KEY[channel]] as string;
}

/** Decodes one server frame; throws StreamProtocolError when it breaks the protocol. */
export function decodeMarketData(text: string): MarketDataServerMessage {
  const frame = parseFrame(text);
  switch (frame.action) {
    case 'update': {
      const channel = frame.channel as Channel;
      if (typeof channel !== 'string' || !(channel in DATA_KEY))
        throw errorFactory.streamProtocol(`"update" frame: unknown channel ${String(channel)}`, text);
      expectField(frame, 'data', 'object', text);
      if (typeof (frame.data as Record<string, unknown>)[DATA_KEY[channel]] !== 'string')
        throw errorFactory.streamProtocol(`"update" frame: data.${DATA_KEY[channel]} must be string`, text);
      break;
    }
    case 'heartbeat':
      expectField(frame, 'time', 'string', text);
      break;
    case 'authenticated':
      expectField(frame, 'connection_id', 'string', text);
      expectField(frame, 'expires_at', 'string', text);
      break;
    case 'subscribed':
    case 'unsubscribed':
      expectField(frame, 'request_id', 'string', text);
      expectField(frame, 'channel', 'string', text);
      expectField(frame, 'symbols', 'array', text);
      break;
    case 'snapshot':
      expectField(frame, 'request_id', 'string', text);
      expectField(frame, 'symbol', 'string', text);
      expectField(frame, 'data', 'array', text);
      break;
    case 'subscriptions':
      expectField(frame, 'request_id', 'string', text);
      expectField(frame, 'subscriptions', 'array', text);
      // Numeric parameters echoed back may come as strings too ("10"): read them as numbers.
      for (const entry of frame.subscriptions as unknown[]) {
        const params = (entry as { params?: unknown } | null)?.params;
        if (typeof params === 'object' && params !== null)
          for (const field of ['levels', 'backfill'])
            digitsToNumber(params as Record<string, unknown>, field);
      }
      break;
    case 'error':
      expectErrorFrame(frame, text);
      break;
    default:
      throw errorFactory.streamProtocol(`Unknown action "${frame.action}"`, text);
  }
  return frame as unknown as MarketDataServerMessage;
}

/** The authenticate frame. */
export function encodeMarketDataAuth(token: string): string {
  return JSON.stringify({ action: 'authenticate', token });
}

// Parameter rules (limits, enums, formats) and the symbols rule come from the spec: generated/tables.ts.
const PARAM_RULES: Record<Channel, Record<string, FieldRule>> = subscribeParameters;

/** Throws ValidationError unless channel, symbols and params make a valid subscribe request. */
export function checkSubscribe(
  channel: Channel,
  symbols: readonly string[],
  params: Record<string, unknown>,
  mode: ValidationMode = {},
): void {
  const issues: ValidationIssue[] = [];
  const rules = PARAM_RULES[channel];
  if (!rules)
    throw errorFactory.validation([
      { path: 'channel', message: `must be one of ${enums.MarketDataChannel.join(', ')}` },
    ]);
  issues.push(...symbolIssues(symbols, streamSymbols));
  for (const [key, value] of Object.entries(params)) {
    const rule = rules[key];
    const problem = rule && value !== undefined ? ruleProblem(rule, value, mode, key) : undefined;
    if (!rule) issues.push({ path: key, message: `is not a parameter of ${channel}` });
    else if (problem) issues.push({ path: key, message: problem });
  }
  for (const [key, rule] of Object.entries(rules))
    if (rule.required && params[key] === undefined) issues.push({ path: key, message: 'is required' });
  if (issues.length > 0) throw errorFactory.validation(issues);
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

/** Throws ValidationError unless the snapshot parameters are valid. */
export function checkSnapshot(params: SnapshotBarsParams, mode: ValidationMode = {}): void {
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
  if (issues.length > 0) throw errorFactory.validation(issues);
}

/** The snapshot frame. */
export function encodeSnapshot(requestId: string, params: SnapshotBarsParams): string {
  return JSON.stringify({ action: 'snapshot', request_id: requestId, channel: 'bars', ...params });
}

/** The list_subscriptions frame. */
export function encodeListSubscriptions(requestId: string): string {
  return JSON.stringify({ action: 'list_subscriptions', request_id: requestId });
}
