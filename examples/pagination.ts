/**
 * Pagination: `orders.list` answers one page at a time (cursor-based, at most 500 orders per page).
 * Await it for the first page (`.withResponse()` adds its raw response), walk pages explicitly, `for await` every order of every page, or
 * collect with `toArray({ max })`, whose cap is required so a runaway account cannot exhaust memory.
 * Every automatic walk is also bounded in pages and time (`pagination: { maxPages, maxTime }`), so a
 * server that pages forever ends in a PaginationError instead of an endless loop.
 */
import { ConnectTrade } from 'connect-trade';
import { authorizeSandboxConnection } from 'connect-trade/sandbox';

export async function main(): Promise<void> {
  // Client-wide bounds of every automatic walk (defaults: 1 000 pages, 120 s).
  const ct = new ConnectTrade({ pagination: { maxPages: 200, maxTime: 60_000 } });
  // A user and a linked broker. In production your user opens `authorization_url` and the
  // broker redirects to `redirect_url?connection_id=…`; the sandbox approves at once.
  const { user_id, user_secret } = await ct.users.create({ user_id: `pagination-${Date.now()}` });
  const user = ct.forUser({ userId: user_id, userSecret: user_secret });
  const link = await user.connections.create({
    type: 'trade',
    broker: 'ALPACA',
    redirect_url: 'https://app.example.com/linked',
  });
  const { connectionId } = await authorizeSandboxConnection(link.authorization_url);
  const [account] = await user.accounts.list({ connection_id: connectionId });
  if (!account) throw new Error('The connection has no account');

  // Twelve resting limit orders, far below the market so they stay open.
  for (let i = 0; i < 12; i++) {
    await user.orders.create({
      account_id: account.account_id,
      broker: account.broker,
      symbol: 'MSFT',
      instrument: 'EQ',
      side: 'BUY',
      order_type: 'LMT',
      order_tif: 'GTC',
      order_qty: 1,
      order_limit_price: (10 + i).toFixed(2),
    });
  }

  // One page: its items and the cursors to its neighbours. `.withResponse()` also gives the raw
  // response of that first page and its request id (plain `await` gives the page alone).
  const { data: first, requestId } = await user.orders
    .list({ account_id: account.account_id, status: 'open', limit: 5 })
    .withResponse();
  console.log(`first page: ${first.data.length} orders, more: ${first.hasNextPage()} (${requestId})`);

  // Walking page by page (e.g. to show "load more" in a UI).
  let pages = 1;
  let page = first;
  while (page.hasNextPage()) {
    page = await page.getNextPage();
    pages++;
    console.log(`page ${pages}: ${page.data.length} orders`);
  }

  // Every order of every page: the next page is fetched only when the loop needs it.
  let count = 0;
  for await (const order of user.orders.list({ account_id: account.account_id, status: 'open', limit: 5 })) {
    count++;
    if (count === 1) console.log(`first order: ${order.cl_order_id} ${order.side} ${order.symbol}`);
  }
  console.log(`iterated ${count} orders over ${pages} pages`);

  // Collect into an array, with a cap: more than `max` orders is an error, not an OOM. The walk's
  // bounds can be tightened per call; `possiblyTruncated` says whether a bare, full list (a server
  // without cursors) may have hidden more orders.
  const all = await user.orders
    .list({ account_id: account.account_id, limit: 5 })
    .toArray({ max: 100, maxPages: 10 });
  console.log(`toArray: ${all.length} orders${all.possiblyTruncated ? ' (possibly truncated)' : ''}`);

  if (count !== 12 || all.length !== 12 || pages !== 3) throw new Error('unexpected page layout');
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error('\nFAILED:', error);
    process.exit(1);
  },
);
