import { main } from '../../examples/live';

it('examples/live.ts runs against an in-process sandbox', async () => {
  const saved = process.env.CONNECT_TRADE_BASE_URL;
  delete process.env.CONNECT_TRADE_BASE_URL;
  const lines: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
  try {
    await main();
  } finally {
    log.mockRestore();
    if (saved !== undefined) process.env.CONNECT_TRADE_BASE_URL = saved;
  }
  expect(lines).toContainEqual(expect.stringMatching(/^filled 5 AAPL at \d/));
  expect(lines).toContain('position: 5 AAPL');
});
