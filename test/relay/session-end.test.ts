/**
 * The exact gap marker of an ended upstream session, on a REAL redis-server. When a session's
 * leader dies (or steps down), its unconfirmed or unsent tail is missing; the next term's first
 * entry of another session is preceded, in the same atomic append, by a `gap` entry of the ended
 * session from its last seq in the stream + 1 (`ended: true`, no `to`: the upstream replays
 * nothing and reports no last seq). relayStream reports it as a `gap` naming the session (from
 * past what that reader applied), relayGroup hands it to `onGap` once (key `<session>:end`).
 */
import { createClient } from 'redis';
import { type RelayGroup, relayGroup, relayStream } from '../../src/relay';
import { relayKeys } from '../../src/relay/keys';
import { Lease, leaseTiming } from '../../src/relay/lease';
import { RedisLink } from '../../src/relay/redis-link';
import { type PendingEntry, StreamWriter } from '../../src/relay/writer';
import type { GapInfo } from '../../src/streams';
import { type RedisServer, startRedisServer } from '../helpers/redis-server';
import { until } from '../helpers/until';

jest.setTimeout(30_000);

let redis: RedisServer;
let client: ReturnType<typeof createClient>;
let n = 0;
const freshKey = () => `end${process.pid}-${++n}`;

beforeAll(async () => {
  redis = await startRedisServer();
  client = createClient({ url: redis.url, RESP: 2 });
  client.on('error', () => undefined);
  await client.connect();
});
afterAll(async () => {
  client?.destroy();
  await redis?.stop();
});

/** One leadership term: takes the lease, appends the entries through the writer, lets the lease go. */
async function term(key: string, entries: PendingEntry[]): Promise<void> {
  const keys = relayKeys(key);
  const link = new RedisLink(redis.url);
  try {
    const lease = new Lease(link, keys, `writer${++n}`, leaseTiming(5_000));
    const got = await lease.acquire();
    if (!got.acquired) throw new Error('lease taken');
    let written = 0;
    const writer = new StreamWriter(link, {
      keys,
      token: got.token,
      fence: got.fence,
      retention: { maxLen: 10_000 },
      maxBuffered: 10_000,
      commandTimeoutMs: 5_000,
      events: {
        written: (count) => {
          written += count;
        },
        fenced: () => undefined,
        failed: () => undefined,
      },
    });
    for (const e of entries) writer.push(e);
    await until(() => written === entries.length, 10_000, 'writes');
    await lease.release(got.token);
  } finally {
    link.close();
  }
}

const start = (session: string): PendingEntry => ({
  sessionId: session,
  seq: 0,
  action: 'session_start',
  userId: '',
  data: '{}',
});
const update = (session: string, seq: number): PendingEntry => ({
  sessionId: session,
  seq,
  action: 'order_update',
  userId: 'u1',
  data: JSON.stringify({ account_id: 'acc', order_id: `o${seq}` }),
});

async function fields(key: string): Promise<Record<string, string>[]> {
  const entries = (await client.sendCommand(['XRANGE', relayKeys(key).stream, '-', '+'])) as [
    string,
    string[],
  ][];
  return entries.map(([id, f]) => ({
    id,
    ...Object.fromEntries(f.flatMap((v, i) => (i % 2 ? [] : [[v, f[i + 1] as string]]))),
  }));
}
const brief = (f: Record<string, string>) => `${f.session_id}:${f.action}:${f.seq}`;

/** A reader's events, in order: `S:seq` for updates, `gap(...)` for gaps. */
function reader(key: string) {
  const stream = relayStream({ redis: redis.url, key, from: 'earliest' });
  const events: string[] = [];
  const gaps: GapInfo[] = [];
  stream.on('order_update', (_d, meta) => events.push(`${meta.session_id}:${meta.seq}`));
  stream.on('gap', (g) => {
    gaps.push(g);
    events.push(
      g.endedSession ? `end(${g.endedSession} from ${g.from})` : g.reason === 'reconnect' ? 'start' : 'gap',
    );
  });
  return { stream, events, gaps };
}

function group(key: string) {
  const gaps: { gap: GapInfo; key: string }[] = [];
  const handled: string[] = [];
  const member: RelayGroup = relayGroup({
    redis: redis.url,
    key,
    group: 'book',
    consumer: 'w',
    from: 'earliest',
    handler: (_u, ctx) => {
      handled.push(ctx.key);
    },
    onGap: (gap, ctx) => {
      gaps.push({ gap, key: ctx.key });
    },
  });
  member.on('error', () => undefined);
  return { member, gaps, handled };
}

