/**
 * The validation tables come from the spec (generated/tables.ts): the checks follow them, and
 * one symbols check serves the REST filters and the stream's subscribe frames.
 */
import {
  orderTypeFields,
  queryParameters,
  streamSymbols,
  subscribeParameters,
} from '../../../generated/tables';
import { ValidationError } from '../../../src/rest';
import { type OrderChecks, orderChecks } from '../../../src/rest/orders/checks';
import { ruleProblem, symbolIssues } from '../../../src/rest/orders/validation';
import { spec } from '../../helpers/spec';

// The checks as the client uses them (loaded on first use, throwing one ValidationError).
let validateOrder: OrderChecks['validateOrder'];
beforeAll(async () => {
  ({ validateOrder } = orderChecks);
});

const BASE = {
  account_id: 'acc_1',
  broker: 'ALPACA',
  side: 'BUY',
  order_tif: 'DAY',
  instrument: 'EQ',
  symbol: 'AAPL',
  order_qty: '1',
};

function problems(input: unknown): Record<string, string> {
  try {
    validateOrder(input);
    return {};
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return Object.fromEntries((error as ValidationError).issues.map((i) => [i.path, i.message]));
  }
}

describe('generated tables', () => {
  it('hold what the spec says: price fields per order type, the 1-500 page size with 50 by default', () => {
    const mapping = spec.components.schemas.OrderRequest.discriminator.mapping as Record<string, string>;
    expect(Object.keys(orderTypeFields).sort()).toEqual(Object.keys(mapping).sort());
    expect(orderTypeFields.MKT).toEqual({ required: [], forbidden: ['order_limit_price', 'stop_price'] });
    expect(orderTypeFields.STPLMT).toEqual({ required: ['order_limit_price', 'stop_price'], forbidden: [] });
    const limit = spec.components.parameters.LimitQuery.schema;
    expect(queryParameters.listOrders.limit).toMatchObject({
      minimum: limit.minimum,
      maximum: limit.maximum,
      default: limit.default,
    });
    expect(subscribeParameters.depth.levels).toMatchObject({ type: 'integer', minimum: 1, maximum: 50 });
  });

  it('validateOrder requires and forbids exactly the price fields of each order type', () => {
    for (const [type, { required, forbidden }] of Object.entries(orderTypeFields)) {
      const missing = problems({ ...BASE, order_type: type });
      for (const key of required) expect(missing[key]).toBe(`is required for ${type} orders`);
      const extra = problems({ ...BASE, order_type: type, order_limit_price: '1', stop_price: '1' });
      for (const key of forbidden) expect(extra[key]).toBe(`is not allowed on ${type} orders`);
      expect(Object.keys(extra).sort()).toEqual([...forbidden].sort());
    }
  });

  it('ruleProblem reads limits, formats and enums from a rule', () => {
    const limit = queryParameters.listOrders.limit;
    expect(ruleProblem(limit, 500)).toBeUndefined();
    expect(ruleProblem(limit, 501)).toBe('must be an integer from 1 to 500');
    expect(ruleProblem(limit, 1.5)).toBe('must be an integer from 1 to 500');
    expect(ruleProblem(subscribeParameters.options_chain.expiration, '2026-13')).toBe(
      'must be a YYYY-MM-DD date',
    );
    expect(ruleProblem(subscribeParameters.options_chain.greeks, 'yes')).toBe('must be a boolean');
    expect(ruleProblem({ type: 'integer', minimum: 0, maximum: 9 }, 10)).toBe(
      'must be an integer from 0 to 9',
    );
  });

  it('one symbols check: comma-joined REST filters reject commas, stream frames reject repeats', () => {
    const rest = queryParameters.listOrders.symbols;
    expect(symbolIssues(['AAPL', 'MS,FT'], rest)).toEqual([
      { path: 'symbols.1', message: 'must be a non-empty symbol without commas' },
    ]);
    expect(symbolIssues(['AAPL', 'AAPL'], rest)).toEqual([]);
    expect(symbolIssues(['AAPL', 'AAPL'], streamSymbols)).toEqual([
      { path: 'symbols', message: 'must not repeat' },
    ]);
    expect(symbolIssues([], streamSymbols)).toEqual([
      { path: 'symbols', message: 'must be a non-empty array of symbols' },
    ]);
  });
});
