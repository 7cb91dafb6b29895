/** `connect-trade orders list|place|replace|cancel`. */
import type { Command } from 'commander';
import type { ConnectTradeUser, Order, OrderRequest, OrderStatusFilter } from '../../index';
import type { ActionWrapper } from '../action';
import { UsageError } from '../errors';
import { colorsFor } from '../io';
import { type Column, printList, printObject, renderTable } from '../output';
import { list, positiveInt } from '../parse';

/** Table columns of an order. */
export const ORDER_COLUMNS: Column<Order>[] = [
  { header: 'order_id', value: (o) => o.order_id },
  { header: 'symbol', value: (o) => o.symbol },
  { header: 'side', value: (o) => o.side },
  { header: 'type', value: (o) => o.order_type },
  { header: 'qty', value: (o) => o.order_qty ?? o.order_notional, right: true },
  { header: 'limit', value: (o) => o.order_limit_price, right: true },
  { header: 'filled', value: (o) => o.filled_qty, right: true },
  { header: 'status', value: (o) => o.status },
  { header: 'created_at', value: (o) => o.created_at },
];

const MAX_ORDERS = 100_000;

/**
 * The broker of one of the user's accounts, for `--broker` left out: an order names its account's
 * broker, which the user may not know (a sandbox link made without `--broker` is a SANDBOX account).
 * An id the user has no account with is a usage error naming the accounts there are.
 */
async function accountBroker(
  u: ConnectTradeUser,
  accountId: string | undefined,
): Promise<string | undefined> {
  if (accountId === undefined) return undefined; // the order's own checks report the missing account
  const accounts = await u.accounts.list();
  const account = accounts.find((a) => a.account_id === accountId);
  if (account) return account.broker;
  const known = accounts.map((a) => `${a.account_id} (${a.broker})`).join(', ') || 'none';
  throw new UsageError(
    `No account ${accountId} for this user (accounts: ${known}); see \`connect-trade accounts\``,
  );
}

