import { enums } from '../../generated/operations';
import { spec } from '../helpers/spec';

/** Enums copied verbatim from the vendor reference (shared/seeds) and PROTOCOL.md; never derived from the spec. */
const REFERENCE_ENUMS = {
  OrderType: ['MKT', 'LMT', 'STP', 'STPLMT'],
  TimeInForce: ['DAY', 'GTC', 'IOC', 'FOK', 'OPEN', 'CLOSE', 'DAY+', 'GTC+'],
  OrderStatus: [
    'pending',
    'working',
    'partially_filled',
    'filled',
    'cancelled',
    'rejected',
    'expired',
    'replaced',
    'pending_cancel',
    'pending_replace',
  ],
  OrderStatusFilter: [
    'all',
    'open',
    'closed',
    'filled',
    'cancelled',
    'partially_filled',
    'working',
    'rejected',
    'pending',
    'expired',
    'replaced',
  ],
  // `readonly`: a production client (Datafye's broker.py) sends it and reads it back (issue 14).
  ConnectionType: ['trade', 'market_data', 'readonly'],
  BrokerageTopic: ['orders', 'positions', 'balances'],
  MarketDataChannel: ['quotes', 'trades', 'bars', 'depth', 'options_chain'],
  // PROTOCOL.md decisions.
  OrderSide: [
    'BUY',
    'SELL',
    'SELL_SHORT',
    'BUY_TO_COVER',
    'BUY_TO_OPEN',
    'BUY_TO_CLOSE',
    'SELL_TO_OPEN',
    'SELL_TO_CLOSE',
  ],
  Instrument: ['EQ', 'OPT', 'MLEG_OPT', 'FUT', 'CRYPTO'],
  ConnectionStatus: ['active', 'pending', 'expired', 'revoked', 'error'],
  BarInterval: ['1m', '5m', '15m', '1h', '1d'],
  TradingSession: ['regular', 'extended'],
  TokenScope: ['read', 'trade'],
  StreamErrorCode: [
    'unauthorized',
    'token_expired',
    'session_replaced',
    'auth_timeout',
    'not_authenticated',
    'invalid_json',
    'invalid_message',
    'invalid_request',
    'unknown_action',
    'ip_mismatch',
    'rate_limited',
  ],
  StreamCloseCode: [4001, 4002, 4003, 4008, 4029],
  OptionRight: ['call', 'put'],
} as const;

/** Guessed value sets (issue 14): `anyOf: [known values, any other string or interval]`, marked x-open. */
const OPEN = ['OrderSide', 'Instrument', 'BarInterval'];
// biome-ignore lint/suspicious/noExplicitAny: a schema of the spec.
const known = (schema: any): unknown => (schema['x-open'] ? schema.anyOf?.[0]?.enum : schema.enum);

describe('enums', () => {
  it.each(Object.entries(REFERENCE_ENUMS))(
    '%s has exactly the reference values, in order',
    (name, values) => {
      expect(known(spec.components.schemas[name])).toEqual(values);
      expect(enums[name as keyof typeof enums]).toEqual(values);
    },
  );

  it('every enum schema of the spec is pinned by this test', () => {
    const inSpec = Object.keys(spec.components.schemas).filter((n) => known(spec.components.schemas[n]));
    expect(inSpec.sort()).toEqual(Object.keys(REFERENCE_ENUMS).sort());
  });

  it('only the guessed sets are open; the values the reference lists verbatim stay strict', () => {
    const open = Object.keys(spec.components.schemas).filter((n) => spec.components.schemas[n]['x-open']);
    expect(open.sort()).toEqual([...OPEN, 'ClOrderId'].sort());
    for (const name of OPEN) {
      const schema = spec.components.schemas[name];
      expect(schema.enum).toBeUndefined(); // a strict enum beside the anyOf would reject other values
      expect(schema.anyOf).toHaveLength(2);
    }
    expect(spec.components.schemas.BarInterval.anyOf[1].pattern).toBe('^[1-9][0-9]*(s|m|h|d|w|mo)$');
  });

  it('orders, order requests and filters reference the enum schemas instead of inlining values', () => {
    const order = spec.components.schemas.Order.properties;
    // A property may describe itself beside its `$ref` (OpenAPI 3.1); nothing else sits there.
    const withoutDescription = ({ description: _, ...schema }: { description?: string }) => schema;
    expect(withoutDescription(order.status)).toEqual({ $ref: '#/components/schemas/OrderStatus' });
    expect(withoutDescription(order.order_type)).toEqual({ $ref: '#/components/schemas/OrderType' });
    expect(withoutDescription(order.order_tif)).toEqual({ $ref: '#/components/schemas/TimeInForce' });
    expect(spec.components.parameters.StatusQuery.schema).toEqual({
      $ref: '#/components/schemas/OrderStatusFilter',
    });
    expect(spec.components.schemas.BrokerageSubscribe.properties.topics.items).toEqual({
      $ref: '#/components/schemas/BrokerageTopic',
    });
  });
});
