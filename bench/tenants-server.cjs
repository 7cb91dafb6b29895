// Loopback server for bench/tenants.ts, in its own process so the client's heap and event loop are
// measured alone. GET /connections answers 200 []; GET /accounts answers 401 with a JSON error (the
// "failing request"); prints its port.
const http = require('node:http');
const ok = '[]';
const failure = JSON.stringify({ code: 'unauthorized', message: 'User secret rejected' });
const server = http.createServer((req, res) => {
  req.resume();
  const failing = req.url.startsWith('/accounts');
  const body = failing ? failure : ok;
  res.writeHead(failing ? 401 : 200, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-request-id': 'bench',
  });
  res.end(body);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
process.on('disconnect', () => process.exit(0));
