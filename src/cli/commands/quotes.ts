/** `connect-trade quotes AAPL MSFT`: a live quote table updated in place (one JSON line per quote with --json). */
import type { Command } from 'commander';
import type { Quote } from '../../index';
import type { ActionWrapper } from '../action';
import { colorsFor } from '../io';
import { LiveView, untilStopped } from '../live-view';
import { printEvent, renderTable } from '../output';
import { positiveInt } from '../parse';
import { openMarketData } from './market-data';

/** Registers `quotes`. */
export function registerQuotes(program: Command, wrap: ActionWrapper): void {
  program
    .command('quotes')
    .description('live quotes (Ctrl+C to stop)')
    .argument('<symbols...>', 'symbols, e.g. AAPL MSFT')
    .option('--connection <id>', 'market-data connection (default: the first active one)')
    .option('--count <n>', 'stop after n quotes', positiveInt('--count'))
    .action(
      wrap(async (ctx, [symbols], o) => {
        const io = ctx.io;
        const c = colorsFor(io);
        const wanted = (symbols as string[]).map((s) => s.toUpperCase());
        const md = await openMarketData(ctx, o.connection);
        const view = new LiveView(io);
        const latest = new Map<string, Quote>(wanted.map((s) => [s, { symbol: s } as Quote]));
        const previous = new Map<string, string>();
        const { stopped, done, fail } = untilStopped(io);
        let count = 0;
        const colour = (q: Quote) => {
          const before = previous.get(q.symbol);
          if (before === undefined || q.last === undefined) return q.last ?? '';
          return Number(q.last) > Number(before)
            ? c.green(q.last)
            : Number(q.last) < Number(before)
              ? c.red(q.last)
              : q.last;
        };
        try {
          // A stream that stops for good ends the command with its error (else it would wait forever).
          md.on('close', (info) => (info.error ? fail(info.error) : done()));
          const subscription = await md.subscribe('quotes', wanted);
          md.on('reconnecting', () =>
            ctx.json ? printEvent(io, 'reconnecting') : io.err('reconnecting…\n'),
          );
          subscription.on('data', (quote) => {
            if (typeof o.count === 'number' && count >= o.count) return;
            const last = latest.get(quote.symbol)?.last;
            if (last !== undefined) previous.set(quote.symbol, last);
            latest.set(quote.symbol, quote);
            if (ctx.json) printEvent(io, 'quote', quote);
            else if (!io.isTTY)
              io.out(`${quote.symbol} bid ${quote.bid} ask ${quote.ask} last ${quote.last}\n`);
            else
              view.draw(
                renderTable(
                  [...latest.values()],
                  [
                    { header: 'symbol', value: (q) => q.symbol },
                    { header: 'bid', value: (q) => q.bid, right: true },
                    { header: 'ask', value: (q) => q.ask, right: true },
                    { header: 'last', value: colour, right: true },
                    { header: 'time', value: (q) => q.timestamp },
                  ],
                ),
              );
            if (typeof o.count === 'number' && ++count >= o.count) done();
          });
          await stopped;
        } finally {
          await md.close();
        }
      }),
    );
}
