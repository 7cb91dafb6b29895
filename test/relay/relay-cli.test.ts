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
  expect(lines[1]?.data).toEqual({ role: 'leader', fence: 1 });
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
