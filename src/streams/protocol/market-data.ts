/**
 * The market-data stream's wire format (PROTOCOL.md): encoders checked before sending (strict
 * writer) and a decoder with cheap structural checks (full validation is the `validate` option).
 */
import { enums } from '../../../generated/operations';
import { streamErrorFactory as errorFactory, type ValidationIssue } from '../../core/errors';
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

const isInt = (v: unknown, min: number, max: number) =>
  Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
const oneOf = (list: readonly string[]) => (v: unknown) => typeof v === 'string' && list.includes(v);
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

type Rule = { check: (v: unknown) => boolean; message: string; required?: boolean };
const PARAM_RULES: Record<Channel, Record<string, Rule>> = {
  quotes: {},
  trades: { session_filter: { check: oneOf(enums.TradingSession), message: 'must be regular or extended' } },
  bars: {
    interval: {
      check: oneOf(enums.BarInterval),
      message: `must be one of ${enums.BarInterval.join(', ')}`,
      required: true,
    },
    backfill: { check: (v) => isInt(v, 0, 5000), message: 'must be an integer from 0 to 5000' },
  },
  depth: { levels: { check: (v) => isInt(v, 1, 50), message: 'must be an integer from 1 to 50' } },
  options_chain: {
    greeks: { check: (v) => typeof v === 'boolean', message: 'must be a boolean' },
    expiration: { check: (v) => typeof v === 'string' && DATE.test(v), message: 'must be a YYYY-MM-DD date' },
  },
};

function checkSymbols(symbols: unknown, path: string, issues: ValidationIssue[]): void {
  if (!Array.isArray(symbols) || symbols.length === 0) {
    issues.push({ path, message: 'must be a non-empty array' });
    return;
  }
  symbols.forEach((s, i) => {
    if (typeof s !== 'string' || s === '')
      issues.push({ path: `${path}.${i}`, message: 'must be a non-empty string' });
  });
  if (new Set(symbols).size !== symbols.length) issues.push({ path, message: 'must not repeat' });
}

/** Throws ValidationError unless channel, symbols and params make a valid subscribe request. */
export function checkSubscribe(
  channel: Channel,
  symbols: readonly string[],
  params: Record<string, unknown>,
): void {
  const issues: ValidationIssue[] = [];
  const rules = PARAM_RULES[channel];
  if (!rules)
    throw errorFactory.validation([
      { path: 'channel', message: `must be one of ${enums.MarketDataChannel.join(', ')}` },
    ]);
  checkSymbols(symbols, 'symbols', issues);
  for (const [key, value] of Object.entries(params)) {
    const rule = rules[key];
    if (!rule) issues.push({ path: key, message: `is not a parameter of ${channel}` });
    else if (value !== undefined && !rule.check(value)) issues.push({ path: key, message: rule.message });
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
export function checkSnapshot(params: SnapshotBarsParams): void {
  const issues: ValidationIssue[] = [];
  if (typeof params?.symbol !== 'string' || params.symbol === '')
    issues.push({ path: 'symbol', message: 'must be a non-empty string' });
  if (!oneOf(enums.BarInterval)(params?.interval))
    issues.push({ path: 'interval', message: `must be one of ${enums.BarInterval.join(', ')}` });
  for (const key of ['start', 'end'] as const)
    if (params?.[key] !== undefined && !(typeof params[key] === 'string' && TIMESTAMP.test(params[key])))
      issues.push({ path: key, message: 'must be an RFC 3339 timestamp' });
  if (params?.limit !== undefined && !isInt(params.limit, 1, 5000))
    issues.push({ path: 'limit', message: 'must be an integer from 1 to 5000' });
  const known = new Set(['symbol', 'interval', 'start', 'end', 'limit']);
  for (const key of Object.keys(params ?? {}))
    if (!known.has(key)) issues.push({ path: key, message: 'unknown parameter' });
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
