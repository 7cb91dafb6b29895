// CPU per request of u.orders.list against node:http keep-alive, in short interleaved rounds (the
// figure that moves least with the load of a shared machine). Same server as bench/rest.ts.
//   node bench/rest-ab.cjs <dist/index.js> [<another build's dist/index.js> ...]
//   env: ROUNDS (11), DUR (1000 ms per round), CONCURRENCY (16)
const { fork } = require('node:child_process');
const http = require('node:http');
const { join, resolve } = require('node:path');

const CONCURRENCY = Number(process.env.CONCURRENCY ?? 16);
const DUR = Number(process.env.DUR ?? 1000);
const ROUNDS = Number(process.env.ROUNDS ?? 11);
const HEADERS = {
  'client-id': 'bench',
  'client-secret': 'bench-secret',
  'user-id': 'u',
  'user-secret': 'bench-user',
};

async function measure(call) {
  let done = 0;
  const end = Date.now() + DUR;
  const cpu0 = process.cpuUsage();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < end) {
        await call();
        done++;
      }
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / done;
}

function nodeHttpGet(agent, port) {
  return new Promise((ok, fail) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: '/orders?limit=50', method: 'GET', headers: HEADERS, agent },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => {
          text += c;
        });
        res.on('end', () => ok(JSON.parse(text)));
      },
    );
    req.on('error', fail);
    req.end();
  });
}

(async () => {
  const server = fork(join(__dirname, 'orders-server.cjs'), ['5'], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const port = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error('the bench server did not start in 10 s')), 10_000);
    server.stdout.once('data', (d) => {
      clearTimeout(timer);
      ok(Number(String(d)));
    });
  });
  try {
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const contenders = { 'node:http keep-alive': () => nodeHttpGet(agent, port) };
    for (const file of process.argv.slice(2)) {
      const { ConnectTrade } = require(resolve(file));
      const ct = new ConnectTrade({
        clientId: 'bench',
        clientSecret: 'bench-secret',
        baseUrl: `http://127.0.0.1:${port}`,
      });
      const u = ct.forUser({ userId: 'u', userSecret: 'bench-user' });
      contenders[file] = () => u.orders.list({ limit: 50 }).then((page) => page.data);
    }
    const samples = Object.fromEntries(Object.keys(contenders).map((name) => [name, []]));
    for (const call of Object.values(contenders)) await measure(call); // warm-up
    for (let round = 0; round < ROUNDS; round++)
      for (const [name, call] of Object.entries(contenders)) samples[name].push(await measure(call));
    const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
    const limit = median(samples['node:http keep-alive']);
    for (const [name, list] of Object.entries(samples))
      console.log(
        `${name.padEnd(40)} ${median(list).toFixed(1).padStart(7)} µs CPU/request  ${(limit / median(list)).toFixed(2)}x node:http`,
      );
  } finally {
    server.kill();
  }
  process.exit(0);
})();
