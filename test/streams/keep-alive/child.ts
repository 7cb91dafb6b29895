/**
 * A stream-only program run as a child process by keep-alive.test.ts (CommonJS; `esm-connect.mts` is
 * the ESM twin of `connect`). It prints one JSON line per thing it sees and never keeps the process
 * alive by itself: no timers, no stdin; SIGUSR2 (a signal handler holds nothing open) closes what it opened.
 *
 * SCENARIO=connect          ct.stream().connect() against STREAM_URL (a port nobody listens on)
 * SCENARIO=md-connect       u.marketData(CONNECTION).connect() against BASE_URL / MD_URL
 * SCENARIO=worker           for await (const u of stream.updates()) against STREAM_URL, until SIGUSR2
 * SCENARIO=live             u.live() against BASE_URL / STREAM_URL, until SIGUSR2 closes the store
 * SCENARIO=relay-connect    relayStream({ redis: REDIS_URL }).connect()
 */
import { ConnectTrade } from '../../../src/index';
import { relayStream } from '../../../src/relay';

const env = process.env;
const started = Date.now();
const print = (event: string, fields: Record<string, unknown> = {}) =>
  process.stdout.write(`${JSON.stringify({ event, ms: Date.now() - started, ...fields })}\n`);

const describe = (error: unknown) => {
  const e = error as { name?: string; message?: string; status?: number; cause?: unknown };
  const cause = e.cause as { name?: string; message?: string; status?: number } | undefined;
  return {
    name: e.name,
    message: e.message,
    ...(cause ? { cause: { name: cause.name, message: cause.message, status: cause.status } } : {}),
  };
};

const fast = { initialDelay: 50, maxDelay: 300 };
const client = () =>
  new ConnectTrade({
    clientId: env.CLIENT_ID ?? 'cid_child',
    clientSecret: env.CLIENT_SECRET ?? 'cs_child_secret_value',
    baseUrl: env.BASE_URL ?? 'http://127.0.0.1:9',
    maxRetries: 0,
    ...(env.STREAM_URL ? { streamUrl: env.STREAM_URL } : {}),
    ...(env.MD_URL ? { marketDataUrl: env.MD_URL } : {}),
  });

async function main(): Promise<void> {
  const scenario = env.SCENARIO;
  if (scenario === 'connect') {
    const stream = client().stream({ connectTimeout: Number(env.CONNECT_TIMEOUT ?? 4_000), reconnect: fast });
    stream.on('error', () => {});
    await stream.connect();
    print('connected');
    await stream.close();
  } else if (scenario === 'md-connect') {
    const u = client().forUser({ userId: env.USER_ID ?? 'u', userSecret: env.USER_SECRET ?? 'us_child' });
    const md = u.marketData(env.CONNECTION ?? 'conn_nope', { reconnect: fast });
    md.on('error', () => {});
    await md.connect();
    print('connected');
    await md.close();
  } else if (scenario === 'worker') {
    const stream = client().stream({ reconnect: fast });
    stream.on('reconnecting', (info) => print('reconnecting', { attempt: info.attempt }));
    stream.on('error', () => {});
    process.on('SIGUSR2', () => {
      print('closing');
      void stream.close();
    });
    await stream.connect();
    await stream.subscribe(['orders']);
    print('iterating');
    for await (const update of stream.updates()) print('update', { seq: update.seq });
    print('ended');
  } else if (scenario === 'live') {
    const u = client().forUser({ userId: env.USER_ID ?? 'u', userSecret: env.USER_SECRET ?? 'us_child' });
    const live = await u.live();
    live.on('error', () => {});
    live.on('stale', (info) => print('stale', { reason: info.reason }));
    process.on('SIGUSR2', () => {
      print('closing');
      void live.close().then(() => print('ended'));
    });
    print('iterating');
  } else if (scenario === 'relay-connect') {
    const source = relayStream({
      redis: env.REDIS_URL ?? 'redis://127.0.0.1:9',
      connectTimeoutMs: Number(env.CONNECT_TIMEOUT ?? 4_000),
    });
    source.on('error', () => {});
    await source.connect();
    print('connected');
    await source.close();
  } else throw new Error(`unknown SCENARIO ${scenario}`);
}

main().then(
  () => print('done'),
  (error: unknown) => {
    print('rejected', describe(error));
    process.exitCode = 3;
  },
);
