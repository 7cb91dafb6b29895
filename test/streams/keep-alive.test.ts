/**
 * An open stream keeps a Node process alive as an open socket does, and a pending `connect()`
 * always settles: checked on real child processes (keep-alive/child.ts), where an unref'd timer or
 * a promise nobody can settle shows as a process that exits early, silently, with code 0 or 13.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Sandbox } from '../../src/sandbox';
import { call, onboard, testSandbox } from '../sandbox/helpers';

jest.setTimeout(60_000);

interface Line {
  event: string;
  ms: number;
  name?: string;
  message?: string;
  cause?: { name?: string; message?: string; status?: number };
  attempt?: number;
}

const children = new Set<ChildProcess>();
afterAll(() => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** A child process running a stream-only program, and what it printed. */
function run(file: string, env: Record<string, string>) {
  // tsx's hooks; the package is CommonJS, so child.ts runs as CommonJS and the .mts file as ESM.
  const args = ['--import', 'tsx', join(__dirname, 'keep-alive', file)];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: join(__dirname, '../..'),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const lines: Line[] = [];
  let stderr = '';
  let buffered = '';
  const waiters = new Set<() => void>();
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    let end = buffered.indexOf('\n');
    while (end >= 0) {
      lines.push(JSON.parse(buffered.slice(0, end)) as Line);
      buffered = buffered.slice(end + 1);
      end = buffered.indexOf('\n');
    }
    for (const wake of waiters) wake();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let exitCode: number | null | undefined;
  void exited.then((code) => {
    exitCode = code;
    for (const wake of waiters) wake();
  });
  /** Waits (up to `ms`) for a line with this event; fails with what the child printed otherwise. */
  const line = (event: string, ms: number): Promise<Line> =>
    new Promise((resolve, reject) => {
      const check = () => {
        const found = lines.find((l) => l.event === event);
        if (found || exitCode !== undefined || Date.now() > deadline) {
          clearTimeout(timer);
          waiters.delete(check);
          if (found) resolve(found);
          else
            reject(
              new Error(
                `no "${event}" line (exit ${exitCode}); printed ${JSON.stringify(lines)}; stderr ${stderr}`,
              ),
            );
        }
      };
      const deadline = Date.now() + ms;
      const timer = setTimeout(check, ms);
      waiters.add(check);
      check();
    });
  const exit = async (ms: number): Promise<number | null> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'hung'>((resolve) => {
      timer = setTimeout(() => resolve('hung'), ms);
    });
    const code = await Promise.race([exited, timeout]);
    clearTimeout(timer);
    if (code === 'hung') {
      child.kill('SIGKILL');
      throw new Error(`the child did not exit within ${ms} ms; printed ${JSON.stringify(lines)}`);
    }
    return code;
  };
  return { child, lines, line, exit, stderr: () => stderr, alive: () => exitCode === undefined };
}

/** A loopback port nobody listens on (bound, then released). */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a pending connect() always settles, and the process waits for it', () => {
  it.each([
    ['CommonJS', 'child.ts'],
    ['ESM (top-level await)', 'esm-connect.mts'],
  ] as const)(
    '%s: a down server rejects connect() with a typed timeout carrying the last failure',
    async (_, file) => {
      const port = await closedPort();
      const env = {
        SCENARIO: 'connect',
        STREAM_URL: `ws://127.0.0.1:${port}/stream`,
        CONNECT_TIMEOUT: '4000',
      };
      const child = run(file, env);
      const rejected = await child.line('rejected', 30_000);
      expect(rejected).toMatchObject({
        name: 'StreamTimeoutError',
        message: 'connect timed out after 4000 ms',
        cause: { name: 'StreamClosedError', message: expect.stringContaining('ECONNREFUSED') },
      });
      // The deadline, not an early silent exit: the process lived until connect() settled.
      expect(rejected.ms).toBeGreaterThanOrEqual(3_900);
      // Once connect() gave up the stream is closed: nothing holds the process any more.
      expect(await child.exit(15_000)).toBe(3);
    },
  );
});

