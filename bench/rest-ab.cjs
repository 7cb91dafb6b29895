// CPU per request of u.orders.list against node:http keep-alive, in short interleaved rounds (the
// figure that moves least with the load of a shared machine). Same server as bench/rest.ts.
//   node bench/rest-ab.cjs <dist/index.js> [<another build's dist/index.js> ...]
//   env: ROUNDS (11), DUR (1000 ms per round), CONCURRENCY (16)
const http = require('node:http');
const { resolve } = require('node:path');
const { nodeHttpGet, startServer } = require('./loopback.cjs');

const CONCURRENCY = Number(process.env.CONCURRENCY ?? 16);
const DUR = Number(process.env.DUR ?? 1000);
const ROUNDS = Number(process.env.ROUNDS ?? 11);

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

(async () => {
  const { port, stop } = await startServer('orders-server.cjs', ['5']);
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
    stop();
  }
  process.exit(0);
})();
