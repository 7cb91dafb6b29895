import { schemaErrors, spec } from '../helpers/spec';

const schemaNames = Object.keys(spec.components.schemas);
const example = (name: string) => structuredClone(spec.components.schemas[name].examples[0]);

describe('component schemas', () => {
  it('every schema has at least one example', () => {
    const missing = schemaNames.filter((n) => !Array.isArray(spec.components.schemas[n].examples));
    expect(missing).toEqual([]);
  });

  it.each(schemaNames)('%s: every example validates against its schema', (name) => {
    for (const value of spec.components.schemas[name].examples)
      expect(schemaErrors(name as never, value)).toEqual([]);
  });

  it('every schema, property and message says where it comes from (x-source)', () => {
    const sources = new Set(['reference', 'vendor-docs', 'inferred']);
    for (const name of schemaNames)
      expect([name, sources.has(spec.components.schemas[name]['x-source'])]).toEqual([name, true]);
  });
});

/** Breaks a valid value in a way its schema must notice, or returns undefined when no generic break applies. */
function genericBreaks(name: string): [string, unknown][] {
  const schema = spec.components.schemas[name];
  const valid = example(name);
  if (schema.enum) return [['a value outside the enum', typeof valid === 'number' ? 9999 : 'NOT_A_VALUE']];
  if (schema.type === 'string') return [['a number instead of a string', 42]];
  if (schema.type === 'object' && Array.isArray(schema.required)) {
    const breaks: [string, unknown][] = [['an array instead of an object', [valid]]];
    for (const field of schema.required) {
      const { [field]: _dropped, ...rest } = valid;
      breaks.push([`missing required ${field}`, rest]);
      if (schema.properties?.[field]?.const === undefined)
        breaks.push([`${field} as an object`, { ...valid, [field]: {} }]);
    }
    return breaks;
  }
  if (schema.oneOf && schema.discriminator) {
    return [
      [
        `unknown ${schema.discriminator.propertyName}`,
        { ...valid, [schema.discriminator.propertyName]: 'bogus' },
      ],
    ];
  }
  return [];
}

const baseOrder = example('LimitOrderRequest');
/** Domain-specific wrong payloads that a generic break would not exercise. */
const TARGETED: [string, string, unknown][] = [
  ['Decimal', 'an exponent', '1e5'],
  ['Decimal', 'ten fractional digits', '1.0000000001'],
  ['Decimal', 'a JS number', 1.5],
  ['UnsignedDecimal', 'a negative quantity', '-1'],
  ['Timestamp', 'a non-RFC 3339 time', '25/11/2026 14:30'],
  ['Date', 'a date-time where a date is expected', '2026-11-25T00:00:00Z'],
  // Guessed value sets (x-open) accept any non-empty string (or any `<count><unit>` interval); only
  // what no broker could mean is refused.
  ['ClOrderId', 'an empty id', ''],
  ['ClOrderId', 'a number', 17],
  ['OrderSide', 'an empty side', ''],
  ['OrderSide', 'a number', 1],
  ['Instrument', 'an empty instrument', ''],
  ['BarInterval', 'a count without a unit', '2'],
  ['BarInterval', 'an unknown unit', '2x'],
  ['BarInterval', 'a zero count', '0m'],
  ['BarInterval', 'a word', 'soon'],
  ['OrderRequest', 'LMT without order_limit_price', { ...baseOrder, order_limit_price: undefined }],
  ['OrderRequest', 'MKT with a limit price', { ...baseOrder, order_type: 'MKT' }],
  ['OrderRequest', 'STP without stop_price', { ...baseOrder, order_type: 'STP' }],
  ['OrderRequest', 'STPLMT without stop_price', { ...baseOrder, order_type: 'STPLMT' }],
  ['OrderRequest', 'LMT with a stop price', { ...baseOrder, stop_price: '1' }],
  ['OrderRequest', 'both order_qty and order_notional', { ...baseOrder, order_notional: '100' }],
  ['OrderRequest', 'neither order_qty nor order_notional', { ...baseOrder, order_qty: undefined }],
  ['OrderRequest', 'an unknown order_type', { ...baseOrder, order_type: 'TRAIL' }],
  ['OrderRequest', 'an unknown TIF', { ...baseOrder, order_tif: 'GTD' }],
  ['OrderRequest', 'MLEG_OPT without legs', { ...baseOrder, instrument: 'MLEG_OPT' }],
  [
    'OrderRequest',
    'legs on a single-leg order',
    { ...baseOrder, legs: [example('OrderLeg'), example('OrderLeg')] },
  ],
  ['MarketOrderRequest', 'a stop price', { ...example('MarketOrderRequest'), stop_price: '1' }],
  [
    'LimitOrderRequest',
    'a missing limit price',
    { ...example('LimitOrderRequest'), order_limit_price: undefined },
  ],
  ['StopOrderRequest', 'the LMT discriminator', { ...example('StopOrderRequest'), order_type: 'LMT' }],
  [
    'StopLimitOrderRequest',
    'a missing stop price',
    { ...example('StopLimitOrderRequest'), stop_price: undefined },
  ],
  [
    'OrderRequest',
    'MLEG_OPT with one leg',
    { ...baseOrder, instrument: 'MLEG_OPT', legs: [example('OrderLeg')] },
  ],
  [
    'OrderRequest',
    'MLEG_OPT with five legs',
    { ...baseOrder, instrument: 'MLEG_OPT', legs: Array.from({ length: 5 }, () => example('OrderLeg')) },
  ],
  ['OrderRequest', 'a price with ten decimals', { ...baseOrder, order_limit_price: '1.0123456789' }],
  [
    'ReplaceOrderRequest',
    'both order_qty and order_notional',
    { ...example('ReplaceOrderRequest'), order_qty: '1', order_notional: '1' },
  ],
  ['OrderPage', 'a numeric cursor', { ...example('OrderPage'), next_cursor: 2 }],
  ['OrderListResponse', 'a page without cursors', { orders: [] }],
  ['Order', 'an unknown status', { ...example('Order'), status: 'done' }],
  ['Order', 'a numeric filled_qty', { ...example('Order'), filled_qty: 10 }],
  ['CreateUserResponse', 'no secret under either spelling', { user_id: 'u' }],
  ['CreateConnectionResponse', 'no URL under either name', { expires_at: '2026-11-25T15:30:00Z' }],
  ['Connection', 'no type under either name', { connection_id: 'c', broker: 'ALPACA' }],
  ['CreateUserTokenRequest', 'an empty scope list', { scopes: [] }],
  ['CreateUserTokenRequest', 'an unknown scope', { scopes: ['admin'] }],
  ['OrderUpdate', 'a string seq', { ...example('OrderUpdate'), seq: '1' }],
  ['OrderUpdate', 'seq 0', { ...example('OrderUpdate'), seq: 0 }],
  ['BrokerageSubscribe', 'an unknown topic', { ...example('BrokerageSubscribe'), topics: ['fills'] }],
  ['BrokerageSubscribe', 'no topics', { ...example('BrokerageSubscribe'), topics: [] }],
  ['BrokerageClientMessage', 'a subscribe without request_id', { action: 'subscribe', topics: ['orders'] }],
  [
    'BrokerageServerMessage',
    'an order_update whose data is a position',
    { ...example('OrderUpdate'), data: example('Position') },
  ],
  [
    'MarketDataSubscribe',
    'bars without interval',
    { action: 'subscribe', request_id: 'r', channel: 'bars', symbols: ['AAPL'] },
  ],
  ['MarketDataSubscribe', 'depth with 0 levels', { ...example('DepthSubscribe'), levels: 0 }],
  [
    'MarketDataSubscribe',
    'trades with an unknown session_filter',
    { ...example('TradesSubscribe'), session_filter: 'overnight' },
  ],
  [
    'MarketDataClientMessage',
    'a quotes subscribe carrying bar params',
    { ...example('QuotesSubscribe'), interval: '1m' },
  ],
  [
    'MarketDataServerMessage',
    'a quotes update whose data is a trade',
    { ...example('QuoteUpdate'), data: example('Trade') },
  ],
  [
    'MarketDataServerMessage',
    'an update on an unknown channel',
    { ...example('QuoteUpdate'), channel: 'news' },
  ],
  ['Bar', 'an interval that is not <count><unit>', { ...example('Bar'), interval: 'hourly' }],
  ['StreamError', 'no code', { action: 'error', message: 'x' }],
];

