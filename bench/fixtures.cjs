// The order every benchmark server answers with (one home for the fixture): an order as the
// spec's `Order` schema has it, a working LMT buy of 10 AAPL at 189.5 with no fills.
/** Order number `n` (`ord_<n>`, `ct_<n>`), with `changes` laid over it. */
const order = (n, changes = {}) => ({
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
  ...changes,
});

module.exports = { order };
