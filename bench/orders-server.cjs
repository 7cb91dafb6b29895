// Loopback server for bench/rest.ts and bench/rest-ab.cjs, run in its own process so it does not
// compete with the client for the event loop. Fixed answers, whatever the query:
//   GET /orders    a page of ORDERS orders (argv[2], default 5)
//   POST /orders   the order placed (201), once the request body has been read
//   GET /positions ORDERS positions
//   GET /balances  one balance
// Prints its port. Required (not run), it exports `handler` (bench/rest.ts checks with it, in
// process, that the SDK and node:http contenders send identical requests).
const http = require('node:http');

const { order } = require('./fixtures.cjs');
const position = (n) => ({
  account_id: 'acc_1',
  symbol: n % 2 ? 'AAPL' : 'MSFT',
  instrument: 'EQ',
  quantity: String(10 * n),
  average_price: '189.5',
  last_price: '190.25',
  market_value: String(190.25 * 10 * n),
  unrealized_pl: '7.5',
  daily_pl: '2.5',
  total_pl: '7.5',
});
const balance = {
  account_id: 'acc_1',
  account_number: '123456789',
  currency: 'USD',
  cash: '10000',
  buying_power: '20000',
  equity: '12000',
  updated_at: '2026-11-25T14:30:00Z',
};

function bodies(count) {
  const list = (make) => Array.from({ length: count }, (_, i) => make(i + 1));
  return {
    page: JSON.stringify({ orders: list(order), next_cursor: null, prev_cursor: null }),
    placed: JSON.stringify(order(1, { status: 'pending' })),
    positions: JSON.stringify(list(position)),
    balances: JSON.stringify([balance]),
  };
}

/** The request handler, answering from `count`-item bodies built once. */
function handler(count = 5) {
  const { page, placed, positions, balances } = bodies(count);
  const answer = (res, status, body) => {
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      'x-request-id': 'bench',
    });
    res.end(body);
  };
  return (req, res) => {
    const url = req.url;
    if (req.method === 'POST') {
      req.on('end', () => answer(res, 201, placed));
      req.resume();
      return;
    }
    req.resume();
    if (url.startsWith('/orders')) answer(res, 200, page);
    else if (url.startsWith('/positions')) answer(res, 200, positions);
    else if (url.startsWith('/balances')) answer(res, 200, balances);
    else answer(res, 404, '{"error":"not_found"}');
  };
}

if (require.main === module) {
  const server = http.createServer(handler(Number(process.argv[2] ?? 5)));
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
  process.on('disconnect', () => process.exit(0));
}

module.exports = { handler };
