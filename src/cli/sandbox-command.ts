/**
 * `connect-trade sandbox [--port 4010] [--host 127.0.0.1] [--seed 42] [--tick-ms 500] [--latency-ms 0]`:
 * runs the local emulator until interrupted and prints where it listens and how to sign in.
 */
import { parseArgs } from 'node:util';
import { consoleLogger, type Sandbox, startSandbox } from '../sandbox';

/** Usage text of the sandbox command. */
export const SANDBOX_USAGE = `Usage: connect-trade sandbox [options]

Runs a local Connect Trade emulator (REST + both WebSocket streams) in memory.

Options:
  --port <n>        port to listen on (default 4010; 0 picks a free one)
  --host <addr>     interface to bind (default 127.0.0.1)
  --seed <n>        seed of the simulated price feed (default 42)
  --tick-ms <n>     milliseconds between price ticks (default 500; 0 = only via POST /__sandbox/tick)
  --latency-ms <n>  latency added to every REST response (default 0)
  --admin-token <t> require header x-sandbox-admin-token: <t> on /__sandbox/* (default:
                    CONNECT_TRADE_SANDBOX_ADMIN_TOKEN; set it whenever --host is not loopback)
  --spellings <s>   field names to emit: production (default: user_secret, connection_request_url,
                    connection_type) or reference (user-secret, authorization_url, type)
  --allowed-host <name>  also accept this Host name on /__sandbox/* (repeatable; e.g. a
                    docker-compose service name; loopback names and --host always work)
  --verbose         log every request
  -h, --help        show this help
`;

/** Where the command writes (injectable for tests). */
export interface CommandIO {
  out(line: string): void;
  err(line: string): void;
}

const defaultIO: CommandIO = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** `export NAME=value` lines, each value quoted for POSIX shells when it needs it. */
export function exportLines(env: Readonly<Record<string, string>>): string {
  const quote = (value: string) =>
    /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
  return Object.entries(env)
    .map(([name, value]) => `export ${name}=${quote(value)}`)
    .join('\n');
}

function integer(name: string, text: string | undefined, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  if (!/^[0-9]+$/.test(text) || Number(text) < min) throw new Error(`--${name} must be an integer >= ${min}`);
  return Number(text);
}

/**
 * Starts the sandbox from command-line arguments; resolves with it (or undefined after `--help`).
 * Throws an Error with a readable message on bad arguments.
 */
export async function runSandboxCommand(
  argv: readonly string[],
  io: CommandIO = defaultIO,
): Promise<Sandbox | undefined> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      seed: { type: 'string' },
      'tick-ms': { type: 'string' },
      'latency-ms': { type: 'string' },
      'admin-token': { type: 'string' },
      'allowed-host': { type: 'string', multiple: true },
      spellings: { type: 'string' },
      verbose: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    io.out(SANDBOX_USAGE);
    return undefined;
  }
  const port = integer('port', values.port, 4010, 0);
  if (port > 65535) throw new Error('--port must be at most 65535');
  const host = values.host ?? '127.0.0.1';
  const adminToken = values['admin-token'] ?? (process.env.CONNECT_TRADE_SANDBOX_ADMIN_TOKEN || undefined);
  if (adminToken === '') throw new Error('--admin-token must not be empty');
  const spellings = values.spellings ?? 'production';
  if (spellings !== 'production' && spellings !== 'reference')
    throw new Error('--spellings must be production or reference');
  const sandbox = await startSandbox({
    port,
    host,
    ...(adminToken === undefined ? {} : { adminToken }),
    allowedHosts: values['allowed-host'] ?? [],
    spellings,
    seed: integer('seed', values.seed, 42, 0),
    tickMs: integer('tick-ms', values['tick-ms'], 500, 0),
    latencyMs: integer('latency-ms', values['latency-ms'], 0, 0),
    logger: values.verbose
      ? { ...consoleLogger, debug: (line) => io.out(line) }
      : { warn: (line) => io.err(line), error: (line) => io.err(line) },
  });
  io.out(`Connect Trade sandbox listening
  REST              ${sandbox.url}
  brokerage stream  ${sandbox.streamUrl}
  market data       ${sandbox.marketDataUrl}
  client-id         ${sandbox.credentials.clientId}
  client-secret     ${sandbox.credentials.clientSecret}
  admin             ${sandbox.url}/__sandbox (faults, prices, ticks, clock, reset)
  console           ${sandbox.consoleUrl}
                    (developer console: requests, frames, state, prices, controls; the token is this run's)

Point the SDK and the CLI at it (paste into another shell):
${exportLines(sandbox.env)}

Press Ctrl+C to stop.`);
  return sandbox;
}
