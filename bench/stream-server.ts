/**
 * Benchmark server for bench/stream.ts, run in its own process so the client's measurements do not
 * share an event loop with the sender. Speaks just enough of both protocols: answers authenticate and
 * subscribe, then blasts `count` order_update frames (brokerage) or quote updates (market data),
 * respecting the socket's buffer so memory stays flat.
 */
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { order } from './fixtures.cjs';

const ORDER = JSON.stringify(order(1));
const SYMBOLS = ['AAPL', 'MSFT', 'NVDA', 'AMZN', 'GOOG', 'META', 'TSLA', 'AMD', 'NFLX', 'INTC'];

function blast(ws: WebSocket, count: number, frame: (i: number) => string): void {
  let i = 0;
  const pump = () => {
    while (i < count) {
      if (ws.readyState !== ws.OPEN) return;
      if (ws.bufferedAmount > 4 * 1024 * 1024) {
        setImmediate(pump);
        return;
      }
      i++;
      ws.send(frame(i));
    }
  };
  pump();
}

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
wss.on('connection', (ws, req) => {
  const count = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('count') ?? '100000');
  ws.on('message', (data) => {
    const msg = JSON.parse(String(data));
    if (msg.action === 'authenticate') {
      ws.send(
        msg.token
          ? JSON.stringify({
              action: 'authenticated',
              connection_id: 'c',
              expires_at: '2099-01-01T00:00:00Z',
            })
          : JSON.stringify({ action: 'authenticated', session_id: 'bench' }),
      );
    } else if (msg.action === 'subscribe' && msg.channel === 'quotes') {
      ws.send(
        JSON.stringify({
          action: 'subscribed',
          request_id: msg.request_id,
          channel: 'quotes',
          symbols: msg.symbols,
        }),
      );
      blast(
        ws,
        count,
        (i) =>
          `{"action":"update","channel":"quotes","data":{"symbol":"${SYMBOLS[i % SYMBOLS.length]}","bid":"190.01","bid_size":"300","ask":"190.03","ask_size":"200","last":"${190 + (i % 100) / 100}","last_size":"100","timestamp":"2026-11-25T14:30:00.123Z"}}`,
      );
    } else if (msg.action === 'subscribe') {
      ws.send(JSON.stringify({ action: 'subscribed', request_id: msg.request_id, topics: msg.topics }));
      blast(ws, count, (i) => `{"action":"order_update","seq":${i},"user_id":"user-42","data":${ORDER}}`);
    }
  });
});
wss.on('listening', () => process.send?.({ port: (wss.address() as AddressInfo).port }));
process.on('disconnect', () => process.exit(0));
