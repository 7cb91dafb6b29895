/**
 * The `resumed` event of the BrokerageSource seam: a source that recovered from an interruption
 * and lost nothing (a relay consumer that read on from its last entry) returns the live store to
 * current without a REST resync; a `gap` still resyncs.
 */
import { LiveStore } from '../../src/index';
import { FakeServer, FakeStream, order } from './fake-source';

async function open(server: FakeServer, stream: FakeStream) {
  return LiveStore.open({
    rest: server.rest,
    stream: stream.asLive(),
    userId: 'user-1',
    accountIds: ['acc_1'],
    ownsStream: true,
  });
}

test('stale on reconnecting, current again on resumed: no snapshot is fetched, updates received meanwhile apply', async () => {
  const server = new FakeServer();
  server.put(order());
  const stream = new FakeStream();
  const live = await open(server, stream);
  const events: string[] = [];
  live.on('stale', (info) => events.push(`stale:${info.reason}`));
  live.on('synced', () => events.push('synced'));
  const listingsBefore = server.listCalls.length;

  stream.drop();
  expect(live.stale).toBe(true);
  // Delivered by the source while it catches up (buffered while stale, applied on resume).
  stream.push('order', order({ status: 'filled', filled_qty: '10', updated_at: '2099-01-01T00:00:00Z' }));
  stream.resume();

  expect(live.stale).toBe(false);
  expect(events).toEqual(['stale:disconnected', 'synced']);
  expect(live.orders.get('ord_1')?.status).toBe('filled');
  expect(server.listCalls.length).toBe(listingsBefore); // no resync over REST
  expect(live.stats.resyncs).toBe(0);
  await live.close();
});

test('a gap still resyncs over REST, and a later resumed does not cut that resync short', async () => {
  const server = new FakeServer();
  server.put(order());
  const stream = new FakeStream();
  const live = await open(server, stream);
  let release: () => void = () => {};
  server.gate = new Promise((resolve) => {
    release = resolve;
  });
  const listingsBefore = server.listCalls.length;
  stream.drop();
  stream.reconnect(); // reconnected + gap: a resync starts (held by the gate)
  stream.resume(); // cannot vouch for what the gap lost
  expect(live.stale).toBe(true);
  const synced = new Promise((resolve) => live.once('synced', resolve as () => void));
  release();
  server.gate = undefined;
  await synced;
  expect(live.stale).toBe(false);
  expect(server.listCalls.length).toBeGreaterThan(listingsBefore);
  expect(live.stats.resyncs).toBe(1);
  await live.close();
});

test('resumed without an interruption changes nothing', async () => {
  const server = new FakeServer();
  const stream = new FakeStream();
  const live = await open(server, stream);
  const synced = jest.fn();
  live.on('synced', synced);
  stream.resume();
  expect(synced).not.toHaveBeenCalled();
  expect(live.stale).toBe(false);
  await live.close();
});
