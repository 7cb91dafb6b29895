/** `connect-trade accounts|balances|positions|transactions`: read-only account data. */
import type { Command } from 'commander';
import type { ActionWrapper } from '../action';
import { printList } from '../output';
import { list } from '../parse';

const opt = (o: Record<string, unknown>, key: string, name = key) =>
  typeof o[key] === 'string' ? { [name]: o[key] as string } : {};

/** Registers the account data commands. */
export function registerAccountData(program: Command, wrap: ActionWrapper): void {
  program
    .command('accounts')
    .description("list the user's brokerage accounts")
    .option('--connection <id>', 'only this connection')
    .option('--broker <broker>', 'only this broker')
    .action(
      wrap(async (ctx, _args, o) => {
        const rows = await (await ctx.user()).accounts.list({
          ...opt(o, 'connection', 'connection_id'),
          ...opt(o, 'broker'),
        });
        printList(ctx.io, {
          json: ctx.json,
          rows,
          columns: [
            { header: 'account_id', value: (a) => a.account_id },
            { header: 'number', value: (a) => a.account_number },
            { header: 'broker', value: (a) => a.broker },
            { header: 'institution', value: (a) => a.institution_name },
            { header: 'type', value: (a) => a.account_type },
            { header: 'connection_id', value: (a) => a.connection_id },
          ],
          noun: 'accounts',
        });
      }),
    );
  program
    .command('balances')
    .description('list balances')
    .option('--account <id>', 'only this account')
    .action(
      wrap(async (ctx, _args, o) => {
        const rows = await (await ctx.user()).balances.list(opt(o, 'account', 'account_id'));
        printList(ctx.io, {
          json: ctx.json,
          rows,
          columns: [
            { header: 'account_id', value: (b) => b.account_id },
            { header: 'currency', value: (b) => b.currency },
            { header: 'cash', value: (b) => b.cash, right: true },
            { header: 'buying_power', value: (b) => b.buying_power, right: true },
            { header: 'equity', value: (b) => b.equity, right: true },
            { header: 'updated_at', value: (b) => b.updated_at },
          ],
          noun: 'balances',
        });
      }),
    );
  program
    .command('positions')
    .description('list positions')
    .option('--account <id>', 'only this account')
    .option('--symbols <list>', 'only these symbols (AAPL,MSFT)', list)
    .action(
      wrap(async (ctx, _args, o) => {
        const rows = await (await ctx.user()).positions.list({
          ...opt(o, 'account', 'account_id'),
          ...(Array.isArray(o.symbols) ? { symbols: o.symbols as string[] } : {}),
        });
        printList(ctx.io, {
          json: ctx.json,
          rows,
          columns: [
            { header: 'account_id', value: (p) => p.account_id },
            { header: 'symbol', value: (p) => p.symbol },
            { header: 'quantity', value: (p) => p.quantity, right: true },
            { header: 'avg_price', value: (p) => p.average_price, right: true },
            { header: 'last', value: (p) => p.last_price, right: true },
            { header: 'market_value', value: (p) => p.market_value, right: true },
            { header: 'unrealized_pl', value: (p) => p.unrealized_pl, right: true },
          ],
          noun: 'positions',
        });
      }),
    );
  program
    .command('transactions')
    .description('list transactions')
    .option('--account <id>', 'only this account')
    .option('--start <date>', 'from this date (YYYY-MM-DD)')
    .option('--end <date>', 'to this date (YYYY-MM-DD)')
    .action(
      wrap(async (ctx, _args, o) => {
        const rows = await (await ctx.user()).transactions.list({
          ...opt(o, 'account', 'account_id'),
          ...opt(o, 'start', 'start_date'),
          ...opt(o, 'end', 'end_date'),
        });
        printList(ctx.io, {
          json: ctx.json,
          rows,
          columns: [
            { header: 'date', value: (t) => t.date },
            { header: 'type', value: (t) => t.type },
            { header: 'symbol', value: (t) => t.symbol },
            { header: 'quantity', value: (t) => t.quantity, right: true },
            { header: 'price', value: (t) => t.price, right: true },
            { header: 'amount', value: (t) => t.amount, right: true },
            { header: 'account_id', value: (t) => t.account_id },
          ],
          noun: 'transactions',
        });
      }),
    );
}
