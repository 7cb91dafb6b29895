/**
 * A real `redis-server` for tests: started on a free loopback port with its own temporary dir
 * (no persistence), stopped by `stop()`. When `REDIS_URL` is set, that server is used instead and
 * `stop()` leaves it alone. A missing redis-server fails with one line saying what to install
 * (`npm test` installs it when run as root: scripts/test-prereqs.ts).
 *
 * Typical use:
 *   let redis: RedisServer;
 *   beforeAll(async () => { redis = await startRedisServer(); });
 *   afterAll(() => redis?.stop());
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireProgram } from './prereqs';

export interface RedisServer {
  /** `redis://127.0.0.1:<port>` (or `REDIS_URL`). */
  readonly url: string;
  /** The server's port (0 for an external `REDIS_URL` server). */
  readonly port: number;
  /** The server's process id; undefined for an external `REDIS_URL` server. */
  readonly pid: number | undefined;
  /** Starts the same server again on the same port and dir after `kill()` (for failover tests). */
  restart(): Promise<void>;
  /** Sends a signal to the server process (e.g. SIGKILL, SIGSTOP, SIGCONT) without cleaning up. */
  kill(signal?: NodeJS.Signals): void;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s) and removes its dir. Safe to call twice. */
  stop(): Promise<void>;
}

/** Generous: on a saturated machine several servers starting at once can take seconds each. */
const START_DEADLINE_MS = 60_000;

/** A port that was free a moment ago (redis-server cannot bind port 0 itself). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** Resolves once the server answers PING with +PONG, rejects after the deadline. */
async function waitForPong(port: number, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + START_DEADLINE_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(
        `redis-server exited (${child.exitCode ?? child.signalCode}) on port ${port}: ${output().trim()}`,
      );
    const pong = await new Promise<boolean>((resolve) => {
      const socket = new Socket();
      const done = (ok: boolean) => {
        socket.destroy();
        resolve(ok);
      };
      socket.setTimeout(1_000, () => done(false));
      socket.once('error', () => done(false));
      socket.once('data', (data) => done(String(data).startsWith('+PONG')));
      socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
    });
    if (pong) return;
    if (Date.now() > deadline)
      throw new Error(`redis-server on port ${port} did not answer within ${START_DEADLINE_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Starts a private redis-server (or returns the `REDIS_URL` one). */
export async function startRedisServer(
  options: {
    args?: string[];
    /** Writes this config file into the server's dir and starts from it (sentinels need one they can rewrite). */
    config?: string;
    /** A port to use (restarting a topology node), instead of a free one. */
    port?: number;
    /** Start a private server even when `REDIS_URL` is set (topologies: test/helpers/redis-topology.ts). */
    own?: boolean;
  } = {},
): Promise<RedisServer> {
  const external = options.own ? undefined : process.env.REDIS_URL;
  if (external) {
    return {
      url: external,
      port: 0,
      pid: undefined,
      restart: async () => {},
      kill: () => {},
      stop: async () => {},
    };
  }
  const bin = requireProgram('redis-server');
  const dir = mkdtempSync(join(tmpdir(), 'connect-trade-redis-'));
  let port = 0;
  let child: ChildProcess | undefined;
  let stopped = false;

  async function launch(): Promise<void> {
    let output = '';
    const configArgs: string[] = [];
    if (options.config !== undefined) {
      const file = join(dir, 'redis.conf');
      writeFileSync(file, options.config);
      configArgs.push(file);
    }
    const proc = spawn(
      bin,
      [
        ...configArgs,
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'no',
        '--protected-mode',
        'yes',
        ...(options.args ?? []),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = proc;
    const keep = (data: Buffer) => {
      output = (output + String(data)).slice(-4_000);
    };
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    proc.once('error', (error) => keep(Buffer.from(String(error))));
    try {
      await waitForPong(port, proc, () => output);
    } catch (error) {
      proc.kill('SIGKILL');
      await exited(proc);
      throw error;
    }
  }

  // Another process may take the port between freePort() and the server's bind: try a few.
  for (let attempt = 1; ; attempt++) {
    port = options.port ?? (await freePort());
    try {
      await launch();
      break;
    } catch (error) {
      if (attempt >= 3) {
        rmSync(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }

  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get pid() {
      return child?.pid;
    },
    async restart() {
      if (child) {
        child.kill('SIGKILL');
        await exited(child);
      }
      await launch();
    },
    kill(signal = 'SIGKILL') {
      child?.kill(signal);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      const proc = child;
      if (proc && proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGCONT'); // a SIGSTOPped server ignores SIGTERM until continued
        proc.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
        await exited(proc);
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
