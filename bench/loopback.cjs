// What the REST benches share: a loopback server in a child process (it prints its port), and the
// raw node:http client they compare against. CommonJS so that bench/rest-ab.cjs runs under plain
// node and the tsx benches can require it too.
const { fork } = require('node:child_process');
const http = require('node:http');
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

/** One `GET /orders?limit=50` over raw node:http on `agent`, the body parsed. */
function nodeHttpGet(agent, port) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: '/orders?limit=50', method: 'GET', headers: HEADERS, agent },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => {
          text += c;
        });
        res.on('end', () => resolve(JSON.parse(text)));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

module.exports = { HEADERS, startServer, nodeHttpGet };
