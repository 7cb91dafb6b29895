import { StreamProtocolError, ValidationError } from '../../../src/streams';
import { decodeMarketData, symbolOf, throwIssues } from '../../../src/streams/protocol/market-data';
import {
  answerProblem,
  encodeListSubscriptions,
  encodeSnapshot,
  encodeSubscribe,
  encodeUnsubscribe,
  snapshotIssues,
  subscribeIssues,
} from '../../../src/streams/protocol/market-data-requests';

// As MarketDataStream.subscribe / snapshotBars check: the issues found, thrown as one ValidationError.
const checkSubscribe = (...args: Parameters<typeof subscribeIssues>) => throwIssues(subscribeIssues(...args));
const checkSnapshot = (...args: Parameters<typeof snapshotIssues>) => throwIssues(snapshotIssues(...args));

test('decodes updates and answers; the symbol key depends on the channel', () => {
  const quote = decodeMarketData('{"action":"update","channel":"quotes","data":{"symbol":"AAPL"}}');
  expect(quote.action).toBe('update');
  expect(symbolOf('quotes', { symbol: 'AAPL' })).toBe('AAPL');
  expect(symbolOf('options_chain', { underlying: 'SPY' })).toBe('SPY');
  expect(decodeMarketData('{"action":"snapshot","request_id":"r","symbol":"A","data":[]}').action).toBe(
    'snapshot',
  );
  expect(decodeMarketData('{"action":"subscriptions","request_id":"r","subscriptions":[]}').action).toBe(
    'subscriptions',
  );
});

test('refuses unknown channels, missing symbols and unknown actions', () => {
  for (const bad of [
    '{"action":"update","channel":"news","data":{"symbol":"A"}}',
    '{"action":"update","channel":"options_chain","data":{"symbol":"A"}}',
    '{"action":"update","channel":"quotes","data":[]}',
    '{"action":"authenticated","connection_id":"c"}',
    '{"action":"teleport"}',
  ])
    expect(() => decodeMarketData(bad)).toThrow(StreamProtocolError);
});

test('subscribe parameters are checked per channel before sending', () => {
  expect(() => checkSubscribe('bars', ['A'], {})).toThrow(/interval/);
  expect(() => checkSubscribe('depth', ['A'], { levels: 51 })).toThrow(ValidationError);
  expect(() => checkSubscribe('quotes', ['A'], { levels: 5 })).toThrow(/not a parameter of quotes/);
  expect(() => checkSubscribe('quotes', ['A', 'A'], {})).toThrow(/must not repeat/);
  expect(() => checkSubscribe('nope' as never, ['A'], {})).toThrow(/channel/);
  expect(() => checkSubscribe('depth', ['A'], { levels: 10 })).not.toThrow();
  expect(() => checkSnapshot({ symbol: 'A', interval: '1m', limit: 0 } as never)).toThrow(/limit/);
  expect(() => checkSnapshot({ symbol: 'A', interval: '1m', start: 'yesterday' } as never)).toThrow(
    /RFC 3339/,
  );
});

test('encoders write the documented frames', () => {
  expect(JSON.parse(encodeSubscribe('r1', 'depth', ['A'], { levels: 5 }))).toEqual({
    action: 'subscribe',
    request_id: 'r1',
    channel: 'depth',
    symbols: ['A'],
    levels: 5,
  });
  expect(JSON.parse(encodeUnsubscribe('r2', 'quotes', ['A'])).action).toBe('unsubscribe');
  expect(JSON.parse(encodeSnapshot('r3', { symbol: 'A', interval: '1m' }))).toMatchObject({
    action: 'snapshot',
    channel: 'bars',
  });
  expect(JSON.parse(encodeListSubscriptions('r4'))).toEqual({
    action: 'list_subscriptions',
    request_id: 'r4',
  });
});

test('an answer is routed by its request_id; its payload is checked by the request that asked', () => {
  const answers = [
    '{"action":"subscribed","request_id":"r","symbols":["A"]}',
    '{"action":"unsubscribed","request_id":"r","channel":"quotes","symbols":"A"}',
    '{"action":"snapshot","request_id":"r","symbol":"A"}',
    '{"action":"subscriptions","request_id":"r","subscriptions":{}}',
  ];
  for (const text of answers) {
    const answer = decodeMarketData(text);
    expect(answerProblem(answer)).toMatch(/frame: "\w+" must be (string|array)$/);
  }
  expect(() => decodeMarketData('{"action":"snapshot","symbol":"A","data":[]}')).toThrow(/request_id/);
  expect(
    answerProblem(
      decodeMarketData('{"action":"subscribed","request_id":"r","channel":"quotes","symbols":[]}'),
    ),
  ).toBeUndefined();
});

test('numeric parameters echoed in a subscriptions answer are read as numbers, given as 10 or "10"', () => {
  const answer = decodeMarketData(
    '{"action":"subscriptions","request_id":"r","subscriptions":[{"channel":"depth","symbols":["A"],"params":{"levels":"10"}},{"channel":"bars","symbols":["A"],"params":{"interval":"1m","backfill":50}}]}',
  );
  expect(answerProblem(answer)).toBeUndefined();
  const { subscriptions } = answer as unknown as { subscriptions: { params: Record<string, unknown> }[] };
  expect(subscriptions[0]?.params.levels).toBe(10);
  expect(subscriptions[1]?.params).toEqual({ interval: '1m', backfill: 50 });
});