it('the next term marks the ended session from its last seq in the stream + 1; readers and groups get that gap once', async () => {
  const key = freshKey();
  await term(key, [start('S1'), update('S1', 1), update('S1', 2), update('S1', 3)]);
  // The next leader's session: its first append puts the ended session's marker first.
  await term(key, [start('S2'), update('S2', 1)]);
  const written = await fields(key);
  expect(written.map(brief)).toEqual([
    'S1:session_start:0',
    'S1:order_update:1',
    'S1:order_update:2',
    'S1:order_update:3',
    'S1:gap:4',
    'S2:session_start:0',
    'S2:order_update:1',
  ]);
  expect(written[4]?.data).toBe('{"from":4,"ended":true}');
  expect(written.map((f) => f.index)).toEqual(['1', '2', '3', '4', '5', '6', '7']);

  const r = reader(key);
  const g = group(key);
  try {
    await r.stream.subscribe(['orders']);
    await r.stream.connect();
    await until(() => r.events.length >= 7, 10_000, 'the reader');
    expect(r.events).toEqual(['start', 'S1:1', 'S1:2', 'S1:3', 'end(S1 from 4)', 'start', 'S2:1']);
    // Open-ended: no `to`, the session is named.
    expect(r.gaps[1]).toEqual({ reason: 'seq', from: 4, endedSession: 'S1' });
    await until(() => g.member.stats.acked === 7, 10_000, 'the group');
    expect(g.handled).toEqual(['S1:1', 'S1:2', 'S1:3', 'S2:1']);
    expect(g.gaps).toEqual([
      { gap: { reason: 'reconnect' }, key: 'S1:gap:0' },
      { gap: { reason: 'seq', from: 4, endedSession: 'S1' }, key: 'S1:end' },
      { gap: { reason: 'reconnect' }, key: 'S2:gap:0' },
    ]);
  } finally {
    await Promise.all([r.stream.close(), g.member.close()]);
  }
});

it('after a failover lost the tail a reader had read, its gap starts past what it applied; a re-written marker is dropped', async () => {
  const key = freshKey();
  const k = relayKeys(key);
  await term(key, [start('S1'), ...[1, 2, 3, 4, 5].map((q) => update('S1', q))]);
  const r = reader(key);
  const g = group(key);
  try {
    await r.stream.subscribe(['orders']);
    await r.stream.connect();
    await until(() => r.events.length >= 6, 10_000, 'S1 read');
    await until(() => g.member.stats.acked === 6, 10_000, 'S1 handled');
    // A failover to a replica that had S1 up to seq 3 only (the leader died with seqs 4-5 unconfirmed).
    const before = await fields(key);
    for (const f of before.slice(4)) await client.sendCommand(['XDEL', k.stream, f.id as string]);
    await client.sendCommand(['HSET', k.head, 'index', '4', 'session', 'S1', 'seq', '3']);
    // A late reader, starting after the rollback.
    const late = reader(key);
    await term(key, [start('S2'), update('S2', 1)]);
    expect((await fields(key)).map(brief)).toEqual([
      'S1:session_start:0',
      'S1:order_update:1',
      'S1:order_update:2',
      'S1:order_update:3',
      'S1:gap:4',
      'S2:session_start:0',
      'S2:order_update:1',
    ]);
    await until(() => r.events.length >= 9, 10_000, 'the marker and S2');
    // This reader applied S1 up to 5: for it the session is missing from 6 on.
    expect(r.events.slice(6)).toEqual(['end(S1 from 6)', 'start', 'S2:1']);
    await late.stream.subscribe(['orders']);
    await late.stream.connect();
    await until(() => late.events.length >= 7, 10_000, 'the late reader');
    expect(late.events).toEqual(['start', 'S1:1', 'S1:2', 'S1:3', 'end(S1 from 4)', 'start', 'S2:1']);
    await late.stream.close();

    // A second failover loses S2's start and the marker: the next term writes the marker again.
    const now = await fields(key);
    for (const f of now.slice(4)) await client.sendCommand(['XDEL', k.stream, f.id as string]);
    await client.sendCommand(['HSET', k.head, 'index', '4', 'session', 'S1', 'seq', '3']);
    await term(key, [start('S3'), update('S3', 1)]);
    await until(() => r.events.length >= 11, 10_000, 'S3');
    expect(r.events.slice(9)).toEqual(['start', 'S3:1']);
    expect(r.stream.duplicatesSkipped).toBe(1);
    await until(() => g.member.stats.acked === 12, 10_000, 'the group');
    // The group handles the S1 marker once (key S1:end), the second copy is a duplicate.
    expect(g.gaps.map((x) => x.key)).toEqual(['S1:gap:0', 'S1:end', 'S2:gap:0', 'S3:gap:0']);
    expect(g.member.stats.duplicates).toBe(1);
  } finally {
    await Promise.all([r.stream.close(), g.member.close()]);
  }
});
