/**
 * The market-data stream's wire format (PROTOCOL.md): encoders checked before sending (strict
 * writer) and a decoder with cheap structural checks (full validation is the `validate` option).
 * The payload of an answer to a request is checked by the request (market-data-requests.ts).
 */
import { streamErrorFactory as errorFactory, type ValidationIssue } from '../../core/errors';
import type { BarInterval, MarketDataServerMessage } from '../../types';
import type { Channel } from '../messages';
import { expectErrorFrame, expectField, parseFrame } from './frame';

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
    // Answers to requests: the connection routes them by request_id; the request that asked
    // checks the rest (answerProblem in market-data-requests.ts).
    case 'subscribed':
    case 'unsubscribed':
    case 'snapshot':
    case 'subscriptions':
      expectField(frame, 'request_id', 'string', text);
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

/** Throws the issues a request check found (market-data-requests.ts) as one ValidationError; nothing is sent. */
export function throwIssues(issues: readonly ValidationIssue[]): void {
  if (issues.length > 0) throw errorFactory.validation(issues);
}
