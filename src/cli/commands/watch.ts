/**
 * `connect-trade watch orders|positions|balances`: a REST snapshot kept current by the brokerage
 * stream. After a reconnect or a seq gap (updates may have been missed) it says it is resyncing
 * and reloads the snapshot; the stream itself reconnects and resubscribes.
 */
import type { Command } from 'commander';
import type { Balance, BrokerageTopic, ConnectTradeUser, Order, Position } from '../../index';
import type { ActionWrapper } from '../action';
import { colorsFor } from '../io';
import { LiveView, untilStopped } from '../live-view';
import { type Column, cell, printEvent, renderTable } from '../output';
import { oneOf, positiveInt } from '../parse';
import { ORDER_COLUMNS } from './orders';

type Row = Order | Position | Balance;

interface Topic {
  event: 'order_update' | 'position_update' | 'balance_update';
  key: (row: never) => string;
  columns: Column<never>[];
  snapshot: (u: ConnectTradeUser, account: string | undefined) => Promise<Row[]>;
  line: (row: never) => string;
}

const TOPICS: Record<BrokerageTopic, Topic> = {
  orders: {
    event: 'order_update',
    key: (o: Order) => o.order_id,
    columns: ORDER_COLUMNS as Column<never>[],
    snapshot: (u, account) =>
      u.orders.list({ status: 'open', ...(account ? { account_id: account } : {}) }).toArray({ max: 1_000 }),
    line: (o: Order) =>
      `order ${cell(o.order_id)} ${cell(o.side)} ${cell(o.symbol)} ${cell(o.status)} filled ${cell(o.filled_qty)}`,
  },
  positions: {
    event: 'position_update',
    // account_id is inferred (the spec leaves it optional): a missing one must not merge rows.
    key: (p: Position) => `${p.account_id ?? '-'}/${p.symbol}`,
    columns: [
      { header: 'account_id', value: (p: Position) => p.account_id },
      { header: 'symbol', value: (p: Position) => p.symbol },
      { header: 'quantity', value: (p: Position) => p.quantity, right: true },
      { header: 'last', value: (p: Position) => p.last_price, right: true },
      { header: 'market_value', value: (p: Position) => p.market_value, right: true },
      { header: 'unrealized_pl', value: (p: Position) => p.unrealized_pl, right: true },
    ] as Column<never>[],
    snapshot: (u, account) => u.positions.list(account ? { account_id: account } : {}),
    line: (p: Position) => `position ${cell(p.symbol)} qty ${cell(p.quantity)} value ${cell(p.market_value)}`,
  },
  balances: {
    event: 'balance_update',
    key: (b: Balance) => b.account_id ?? b.account_number,
    columns: [
      { header: 'account_id', value: (b: Balance) => b.account_id },
      { header: 'cash', value: (b: Balance) => b.cash, right: true },
      { header: 'buying_power', value: (b: Balance) => b.buying_power, right: true },
      { header: 'equity', value: (b: Balance) => b.equity, right: true },
      { header: 'updated_at', value: (b: Balance) => b.updated_at },
    ] as Column<never>[],
    snapshot: (u, account) => u.balances.list(account ? { account_id: account } : {}),
    line: (b: Balance) => `balance ${cell(b.account_id)} cash ${cell(b.cash)} equity ${cell(b.equity)}`,
  },
};

/** Registers `watch`. */
/** @internal The row key `watch` files one record of a topic under (a missing inferred account_id included). */
export function watchKey(topic: BrokerageTopic, row: unknown): string {
  return TOPICS[topic].key(row as never);
}

/** @internal The line `watch` prints for one update of a topic (missing fields print '-'). */
export function watchLine(topic: BrokerageTopic, row: unknown): string {
  return TOPICS[topic].line(row as never);
}

export function registerWatch(program: Command, wrap: ActionWrapper): void {
  program
    .command('watch')
    .description('live view of orders, positions or balances (Ctrl+C to stop)')
    .argument(
      '<topic>',
      'orders, positions or balances',
      oneOf('topic', ['orders', 'positions', 'balances'] as const),
    )
    .option('--account <id>', 'only this account')
    .option('--count <n>', 'stop after n updates', positiveInt('--count'))
    .action(
      wrap(async (ctx, [name], o) => {
        const topicName = name as BrokerageTopic;
        const topic = TOPICS[topicName];
        const account = typeof o.account === 'string' ? o.account : undefined;
        const [ct, u] = [await ctx.platform(), await ctx.user()];
        const io = ctx.io;
        const c = colorsFor(io);
        const view = new LiveView(io);
        const rows = new Map<string, Row>();
        let status = 'connecting…';
        const redraw = () => {
          if (ctx.json || !io.isTTY) return;
          const table = rows.size
            ? renderTable([...rows.values()] as never[], topic.columns)
            : `(no ${topicName})`;
          view.draw(`${c.bold(`watch ${topicName}`)}  ${status}\n${table}`);
        };
        const say = (text: string, event: string) => {
          status = text;
          if (ctx.json) printEvent(io, event);
          else if (!io.isTTY) io.out(`-- ${text}\n`);
          redraw();
        };
        let resyncing: Promise<void> = Promise.resolve();
        const resync = (why: string) => {
          say(c.yellow(`resyncing (${why})…`), 'resync');
          resyncing = resyncing.then(async () => {
            const fresh = await topic.snapshot(u, account);
            rows.clear();
            for (const row of fresh) rows.set(topic.key(row as never), row);
            if (ctx.json) printEvent(io, 'snapshot', fresh);
            say(c.green('live'), 'live');
          });
          return resyncing;
        };
        const { stopped, done, fail } = untilStopped(io);
        let updates = 0;
        const stream = ct.stream();
        stream.on('reconnecting', (info) =>
          say(
            c.yellow(`reconnecting (attempt ${info.attempt}, in ${Math.round(info.delay)} ms)…`),
            'reconnecting',
          ),
        );
        stream.on(
          'gap',
          (info) => void resync(info.reason === 'seq' ? 'missed updates' : 'reconnected').catch(fail),
        );
        stream.on('error', (error) => {
          if (!ctx.json && !io.isTTY) io.err(`${error.name}: ${error.message}\n`);
        });
        stream.on(topic.event, (row: Row, meta) => {
          if (meta.user_id !== u.userId) return;
          if (typeof o.count === 'number' && updates >= o.count) return;
          if (account && row.account_id !== account) return;
          rows.set(topic.key(row as never), row);
          if (ctx.json) printEvent(io, topic.event, row);
          else if (!io.isTTY) io.out(`${topic.line(row as never)}\n`);
          redraw();
          if (typeof o.count === 'number' && ++updates >= o.count) done();
        });
        // A stream that stops for good (4002 session replaced, 4001, attempts exhausted) ends the
        // command with its error, so the exit code says it failed.
        stream.on('close', (info) => (info.error ? fail(info.error) : done()));
        try {
          await stream.connect();
          // Subscribe first, then load the snapshot: nothing can fall between the two.
          await stream.subscribe([topicName], account ? { account_id: account } : {});
          await resync('start');
          await stopped;
        } finally {
          await stream.close();
        }
      }),
    );
}
