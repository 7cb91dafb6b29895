/** examples/fleet/run.ts end to end: two relays, three workers, a failover, against a real redis-server. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { type RedisServer, startRedisServer } from '../helpers/redis-server';

jest.setTimeout(120_000);

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(() => redis?.stop());

it('runs the fleet example: stores agree with REST after a failover, fills booked once', async () => {
  const env: NodeJS.ProcessEnv = { ...process.env, REDIS_URL: redis.url };
  for (const name of Object.keys(env)) if (name.startsWith('CONNECT_TRADE_')) delete env[name];
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '../../examples/fleet/run.ts')], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => {
    output += d;
  });
  child.stderr.on('data', (d: Buffer) => {
    output += d;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 100_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  if (code !== 0) console.error(output);
  expect(code).toBe(0);
  expect(output).toMatch(/run: killing the leading relay/);
  // Two terms, the second fenced above the first (a missing counter is seeded from the Redis clock).
  const fences = [...output.matchAll(/relay-[ab]: leader \(fence (\d+)\)/g)].map((m) => Number(m[1]));
  expect(fences).toHaveLength(2);
  expect(fences[1]).toBeGreaterThan(fences[0] as number);
  expect(output).toMatch(
    /run: 3 workers × 6 users agree with REST after a failover; \d+ fills booked once each/,
  );
});
