/** The market-data stream of the selected user: `--connection`, else the first active connection. */

import type { MarketDataStream } from '../../index';
import type { CliContext } from '../context';
import { UsageError } from '../errors';

/** Opens (connects) a market-data stream for the user's chosen connection. */
export async function openMarketData(ctx: CliContext, connection: unknown): Promise<MarketDataStream> {
  const u = await ctx.user();
  let id = typeof connection === 'string' ? connection : undefined;
  if (id === undefined) {
    const active = (await u.connections.list()).find((c) => c.status === 'active');
    if (!active) throw new UsageError('No active connection: link one first, or pass --connection <id>');
    id = active.connection_id;
  }
  const md = u.marketData(id);
  await md.connect();
  return md;
}
