/** The CLI prints '-' for a field the server did not send (the spec's inferred fields), never "undefined". */
import { watchKey, watchLine } from '../../src/cli/commands/watch';
import { cell, renderTable } from '../../src/cli/output';

describe('CLI output: missing inferred fields', () => {
  it('a missing cell prints -', () => {
    expect(cell(undefined)).toBe('-');
    expect(cell(null)).toBe('-');
    expect(cell('0')).toBe('0');
    const table = renderTable(
      [{ symbol: 'AAPL' } as { symbol: string; market_value?: string }],
      [
        { header: 'symbol', value: (r) => r.symbol },
        { header: 'market_value', value: (r) => r.market_value },
      ],
    );
    expect(table).toMatch(/AAPL\s*│\s*-\s*│/);
  });

  it('watch lines of updates without inferred fields print - instead of undefined', () => {
    const lines = [
      watchLine('positions', { symbol: 'AAPL', quantity: '1' }),
      watchLine('balances', { cash: '1.00', equity: '1.00' }),
      watchLine('orders', { side: 'BUY', symbol: 'AAPL', status: 'working', filled_qty: '0' }),
    ];
    expect(lines).toEqual([
      'position AAPL qty 1 value -',
      'balance - cash 1.00 equity 1.00',
      'order - BUY AAPL working filled 0',
    ]);
    for (const line of lines) expect(line).not.toContain('undefined');
  });
});

describe('CLI watch keys: a missing inferred account_id', () => {
  it('balances of two accounts stay two rows (keyed by account_number), positions key with -', () => {
    const a = watchKey('balances', { account_number: 'PA1', cash: '1.00' });
    const b = watchKey('balances', { account_number: 'PA2', cash: '2.00' });
    expect(a).not.toBe(b);
    expect(watchKey('balances', { account_id: 'acc_1', account_number: 'PA1' })).toBe('acc_1');
    expect(watchKey('positions', { symbol: 'AAPL' })).toBe('-/AAPL');
    expect(watchKey('positions', { symbol: 'AAPL' })).not.toContain('undefined');
  });
});
