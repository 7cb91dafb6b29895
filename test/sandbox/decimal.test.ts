import fc from 'fast-check';
import { dec, div, fmt, money, mul, round, truncate } from '../../src/sandbox/decimal';

describe('sandbox decimals', () => {
  it('round-trips every canonical decimal string', () => {
    const canonical = fc
      .tuple(
        fc.boolean(),
        fc.bigInt({ min: 0n, max: 10n ** 15n }),
        fc.bigInt({ min: 0n, max: 10n ** 9n - 1n }),
      )
      .map(([negative, whole, frac]) => {
        const fraction = frac.toString().padStart(9, '0').replace(/0+$/, '');
        const text = fraction ? `${whole}.${fraction}` : `${whole}`;
        return negative && text !== '0' ? `-${text}` : text;
      });
    fc.assert(fc.property(canonical, (text) => fmt(dec(text)) === text));
  });

  it('multiplies and divides exactly, without float noise', () => {
    expect(fmt(mul(dec('0.1'), dec('0.2')))).toBe('0.02');
    expect(fmt(mul(dec('3.333333'), dec('300')))).toBe('999.9999');
    expect(fmt(div(dec('1000'), dec('300')))).toBe('3.333333333');
    expect(fmt(truncate(div(dec('1000'), dec('300')), 6))).toBe('3.333333');
    expect(fmt(round(dec('100.005'), 2))).toBe('100.01');
    expect(money(dec('-1000'))).toBe('-1000.00');
  });

  it('refuses anything that is not a decimal string', () => {
    for (const bad of ['1e3', '', '.5', '1.', '1.0000000001', 'NaN']) expect(() => dec(bad)).toThrow();
  });
});
