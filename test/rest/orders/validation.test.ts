/** Order validation (every problem listed) and exact decimal conversion. */
import fc from 'fast-check';
import { toDecimalString } from '../../../src/core/decimal';
import { ValidationError } from '../../../src/rest';
import { type OrderChecks, orderChecks } from '../../../src/rest/orders/checks';
import { generateClOrderId } from '../../../src/rest/orders/validation';
import { schemaErrors } from '../../helpers/spec';

// The checks as the client uses them: loaded on first use, each throwing one ValidationError.
let validateOrder: OrderChecks['validateOrder'];
let validateReplace: OrderChecks['validateReplace'];
beforeAll(async () => {
  ({ validateOrder, validateReplace } = orderChecks);
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

// Strict: these cases check every rule, guessed ones included (their lenient default, a warning
// instead of an issue, is covered by open-values.test.ts).
function issuesOf(input: unknown): string[] {
  try {
    validateOrder(input, { strict: true });
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues.map((i) => i.path);
  }
  return [];
}

describe('decimals', () => {
  it.each([
    [0.1, '0.1'],
    [189.5, '189.5'],
    [10, '10'],
    [0.000000001, undefined], // 1e-9 prints with an exponent
    [1234.5678, '1234.5678'],
    [0.1 + 0.2, undefined], // 0.30000000000000004: 17 fractional digits, never rounded silently
    ['0.000000001', '0.000000001'],
  ])('%p → %p', (input, expected) => {
    const result = toDecimalString(input);
    expect('value' in result ? result.value : undefined).toBe(expected);
  });

  it.each([
    1e21,
    1e-10,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    -1,
    '1e5',
    '1.0000000001',
    '',
    ' 1',
    '-0.5',
    '1,5',
    null,
  ])('rejects %p', (input) => {
    expect(toDecimalString(input)).toHaveProperty('error');
  });

  it('any accepted number converts to a string that parses back to the same number and matches the spec', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e15, noNaN: true }), (n) => {
        const result = toDecimalString(n);
        if ('value' in result) {
          expect(Number(result.value)).toBe(n);
          expect(schemaErrors('UnsignedDecimal', result.value)).toEqual([]);
        } else {
          expect(String(n)).toMatch(/e|\.\d{10,}/);
        }
      }),
    );
  });
});

describe('validateOrder', () => {
  it('accepts each order type with its price fields and generates cl_order_id', () => {
    for (const extra of [
      { order_type: 'MKT' },
      { order_type: 'LMT', order_limit_price: 1.5 },
      { order_type: 'STP', stop_price: '2' },
      { order_type: 'STPLMT', stop_price: '2', order_limit_price: '1.9' },
    ]) {
      const body = validateOrder({ ...BASE, ...extra });
      expect(schemaErrors('OrderRequest', body)).toEqual([]);
      expect(body.cl_order_id).toMatch(/^ct_[0-9a-z]{24}$/);
    }
  });

  it('lists every problem at once', () => {
    const paths = issuesOf({
      account_id: '',
      broker: 'ALPACA',
      side: 'HOLD',
      order_type: 'LMT',
      order_tif: 'DAY',
      instrument: 'EQ',
      symbol: 'AAPL',
      cl_order_id: 'has space',
      order_qty: '1',
      order_notional: '100',
      stop_price: '1',
      legs: [],
      typo_field: 1,
    });
    expect(paths.sort()).toEqual(
      [
        'account_id',
        'side',
        'cl_order_id',
        'order_qty',
        'order_limit_price',
        'stop_price',
        'legs',
        'typo_field',
      ].sort(),
    );
  });

  it.each([
    ['MKT with a limit price', { order_type: 'MKT', order_limit_price: '1' }, ['order_limit_price']],
    ['LMT without a limit price', { order_type: 'LMT' }, ['order_limit_price']],
    ['STP without a stop price', { order_type: 'STP' }, ['stop_price']],
    ['STPLMT without both', { order_type: 'STPLMT' }, ['order_limit_price', 'stop_price']],
    ['neither qty nor notional', { order_type: 'MKT', order_qty: undefined }, ['order_qty']],
    ['a 65-character cl_order_id', { order_type: 'MKT', cl_order_id: 'a'.repeat(65) }, ['cl_order_id']],
    ['10 fractional digits', { order_type: 'MKT', order_qty: '0.0000000001' }, ['order_qty']],
    ['a zero quantity', { order_type: 'MKT', order_qty: 0 }, ['order_qty']],
    ['an exponent number', { order_type: 'MKT', order_qty: 1e21 }, ['order_qty']],
    ['an unknown order type', { order_type: 'TRAIL' }, ['order_type']],
  ])('%s', (_name, extra, expected) => {
    expect(issuesOf({ ...BASE, ...extra })).toEqual(expected);
  });

  it('MLEG_OPT needs 2 to 4 valid legs; other instruments take none', () => {
    const leg = { symbol: 'AAPL  261218C00200000', side: 'BUY_TO_OPEN', ratio_qty: 1 };
    const mleg = { ...BASE, instrument: 'MLEG_OPT', order_type: 'LMT', order_limit_price: '1.2' };
    const body = validateOrder({ ...mleg, legs: [leg, { ...leg, side: 'SELL_TO_OPEN' }] });
    expect(schemaErrors('OrderRequest', body)).toEqual([]);
    expect(body.legs?.[0]?.ratio_qty).toBe('1');
    expect(issuesOf({ ...mleg, legs: [leg] })).toEqual(['legs']);
    expect(issuesOf({ ...mleg, legs: [leg, leg, leg, leg, leg] })).toEqual(['legs']);
    expect(issuesOf({ ...mleg })).toEqual(['legs']);
    expect(issuesOf({ ...mleg, legs: [leg, { symbol: '', side: 'UP', ratio_qty: -1 }] })).toEqual([
      'legs.1.symbol',
      'legs.1.side',
      'legs.1.ratio_qty',
    ]);
    expect(issuesOf({ ...BASE, order_type: 'MKT', legs: [leg, leg] })).toEqual(['legs']);
  });

  it('rejects a non-object', () => {
    expect(issuesOf(null)).toEqual(['']);
  });

  it('generated cl_order_ids are valid and distinct', () => {
    const ids = new Set(Array.from({ length: 1000 }, generateClOrderId));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(schemaErrors('ClOrderId', id)).toEqual([]);
  });
});

describe('validateReplace', () => {
  it('converts decimals and generates new_cl_order_id', () => {
    const body = validateReplace({ broker: 'ALPACA', order_limit_price: 188.25 });
    expect(body).toMatchObject({ broker: 'ALPACA', order_limit_price: '188.25' });
    expect(schemaErrors('ReplaceOrderRequest', body)).toEqual([]);
  });

  it('lists every problem', () => {
    const error = (() => {
      try {
        validateReplace(
          { order_qty: '1', order_notional: '2', stop_price: 'x', new_cl_order_id: '!' },
          { strict: true },
        );
      } catch (e) {
        return e as ValidationError;
      }
    })();
    expect(error?.issues.map((i) => i.path)).toEqual([
      'broker',
      'new_cl_order_id',
      'order_qty',
      'stop_price',
    ]);
  });
});
