/**
 * One relay of the fleet: competes for the Redis lease and, while it leads, relays the platform's
 * brokerage stream into Redis. Start two or more (`run.ts` starts two); kill the leader and another
 * takes over within the lease TTL. Same as `npx connect-trade relay`.
 *
 * Env: REDIS_URL, CONNECT_TRADE_CLIENT_ID / _CLIENT_SECRET / _BASE_URL / _STREAM_URL.
 */
import { ConnectTrade } from 'connect-trade';
import { startRelay } from 'connect-trade/relay';

const name = process.env.FLEET_NAME ?? `relay-${process.pid}`;
const relay = startRelay({
  client: new ConnectTrade(),
  redis: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  key: process.env.FLEET_KEY ?? 'fleet',
  lease: { ttlMs: Number(process.env.FLEET_LEASE_MS ?? 2_000) },
});
relay.on('role', (role, { fence }) => {
  console.log(`${name}: ${role}${fence ? ` (fence ${fence})` : ''}`);
  process.send?.({ type: 'role', role }); // for run.ts
});
relay.on('session', ({ sessionId }) => {
  console.log(`${name}: upstream session ${sessionId}`);
  process.send?.({ type: 'session' }); // for run.ts
});
relay.on('error', () => undefined); // lease and Redis hiccups are reported as figures instead

for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    const m = relay.metrics();
    console.log(`${name}: stopping after ${m.entriesWritten} entries (${m.fencedWrites} fenced)`);
    void relay.close().then(() => process.exit(0));
  });
