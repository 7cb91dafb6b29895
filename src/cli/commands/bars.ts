/** `connect-trade bars AAPL --interval 1d --limit 30`: recent bars as a small text chart (or JSON). */
import type { Command } from 'commander';
import type { ActionWrapper } from '../action';
import { barChart } from '../chart';
import { colorsFor } from '../io';
import { oneOf, positiveInt } from '../parse';
import { openMarketData } from './market-data';

/** Registers `bars`. */
export function registerBars(program: Command, wrap: ActionWrapper): void {
  program
    .command('bars')
    .description('recent bars of a symbol, as a text chart')
    .argument('<symbol>')
    .option(
      '--interval <interval>',
      '1m, 5m, 15m, 1h or 1d',
      oneOf('--interval', ['1m', '5m', '15m', '1h', '1d'] as const),
      '1d',
    )
    .option('--limit <n>', 'number of bars', positiveInt('--limit'), 30)
    .option('--connection <id>', 'market-data connection (default: the first active one)')
    .action(
      wrap(async (ctx, [symbol], o) => {
        const md = await openMarketData(ctx, o.connection);
        try {
          const bars = await md.snapshotBars({
            symbol: String(symbol).toUpperCase(),
            interval: o.interval as '1d',
            limit: Number(o.limit),
          });
          if (ctx.json) ctx.io.out(`${JSON.stringify(bars)}\n`);
          else
            ctx.io.out(
              `${colorsFor(ctx.io).bold(`${String(symbol).toUpperCase()} ${String(o.interval)}`)}\n${barChart(bars)}\n`,
            );
        } finally {
          await md.close();
        }
      }),
    );
}
