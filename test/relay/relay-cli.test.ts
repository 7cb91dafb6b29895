/** `connect-trade relay` in-process against the sandbox and a real redis-server. */

import { type CliSandbox, cli, jsonLines, startCliSandbox } from '../cli/helpers';
import { type RedisServer, startRedisServer } from '../helpers/redis-server';

jest.setTimeout(30_000);

let redis: RedisServer;
let s: CliSandbox;
beforeAll(async () => {
  redis = await startRedisServer();
  s = await startCliSandbox();
});
afterAll(async () => {
  await s?.sandbox.close();
  await redis?.stop();
});

it('leads, reports its session, and releases the lease on Ctrl+C (JSON lines)', async () => {
  const controller = new AbortController();
  let seen = '';
  const r = await cli(['--json', 'relay', '--key', 'cli-relay', '--lease-ttl', '1000'], {
    env: { ...s.env, REDIS_URL: redis.url },
    signal: controller.signal,
    onOut: (text) => {
      seen += text;
      if (seen.includes('"session"')) controller.abort();
    },
  });
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  const lines = jsonLines(r.out);
  expect(lines.map((l) => l.event)).toEqual(['started', 'role', 'session', 'stopped']);
  // A new fence counter is seeded from the Redis clock (ms): a token is never issued twice.
  expect(lines[1]?.data).toEqual({ role: 'leader', fence: expect.any(Number) });
  expect(Number((lines[1]?.data as { fence?: number } | undefined)?.fence)).toBeGreaterThan(
    1_600_000_000_000,
  );
  expect(
    s.traffic.some((t) => t.kind === 'frame' && (t.frame as { action?: string }).action === 'authenticated'),
  ).toBe(true);
});

it('refuses to start without Redis (exit 2, one line) and checks its options', async () => {
  const missing = await cli(['relay'], { env: s.env });
  expect(missing.code).toBe(2);
  expect(missing.err).toContain('REDIS_URL');
  const bad = await cli(['relay', '--redis', 'http://x'], { env: s.env });
  expect(bad.code).toBe(2);
  expect(bad.err).toContain('redis');
});

it('takes a Sentinel or Cluster target and refuses a malformed one (exit 2, one line)', async () => {
  const both = await cli(['relay', '--redis', redis.url, '--cluster', '127.0.0.1:1'], { env: s.env });
  expect(both.code).toBe(2);
  expect(both.err).toContain('one of --redis, --sentinel and --cluster');
  const noName = await cli(['relay', '--sentinel', '127.0.0.1:26379'], { env: s.env });
  expect(noName.code).toBe(2);
  expect(noName.err).toContain('name@host:port');
  const badPort = await cli(['relay', '--cluster', '127.0.0.1:x'], { env: s.env });
  expect(badPort.code).toBe(2);
  expect(badPort.err).toContain('host:port');
});
