/**
 * One app server of the failover chaos test: a relayStream feeding a live store per user. Reports
 * the entries it saw twice (must stay 0) and, when asked, each store's state for the REST comparison.
 * Env: REDIS_URL, RELAY_KEY, CONNECT_TRADE_* (the sandbox); USERS: JSON [{ userId, userSecret, accountId }].
 */
import { ConnectTrade, type LiveStore } from '../../../src/index';
import { relayStream } from '../../../src/relay';

const send = (message: Record<string, unknown>) =>
  process.send?.({ ...message, t: Date.now(), pid: process.pid });
const users = JSON.parse(process.env.USERS ?? '[]') as {
  userId: string;
  userSecret: string;
  accountId: string;
}[];

async function main(): Promise<void> {
  const ct = new ConnectTrade({ maxRetries: 4 });
  // A generous connect deadline: an app server restarted on a saturated 2-core machine boots slowly
  // (the test is about failover, not about boot speed).
  const stream = relayStream({
    redis: process.env.REDIS_URL ?? '',
    key: process.env.RELAY_KEY ?? 'chaos',
    connectTimeoutMs: 30_000,
  });
  stream.on('error', () => undefined);
  // Applied twice = the same entry delivered twice to this process.
  const seen = new Set<string>();
  let duplicates = 0;
  let delivered = 0;
  let gaps = 0;
  let resumed = 0;
  stream.on('update', (message) => {
    delivered++;
    const key = `${stream.lastEntryId}`;
    if (seen.has(key)) duplicates++;
    seen.add(key);
    if (seen.size > 200_000) seen.clear();
    void message;
  });
  stream.on('gap', () => gaps++);
  stream.on('resumed', () => resumed++);
  const stores: LiveStore[] = [];
  for (const u of users) {
    const live = await ct.forUser({ userId: u.userId, userSecret: u.userSecret }).live({
      account_ids: [u.accountId],
      stream,
    });
    live.on('error', () => undefined);
    stores.push(live);
  }
  send({ type: 'ready' });
  process.on('message', (message: { type?: string }) => {
    if (message?.type !== 'state') return;
    send({
      type: 'state',
      duplicates,
      delivered,
      gaps,
      resumed,
      stores: stores.map((s) => ({
        accountIds: s.accountIds,
        stale: s.stale,
        orders: [...s.orders],
        positions: [...s.positions],
        balances: [...s.balances],
      })),
    });
  });
}

main().catch((error) => {
  send({ type: 'failed', error: String(error?.stack ?? error) });
  process.exit(1);
});
