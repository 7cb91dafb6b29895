/** `connect-trade connections create|list|delete|token` (user scope). */
import type { Command } from 'commander';
import type { ActionWrapper } from '../action';
import { printList, printObject } from '../output';
import { oneOf } from '../parse';

/** Registers the connections commands. */
export function registerConnections(program: Command, wrap: ActionWrapper): void {
  const connections = program.command('connections').description("manage the user's brokerage connections");
  connections
    .command('create')
    .description('start linking a brokerage account; prints the URL the user must open')
    .requiredOption('--redirect-url <url>', 'where the broker sends the user back')
    .option(
      '--type <type>',
      'trade or market_data',
      oneOf('--type', ['trade', 'market_data'] as const),
      'trade',
    )
    .option('--broker <broker>', 'preselect a broker (e.g. ALPACA)')
    .action(
      wrap(async (ctx, _args, o) => {
        const link = await (await ctx.user()).connections.create({
          type: o.type as 'trade' | 'market_data',
          redirect_url: String(o.redirectUrl),
          ...(typeof o.broker === 'string' ? { broker: o.broker } : {}),
        });
        printObject(ctx.io, ctx.json, { ...link });
      }),
    );
  connections
    .command('list')
    .description('list connections')
    .action(
      wrap(async (ctx) => {
        const rows = await (await ctx.user()).connections.list();
        printList(ctx.io, {
          json: ctx.json,
          rows,
          columns: [
            { header: 'connection_id', value: (c) => c.connection_id },
            { header: 'broker', value: (c) => c.broker },
            { header: 'type', value: (c) => c.type },
            { header: 'status', value: (c) => c.status },
            { header: 'accounts', value: (c) => c.accounts?.length ?? 0, right: true },
          ],
          noun: 'connections',
        });
      }),
    );
  connections
    .command('delete')
    .description('delete a connection')
    .argument('<connectionId>')
    .action(
      wrap(async (ctx, [id]) => {
        printObject(ctx.io, ctx.json, { ...(await (await ctx.user()).connections.delete(String(id))) });
      }),
    );
  connections
    .command('token')
    .description('issue a market-data stream token for a connection')
    .argument('<connectionId>')
    .action(
      wrap(async (ctx, [id]) => {
        printObject(ctx.io, ctx.json, { ...(await (await ctx.user()).connections.token(String(id))) });
      }),
    );
}
