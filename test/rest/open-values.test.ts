/**
 * Issue 14 item 6: values we could only guess (sides beyond BUY/SELL, instruments, bar intervals,
 * the cl_order_id shape) must not block a real order: they pass with a warning through the logger,
 * and `strictValidation: true` rejects them. Values the reference lists verbatim stay strict.
 */

import { ConnectTrade, ValidationError } from '../../src/rest';
import { throwIssues } from '../../src/streams/protocol/market-data';
import { snapshotIssues, subscribeIssues } from '../../src/streams/protocol/market-data-requests';

// As MarketDataStream.subscribe / snapshotBars check: the issues found, thrown as one ValidationError.
const checkSubscribe = (...args: Parameters<typeof subscribeIssues>) => throwIssues(subscribeIssues(...args));
const checkSnapshot = (...args: Parameters<typeof snapshotIssues>) => throwIssues(snapshotIssues(...args));

const BASE = {
  account_id: 'acc_1',
  broker: 'ALPACA',
  side: 'BUY',
  order_tif: 'DAY',
  instrument: 'EQ',
  symbol: 'AAPL',
  order_qty: '1',
  order_type: 'MKT',
} as const;

function client(strictValidation?: boolean) {
  const warnings: { message: string; fields: Record<string, unknown> | undefined }[] = [];
  const logger = {
    warn: (message: string, fields?: Record<string, unknown>) => warnings.push({ message, fields }),
  };
  const ct = new ConnectTrade({
    clientId: 'id',
    clientSecret: 'secret',
    baseUrl: 'http://127.0.0.1:9',
    logger,
    ...(strictValidation === undefined ? {} : { strictValidation }),
  });
  return { orders: ct.forUser({ userId: 'u', userSecret: 's' }).orders, warnings };
}

const paths = (fn: () => unknown) => {
  try {
    fn();
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues.map((i) => i.path);
  }
};
// The same for `orders.validate`, which resolves (the checks load on first use) or rejects.
const rejectedPaths = async (promise: Promise<unknown>) => {
  try {
    await promise;
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues.map((i) => i.path);
  }
};

describe('guessed request values', () => {
  it.each([
    ['side', { side: 'SELL_SHORT_EXEMPT' }],
    ['instrument', { instrument: 'BOND' }],
    ['cl_order_id', { cl_order_id: 'order 17/a' }],
  ])(
    '%s outside the guessed set is sent with a warning, and rejected with strictValidation',
    async (path, change) => {
      const lenient = client();
      const body = await lenient.orders.validate({ ...BASE, ...change } as never);
      expect(body).toMatchObject(change);
      expect(lenient.warnings).toHaveLength(1);
      expect(lenient.warnings[0]?.message).toContain(path);
      expect(lenient.warnings[0]?.fields).toMatchObject({ path });

      const strict = client(true);
      expect(await rejectedPaths(strict.orders.validate({ ...BASE, ...change } as never))).toEqual([path]);
      expect(strict.warnings).toEqual([]);
    },
  );

  it('values the reference lists verbatim stay strict without strictValidation', async () => {
    const { orders, warnings } = client();
    expect(await rejectedPaths(orders.validate({ ...BASE, order_type: 'TRAIL' } as never))).toEqual([
      'order_type',
    ]);
    expect(await rejectedPaths(orders.validate({ ...BASE, order_tif: 'GTD' } as never))).toEqual([
      'order_tif',
    ]);
    expect(await rejectedPaths(orders.validate({ ...BASE, side: '' } as never))).toEqual(['side']);
    expect(warnings).toEqual([]);
  });

  it('a bar interval is open within count + unit (s, m, h, d, w, mo)', () => {
    const warnings: string[] = [];
    const mode = { warn: (m: string) => warnings.push(m) };
    for (const interval of ['2h', '30s', '1mo', '52w']) checkSubscribe('bars', ['AAPL'], { interval }, mode);
    expect(warnings).toHaveLength(4);
    checkSubscribe('bars', ['AAPL'], { interval: '5m' }, mode);
    expect(warnings).toHaveLength(4); // a known interval: no warning
    for (const interval of ['0m', '5', 'm5', '1y', 'hourly'])
      expect(paths(() => checkSubscribe('bars', ['AAPL'], { interval }, mode))).toEqual(['interval']);
    expect(paths(() => checkSubscribe('bars', ['AAPL'], { interval: '2h' }, { strict: true }))).toEqual([
      'interval',
    ]);
    expect(paths(() => checkSnapshot({ symbol: 'AAPL', interval: '2h' }, { strict: true }))).toEqual([
      'interval',
    ]);
    expect(paths(() => checkSnapshot({ symbol: 'AAPL', interval: '2h' }, mode))).toEqual([]);
    // Channels are listed verbatim: still closed.
    expect(paths(() => checkSubscribe('news' as never, ['AAPL'], {}, mode))).toEqual(['channel']);
  });
});