describe('wrong payloads are rejected', () => {
  const cases = schemaNames.flatMap((name) =>
    genericBreaks(name).map(([what, value]) => [name, what, value] as const),
  );

  it.each(cases)('%s rejects %s', (name, _what, value) => {
    expect(schemaErrors(name as never, value).length).toBeGreaterThan(0);
  });

  it.each(TARGETED)('%s rejects %s', (name, _what, value) => {
    const cleaned = JSON.parse(JSON.stringify(value)); // drops the `undefined` fields used to remove a key
    expect(schemaErrors(name as never, cleaned).length).toBeGreaterThan(0);
  });

  it('every top-level schema has at least one wrong payload', () => {
    const covered = new Set([...cases.map(([n]) => n), ...TARGETED.map(([n]) => n)]);
    expect(schemaNames.filter((n) => !covered.has(n))).toEqual([]);
  });

  it('guessed values are open: any non-empty side, instrument or cl_order_id, any <count><unit> interval (issue 14)', () => {
    for (const side of ['SELL_SHORT_EXEMPT', 'BUY_MINUS'])
      expect(schemaErrors('OrderSide', side)).toEqual([]);
    expect(schemaErrors('Instrument', 'BOND')).toEqual([]);
    for (const id of ['has space', 'a'.repeat(65), 'ünïcode'])
      expect(schemaErrors('ClOrderId', id)).toEqual([]);
    for (const interval of ['2m', '30s', '4h', '2w', '3mo', '1d'])
      expect(schemaErrors('BarInterval', interval)).toEqual([]);
    expect(
      schemaErrors('OrderRequest', { ...baseOrder, side: 'SELL_SHORT_EXEMPT', instrument: 'BOND' }),
    ).toEqual([]);
    const bars = {
      action: 'subscribe',
      request_id: 'r1',
      channel: 'bars',
      symbols: ['AAPL'],
      interval: '2m',
    };
    expect(schemaErrors('MarketDataClientMessage', bars)).toEqual([]);
    expect(schemaErrors('Bar', { ...example('Bar'), interval: '2m' })).toEqual([]);
  });

  it('tolerated variants are accepted', () => {
    expect(schemaErrors('CreateUserResponse', { user_id: 'u', user_secret: 's' })).toEqual([]);
    expect(
      schemaErrors('CreateConnectionResponse', { connection_request_url: 'https://x.example/a' }),
    ).toEqual([]);
    expect(
      schemaErrors('Connection', { connection_id: 'c', broker: 'ALPACA', connection_type: 'trade' }),
    ).toEqual([]);
    expect(schemaErrors('OrderListResponse', [example('Order')])).toEqual([]);
    expect(schemaErrors('Order', { ...example('Order'), brand_new_field: 'x' })).toEqual([]);
  });
});
