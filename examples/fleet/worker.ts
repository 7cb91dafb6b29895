/**
 * One app server of the fleet: a `relayStream` (the brokerage stream, read from Redis) feeding a
 * live store per user, plus a `relayGroup` member that books each fill exactly once across the
 * fleet (at least once delivery, deduplicated on the entry's key).
 *
 * Env: REDIS_URL, CONNECT_TRADE_*, FLEET_USERS (JSON [{ userId, userSecret }]), FLEET_NAME.
 */
import { ConnectTrade, type LiveStore } from 'connect-trade';
import { relayGroup, relayStream } from 'connect-trade/relay';

const name = process.env.FLEET_NAME ?? `worker-${process.pid}`;
const redis = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const key = process.env.FLEET_KEY ?? 'fleet';
const users = JSON.parse(process.env.FLEET_USERS ?? '[]') as { userId: string; userSecret: string }[];

async function main(): Promise<void> {
  const ct = new ConnectTrade();
  // One Redis reader shared by every user's store, as one brokerage socket would be.
  const stream = relayStream({ redis, key });
  stream.on('error', () => undefined);
  const stores = new Map<string, LiveStore>();
  for (const u of users) {
    const live = await ct.forUser(u).live({ stream });
    live.on('error', () => undefined);
    stores.set(u.userId, live);
  }

  // Booking: every fill is booked by one worker of the group. A real app would insert the key
  // under a unique constraint in the transaction that books the fill; a Set stands in for it here.
  const booked = new Set<string>();
  const group = relayGroup({
    redis,
    key,
    group: 'bookings',
    consumer: name,
    claimIdleMs: 5_000,
    handler: (update, ctx) => {
      if (update.action !== 'order_update' || update.data.fills.length === 0) return;
      if (booked.has(ctx.key)) return; // a redelivery: already booked
      booked.add(ctx.key);
      process.send?.({ type: 'booked', key: ctx.key, order: update.data.order_id });
    },
    // Updates may have been missed: a real app reconciles its bookings over REST here. A session
    // whose relay died is named, with the first seq it lacks (its last one is unknown).
    onGap: (gap) => {
      if (gap.endedSession)
        console.log(`${name}: session ${gap.endedSession} ended, missing from seq ${gap.from}: reconcile`);
    },
  });
  group.on('error', () => undefined);

  process.send?.({ type: 'ready' });
  console.log(`${name}: following ${stores.size} users through Redis`);
  process.on('message', (message: { type?: string }) => {
    if (message?.type === 'report')
      process.send?.({
        type: 'report',
        stores: [...stores].map(([userId, live]) => ({
          userId,
          stale: live.stale,
          orders: [...live.orders].map((o) => `${o.order_id}:${o.status}:${o.filled_qty}`).sort(),
        })),
      });
    if (message?.type === 'stop')
      void Promise.all([...stores.values()].map((s) => s.close()))
        .then(() => Promise.all([stream.close(), group.close()]))
        .then(() => process.exit(0));
  });
}

main().catch((error) => {
  console.error(`${name}:`, error);
  process.exit(1);
});