describe('with a sandbox', () => {
  let sb: Sandbox;
  beforeEach(async () => {
    sb = await testSandbox();
  });
  afterEach(async () => {
    await sb.close();
  });

  it('a worker iterating updates() stays alive while its server is down, until it calls close()', async () => {
    const child = run('child.ts', {
      SCENARIO: 'worker',
      CLIENT_ID: sb.credentials.clientId,
      CLIENT_SECRET: sb.credentials.clientSecret,
      BASE_URL: sb.url,
      STREAM_URL: sb.streamUrl,
    });
    await child.line('iterating', 30_000);
    await sb.close();
    await child.line('reconnecting', 15_000);
    // Several back-off rounds (50-300 ms each) against a port nobody answers on: still running.
    await sleep(3_000);
    expect(child.alive()).toBe(true);
    expect(child.lines.filter((l) => l.event === 'reconnecting').length).toBeGreaterThan(1);
    expect(child.lines.map((l) => l.event)).not.toContain('ended');
    child.child.kill('SIGUSR2');
    await child.line('ended', 15_000);
    expect(await child.exit(15_000)).toBe(0);
  });

  it('a live store (u.live()) keeps its process alive through an outage, until live.close()', async () => {
    const { who } = await onboard(sb, 'live-user');
    const child = run('child.ts', {
      SCENARIO: 'live',
      CLIENT_ID: sb.credentials.clientId,
      CLIENT_SECRET: sb.credentials.clientSecret,
      BASE_URL: sb.url,
      STREAM_URL: sb.streamUrl,
      USER_ID: who.userId,
      USER_SECRET: who.userSecret,
    });
    await child.line('iterating', 30_000);
    await sb.close();
    await child.line('stale', 15_000);
    await sleep(3_000);
    expect(child.alive()).toBe(true);
    child.child.kill('SIGUSR2');
    await child.line('ended', 15_000);
    expect(await child.exit(15_000)).toBe(0);
  });

  it('an unknown market-data connection rejects connect() at once, with the 404 as cause', async () => {
    const created = await call(sb, 'POST', '/users', { body: { user_id: 'md-user' } });
    const child = run('child.ts', {
      SCENARIO: 'md-connect',
      CLIENT_ID: sb.credentials.clientId,
      CLIENT_SECRET: sb.credentials.clientSecret,
      BASE_URL: sb.url,
      MD_URL: sb.marketDataUrl,
      USER_ID: 'md-user',
      USER_SECRET: created.body.user_secret,
      CONNECTION: 'conn_unknown',
    });
    const rejected = await child.line('rejected', 30_000);
    expect(rejected).toMatchObject({
      name: 'StreamAuthenticationError',
      cause: { name: 'NotFoundError', status: 404 },
    });
    expect(rejected.message).toContain(rejected.cause?.message);
    expect(rejected.ms).toBeLessThan(2_000);
    expect(await child.exit(15_000)).toBe(3);
  });
});

describe('relayStream follows the same rule', () => {
  it('a Redis nobody answers on rejects connect() by its deadline with the last failure, then lets the process end', async () => {
    const port = await closedPort();
    // A generous deadline: loading `redis` alone can take seconds on a loaded machine.
    const env = {
      SCENARIO: 'relay-connect',
      REDIS_URL: `redis://127.0.0.1:${port}`,
      CONNECT_TIMEOUT: '8000',
    };
    const child = run('child.ts', env);
    const rejected = await child.line('rejected', 30_000);
    expect(rejected).toMatchObject({
      name: 'RelayError',
      message: 'Relay stream could not reach Redis within 8000 ms',
      cause: { name: 'RelayError', message: expect.stringContaining('ECONNREFUSED') },
    });
    expect(rejected.ms).toBeGreaterThanOrEqual(7_900);
    expect(await child.exit(15_000)).toBe(3);
  });
});
