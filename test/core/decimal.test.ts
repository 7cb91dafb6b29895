import fc from 'fast-check';
import { compareDecimal } from '../../src/core/decimal';
import { MalformedResponseError } from '../../src/core/errors';

describe('compareDecimal', () => {
  it.each([
    ['1', '1.0', 0],
    ['-0', '0.000', 0],
    ['0.1', '0.09', 1],
    ['10', '9.999999999', 1],
    ['-1', '0', -1],
    ['-2', '-1.5', -1],
    ['123456789012345678.000000001', '123456789012345678', 1],
    ['007', '7', 0],
  ] as const)('compare(%s, %s) = %i', (a, b, expected) => {
    expect(compareDecimal(a, b)).toBe(expected);
    expect(compareDecimal(b, a)).toBe(expected === 0 ? 0 : -expected);
  });

  it('rejects non-decimal values with a typed error (a server may send anything)', () => {
    for (const bad of ['1e3', '', null, 5, undefined])
      expect(() => compareDecimal(bad, '1')).toThrow(MalformedResponseError);
  });

  it('agrees with BigInt arithmetic on scaled integers', () => {
    const dec = fc
      .tuple(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.integer({ min: 0, max: 9 }))
      .map(([n, scale]) => {
        const negative = n < 0n;
        const digits = (negative ? -n : n).toString().padStart(scale + 1, '0');
        const text = scale ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
        return { text: `${negative ? '-' : ''}${text}`, scaled: n * 10n ** BigInt(9 - scale) };
      });
    fc.assert(
      fc.property(dec, dec, (a, b) => {
        const expected = a.scaled === b.scaled ? 0 : a.scaled < b.scaled ? -1 : 1;
        expect(compareDecimal(a.text, b.text)).toBe(expected);
      }),
    );
  });
});
