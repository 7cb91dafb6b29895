import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSandboxCommand } from '../../src/cli/sandbox-command';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

describe('connect-trade sandbox command', () => {
  it('starts a sandbox from arguments and prints its addresses and credentials', async () => {
    const { io, out } = capture();
    const sandbox = await runSandboxCommand(['--port', '0', '--seed', '5', '--tick-ms', '0'], io);
    try {
      expect(sandbox).toBeDefined();
      const text = out.join('\n');
      expect(text).toContain(sandbox?.url);
      expect(text).toContain(sandbox?.streamUrl);
      expect(text).toContain('sandbox-client-secret');
      // The developer console's URL with this run's token, which opens it.
      const consoleUrl = /console +(http:\S+)/.exec(text)?.[1] ?? '';
      expect(consoleUrl).toBe(sandbox?.consoleUrl);
      expect((await fetch(consoleUrl, { redirect: 'manual' })).status).toBe(303); // token -> cookie
      const response = await fetch(`${sandbox?.url}/users`, {
        headers: { 'client-id': 'sandbox-client-id', 'client-secret': 'sandbox-client-secret' },
      });
      expect(response.status).toBe(200);
    } finally {
      await sandbox?.close();
    }
  });

  it('prints help and rejects bad arguments with a readable message', async () => {
    const { io, out } = capture();
    expect(await runSandboxCommand(['--help'], io)).toBeUndefined();
    expect(out.join('\n')).toContain('--port');
    await expect(runSandboxCommand(['--port', 'abc'], io)).rejects.toThrow('--port must be an integer');
    await expect(runSandboxCommand(['--colour'], io)).rejects.toThrow(/colour/);
  });

  it('is the package bin and the ./sandbox export (types first)', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8'));
    expect(pkg.bin).toEqual({ 'connect-trade': './bin/connect-trade.js' });
    const entry = pkg.exports['./sandbox'];
    expect(Object.keys(entry)).toEqual(['import', 'require']);
    expect(entry.import).toEqual({ types: './dist/sandbox.d.mts', default: './dist/sandbox.mjs' });
    expect(entry.require).toEqual({ types: './dist/sandbox.d.ts', default: './dist/sandbox.js' });
    expect(pkg.files).toContain('sandbox');
  });
});

describe('connect-trade sandbox on a non-loopback interface', () => {
  it('warns clearly when --host is not loopback and there is no --admin-token', async () => {
    const { io, err } = capture();
    const sandbox = await runSandboxCommand(['--host', '0.0.0.0', '--port', '0', '--tick-ms', '0'], io);
    try {
      const text = err.join('\n');
      expect(text).toMatch(/WARNING: listening on 0\.0\.0\.0, which is not loopback, without --admin-token/);
      expect(text).toContain('x-sandbox-admin-token');
    } finally {
      await sandbox?.close();
    }
  });

  it('with --admin-token: no warning, and admin requests need the token', async () => {
    const { io, err, out } = capture();
    const args = ['--host', '0.0.0.0', '--port', '0', '--tick-ms', '0', '--admin-token', 'tok-123'];
    const sandbox = await runSandboxCommand(args, io);
    try {
      expect(err.join('\n')).not.toContain('WARNING');
      expect(out.join('\n')).not.toContain('tok-123');
      const url = `http://127.0.0.1:${sandbox?.port}/__sandbox`;
      expect((await fetch(url)).status).toBe(401);
      expect((await fetch(url, { headers: { 'x-sandbox-admin-token': 'tok-123' } })).status).toBe(200);
    } finally {
      await sandbox?.close();
    }
  });

  it('stays quiet on loopback', async () => {
    const { io, err } = capture();
    const sandbox = await runSandboxCommand(['--port', '0', '--tick-ms', '0'], io);
    await sandbox?.close();
    expect(err).toEqual([]);
  });
});

describe('the sandbox banner', () => {
  it('prints the export lines to copy, and a shell that runs them points the SDK at the sandbox', async () => {
    const { spawnSync } = await import('node:child_process');
    const { ConnectTrade } = await import('../../src');
    const { io, out } = capture();
    const sandbox = await runSandboxCommand(['--port', '0', '--tick-ms', '0'], io);
    try {
      const lines = out
        .join('\n')
        .split('\n')
        .filter((l) => l.startsWith('export '));
      expect(lines.map((l) => l.split('=')[0])).toEqual([
        'export CONNECT_TRADE_BASE_URL',
        'export CONNECT_TRADE_STREAM_URL',
        'export CONNECT_TRADE_MARKET_DATA_URL',
        'export CONNECT_TRADE_CLIENT_ID',
        'export CONNECT_TRADE_CLIENT_SECRET',
      ]);
      const shell = spawnSync('sh', ['-c', `${lines.join('\n')}\nenv`], { encoding: 'utf8', env: {} });
      const env = Object.fromEntries(
        shell.stdout
          .split('\n')
          .filter((l) => l.startsWith('CONNECT_TRADE_'))
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      );
      expect(env).toEqual(sandbox?.env);
      const ct = new ConnectTrade({
        clientId: env.CONNECT_TRADE_CLIENT_ID,
        clientSecret: env.CONNECT_TRADE_CLIENT_SECRET,
        baseUrl: env.CONNECT_TRADE_BASE_URL,
      });
      expect(await ct.users.list()).toEqual([]);
    } finally {
      await sandbox?.close();
    }
  });

  it('quotes values a shell would split or expand', async () => {
    const { spawnSync } = await import('node:child_process');
    const { exportLines } = await import('../../src/cli/sandbox-command');
    const value = `it's $HOME; \`x\` "y"`;
    const lines = exportLines({ A_PLAIN: 'http://127.0.0.1:4010/x', A_ODD: value });
    expect(lines).toContain('export A_PLAIN=http://127.0.0.1:4010/x');
    const shell = spawnSync('sh', ['-c', `${lines}\nprintf %s "$A_ODD"`], { encoding: 'utf8' });
    expect(shell.stdout).toBe(value);
  });
});
