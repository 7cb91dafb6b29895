// The SDK's own CPU per call, without sockets: node:http.request is replaced by one answering from
// memory on the next tick, so what is left is the SDK's work (and JSON.parse of the answer).
// 16 calls in flight, N (20 000) calls a round, median of ROUNDS (7). ONLY=<call> runs one call
// (e.g. for `node --cpu-prof`), SEEN=1 prints the requests sent.
//   node bench/rest-own.cjs [<dist/index.js> (default: this checkout's)]
const http = require('node:http');
const { EventEmitter } = require('node:events');
const { order } = require('./fixtures.cjs');
const dist = require('node:path').resolve(process.argv[2] ?? `${__dirname}/../dist/index.js`);
const N = Number(process.env.N ?? 20000),
  ROUNDS = Number(process.env.ROUNDS ?? 7);
const page = JSON.stringify({
  orders: Array.from({ length: 5 }, (_, i) => order(i)),
  next_cursor: null,
  prev_cursor: null,
});
const placed = JSON.stringify({
  order_id: 'ord_1',
  cl_order_id: 'ct_1',
  account_id: 'acc_1',
  status: 'pending',
});
const list = JSON.stringify([{ account_id: 'acc_1', symbol: 'AAPL', quantity: '1' }]);
const bodies = { pageB: Buffer.from(page), placedB: Buffer.from(placed), listB: Buffer.from(list) };
const seen = new Map();
http.request = (opts, cb) => {
  const req = new EventEmitter();
  req.destroy = () => {};
  req.end = () => {
    seen.set(`${opts.method} ${opts.path}`, (seen.get(`${opts.method} ${opts.path}`) ?? 0) + 1);
    process.nextTick(() => {
      const res = new EventEmitter();
      const b =
        opts.method === 'POST'
          ? bodies.placedB
          : opts.path.startsWith('/orders')
            ? bodies.pageB
            : bodies.listB;
      res.statusCode = opts.method === 'POST' ? 201 : 200;
      res.rawHeaders = ['content-type', 'application/json', 'content-length', String(b.length)];
      cb(res);
      res.emit('data', b);
      res.emit('end');
    });
  };
  return req;
};
const { ConnectTrade } = require(dist);
const u = new ConnectTrade({
  clientId: 'bench',
  clientSecret: 'bench-secret',
  baseUrl: 'http://127.0.0.1:1',
}).forUser({ userId: 'u', userSecret: 'bench-user' });
const LMT = {
  account_id: 'acc_1',
  broker: 'ALPACA',
  symbol: 'AAPL',
  side: 'BUY',
  order_tif: 'DAY',
  instrument: 'EQ',
  order_type: 'LMT',
  order_qty: '10',
  order_limit_price: '189.5',
};
const shapes = {
  'list limit': () => u.orders.list({ limit: 50 }),
  'list status': () => u.orders.list({ status: 'open', limit: 50 }),
  'list full': () =>
    u.orders.list({
      status: 'open',
      symbols: ['AAPL', 'MSFT'],
      start_time: '2026-11-25T00:00:00Z',
      limit: 50,
    }),
  'create LMT': () => u.orders.create({ ...LMT }),
  positions: () => u.positions.list({ symbols: ['AAPL', 'MSFT'] }),
  balances: () => u.balances.list({ account_id: 'acc_1' }),
};
const only = process.env.ONLY;
async function run(f) {
  const c0 = process.cpuUsage();
  // 16 in flight, as the bench
  let i = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (i++ < N) await f();
    }),
  );
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / N;
}
(async () => {
  const s = {};
  const entries = Object.entries(shapes).filter(([k]) => !only || k === only);
  for (const [k, f] of entries) {
    s[k] = [];
    await run(f);
  }
  for (let r = 0; r < ROUNDS; r++) for (const [k, f] of entries) s[k].push(await run(f));
  const med = (l) => [...l].sort((a, b) => a - b)[l.length >> 1];
  for (const [k, l] of Object.entries(s)) console.log(k.padEnd(14), med(l).toFixed(2), 'µs CPU/call');
  if (process.env.SEEN) console.log([...seen.keys()]);
})();
