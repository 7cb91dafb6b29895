/**
 * One relay process of the failover chaos test (forked with `node --import tsx`). Reports its role
 * changes, upstream sessions and figures to the parent over IPC.
 * Env: REDIS_URL or REDIS_TARGET (JSON: `{ sentinel }` / `{ cluster }`), RELAY_KEY, RELAY_TTL_MS,
 * CONNECT_TRADE_* (the sandbox).
 */
import { ConnectTrade } from '../../../src/index';
import { startRelay } from '../../../src/relay';

const send = (message: Record<string, unknown>) =>
  process.send?.({ ...message, t: Date.now(), pid: process.pid });

// On request the process stops itself (SIGSTOP) while handling an upstream update, i.e. after it
// received the update and before the relay wrote it: the classic zombie, paused mid-write.
let stopMidWrite = false;
const ct = new ConnectTrade({ maxRetries: 1 });
const client = {
  stream: () => {
    const stream = ct.stream();
    stream.on('update', () => {
      if (!stopMidWrite) return;
      stopMidWrite = false;
      process.kill(process.pid, 'SIGSTOP');
    });
    return stream;
  },
};

const relay = startRelay({
  client,
  redis: process.env.REDIS_TARGET ? JSON.parse(process.env.REDIS_TARGET) : (process.env.REDIS_URL ?? ''),
  key: process.env.RELAY_KEY ?? 'chaos',
  lease: { ttlMs: Number(process.env.RELAY_TTL_MS ?? 1500) },
  retention: { maxLen: 1_000_000 },
});
relay.on('role', (role, { fence }) => send({ type: 'role', role, fence }));
relay.on('session', ({ sessionId, fence }) => send({ type: 'session', sessionId, fence }));
/** Errors by code (`write_refused`, `not_replicated`, `redis_unavailable`...), reported with the figures. */
const errors: Record<string, number> = {};
relay.on('error', (error) => {
  const code = String((error as { code?: string }).code ?? error.name);
  errors[code] = (errors[code] ?? 0) + 1;
});
const report = setInterval(() => send({ type: 'metrics', metrics: relay.metrics(), errors }), 100);
process.on('message', (message: { type?: string }) => {
  if (message?.type === 'stop-mid-write') stopMidWrite = true;
  if (message?.type === 'close')
    void relay.close().then(() => {
      clearInterval(report);
      send({ type: 'closed', metrics: relay.metrics() });
      process.exit(0);
    });
});
send({ type: 'started' });
