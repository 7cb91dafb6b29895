/**
 * Small helpers shared by the examples. Not part of the SDK: a real application shows
 * `authorization_url` to its user in a browser, while the sandbox's page authorizes as soon as it is
 * opened, so the examples simply follow it.
 */
import type { Account, ConnectTrade, ConnectTradeUser } from 'connect-trade';

/** Prints a numbered step heading. */
export function step(n: number, title: string): void {
  console.log(`\n${n}. ${title}`);
}

/** Creates a trade connection and completes the sandbox's authorization page; returns the connection id. */
export async function linkBroker(user: ConnectTradeUser, broker: string): Promise<string> {
  const { authorization_url } = await user.connections.create({
    type: 'trade',
    redirect_url: 'http://127.0.0.1:9/linked',
    broker,
  });
  // The sandbox's page authorizes at once and redirects to redirect_url?connection_id=...
  const response = await fetch(authorization_url, { redirect: 'manual' });
  const location = response.headers.get('location');
  const connectionId = location ? new URL(location).searchParams.get('connection_id') : null;
  if (!connectionId)
    throw new Error(`Authorization did not redirect with a connection_id (${response.status})`);
  return connectionId;
}

/** A new user with a linked broker and its first account: the starting point of most examples. */
export async function onboard(
  ct: ConnectTrade,
  prefix: string,
): Promise<{ user: ConnectTradeUser; connectionId: string; account: Account }> {
  // A unique id: examples may run many times against one long-lived sandbox.
  const { user_id, user_secret } = await ct.users.create({
    user_id: `${prefix}-${Date.now()}-${Math.floor(Math.random() * 1e6)}`,
  });
  const user = ct.forUser({ userId: user_id, userSecret: user_secret });
  const connectionId = await linkBroker(user, 'ALPACA');
  const [account] = await user.accounts.list({ connection_id: connectionId });
  if (!account) throw new Error('The connection has no account');
  return { user, connectionId, account };
}

/**
 * Calls the sandbox's admin endpoint (`/__sandbox/...`, not part of the Connect Trade API), e.g. to
 * inject a fault. Only the examples about faults use it.
 */
export async function sandboxAdmin(path: string, body?: unknown): Promise<unknown> {
  const base = process.env.CONNECT_TRADE_BASE_URL;
  if (!base) throw new Error('CONNECT_TRADE_BASE_URL must point at a sandbox (npm run examples sets it)');
  const response = await fetch(`${base}/__sandbox${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`Sandbox admin ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** Rejects if `promise` does not settle within `ms`: a stuck example must fail, never hang. */
export function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Runs an example's main when the file is executed directly: exit code 0 on success, 1 on failure,
 * and 1 with a loud message if it takes longer than EXAMPLE_TIMEOUT_MS (default 30 s).
 */
export function runExample(mod: NodeJS.Module, main: () => Promise<void>): void {
  if (require.main !== mod) return;
  const limit = Number(process.env.EXAMPLE_TIMEOUT_MS ?? 30_000);
  const timer = setTimeout(() => {
    console.error(`\nFAILED: the example did not finish within ${limit} ms`);
    process.exit(1);
  }, limit);
  main().then(
    () => {
      clearTimeout(timer);
      process.exit(0);
    },
    (error: unknown) => {
      console.error('\nFAILED:', error);
      process.exit(1);
    },
  );
}
