/** `connect-trade users create|list|delete` (platform scope). */
import type { Command } from 'commander';
import type { ActionWrapper } from '../action';
import { printList, printObject } from '../output';

/** Registers the users commands. */
export function registerUsers(program: Command, wrap: ActionWrapper): void {
  const users = program.command('users').description('manage your platform users');
  users
    .command('create')
    .description('create a user; prints its user secret (shown only this once: store it)')
    .argument('<userId>', 'your identifier for the user')
    .action(
      wrap(async (ctx, [userId]) => {
        const created = await (await ctx.platform()).users.create({ user_id: String(userId) });
        printObject(ctx.io, ctx.json, { user_id: created.user_id, user_secret: created.user_secret });
      }),
    );
  users
    .command('list')
    .description('list users')
    .action(
      wrap(async (ctx) => {
        const rows = await (await ctx.platform()).users.list();
        printList(ctx.io, {
          json: ctx.json,
          rows,
          columns: [
            { header: 'user_id', value: (u) => u.user_id },
            { header: 'created_at', value: (u) => u.created_at },
          ],
          noun: 'users',
        });
      }),
    );
  users
    .command('delete')
    .description('delete a user')
    .argument('<userId>')
    .action(
      wrap(async (ctx, [userId]) => {
        const deleted = await (await ctx.platform()).users.delete(String(userId));
        printObject(ctx.io, ctx.json, { ...deleted });
      }),
    );
}