/** Registers the orders commands. */
export function registerOrders(program: Command, wrap: ActionWrapper): void {
  const orders = program.command('orders').description('list, place, replace and cancel orders');
  orders
    .command('list')
    .description('list orders (the first page, or every page with --all)')
    .option('--status <status>', 'open, closed, all, or one status (default: the API default)')
    .option('--all', 'fetch every page (progress on stderr)')
    .option('--account <id>', 'only this account')
    .option('--symbols <list>', 'only these symbols', list)
    .option('--limit <n>', 'page size (1-500)', positiveInt('--limit'))
    .action(
      wrap(async (ctx, _args, o) => {
        const u = await ctx.user();
        const pages = u.orders.list({
          ...(typeof o.status === 'string' ? { status: o.status as OrderStatusFilter } : {}),
          ...(typeof o.account === 'string' ? { account_id: o.account } : {}),
          ...(Array.isArray(o.symbols) ? { symbols: o.symbols as string[] } : {}),
          ...(typeof o.limit === 'number' ? { limit: o.limit } : {}),
        });
        let page = await pages;
        const rows = [...page.data];
        if (o.all === true) {
          let count = 1;
          const progress = (final: boolean) => {
            const text = `fetched ${rows.length} orders (${count} page${count === 1 ? '' : 's'})${final ? '' : '…'}`;
            // A terminal gets one line rewritten in place; a pipe or file gets a line per page.
            ctx.io.err(ctx.io.isTTY ? `\r\x1b[2K${text}${final ? '\n' : ''}` : `${text}\n`);
          };
          // iterPages is bounded in pages and time (a server paging forever ends in a PaginationError).
          for await (const next of page.iterPages()) {
            if (next !== page) {
              page = next;
              rows.push(...page.data);
              count++;
            }
            progress(!page.hasNextPage());
            if (rows.length >= MAX_ORDERS) break;
          }
        }
        printList(ctx.io, { json: ctx.json, rows, columns: ORDER_COLUMNS, noun: 'orders' });
        if (!ctx.json && o.all !== true && page.hasNextPage())
          ctx.io.err('More orders: pass --all to fetch every page.\n');
      }),
    );
  orders
    .command('place')
    .description('validate an order, show it, ask for confirmation (unless --yes), then place it')
    .requiredOption('--account <id>', 'account id')
    .option('--broker <broker>', "the account's broker (default: the account's own, from `accounts`)")
    .requiredOption('--symbol <symbol>', 'symbol (the underlying for MLEG_OPT)')
    .requiredOption('--side <side>', 'BUY, SELL, SELL_SHORT, BUY_TO_COVER, ...')
    .option('--type <type>', 'MKT, LMT, STP or STPLMT', 'MKT')
    .option('--tif <tif>', 'DAY, GTC, IOC, FOK, OPEN, CLOSE, DAY+, GTC+', 'DAY')
    .option('--instrument <instrument>', 'EQ, OPT, MLEG_OPT, FUT, CRYPTO', 'EQ')
    .option('--qty <decimal>', 'quantity')
    .option('--notional <decimal>', 'notional amount (instead of --qty)')
    .option('--limit-price <decimal>', 'limit price (LMT, STPLMT)')
    .option('--stop-price <decimal>', 'stop price (STP, STPLMT)')
    .option('--cl-order-id <id>', 'your order id (generated when omitted)')
    .option('-y, --yes', 'place without asking')
    .action(
      wrap(async (ctx, _args, o) => {
        const u = await ctx.user();
        const str = (key: string) => (typeof o[key] === 'string' ? (o[key] as string) : undefined);
        const fields = {
          account_id: str('account'),
          broker: str('broker') ?? (await accountBroker(u, str('account'))),
          symbol: str('symbol'),
          side: str('side'),
          order_type: str('type'),
          order_tif: str('tif'),
          instrument: str('instrument'),
          order_qty: str('qty'),
          order_notional: str('notional'),
          order_limit_price: str('limitPrice'),
          stop_price: str('stopPrice'),
          cl_order_id: str('clOrderId'),
        };
        const request = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
        // The SDK's own checks, before anything is sent (a ValidationError exits with 2).
        const body = await u.orders.validate(request as unknown as OrderRequest);
        if (o.yes !== true) {
          if (!ctx.io.isTTY)
            throw new UsageError(
              'Not a terminal: refusing to place an order without confirmation; pass --yes',
            );
          const c = colorsFor(ctx.io);
          ctx.io.err(
            `${c.bold('Order preview')}\n${renderTable(Object.entries(body), [
              { header: 'field', value: ([k]) => k },
              { header: 'value', value: ([, v]) => v },
            ])}\n`,
          );
          if (!(await ctx.io.confirm('Place this order?'))) {
            ctx.io.err('Not placed.\n');
            return;
          }
        }
        const order = await u.orders.create(body as OrderRequest);
        printObject(ctx.io, ctx.json, { ...order });
      }),
    );
  orders
    .command('replace')
    .description('replace (modify) an open order')
    .argument('<accountId>')
    .argument('<orderId>')
    .option('--broker <broker>', "the account's broker (default: the account's own)")
    .option('--qty <decimal>', 'new quantity')
    .option('--notional <decimal>', 'new notional')
    .option('--limit-price <decimal>', 'new limit price')
    .option('--stop-price <decimal>', 'new stop price')
    .action(
      wrap(async (ctx, [accountId, orderId], o) => {
        const u = await ctx.user();
        const str = (key: string) => (typeof o[key] === 'string' ? (o[key] as string) : undefined);
        const params = Object.fromEntries(
          Object.entries({
            broker: str('broker') ?? (await accountBroker(u, String(accountId))),
            order_qty: str('qty'),
            order_notional: str('notional'),
            order_limit_price: str('limitPrice'),
            stop_price: str('stopPrice'),
          }).filter(([, v]) => v !== undefined),
        );
        const order = await u.orders.replace(String(accountId), String(orderId), params as never);
        printObject(ctx.io, ctx.json, { ...order });
      }),
    );
  orders
    .command('cancel')
    .description('cancel an open order')
    .argument('<accountId>')
    .argument('<orderId>')
    .action(
      wrap(async (ctx, [accountId, orderId]) => {
        const order = await (await ctx.user()).orders.cancel(String(accountId), String(orderId));
        printObject(ctx.io, ctx.json, { ...order });
      }),
    );
}
