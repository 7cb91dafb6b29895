/**
 * The built bin (`dist/cli.js`) end to end: spawned like a user's shell would, no TTY. Plus one
 * tmux session that types a `watch` command in a real terminal and reads the screen while orders
 * fill and the stream is dropped. tmux must be installed (`npm test` installs it as root): no skipping.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { requireProgram } from '../helpers/prereqs';
import { preparePackage, ROOT } from '../package/consumer';
import { type CliSandbox, startCliSandbox } from './helpers';

jest.setTimeout(120_000);

const BIN = join(ROOT, 'dist', 'cli.js');
let s: CliSandbox;
beforeAll(async () => {
  await preparePackage(); // builds dist/ when stale
  s = await startCliSandbox();
});
afterAll(() => s?.sandbox.close());

async function bin(args: string[], env: Record<string, string> = s.env) {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

it('--sandbox --json accounts: exit 0, one JSON document', async () => {
  const r = await bin(['--sandbox', '--json', 'accounts'], {});
  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout)).toEqual([expect.objectContaining({ account_id: expect.any(String) })]);
});

it('a reader that goes away (`| head`) ends the CLI quietly: no EPIPE stack trace, exit 0', async () => {
  const child = spawn(process.execPath, [BIN, '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.destroy(); // the reader is gone before the CLI writes anything
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += String(chunk);
  });
  const code = await new Promise((resolve) => child.on('close', resolve));
  expect(stderr).toBe('');
  expect(code).toBe(0);
});

it('orders place without --yes off a terminal: exit 2 at once, nothing sent', async () => {
  const before = s.traffic.length;
  const r = await bin([
    'orders',
    'place',
    '--account',
    s.accountId,
    '--broker',
    'ALPACA',
    '--symbol',
    'AAPL',
    '--side',
    'BUY',
    '--qty',
    '1',
  ]);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('pass --yes');
  expect(s.traffic.length).toBe(before);
});

it('API error exit 1, usage error exit 2, version exit 0', async () => {
  expect((await bin(['orders', 'cancel', s.accountId, 'ord_x'])).code).toBe(1);
  expect((await bin(['frobnicate'])).code).toBe(2);
  expect((await bin(['--version'])).stdout.trim()).toBe('0.1.0');
});

describe('tmux: a watch session on a real terminal', () => {
  const session = `ct-watch-${process.pid}`;
  // One line saying what to install when tmux is absent (`npm test` installs it when run as root).
  const tmux = (...args: string[]) => execFileSync(requireProgram('tmux'), args, { encoding: 'utf8' });
  const screen = () => tmux('capture-pane', '-p', '-t', session);
  async function waitFor(pattern: RegExp, what: string): Promise<string> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const text = screen();
      if (pattern.test(text)) return text;
      if (Date.now() > deadline) throw new Error(`screen never showed ${what}:\n${text}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  afterAll(() => {
    try {
      tmux('kill-session', '-t', session);
    } catch {
      // already gone
    }
  });

  it('shows the live table, an order filling, a reconnect with resync, and stops on Ctrl+C', async () => {
    // Credentials go into the session's environment, not onto the screen.
    const env = Object.entries(s.env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    tmux(
      'new-session',
      '-d',
      '-s',
      session,
      '-x',
      '140',
      '-y',
      '30',
      ...env,
      'bash',
      '--noprofile',
      '--norc',
    );
    tmux('send-keys', '-t', session, `node ${BIN} watch orders`, 'Enter');
    await waitFor(/watch orders.*live/, 'the live status');
    const u = s.ct.forUser({ userId: 'cli-user', userSecret: s.userSecret });
    const order = await u.orders.create({
      account_id: s.accountId,
      broker: 'ALPACA',
      symbol: 'NVDA',
      instrument: 'EQ',
      side: 'BUY',
      order_type: 'LMT',
      order_tif: 'DAY',
      order_qty: 3,
      order_limit_price: '1',
    });
    const withOrder = await waitFor(new RegExp(`${order.order_id}.*NVDA.*BUY.*working`), 'the new order');
    expect(withOrder).toMatch(/order_id.*symbol.*status/);
    s.sandbox.faults.inject({ type: 'drop_streams', stream: 'brokerage' });
    await waitFor(/reconnecting|resyncing/, 'the reconnect');
    const back = await waitFor(/watch orders.*live/, 'live again');
    expect(back).toContain(order.order_id);
    // The table was redrawn in place: the header appears once, not once per frame.
    expect(back.match(/order_id/g)).toHaveLength(1);
    expect(back).not.toContain(s.userSecret);
    expect(back).not.toContain(s.env.CONNECT_TRADE_CLIENT_SECRET);
    tmux('send-keys', '-t', session, 'C-c', '');
    tmux('send-keys', '-t', session, 'echo "exit=$?"', 'Enter');
    await waitFor(/exit=0/, 'the command to end with exit 0');
  });
});
