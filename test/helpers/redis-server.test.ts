/**
 * The redis-server helper other tests rely on: a private server that answers, survives a restart
 * on the same port, and is really gone after stop(); REDIS_URL wins; a missing binary is one clear line.
 */
import { existsSync } from 'node:fs';
import { Socket } from 'node:net';
import { MissingPrerequisiteError } from './prereqs';
import { type RedisServer, startRedisServer } from './redis-server';

/** Sends one inline command and returns the first reply chunk (or the connection error code). */
function command(url: string, line: string): Promise<string> {
  const { port, hostname } = new URL(url);
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.setTimeout(2_000, () => {
      socket.destroy();
      resolve('timeout');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(String(data).trim());
    });
    socket.connect(Number(port), hostname, () => socket.write(`${line}\r\n`));
  });
}

function withEnv<T>(vars: Record<string, string | undefined>, work: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const apply = (v: Record<string, string | undefined>) => {
    for (const [k, value] of Object.entries(v)) {
      if (value === undefined) delete process.env[k];
      else process.env[k] = value;
    }
  };
  apply(vars);
  return work().finally(() => apply(saved));
}

it('starts a private server on a free loopback port, restarts it in place, and stops it', async () => {
  let redis: RedisServer | undefined;
  try {
    redis = await withEnv({ REDIS_URL: undefined }, () => startRedisServer());
    expect(redis.url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    expect(await command(redis.url, 'SET k v')).toBe('+OK');
    expect(await command(redis.url, 'GET k')).toBe('$1\r\nv');
    const first = redis.pid;
    redis.kill('SIGKILL');
    await redis.restart();
    expect(redis.pid).not.toBe(first);
    expect(await command(redis.url, 'PING')).toBe('+PONG');
    expect(await command(redis.url, 'GET k')).toBe('$-1'); // no persistence between runs
    const dir = (await command(redis.url, 'CONFIG GET dir')).split('\r\n')[4] ?? '';
    expect(existsSync(dir)).toBe(true);
    await redis.stop();
    expect(await command(redis.url, 'PING')).toBe('ECONNREFUSED');
    expect(existsSync(dir)).toBe(false);
  } finally {
    await redis?.stop();
  }
});

it('uses REDIS_URL when set and leaves that server alone', async () => {
  const redis = await withEnv({ REDIS_URL: 'redis://127.0.0.1:1' }, () => startRedisServer());
  expect(redis.url).toBe('redis://127.0.0.1:1');
  expect(redis.pid).toBeUndefined();
  await redis.stop();
});

it('without redis-server on PATH: one line that says what to install', async () => {
  const error = await withEnv({ REDIS_URL: undefined, PATH: '/nonexistent' }, () =>
    startRedisServer().then(
      () => undefined,
      (e: unknown) => e,
    ),
  );
  expect(error).toBeInstanceOf(MissingPrerequisiteError);
  expect((error as Error).message).toMatch(/^redis-server is required .*apt-get install redis-server/);
  expect((error as Error).message).not.toContain('\n');
});
