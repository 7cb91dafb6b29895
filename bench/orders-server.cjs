// Loopback server for bench/rest.ts, run in its own process so it does not compete with the client
// for the event loop. Serves GET /orders with a fixed page of ORDERS orders (argv[2], default 5);
// prints its port.
const http = require('node:http');
const order = (n) => ({
  order_id: `ord_${n}`,
  cl_order_id: `ct_${n}`,
  account_id: 'acc_1',
  broker: 'ALPACA',
  symbol: 'AAPL',
  instrument: 'EQ',
  side: 'BUY',
  order_type: 'LMT',
  order_tif: 'DAY',
  order_qty: '10',
  order_limit_price: '189.5',
  filled_qty: '0',
  status: 'working',
  fills: [],
  created_at: '2026-11-25T14:30:00Z',
  updated_at: '2026-11-25T14:30:00Z',
});
const count = Number(process.argv[2] ?? 5);
const orders = Array.from({ length: count }, (_, i) => order(i + 1));
const body = JSON.stringify({ orders, next_cursor: null, prev_cursor: null });
const server = http.createServer((req, res) => {
  req.resume();
  res.writeHead(200, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-request-id': 'bench',
  });
  res.end(body);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
process.on('disconnect', () => process.exit(0));
