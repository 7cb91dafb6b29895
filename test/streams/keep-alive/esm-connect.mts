/**
 * The ESM twin of child.ts's `connect` scenario, with a top-level await: before the fix an
 * unsettled top-level await made Node exit 13 without a word.
 */
import { ConnectTrade } from '../../../src/index';

const started = Date.now();
const ct = new ConnectTrade({
  clientId: 'cid_child',
  clientSecret: 'cs_child_secret_value',
  streamUrl: process.env.STREAM_URL as string,
});
const stream = ct.stream({
  connectTimeout: Number(process.env.CONNECT_TIMEOUT ?? 4_000),
  reconnect: { initialDelay: 50, maxDelay: 300 },
});
stream.on('error', () => {});
try {
  await stream.connect();
  console.log(JSON.stringify({ event: 'connected' }));
} catch (error) {
  const e = error as { name: string; message: string; cause?: { name?: string; message?: string } };
  console.log(
    JSON.stringify({
      event: 'rejected',
      ms: Date.now() - started,
      name: e.name,
      message: e.message,
      cause: e.cause && { name: e.cause.name, message: e.cause.message },
    }),
  );
  process.exitCode = 3;
}
