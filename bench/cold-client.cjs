// One cold process of bench/rest.ts: makes ONE request and closes nothing. Reports, on its own
// `exit` event (the event loop is empty: nothing keeps the process alive any more), when the first
// response was read (ms since the process started) and how long the process lived after it.
//   node bench/cold-client.cjs fetch <base-url>
//   node bench/cold-client.cjs sdk <base-url> <path to a built dist/index.js>
const { writeSync } = require('node:fs');
const [mode, base, dist] = process.argv.slice(2);
const HEADERS = {
  'client-id': 'bench',
  'client-secret': 'bench-secret',
  'user-id': 'u',
  'user-secret': 'bench-user',
};
let responded;
process.on('exit', () => {
  const now = performance.now();
  writeSync(1, `${JSON.stringify({ firstResponseMs: responded, exitAfterMs: now - responded })}\n`);
});
async function main() {
  if (mode === 'fetch') {
    await (await fetch(`${base}/orders?limit=50`, { headers: HEADERS })).json();
  } else {
    const { ConnectTrade } = require(dist);
    const ct = new ConnectTrade({ clientId: 'bench', clientSecret: 'bench-secret', baseUrl: base });
    await ct.forUser({ userId: 'u', userSecret: 'bench-user' }).orders.list({ limit: 50 });
  }
  responded = performance.now();
}
main().catch((error) => {
  console.error(error);
  process.exit(1);
});
