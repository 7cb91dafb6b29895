/** Drives the CLI in-process against a sandbox: captured output, exit code, recorded traffic. */

import type { CliIO } from '../../src/cli/io';
import { runCli } from '../../src/cli/program';
import { ConnectTrade } from '../../src/index';
import { type Sandbox, type SandboxTraffic, startSandbox } from '../../src/sandbox';

/** A sandbox seeded like `--sandbox` does, plus the environment that points the CLI at it. */
export interface CliSandbox {
  sandbox: Sandbox;
  traffic: SandboxTraffic[];
  env: Record<string, string>;
  userSecret: string;
  accountId: string;
  connectionId: string;
  ct: ConnectTrade;
}

/** Starts a sandbox, creates `cli-user` with a linked trade connection. */
export async function startCliSandbox(): Promise<CliSandbox> {
  const traffic: SandboxTraffic[] = [];
  const sandbox = await startSandbox({ tickMs: 50, onTraffic: (t) => traffic.push(t) });
  const ct = new ConnectTrade({ ...sandbox.credentials, baseUrl: sandbox.url, streamUrl: sandbox.streamUrl });
  const created = await ct.users.create({ user_id: 'cli-user' });
  const u = ct.forUser({ userId: 'cli-user', userSecret: created.user_secret });
  const link = await u.connections.create({
    type: 'trade',
    broker: 'ALPACA',
    redirect_url: 'http://127.0.0.1/x',
  });
  await sandbox.authorize(link.authorization_url);
  const [account] = await u.accounts.list();
  return {
    sandbox,
    traffic,
    ct,
    userSecret: created.user_secret,
    accountId: account?.account_id ?? '',
    connectionId: account?.connection_id ?? '',
    env: {
      CONNECT_TRADE_CLIENT_ID: sandbox.credentials.clientId,
      CONNECT_TRADE_CLIENT_SECRET: sandbox.credentials.clientSecret,
      CONNECT_TRADE_BASE_URL: sandbox.url,
      CONNECT_TRADE_STREAM_URL: sandbox.streamUrl,
      CONNECT_TRADE_MARKET_DATA_URL: sandbox.marketDataUrl,
      CONNECT_TRADE_USER_ID: 'cli-user',
      CONNECT_TRADE_USER_SECRET: created.user_secret,
    },
  };
}

/** One CLI run's result. */
export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** Options of {@link cli}. */
export interface RunOptions {
  env?: Record<string, string>;
  isTTY?: boolean;
  answer?: boolean;
  signal?: AbortSignal;
  /** Called with each stdout write (to react to live output). */
  onOut?: (text: string) => void;
}

/** Runs `connect-trade <argv>` in-process. */
export async function cli(argv: string[], options: RunOptions = {}): Promise<CliRun & { asked: string[] }> {
  let out = '';
  let err = '';
  const asked: string[] = [];
  const io: CliIO = {
    out: (text) => {
      out += text;
      options.onOut?.(text);
    },
    err: (text) => {
      err += text;
    },
    isTTY: options.isTTY ?? false,
    env: options.env ?? {},
    signal: options.signal ?? new AbortController().signal,
    confirm: async (question) => {
      asked.push(question);
      return options.answer ?? false;
    },
  };
  const code = await runCli(argv, io);
  return { code, out, err, asked };
}

/** Parses newline-delimited JSON output. */
export function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
