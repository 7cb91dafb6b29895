// What the REST benches share: a loopback server in a child process (it prints its port), and the
// raw node:http client they compare against. CommonJS so that bench/rest-ab.cjs runs under plain
// node and the tsx benches can require it too.
const { execFileSync, fork } = require('node:child_process');
const http = require('node:http');
const { availableParallelism } = require('node:os');
const { join } = require('node:path');

/** The credentials every bench request carries (the servers do not check them). */
const HEADERS = {
  'client-id': 'bench',
  'client-secret': 'bench-secret',
  'user-id': 'u',
  'user-secret': 'bench-user',
};

/**
 * Forks bench/<script> with `args` (extra `fork` options: `execPath`/`execArgv` to pin it to a
 * CPU) and resolves with its port, or rejects if it has not printed one within 10 s.
 * @returns {Promise<{ port: number, stop: () => void }>}
 */
async function startServer(script, args = [], options = {}) {
  const child = fork(join(__dirname, script), args, {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    ...options,
  });
  try {
    const port = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the bench server did not start in 10 s')), 10_000);
      child.stdout.once('data', (d) => {
        clearTimeout(timer);
        resolve(Number(String(d)));
      });
    });
    return { port, stop: () => child.kill() };
  } catch (error) {
    child.kill();
    throw error;
  }
}

/**
 * One request over raw node:http on `agent`, the body parsed: what a hand-written client does.
 * `body` (already JSON) is sent with its content type and length.
 */
function nodeHttpRequest(agent, port, path, method = 'GET', body = undefined) {
  return new Promise((resolve, reject) => {
    const headers =
      body === undefined
        ? HEADERS
        : { ...HEADERS, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    const req = http.request({ host: '127.0.0.1', port, path, method, headers, agent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => {
        text += c;
      });
      res.on('end', () => resolve(JSON.parse(text)));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** One `GET /orders?limit=50` over raw node:http on `agent`, the body parsed. */
function nodeHttpGet(agent, port) {
  return nodeHttpRequest(agent, port, '/orders?limit=50');
}

/**
 * Pins this process to CPU 0 and returns the `startServer` options that put the server on CPU 1,
 * when `taskset` is there and the machine has two CPUs or more; otherwise none (and says so).
 * @returns {{ note: string, fork: { execPath?: string, execArgv?: string[] } }}
 */
function pinning() {
  if (availableParallelism() < 2) return { note: 'not pinned (one CPU)', fork: {} };
  try {
    execFileSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });
    return {
      note: 'this process on CPU 0, the server on CPU 1 (taskset)',
      fork: { execPath: 'taskset', execArgv: ['-c', '1', process.execPath] },
    };
  } catch {
    return { note: 'not pinned (no taskset)', fork: {} };
  }
}

module.exports = { HEADERS, startServer, nodeHttpRequest, nodeHttpGet, pinning };
